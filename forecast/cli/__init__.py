"""The `forecast` command line: a thin Typer front end over forecast.services."""
