"""The terminal UI (Textual): the daily cockpit for questions, evidence, updates and scores."""
