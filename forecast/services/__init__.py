"""Use cases shared by the CLI and the TUI. Each takes a Session (or an Engine) first."""
