"""Widgets shared by the screens: tables over in-memory views, charts drawn in braille, form fields."""
