"""forecast: a terminal-first tracker for forecasting questions."""

__version__ = "0.1.0"
