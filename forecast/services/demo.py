"""The demo database: the shipped example questions with their forecast histories."""

from __future__ import annotations

from pathlib import Path

from forecast.core.errors import ForecastError
from forecast.services.database import open_database
from forecast.services.questions.files import sync_directory


def find_questions_dir(explicit: str | None = None) -> Path:
    candidates = [Path(explicit)] if explicit else [Path.cwd() / "questions", Path(__file__).parents[2] / "questions"]
    for path in candidates:
        if path.is_dir() and any(path.glob("*.toml")):
            return path
    raise ForecastError("no questions/ directory with .toml files found (run from the repository or pass --questions)")


def build_demo(target: str, questions: str | None = None, *, forecaster: str = "me", reset: bool = False) -> dict:
    path = Path(target)
    if reset and "://" not in target:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(target)
    folder = find_questions_dir(questions)
    return db.write(lambda session: sync_directory(session, folder, forecaster=forecaster))
