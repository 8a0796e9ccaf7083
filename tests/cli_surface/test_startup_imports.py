"""What `forecast --help` loads, in a fresh interpreter (the layer rules: tests/test_layers.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.small_db import make_small_db


def test_cli_start_up_stays_light():
    """`forecast --help` must not load the database stack, statsmodels, pandas or textual."""
    code = (
        "import sys, json\n"
        "sys.argv = ['forecast', '--help']\n"
        "from forecast.cli.app import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({k.split('.')[0] for k in sys.modules})), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    for heavy in ("sqlalchemy", "sqlmodel", "statsmodels", "pandas", "textual", "numpy", "matplotlib", "trafilatura"):
        assert heavy not in loaded, f"`forecast --help` imported {heavy}"


EVERYDAY = {
    "predict": ["predict", "rain", "45%", "--why", "a new model run"],
    "q list": ["q", "list"],
    "q show": ["q", "show", "snow"],
    "resolve": ["resolve", "rain", "no"],
    "forecasts": ["forecasts", "rain"],
}
HEAVY_FOR_EVERYDAY = ("sqlmodel", "pydantic", "sqlalchemy.orm", "numpy", "arrow", "alembic")
"""What the everyday commands must not load on a small database: the ORM and the table classes (sqlmodel,
pydantic, sqlalchemy.orm), numpy, arrow; each alone costs more than the 0.3x of `import sqlalchemy, typer`
these commands may take beyond it (docs/benchmarks.md, "Everyday commands"). pydantic is also what typer
would load to coerce each parameter (cli/params.py, `PlainCoercionGroup`)."""


def _loaded_by(argv: list[str]) -> set[str]:
    code = (
        "import sys, json\n"
        f"sys.argv = ['forecast'] + {argv!r}\n"
        "from forecast.cli.app import run\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("name", list(EVERYDAY))
def test_everyday_commands_stay_off_the_orm(name, tmp_path):
    """`predict`, `q list`, `q show`, `resolve` and `forecasts` run on SQL alone, in the user's zone (the
    default, "local"), without the modules above."""
    db = str(tmp_path / "small.db")
    make_small_db(db)
    loaded = _loaded_by(["--db", db, *EVERYDAY[name]])
    assert "sqlalchemy" in loaded  # the check is not vacuous: the command did reach the database
    for heavy in HEAVY_FOR_EVERYDAY:
        assert heavy not in loaded, f"`forecast {name}` imported {heavy}"


def test_q_show_of_a_date_question_with_linked_binaries_stays_off_the_orm(tmp_path):
    """The date question's linked binary questions are read in SQL too; only numpy (the CDFs) comes in."""
    from tests.cli_runner import invoke

    db = str(tmp_path / "kinds.db")
    for args in (("q", "add", "When is the next launch?", "--kind", "date", "--range", "2026-01-01..2027-12-31",
                  "--closes", "2027-06-01", "--slug", "launch"),
                 ("q", "add", "Launch before 2027?", "--closes", "2027-01-01", "--slug", "before"),
                 ("q", "edit", "before", "--event", "launch"),
                 ("predict", "launch", "p10=2026-04-01 p50=2026-08-01 p90=2027-03-01", "--by", "ann"),
                 ("predict", "before", "40%", "--by", "ann")):  # fmt: skip
        assert invoke(*args, db=db).code == 0
    loaded = _loaded_by(["--db", db, "q", "show", "launch"])
    assert "sqlalchemy" in loaded and "forecast.core.distribution" in loaded  # the CDFs were read
    for heavy in ("sqlmodel", "pydantic", "sqlalchemy.orm", "arrow", "alembic"):
        assert heavy not in loaded, f"`forecast q show` of a date question imported {heavy}"


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.binary(), st.lists(st.text(), max_size=3)))
def test_plain_coercion_gives_what_typers_adapter_gives(value):
    """The text parameters skip typer's pydantic adapter (cli/params.py) and get the same values from it."""
    from typer._coercion import build_runtime_param, resolve_type_descriptor
    from typer.models import OptionInfo

    from forecast.cli.params import _PlainCoercion

    descriptor = resolve_type_descriptor(list[str] if isinstance(value, list) else str, OptionInfo())
    expected = build_runtime_param(descriptor)._coerce_value(value, param=None, ctx=None)
    got = _PlainCoercion(descriptor.parameter_info, descriptor.annotation)._coerce_value(value, param=None, ctx=None)
    assert got == expected and type(got) is type(expected)


HEAVY_FOR_SCORE = ("sqlmodel", "pydantic", "sqlalchemy", "alembic", "statsmodels", "scipy")
"""`forecast score` on a SQLite file at the current schema reads through the standard library's sqlite3
(services/sqlite_read.py) and keeps typer's flags and default numbers off pydantic (cli/params.py): together
these were half a second of a million-forecast run (docs/benchmarks.md, "Issue 13 §3")."""


@pytest.mark.parametrize("extra", [[], ["--breakdown", "tag", "--exclude-backfilled"],
                                   ["--unit", "final", "--breakdown", "question"]])  # fmt: skip
def test_score_summary_stays_off_the_orm(extra, tmp_path):
    db = str(tmp_path / "small.db")
    make_small_db(db)
    loaded = _loaded_by(["--db", db, "score", "--json", *extra])
    assert "numpy" in loaded  # the check is not vacuous: the command did score
    for heavy in HEAVY_FOR_SCORE:
        assert not any(m == heavy or m.startswith(heavy + ".") for m in loaded), f"`forecast score` imported {heavy}"


@settings(max_examples=200, deadline=None)
@given(
    case=st.one_of(
        st.tuples(st.just(bool), st.booleans()),
        st.tuples(st.just(float), st.floats(allow_nan=False)),
        st.tuples(st.just(int), st.integers()),
    )
)
def test_plain_coercion_passes_flags_and_defaults_as_typers_adapter_does(case):
    """A flag's True/False and a number parameter's own default reach the command unchanged, as through typer's
    adapter (which they no longer build)."""
    from typer._coercion import build_runtime_param, resolve_type_descriptor
    from typer.models import OptionInfo

    from forecast.cli.params import _PlainCoercion

    annotation, value = case
    descriptor = resolve_type_descriptor(annotation, OptionInfo())
    expected = build_runtime_param(descriptor)._coerce_value(value, param=None, ctx=None)
    got = _PlainCoercion(descriptor.parameter_info, descriptor.annotation)._coerce_value(value, param=None, ctx=None)
    assert got == expected and type(got) is type(expected)
