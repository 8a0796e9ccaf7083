"""A large interchange file is read by two processes (interchange/reader.py `_scan_in_two`): the batch, or the
errors, are what one process reading it whole gives, whatever falls on either side of the split.

The lines come from exports the project writes (every kind, corrections, evidence, history, comments), then
are repeated, reordered and broken as files met in practice are: re-exports concatenated, a line cut off."""

from __future__ import annotations

import io
import os
import sys
import threading
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.core.bulk_objects import no_cycle_collection
from forecast.interchange.reader import _finish, _received, _scan_in_two, read_file, read_lines
from forecast.services.batch_export import export_jsonl
from forecast.services.batch_import import import_batch
from forecast.services.database import open_database
from tests.cli_runner import invoke
from tests.interchange.test_interchange import SAMPLE, lines
from tests.interchange.test_kinds_interchange import kinds_database

SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "exports" / "small.jsonl"
ONE = 1 << 62  # `parallel_from` that keeps every file in one process

needs_fork = pytest.mark.skipif(
    not (hasattr(os, "fork") and sys.platform.startswith("linux")), reason="a file is read in two processes on Linux only"
)


def _alone(check) -> None:
    """Run `check` in a forked copy of this process, the one thread there: the reader forks only from a
    process without other threads (the test session has some). Its failure fails the test, with its traceback."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            assert threading.active_count() == 1
            check()
            code = 0
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        report = fh.read().decode()
    assert os.waitpid(pid, 0)[1] == 0, report


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[list[bytes]]:
    """The lines of two exports: the kinds database (v2), and the interchange sample with the small fixture."""
    out = []
    db = open_database(str(tmp_path_factory.mktemp("kinds") / "kinds.db"))
    with db.session() as s:
        kinds_database(s)
    other = open_database(str(tmp_path_factory.mktemp("sample") / "sample.db"))
    with other.session() as s:
        import_batch(s, read_lines(lines(SAMPLE), "sample.jsonl"))
        import_batch(s, read_lines(SMALL.read_bytes().splitlines(), "small.jsonl"))
    for database in (db, other):
        buf = io.BytesIO()
        with database.session() as s:
            export_jsonl(s, buf)
        out.append(buf.getvalue().splitlines())
        database.engine.dispose()
    return out


@pytest.fixture(scope="module")
def exported(exports) -> list[bytes]:
    return [line for export in exports for line in export]


def _outcome(path: Path, in_two: bool):
    """What reading the file gives: in one process (read_file), or in two (`_scan_in_two`, whatever the load)."""
    try:
        if in_two:
            with open(path, "rb") as fh, no_cycle_collection():
                scans = _scan_in_two(fh.fileno(), str(path), None)
                batch = _finish(str(path), scans) if scans is not None else read_file(str(path), parallel_from=ONE)
        else:
            batch = read_file(str(path), parallel_from=ONE)
    except InvalidInput as exc:
        return "error", str(exc)
    return {name: getattr(batch, name) for name in batch.__dataclass_fields__}


def _broken(line: bytes, how: int) -> bytes:
    """A line as files break it: cut off, emptied, a field's value changed (a repeat with other content)."""
    if how == 0:
        return line[: len(line) // 2]
    if how == 1:
        return b"   "
    return line.replace(b'"rationale":"', b'"rationale":"edited ', 1).replace(b'"title":"', b'"title":"Edited ', 1)


@st.composite
def files(draw, pool: list[bytes]) -> bytes:
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=60))
    out = []
    for i in picks:
        line = pool[i]
        if draw(st.integers(0, 9)) == 0:
            line = _broken(line, draw(st.integers(0, 2)))
        out.append(line)
    end = draw(st.sampled_from([b"\n", b""]))
    crlf = draw(st.booleans())
    return (b"\r\n" if crlf else b"\n").join(out) + end


@needs_fork
def test_the_file_is_split_and_each_part_read_in_its_own_process(exported, tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\n".join(exported * 3) + b"\n")

    def check() -> None:
        with open(path, "rb") as fh:
            scans = _scan_in_two(fh.fileno(), str(path), None)
        assert scans is not None and all(scan.forecasts for scan in scans)
        assert scans[1].forecast_lines[0] > scans[0].forecast_lines[-1]
        assert _outcome(path, True) == _outcome(path, False)

    _alone(check)


@needs_fork
def test_repeats_across_the_split_are_dropped_or_refused_as_by_one_reader(exported, tmp_path):
    @settings(max_examples=80, deadline=None, database=None)
    @given(files(exported))
    def check(data: bytes) -> None:
        path = tmp_path / "f.jsonl"
        path.write_bytes(data)
        assert _outcome(path, True) == _outcome(path, False)

    _alone(check)


def test_what_a_child_that_died_sent_is_not_taken():
    assert _received(b"") is None
    assert _received(b"\x80\x05garbage") is None


def _tables(path: Path) -> dict[str, list]:
    import sqlite3

    conn = sqlite3.connect(path)
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    dump = {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names if n != "alembic_version"}
    dump["foreign key violations"] = conn.execute("PRAGMA foreign_key_check").fetchall()
    conn.close()
    return dump


def test_the_command_stores_what_the_import_stores_with_every_key_checked(exports, tmp_path):
    """`forecast import jsonl` runs its transaction without SQLite's foreign-key lookups: the tables are those
    of import_batch in an ordinary session, row for row (the import's own clock aside), and every key holds.
    The second file goes into a database that has the first."""
    checked = open_database(str(tmp_path / "checked.db"))
    for n, export in enumerate(exports):
        path = tmp_path / f"{n}.jsonl"
        path.write_bytes(b"\n".join(export) + b"\n")
        assert invoke("import", "jsonl", str(path), db=str(tmp_path / "cli.db")).code == 0
        with checked.session() as s:
            assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            import_batch(s, read_lines(path.read_bytes().splitlines(), str(path)))
    checked.engine.dispose()
    cli, reference = _tables(tmp_path / "cli.db"), _tables(tmp_path / "checked.db")
    assert cli["foreign key violations"] == [] and cli["forecast"] and cli["standing_forecast"]
    for table in ("forecaster", "resolution_event"):  # created_at / at of what the import itself adds: its clock
        cli[table], reference[table] = ([row[:-1] for row in rows] for rows in (cli[table], reference[table]))
    assert cli == reference
