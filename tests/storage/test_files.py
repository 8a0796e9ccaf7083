"""Files the program writes are all-or-nothing; files it reads are regular and bounded (issue 10 §3)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from forecast.core.errors import ForecastError, InvalidInput
from forecast.files import BoundedStream, atomic_output, read_regular_file
from tests.cli_runner import invoke, run
from tests.small_db import make_small_db, sqlite_fingerprint


def one_line(err: str) -> bool:
    return len(err.strip().splitlines()) == 1 and "Traceback" not in err


# --- the helpers --------------------------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "backup.jsonl"
    target.write_bytes(b"old content\n")
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        out.write(b"partial")
        raise RuntimeError("the writer choked on a row")
    assert target.read_bytes() == b"old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.jsonl"]
    with atomic_output(target) as out:
        out.write(b"new\n")
    assert target.read_bytes() == b"new\n"


def test_a_device_is_written_in_place_not_replaced(tmp_path):
    with atomic_output("/dev/null") as out:
        out.write(b"x")
    assert Path("/dev/null").is_char_device()
    with pytest.raises(ForecastError, match="does not exist"):
        with atomic_output(tmp_path / "no" / "f.txt"):
            pass


def test_bounded_reading(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        read_regular_file(fifo, 10)  # returns at once: opened non-blocking
    with pytest.raises(InvalidInput, match="not a regular file"):
        read_regular_file("/dev/zero", 10)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 11)
    with pytest.raises(InvalidInput, match="larger than 10 bytes"):
        read_regular_file(big, 10)
    assert read_regular_file(big, 11) == b"x" * 11
    stream = BoundedStream(io.BytesIO(b"y" * 100), 50, "member")
    with pytest.raises(InvalidInput, match="member is larger"):
        stream.read()


# --- the commands -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("evidence", "add", "rain", "--file"), ("import", "jsonl"),
                                  ("import", "fatebook"), ("import", "iqisa")], ids=" ".join)
@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_devices_and_fifos_are_refused_at_once(small_db, tmp_path, args, source):
    if source == "fifo":
        source = str(tmp_path / "fifo")
        os.mkfifo(source)
    before = sqlite_fingerprint(small_db)
    r = invoke(*args, source, db=str(small_db))
    assert r.code == 1 and one_line(r.err) and "not a regular file" in r.err, r.err
    assert sqlite_fingerprint(small_db) == before


def test_q_sync_refuses_a_fifo_question_file(small_db, tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    os.mkfifo(folder / "q.toml")
    r = invoke("q", "sync", str(folder), db=str(small_db))
    assert r.code == 1 and "not a regular file" in r.err


def test_a_zip_with_a_huge_cell_is_refused_in_bounded_memory(small_db, tmp_path):
    """200 MB of one CSV cell compresses to a few hundred KB; the field cap stops it at 16 MB, and the
    process runs under a 1 GB address-space limit to prove it never held the cell."""
    bundle = tmp_path / "fatebook.zip"
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open("export.csv", "w") as fh:
        fh.write(b"title,notes\n\"t\",\"")
        chunk = b"a" * (1024 * 1024)
        for _ in range(200):
            fh.write(chunk)
        fh.write(b"\"\n")
    assert bundle.stat().st_size < 2_000_000
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))"
    from tests.cli_runner import EXE

    proc = subprocess.run(
        ["python3", "-c", f"{limit}; import os, sys; os.execv(sys.argv[1], sys.argv[1:])", EXE, "--db",
         str(small_db), "import", "fatebook", str(bundle)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "field larger than field limit" in proc.stderr or "not " in proc.stderr


# --- a full disk ---------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs: a real full disk (ENOSPC from the kernel), needs root; skipped elsewhere."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int) -> None:
    """Take all free space but `leave` bytes."""
    st = os.statvfs(mount)
    free = st.f_bavail * st.f_frsize
    with open(mount / "filler", "wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))


def test_a_failed_export_on_a_full_disk_leaves_the_old_backup_byte_identical(tiny_disk, small_db):
    db = str(small_db)
    backup = tiny_disk / "backup.jsonl"
    assert invoke("export", "jsonl", "-o", str(backup), db=db).code == 0
    old = backup.read_bytes()
    for i in range(10):  # the new export is much larger than the old one
        invoke("q", "add", f"Question number {i} " + "x" * 300, "--closes", "2030-01-01", "--criteria", "y" * 8000,
               db=db)  # fmt: skip
    _fill(tiny_disk, leave=len(old) + 4096)
    r = run("export", "jsonl", "-o", str(backup), db=db)  # the real executable, on the real full disk
    assert r.code == 1 and one_line(r.err) and "No space left on device" in r.err, r.err
    assert backup.read_bytes() == old
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["backup.jsonl", "filler"]
    r = invoke("export", "forecasts", "-o", str(tiny_disk / "f.csv"), db=db)
    assert r.code == 0 or ("No space" in r.err and not (tiny_disk / "f.csv").exists())


def test_writes_to_a_database_on_a_full_disk_fail_in_one_line_and_lose_nothing(tiny_disk, small_db):
    db = tiny_disk / "f.db"
    shutil.copyfile(small_db, db)
    invoke("db", "info", db=str(db))
    before = sqlite_fingerprint(db)
    _fill(tiny_disk, leave=0)
    add = ("q", "add", "Q{} " + "z" * 5000, "--closes", "2030-01-01", "--criteria", "w" * 20000)
    failures = 0
    for i in range(30):
        r = invoke(add[0], add[1], add[2].format(i), *add[3:], db=str(db))
        assert r.code in (0, 1) and "Traceback" not in r.err, r.err
        if r.code == 1:
            failures += 1
            assert one_line(r.err) and ("full" in r.err or "No space" in r.err or "disk" in r.err), r.err
    assert failures > 0
    r = run(add[0], add[1], add[2].format("real"), *add[3:], db=str(db))  # the real executable fails alike
    assert r.code == 1 and one_line(r.err) and ("full" in r.err or "No space" in r.err or "disk" in r.err), r.err
    (tiny_disk / "filler").unlink()
    after = invoke("q", "list", "--status", "all", "--json", db=str(db))
    assert after.code == 0
    slugs = {q["slug"] for q in after.json()}
    assert {"rain", "snow"} <= slugs
    counts, _ = sqlite_fingerprint(db)
    assert counts["forecast"] == before[0]["forecast"]
