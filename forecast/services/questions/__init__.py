"""Questions: authoring (add, edit), detail, listings, the questions table, question files and their sync."""
