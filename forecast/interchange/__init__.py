"""The JSON Lines interchange format (docs/interchange.md): v2 carries question kinds; v1 files (all binary)
still import."""

FORMAT = "forecast-jsonl"
VERSION = 2
READS = (1, 2)
