"""Pure domain core: types, parsing and scoring. Imports no Textual, Typer, Rich or SQLModel."""
