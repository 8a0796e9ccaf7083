"""Untrusted text cannot drive the terminal: a title carrying `ESC ] 2 ; pwned BEL` (retitle the window)
and `ESC [ 2 J` (erase the screen) comes in through every write path - the CLI, JSONL, TOML `q sync`,
Fatebook, iqisa, Metaculus, `--by` - and what is stored, listed and shown is free of controls."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli_runner import invoke

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"
EVIL = "\x1b]2;pwned\x07Evil \x1b[2J\u202ething\u2066 \x9b31m\x7f"
EVIL_NAME = "mal\x1b[31mlory\u202e"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_clean_db(path: str) -> None:
    """Every text cell of every table is free of controls (newlines and tabs allowed in multi-line text)."""
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for cell in row:
                    if isinstance(cell, str):
                        assert not UNSAFE.search(cell), f"{table}: {cell!r}"
    finally:
        conn.close()


def assert_clean_output(db: str) -> None:
    listed = invoke("q", "list", "--status", "all", db=db)
    assert listed.code == 0, listed.err
    assert not UNSAFE.search(listed.out) and "\x1b" not in listed.out
    for q in invoke("q", "list", "--status", "all", "--json", db=db).json():
        shown = invoke("q", "show", q["slug"], db=db)
        assert shown.code == 0, shown.err
        assert not UNSAFE.search(shown.out.replace("\n", "")), shown.out
    assert_clean_db(db)


def test_cli_and_by(tmp_path):
    db = str(tmp_path / "f.db")
    added = invoke("q", "add", EVIL, "--closes", "in 30 days", "--criteria", f"line one\n{EVIL}", "--slug", "evil",
                "-t", "ta\x1b[1mg", db=db)  # fmt: skip
    assert added.code == 0, added.err
    said = invoke("predict", "evil", "30%", "--by", EVIL_NAME, "--why", EVIL, db=db)
    assert said.code == 0, said.err
    assert invoke("q", "show", "evil", "--json", db=db).json()["title"] == "Evil thing"
    again = invoke("predict", "evil", "40%", "--by", "mallory", db=db)  # the same forecaster as the cleaned name
    assert again.code == 0
    assert [f["forecaster"] for f in invoke("q", "show", "evil", "--json", db=db).json()["forecasts"]] == ["mallory"] * 2
    assert_clean_output(db)


def test_jsonl(tmp_path):
    db, path = str(tmp_path / "f.db"), tmp_path / "in.jsonl"
    records = [
        {"type": "question", "slug": "evil", "title": EVIL, "description": EVIL, "opens_at": "2026-01-01T00:00:00Z",
         "closes_at": "2027-01-01T00:00:00Z", "tags": ["x\x1b[31m"]},
        {"type": "forecast", "question": "evil", "forecaster": EVIL_NAME, "probability": 0.3,
         "made_at": "2026-02-01T00:00:00Z", "rationale": EVIL},
        {"type": "evidence", "key": "k1", "title": EVIL, "text": EVIL, "url": "https://user:secret@example.test/a",
         "links": [{"question": "evil", "note": EVIL}]},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    imported = invoke("import", "jsonl", str(path), db=db)
    assert imported.code == 0, imported.err
    assert_clean_output(db)
    exported = invoke("export", "jsonl", db=db).out
    assert "secret" not in exported and "https://example.test/a" in exported


def test_jsonl_refuses_nul_and_other_schemes_with_the_line(tmp_path):
    db, path = str(tmp_path / "f.db"), tmp_path / "in.jsonl"
    q = {"type": "question", "slug": "ok", "title": "Fine", "opens_at": "2026-01-01T00:00:00Z",
         "closes_at": "2027-01-01T00:00:00Z"}  # fmt: skip
    bad_url = {"type": "evidence", "key": "j", "url": "javascript:x()"}
    lines = [q, {**q, "slug": "nul", "title": "bad\x00title"}, bad_url]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    res = invoke("import", "jsonl", str(path), db=db)
    assert res.code == 1
    assert res.err.splitlines()[:2] == [
        f"forecast: {path}:2: title contains a NUL character (U+0000); remove it and try again",
        f"forecast: {path}:3: only http and https URLs are accepted, not javascript:x()",
    ]


def test_toml_sync(tmp_path):
    db, qdir = str(tmp_path / "f.db"), tmp_path / "questions"
    qdir.mkdir()
    esc = EVIL.encode("unicode_escape").decode().replace("\\x", "\\u00")
    (qdir / "evil.toml").write_text(
        f'slug = "evil"\ntitle = "{esc}"\ndescription = "{esc}"\nopens_at = 2026-01-01T00:00:00Z\n'
        f'closes_at = 2027-01-01T00:00:00Z\n\n[[forecasts]]\nby = "{esc}"\nprobability = 0.3\n'
        f'made_at = 2026-02-01T00:00:00Z\nwhy = "{esc}"\n',
        encoding="utf-8",
    )
    synced = invoke("q", "sync", str(qdir), db=db)
    assert synced.code == 0, synced.err
    assert_clean_output(db)
    (qdir / "evil.toml").write_text('slug = "evil"\ntitle = "a\\u0000b"\n', encoding="utf-8")
    refused = invoke("q", "sync", str(qdir), db=db)
    assert refused.code == 1
    assert refused.err == f"forecast: {qdir / 'evil.toml'}:2: title contains a NUL character (U+0000); remove it\n"


def _hostile_copy(src: Path, dst: Path, replacements: dict[str, str]) -> Path:
    text = src.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    dst.write_text(text, encoding="utf-8")
    return dst


@pytest.mark.parametrize("tracker", ["fatebook", "iqisa", "metaculus"])
def test_trackers(tmp_path, tracker):
    db = str(tmp_path / "f.db")
    csv_evil = EVIL.replace('"', "")
    if tracker == "fatebook":
        path = _hostile_copy(FIXTURES / "fatebook.csv", tmp_path / "fb.csv",
                             {"Will it rain in London on 6 March?": csv_evil, '"Alice"': f'"{EVIL_NAME}"'})  # fmt: skip
        args = ["import", "fatebook", str(path)]
    elif tracker == "iqisa":
        data = _hostile_copy(FIXTURES / "iqisa.csv", tmp_path / "iq.csv", {"Trainor": EVIL_NAME})
        titles = _hostile_copy(FIXTURES / "iqisa_titles.csv", tmp_path / "titles.csv",
                               {"Obama will win the 2008 US presidential election": csv_evil})  # fmt: skip
        args = ["import", "iqisa", str(data), "--titles", str(titles)]
    else:
        root = tmp_path / "metaculus"
        shutil.copytree(FIXTURES / "metaculus", root)
        _hostile_copy(root / "question_data.csv", root / "question_data.csv",
                      {"Will the bill pass, by 2024-06-30?": csv_evil})  # fmt: skip
        _hostile_copy(root / "forecast_data.csv", root / "forecast_data.csv", {",alice,": f",{EVIL_NAME},"})
        args = ["import", "metaculus", str(root)]
    imported = invoke(*args, db=db)
    assert imported.code == 0, imported.err
    titles = [q["title"] for q in invoke("q", "list", "--status", "all", "--json", db=db).json()]
    assert any(t.startswith("Evil thing") for t in titles), titles
    assert_clean_output(db)
