"""A fixed fixture database, a frozen clock, and an app factory for the terminal UI tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import shutil
from pathlib import Path

import pytest

from forecast.core.model import Resolution
from forecast.services.database import Database, open_database
from forecast.services.forecasts import ForecastRequest, record_forecast
from forecast.services.questions.authoring import QuestionDraft, add_question
from forecast.services.resolution import resolve

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ME = "tester"
SIZE = (100, 32)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)


def _days(n: float) -> datetime:
    return NOW + timedelta(days=n)


def build_fixture(db: Database) -> dict[str, int]:
    """Questions in every state, two forecasters, linked evidence and an inbox item. Returns ids by slug."""
    from forecast.ingest.sources import from_text
    from forecast.services.evidence import LinkSpec, add_from_text, store_draft

    ids: dict[str, int] = {}
    with db.session() as s:

        def question(slug, title, opens, closes, tags, criteria="Resolves YES if it happens.", auto=None):
            q = add_question(
                s,
                QuestionDraft(title=title, slug=slug, opens_at=_days(opens), closes_at=_days(closes), tags=tags,
                              criteria=criteria, auto=auto),  # fmt: skip
                now=_days(opens),
            )
            ids[slug] = q.id
            return q

        def forecast(slug, who, p, day, why="", evidence=()):
            record_forecast(
                s,
                ForecastRequest(question=slug, probability=p, forecaster=who, at=_days(day), rationale=why,
                                evidence=evidence),  # fmt: skip
                now=_days(day),
            )

        question("eu-summit-deal", "Will the EU summit agree a budget deal by June?", -60, 90, ("eu", "politics"),
                 criteria="Resolves YES if the European Council conclusions announce an agreed budget.")
        question("rate-cut-q2", "Will the central bank cut rates in Q2 [2026]?", -40, 30, ("economics",))
        question("launch-window", "Will the crewed launch happen before its window closes?", -90, -2,
                 ("space",))  # open, past its close: overdue
        question("old-election", "Did the incumbent win the 2025 election?", -400, -100, ("politics",))
        question("storm-season", "Will more than 15 named storms form this season?", -300, -30, ("climate",))
        question("annulled-vote", "Will the referendum pass?", -200, -50, ("politics",))

        ev = add_from_text(
            s,
            "The finance ministers reached a preliminary understanding on the budget framework. "
            "Officials said a final deal could come at the June summit.",
            title="Ministers close in on budget framework",
            link=LinkSpec("eu-summit-deal", stance="yes", note="preliminary deal"),
            published=_days(-20),
            now=_days(-19),
        )
        forecast("eu-summit-deal", ME, 0.40, -55, "Base rate for deals on time is low.")
        forecast("eu-summit-deal", "alice", 0.55, -50, "Pressure from the presidency.")
        forecast("eu-summit-deal", ME, 0.62, -18, "Ministers' framework makes a deal likelier.", (ev.evidence.key,))
        forecast("rate-cut-q2", ME, 0.30, -35, "Inflation still above target.")
        forecast("rate-cut-q2", "alice", 0.20, -30)
        forecast("launch-window", ME, 0.80, -60, "Hardware ready.")
        forecast("old-election", ME, 0.70, -300, "Incumbent leads polls.")
        forecast("old-election", "alice", 0.60, -250)
        forecast("old-election", ME, 0.85, -150, "Lead widened.")
        forecast("storm-season", ME, 0.35, -250, "Neutral ENSO.")
        forecast("storm-season", "alice", 0.50, -200)
        forecast("annulled-vote", ME, 0.50, -150)

        resolve(s, "old-election", Resolution.YES, actor=ME, at=_days(-99), note="Official results", now=_days(-99))
        resolve(s, "storm-season", Resolution.NO, actor=ME, at=_days(-29), now=_days(-29))
        resolve(s, "annulled-vote", Resolution.ANNULLED, actor=ME, at=_days(-49), note="Vote cancelled",
                now=_days(-49))  # fmt: skip
        store_draft(
            s,
            from_text("A new report says the central bank is weighing an early cut in April.",
                      title="Central bank weighs April cut", url="https://news.example/rates"),  # fmt: skip
            inbox=True,
            now=_days(-1),
        )
    return ids


def build_kinds(db: Database) -> dict[str, int]:
    """A choice, a date and a resolved numeric question, and a binary "before July" question linked to the
    date question (its forecast 20 points from what the date forecast implies). Returns ids by slug."""
    from forecast.core.kind_spec import choice_spec, continuous_spec
    from forecast.core.model import Kind
    from forecast.services.evidence import LinkSpec, add_from_text
    from forecast.services.questions.authoring import edit_question

    ids: dict[str, int] = {}
    with db.session() as s:

        def question(slug, title, opens, closes, spec=None, tags=()):
            draft = QuestionDraft(title=title, slug=slug, opens_at=_days(opens), closes_at=_days(closes), tags=tags,
                                  **({"spec": spec} if spec is not None else {}))  # fmt: skip
            ids[slug] = add_question(s, draft, now=_days(opens)).id

        def forecast(slug, who, text, day, why=""):
            record_forecast(s, ForecastRequest(question=slug, probability=text, forecaster=who, at=_days(day),
                                               rationale=why), now=_days(day))  # fmt: skip

        question("summit-host", "Which city hosts the 2027 summit?", -60, 120,
                 choice_spec(["paris=Paris", "rome=Rome", "berlin=Berlin"], other=True), ("eu",))
        question("next-launch", "When will the next crewed launch happen?", -60, 300,
                 continuous_spec(Kind.DATE, "2026-01-01..2027-12-31", open_upper=True), ("space",))
        question("launch-before-july", "Will the crewed launch happen before July 2026?", -60, 122, tags=("space",))
        question("march-rain", "How much rain falls in March [mm]?", -90, -5,
                 continuous_spec(Kind.NUMERIC, "0..200", unit="mm"), ("climate",))
        edit_question(s, "launch-before-july", event="next-launch", now=_days(-59))
        add_from_text(s, "The launch provider finished its integrated tests ahead of schedule.",
                      title="Integrated tests done", link=LinkSpec("next-launch", stance="yes"),
                      published=_days(-20), now=_days(-19))  # fmt: skip
        forecast("summit-host", ME, "paris=50% rome=30% berlin=15% other=5%", -50, "Paris has the venue.")
        forecast("summit-host", "alice", "paris=30% rome=50% berlin=15% other=5%", -40)
        forecast("summit-host", ME, "paris=40% rome=40% berlin=15% other=5%", -10, "Rome's bid improved.")
        forecast("next-launch", ME, "p10=2026-04-01 p50=2026-08-01 p90=2027-03-01", -50, "Schedules slip.")
        forecast("next-launch", "alice", "p10=2026-05-01 p50=2026-10-01 p90=2027-06-01", -40)
        forecast("next-launch", ME, "p10=2026-04-15 p50=2026-07-01 p90=2026-12-01", -15, "Tests went well.")
        forecast("launch-before-july", ME, 0.30, -14)
        forecast("launch-before-july", "alice", 0.30, -30)
        forecast("march-rain", ME, "p10=40 p50=80 p90=130", -60)
        resolve(s, "march-rain", "87", actor=ME, at=_days(-3), note="Met office total", now=_days(-3))
    return ids


def build_kinds_scored(db: Database) -> dict[str, int]:
    """The kinds fixture with its choice and date questions resolved too (the binary one stays open), so the
    scores screen has a table for each of choice, numeric and date and none for binary."""
    ids = build_kinds(db)
    with db.session() as s:
        resolve(s, "summit-host", "rome", actor=ME, at=_days(-2), note="Announced", now=_days(-2))
        resolve(s, "next-launch", "2026-02-20", actor=ME, at=_days(-1), now=_days(-1))
    return ids


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> dict[str, Path]:
    """Built (and migrated) once per session; each test gets its own copy."""
    root = tmp_path_factory.mktemp("templates")
    paths = {"fixture": root / "fixture.db", "empty": root / "empty.db", "kinds": root / "kinds.db",
             "kinds_scored": root / "kinds_scored.db"}  # fmt: skip
    for name, path in paths.items():
        db = open_database(str(path))
        if name == "fixture":
            build_fixture(db)
        elif name == "kinds":
            build_kinds(db)
        elif name == "kinds_scored":
            build_kinds_scored(db)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return paths


def _copy(template: Path, target: Path) -> Database:
    shutil.copyfile(template, target)
    return open_database(str(target))


@pytest.fixture
def fixture_db(_templates, tmp_path) -> Database:
    db = _copy(_templates["fixture"], tmp_path / "fixture.db")
    yield db
    db.engine.dispose()


@pytest.fixture
def kinds_db(_templates, tmp_path) -> Database:
    db = _copy(_templates["kinds"], tmp_path / "kinds.db")
    yield db
    db.engine.dispose()


@pytest.fixture
def kinds_app(kinds_db, clock):
    def make(**kwargs):
        return make_app(kinds_db, clock, **kwargs)

    return make


@pytest.fixture
def kinds_scored_db(_templates, tmp_path) -> Database:
    db = _copy(_templates["kinds_scored"], tmp_path / "kinds_scored.db")
    yield db
    db.engine.dispose()


@pytest.fixture
def kinds_scored_app(kinds_scored_db, clock):
    def make(**kwargs):
        return make_app(kinds_scored_db, clock, **kwargs)

    return make


@pytest.fixture
def empty_db(_templates, tmp_path) -> Database:
    db = _copy(_templates["empty"], tmp_path / "empty.db")
    yield db
    db.engine.dispose()


def make_app(db: Database, clock: Clock | None = None, **kwargs):
    from forecast.tui.app import ForecastApp
    from forecast.tui.context import TuiContext

    ctx = TuiContext(target=db.url, me=ME, tz="UTC", clock=clock or Clock(), refresh_seconds=None,
                     label="fixture.db", database=db)  # fmt: skip
    return ForecastApp(ctx, **kwargs)


async def settle(pilot) -> None:
    """Wait until every worker has finished and the messages they posted are handled."""
    app = pilot.app
    for _ in range(20):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    await pilot.pause()


async def until(pilot, condition, *, timeout: float = 60.0, what: str = "the expected state") -> None:
    """Let the app run (debounce timers, workers, their messages) until `condition()` holds: a wait for a
    state, never a guess at how long something takes. The timeout only bounds a broken app."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot)
        if condition():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await pilot.pause(0.02)


@pytest.fixture
def app_factory(fixture_db, clock):
    def make(**kwargs):
        return make_app(fixture_db, clock, **kwargs)

    return make


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
