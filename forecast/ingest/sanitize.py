"""Moved to forecast.core.text (the one sanitizer); this name stays for modules not yet switched over."""

from forecast.core.text import clean_line, clean_text, strip_controls

__all__ = ["clean_line", "clean_text", "strip_controls"]
