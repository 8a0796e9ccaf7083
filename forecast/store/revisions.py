"""The schema revisions this version knows, oldest first; HEAD is the newest (store/migrate.py upgrades to it).

Plain constants, so that a read that only checks the revision (services/sqlite_read.py, store/opening.py)
imports neither SQLAlchemy nor Alembic. A test checks them against Alembic's own view of the scripts."""

HEAD = "0009_kinds"
REVISIONS = (
    "0001_initial",
    "0002_evidence_feeds",
    "0003_check_runs",
    "0004_standing_forecast",
    "0005_question_sync",
    "0006_reminders",
    "0007_soft_delete",
    "0008_team",
    "0009_kinds",
)
