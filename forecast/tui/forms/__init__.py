"""Modal forms that validate as you type and write through the services in a worker."""
