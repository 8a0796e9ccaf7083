"""The JSON Lines interchange format v1 (docs/interchange.md)."""

FORMAT = "forecast-jsonl"
VERSION = 1
