"""Schema versioning: a database made at the first revision upgrades to head without loss."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from forecast.services.database import open_database
from forecast.store import migrate
from forecast.store.engine import database_url, make_engine


def test_head_constant_matches_alembic_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [migrate.HEAD]
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == migrate.REVISIONS


def _populate_first_revision(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO forecaster (id, name, created_at) VALUES (1, 'alice', 1552694400000000)"))
        conn.execute(
            text(
                "INSERT INTO question (id, slug, title, kind, description, criteria, opens_at, closes_at, resolves_at, "
                "status, resolution, resolved_at, resolution_note, auto_rule, created_at, updated_at) VALUES "
                "(1, 'nk-launch-2019', 'Will North Korea launch?', 'binary', '', 'criteria', 1552694400000000, "
                "1561939200000000, 1561939200000000, 'resolved', 'yes', 1556928000000000, 'KN-23', 'no_at_close', "
                "1552694400000000, 1552694400000000)"
            )
        )
        for i, (p, made) in enumerate([(0.35, 1552730400000000), (0.45, 1555056000000000)], start=1):
            conn.execute(
                text(
                    "INSERT INTO forecast (id, question_id, forecaster_id, probability, made_at, recorded_at, "
                    "rationale, superseded) VALUES (:i, 1, 1, :p, :m, :m, 'why', false)"
                ),
                {"i": i, "p": p, "m": made},
            )


def _assert_data_kept(engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT slug, resolution FROM question")).all() == [("nk-launch-2019", "yes")]
        assert conn.execute(text("SELECT probability FROM forecast ORDER BY made_at")).scalars().all() == [0.35, 0.45]
        # The standing-forecast cache added by a later revision is filled from the existing history.
        assert conn.execute(text("SELECT probability FROM standing_forecast")).scalars().all() == [0.45]
        # Revision 0005 adds q sync's record of what each file held: empty, since nothing says what files held.
        assert conn.execute(text("SELECT count(*) FROM question_sync")).scalar() == 0
        # Revision 0006 adds per-question reminders: none yet.
        assert conn.execute(text("SELECT count(*) FROM reminder")).scalar() == 0
        # Revision 0007 adds the trash that deletes move rows into: nothing deleted yet.
        assert conn.execute(text("SELECT count(*) FROM trash")).scalar() == 0
        # Revision 0008 (teams): who recorded a forecast and who created a question, unknown for old rows.
        assert conn.execute(text("SELECT recorded_by FROM forecast")).scalars().all() == [None, None]
        assert conn.execute(text("SELECT created_by FROM question")).scalars().all() == [None]
        assert conn.execute(text("SELECT count(*) FROM team_setting")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM write_log")).scalar() == 0


def test_upgrade_from_first_revision_keeps_everything(db_url):
    engine = make_engine(database_url(db_url))
    migrate.upgrade(engine, "0001_initial")
    assert migrate.current_revision(engine) == "0001_initial"
    _populate_first_revision(engine)
    engine.dispose()

    db = open_database(db_url)  # opening an older database upgrades it
    assert migrate.current_revision(db.engine) == migrate.HEAD
    _assert_data_kept(db.engine)
    db.engine.dispose()


def test_question_sync_after_upgrade_from_first_revision(db_url, tmp_path):
    """The first sync after the upgrade records an identical file and refuses to guess over a different one."""
    import pytest

    from forecast.core.errors import Conflict
    from forecast.services.questions.files import sync_directory

    engine = make_engine(database_url(db_url))
    migrate.upgrade(engine, "0001_initial")
    _populate_first_revision(engine)
    engine.dispose()
    db = open_database(db_url)
    folder = tmp_path / "questions"
    folder.mkdir()
    same = (
        'slug = "nk-launch-2019"\ntitle = "Will North Korea launch?"\ncriteria = "criteria"\n'
        'opens_at = 2019-03-16T00:00:00Z\ncloses_at = 2019-07-01T00:00:00Z\nauto = "no_at_close"\n'
    )
    (folder / "nk.toml").write_text(same.replace('"criteria"', '"other criteria"'), encoding="utf-8")
    with pytest.raises(Conflict, match="nk.toml:3: conflict: criteria differs"):
        with db.session() as s:
            sync_directory(s, folder, forecaster="alice")
    (folder / "nk.toml").write_text(same, encoding="utf-8")
    with db.session() as s:
        report = sync_directory(s, folder, forecaster="alice")
    assert report["added"] == 0 and report["changes"] == [{"question": "nk-launch-2019", "field": "source_file",
                                                           "from": None, "to": "questions/nk.toml"}]  # fmt: skip
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT path FROM question_sync")).scalars().all() == ["questions/nk.toml"]
        assert conn.execute(text("SELECT resolution FROM question")).scalars().all() == ["yes"]
    db.engine.dispose()


def test_sqlite_upgrade_writes_a_backup_first(tmp_path: Path):
    path = tmp_path / "old.db"
    engine = make_engine(database_url(path))
    migrate.upgrade(engine, "0001_initial")
    _populate_first_revision(engine)
    engine.dispose()

    backups: list[Path] = []
    db = open_database(str(path), announce_backup=backups.append)
    assert len(backups) == 1 and backups[0].exists()
    old = make_engine(database_url(backups[0]))
    assert migrate.current_revision(old) == "0001_initial"
    with old.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM forecast")).scalar() == 2
    _assert_data_kept(db.engine)


def test_fresh_database_is_created_at_head_without_backup(tmp_path: Path):
    backups: list[Path] = []
    db = open_database(str(tmp_path / "new.db"), announce_backup=backups.append)
    assert migrate.current_revision(db.engine) == migrate.HEAD
    assert backups == []


def test_sqlite_pragmas(tmp_path: Path):
    db = open_database(str(tmp_path / "p.db"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_newer_schema_is_refused(tmp_path: Path):
    import pytest

    from forecast.core.errors import ForecastError

    db = open_database(str(tmp_path / "n.db"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(ForecastError, match="newer"):
        open_database(str(tmp_path / "n.db"))
