"""Choice, numeric and date questions in the terminal UI: the table shows the kind, the forms take each kind's
forecast and outcome through the same services as the CLI, and the detail draws stacked bands or a fan."""

from __future__ import annotations

import math

import pytest
from rich.text import Text

from forecast.services.forecasts import history
from forecast.services.lookup import get_question
from tests.tui.conftest import ME, SIZE, settle, until
from tests.tui.test_flows import type_text

pytestmark = pytest.mark.anyio


def screen_text(app) -> str:
    from tests.tui.screen_text import screen_cells

    return "\n".join("".join(row) for row in screen_cells(app))


def row_of(app, slug: str) -> str:
    return next(line for line in screen_text(app).splitlines() if slug_title(app, slug)[:30] in line)


def slug_title(app, slug: str) -> str:
    with app.ctx.db.session() as s:
        return get_question(s, slug).title


async def open_detail(pilot, slug: str) -> None:
    from forecast.tui.screens.detail import DetailScreen

    app = pilot.app
    with app.ctx.db.session() as s:
        qid = get_question(s, slug).id
    app.open_question(qid)
    await until(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.data is not None
                and app.screen.data.id == qid, what=f"the detail of {slug}")  # fmt: skip


async def open_form(pilot, key: str, entry: str) -> None:
    await pilot.press(key)
    await until(pilot, lambda: bool(pilot.app.screen.query(entry)) and pilot.app.focused is not None
                and (pilot.app.focused.id or "").startswith(entry.lstrip("#").split("-")[0]),
                what=f"the form's {entry}")  # fmt: skip


def latest(db, slug: str):
    with db.session() as s:
        q = get_question(s, slug)
        return [f for f in history(s, q.id) if f.forecaster == ME][-1], q


# --- the questions table --------------------------------------------------------------------------------


async def test_the_table_shows_the_kind_where_a_binary_question_shows_a_probability(kinds_app):
    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Which city" in screen_text(app), what="the questions")
        assert "opts" in row_of(app, "summit-host") and "%" not in row_of(app, "summit-host")
        assert "date" in row_of(app, "next-launch") and "%" not in row_of(app, "next-launch")
        assert "30%" in row_of(app, "launch-before-july")


def test_columns_and_the_first_frame_read_blank_non_binary_summaries(kinds_db):
    from forecast.services.questions import table

    path = kinds_db.url.removeprefix("sqlite:///")
    from pathlib import Path

    fast = table.first_page_sqlite(Path(path), forecaster=ME)
    with kinds_db.session() as s:
        full = table.load_columns(s, forecaster=ME)
        team = table.load_team(s, full.ids)
        sparks = table.sparklines(s, full.ids, forecaster=ME)
    for cols in (fast, full):
        by = dict(zip(cols.slugs, zip(cols.kinds, cols.mine, strict=True), strict=True))
        assert by["summit-host"][0] == "choice" and math.isnan(by["summit-host"][1])
        assert by["next-launch"][0] == "date" and math.isnan(by["next-launch"][1])
        assert by["launch-before-july"] == ("binary", 0.30)
    i = {slug: n for n, slug in enumerate(full.slugs)}
    assert team.forecasters[i["summit-host"]] == 2 and math.isnan(team.median[i["summit-host"]])
    assert team.median[i["launch-before-july"]] == 0.30
    assert sparks[int(full.ids[i["next-launch"]])] == ((), False)


# --- forecast forms -------------------------------------------------------------------------------------


async def test_choice_form_sums_as_you_type_and_records_through_the_service(kinds_app, kinds_db, clock):
    from forecast.tui.forms.forecast import ForecastForm

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "summit-host")
        await open_form(pilot, "f", "#option-paris")
        form = app.screen
        assert isinstance(form, ForecastForm)
        for value in ("50%", "30%", "15"):
            await type_text(pilot, value)
            await pilot.press("tab")
        await settle(pilot)
        assert "Sum 80%" in str(form.query_one("#option-sum").render())
        assert "did you mean 15%" in str(form.query_one("#option-note-berlin").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ForecastForm)  # refused inline, nothing written
        assert "did you mean 15%" in str(form.query_one("#form-error").render())
        form.query_one("#option-berlin").value = "15%"
        form.query_one("#option-other").focus()
        await type_text(pilot, "5%")
        await settle(pilot)
        assert "Sum 100%" in str(form.query_one("#option-sum").render())
        assert "paris 50%" in str(form.query_one("#distribution .field-hint").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ForecastForm), what="the form to close")
    f, _q = latest(kinds_db, "summit-host")
    assert f.values == {"paris": 0.5, "rome": 0.3, "berlin": 0.15, "other": 0.05}
    assert f.entered == "paris=50% rome=30% berlin=15% other=5%" and f.made_at == clock()


async def test_quantile_form_draws_the_density_live_and_refuses_what_predict_refuses(kinds_app, kinds_db, clock):
    from forecast.tui.forms.forecast import ForecastForm

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "next-launch")
        await open_form(pilot, "f", "#distribution-input")
        form = app.screen
        hint = form.query_one("#distribution .field-hint")
        await type_text(pilot, "p10=2027-01-01 p90=2026-05-01")
        await settle(pilot)
        assert "must increase" in str(hint.render())
        form.query_one("#distribution-input").value = ""
        await type_text(pilot, "p10=2026-05-01 p90=2027-01-01")
        await settle(pilot)
        shown = str(hint.render())
        assert "p10 2026-04-30" in shown and "PDF " in shown and "CDF " in shown and "█" in shown
        first = shown
        await type_text(pilot, "normal(2026-08-01, 30)")  # appended: unreadable, said inline
        await settle(pilot)
        assert "✘" in str(hint.render())
        form.query_one("#distribution-input").value = ""
        await type_text(pilot, "normal(2026-08-01, 30)")
        await settle(pilot)
        assert str(hint.render()) != first  # the sparkline follows the text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ForecastForm), what="the form to close")
    f, _q = latest(kinds_db, "next-launch")
    assert f.entered == "normal(2026-08-01, 30)" and set(f.values) == {"p10", "p50", "p90"}


# --- resolve forms --------------------------------------------------------------------------------------


async def test_resolve_a_choice_question_by_picking_an_option(kinds_app, kinds_db):
    from forecast.tui.forms.resolve import ResolveForm

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "summit-host")
        await open_form(pilot, "x", "#kind-outcome-input")
        assert isinstance(app.screen, ResolveForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "choose the option" in str(app.screen.query_one("#form-error").render())
        await pilot.click("#option-rome")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ResolveForm), what="the form to close")
        await until(pilot, lambda: app.screen.data.resolution == "outcome", what="the detail to reload")
        assert "resolved rome (Rome)" in screen_text(app)
    _f, q = latest(kinds_db, "summit-host")
    assert (q.resolution, q.outcome) == ("outcome", "rome")


async def test_resolve_a_date_question_by_typing_a_date_or_after(kinds_app, kinds_db):
    from forecast.tui.forms.resolve import ResolveForm

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "next-launch")
        await open_form(pilot, "x", "#kind-outcome-input")
        hint = app.screen.query_one("#kind-outcome .field-hint")
        await type_text(pilot, "before")
        await settle(pilot)
        assert "✘" in str(hint.render()) and "closed" in str(hint.render())
        app.screen.query_one("#kind-outcome-input").value = ""
        await type_text(pilot, "2026-02-20")
        await settle(pilot)
        assert "✔ 2026-02-20" in str(hint.render())
        app.screen.query_one("#kind-outcome-input").value = ""
        await type_text(pilot, "after")
        await settle(pilot)
        assert "after 2027-12-31" in str(hint.render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ResolveForm), what="the form to close")
    _f, q = latest(kinds_db, "next-launch")
    assert (q.resolution, q.outcome) == ("outcome", "above")


async def test_annulled_is_typed_on_a_continuous_question(kinds_app, kinds_db):
    from forecast.tui.forms.resolve import ResolveForm

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "next-launch")
        await open_form(pilot, "x", "#kind-outcome-input")
        await type_text(pilot, "annulled")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, ResolveForm), what="the form to close")
    _f, q = latest(kinds_db, "next-launch")
    assert (q.resolution, q.status) == ("annulled", "annulled")


# --- detail -------------------------------------------------------------------------------------------


async def test_detail_of_a_linked_binary_question_flags_the_gap(kinds_app):
    app = kinds_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_detail(pilot, "launch-before-july")
        line = str(app.screen.query_one("#detail-link").render())
        assert line.startswith("Event ⚠ inconsistent next-launch implies P(before 2026-07-01 12:00): ")
        assert "you 49.7% vs 30% here ⚠ 20 pts" in line  # 0.497 implied by the date CDF, 0.30 given
        assert "alice 2" in line  # her date forecast implies about 23%: within 10 points of her 30%, not flagged
        assert line.count("⚠") == 2
        await open_detail(pilot, "summit-host")
        assert not app.screen.query_one("#detail-link").display


async def test_detail_charts_by_kind(kinds_app):
    from forecast.tui.widgets.kind_charts import FanData, StackData

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "summit-host")
        chart = app.screen.query_one("#chart").data
        assert isinstance(chart, StackData) and chart.who == ME and chart.keys == ("paris", "rome", "berlin", "other")
        assert chart.probabilities[-1] == pytest.approx((0.4, 0.4, 0.15, 0.05))
        await open_detail(pilot, "next-launch")
        chart = app.screen.query_one("#chart").data
        assert isinstance(chart, FanData) and len(chart.times) == 2 and chart.evidence[0][1] == "yes"
        low, mid, high = chart.bands[-1]
        assert 0 < low < mid < high < 1
        await open_detail(pilot, "march-rain")
        chart = app.screen.query_one("#chart").data
        assert chart.outcome == pytest.approx(87 / 200) and chart.resolution[1] == "outcome"
        assert "resolved 87 mm" in screen_text(app)


def _cells(lines: list[Text]) -> list[list[tuple[str, str]]]:
    """(character, style) per cell."""
    out = []
    for line in lines:
        row = []
        for span_text, style in ((line.plain[s.start : s.end], str(s.style)) for s in line.spans):
            row += [(ch, style) for ch in span_text]
        out.append(row)
    return out


def test_stacked_bands_put_the_first_option_at_the_bottom_in_proportion():
    from forecast.tui.palette import DEFAULT as pal
    from forecast.tui.widgets.kind_charts import StackData, option_colours, render_stack

    day = 86_400_000_000
    data = StackData(start=0, end=10 * day, keys=("a", "b"), times=(0,), probabilities=((0.75, 0.25),))
    lines = render_stack(data, 26, 10, pal)  # 8 plot rows: 16 half-rows, 12 of them option a's
    a, b = option_colours(pal, 2)
    plot = [line for line in _cells(lines)[:8]]
    column = [row[10] for row in plot]  # a cell well inside the plot (past the 6-cell axis)
    assert [c for c, _ in column] == ["▀"] * 8
    assert [s for _, s in column] == [f"{b} on {b}", f"{b} on {b}"] + [f"{a} on {a}"] * 6


def test_fan_shades_p10_to_p90_and_draws_the_median():
    from forecast.tui.palette import DEFAULT as pal
    from forecast.tui.widgets.kind_charts import FanData, render_fan

    day = 86_400_000_000
    data = FanData(start=0, end=10 * day, times=(0,), bands=((0.2, 0.5, 0.8),), labels=("10", "5", "0"))
    lines = [line.plain for line in render_fan(data, 30, 11, pal)]
    column = [line[10] for line in lines[:9]]  # 9 plot rows: u = 1 at the top, 0 at the bottom
    assert column[0] == column[8] == " " or column[0] in "┊·"
    assert column[2] == "░" and column[6] == "░" and column[4] not in "░ "  # the median's braille line at u = 0.5
    assert lines[4].lstrip().startswith("5 ┤")


async def test_sorting_and_the_scores_screen_take_non_binary_questions_in_their_stride(kinds_app):
    from forecast.tui.screens.scores import ScoresScreen

    app = kinds_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "Which city" in screen_text(app), what="the questions")
        await pilot.press("s", "s", "s", "o", "o", "o")  # all statuses, sorted by probability then by Brier
        await settle(pilot)
        assert "How much rain" in screen_text(app)
        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, ScoresScreen), what="the scores screen")
        await settle(pilot)
        assert not app.unexpected_errors


async def test_detail_of_a_date_question_lists_its_linked_binary_questions(kinds_app, kinds_db):
    """The date side of the link: the head line and the About tab's section hold what `q show --json` gives."""
    from forecast.services.questions.detail import show_question
    from forecast.tui.format import pct

    with kinds_db.session() as s:
        [want] = show_question(s, "next-launch").linked_binaries
    app = kinds_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_detail(pilot, "next-launch")
        head = app.screen.query_one("#detail-link")
        assert head.display
        line = str(head.render())
        # the medians: you 49.7 % and alice 26 % implied, both 30 % on the binary question
        assert line == f"Linked ⚠ inconsistent launch-before-july: implied {pct(want.implied_median)} vs 30% there ⚠ " \
                       "(before 2026-07-01 12:00)"  # fmt: skip
        app.screen.query_one("TabbedContent").active = "tab-about"
        await settle(pilot)
        about = screen_text(app)
        assert "Linked binary questions" in about
        assert "launch-before-july  [open]  before 2026-07-01 12:00  ⚠ inconsistent" in about
        assert f"      median  binary    30%  implied {pct(want.implied_median):>6}" in about
        assert f"{ME:>12}  binary    30%  implied  49.7%  ⚠ inconsistent" in about
        alice = next(r for r in want.forecasters if r.forecaster == "alice")
        [row] = [x.strip(" │") for x in about.splitlines() if "alice  binary" in x]
        assert row == f"alice  binary    30%  implied {pct(alice.implied):>6}"  # within 10 points: no flag
        await open_detail(pilot, "summit-host")  # a choice question: no link line
        assert not app.screen.query_one("#detail-link").display
        await open_detail(pilot, "launch-before-july")  # the binary side keeps its own line
        assert str(app.screen.query_one("#detail-link").render()).startswith("Event ⚠ inconsistent next-launch")


async def test_help_documents_the_kind_tables_forms_and_charts(kinds_scored_app):
    """`?` lists the Scores screen's kind tables with the columns that screen draws, what each column means,
    and the kinds' forms and charts."""
    from forecast.tui.screens.help import KIND_COLUMN_MEANINGS, HelpScreen
    from forecast.tui.screens.scores import KIND_COLUMNS

    assert {c.key for cols in KIND_COLUMNS.values() for c in cols} <= set(KIND_COLUMN_MEANINGS)
    app = kinds_scored_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3", "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        box = app.screen.query_one("#help-box")
        box.scroll_to_widget(app.screen.query_one("#help-kind-scores"), animate=False, top=True)
        await until(pilot, lambda: "a table per kind" in screen_text(app), what="the kind tables in view")
        from tests.tui.screen_text import screen_cells

        def in_box() -> list[str]:  # the help box's cells only: the Scores screen shows around it
            inside = box.content_region
            return [" ".join("".join(row[inside.x : inside.right]).split())
                    for row in screen_cells(app)[inside.y : inside.bottom]]  # fmt: skip

        shown = in_box()
        flat = " ".join(shown)  # the meanings wrap in the 90-cell box
        assert "Choice table Forecaster · Questions · Brier · Brier2 · Log · Baseline · Peer · Coverage Numeric" in flat
        assert "Numeric table Forecaster · Questions · Log · CRPS · Baseline · Peer · Coverage Date" in flat
        assert "Date table Forecaster · Questions · Log · CRPS · Baseline · Peer · Coverage Forecaster" in flat
        for name in ("Brier2", "CRPS", "Coverage"):
            assert any(line.startswith(f"{name} ") for line in shown), name
        assert "0-2 scale" in flat  # Brier2's
        box.scroll_to_widget(app.screen.query_one("#help-kinds"), animate=False, top=True)
        await until(pilot, lambda: "forms and charts" in screen_text(app), what="the forms and charts in view")
        shown = in_box()
        flat = " ".join(shown)
        for name in ("Option table", "Quantiles", "Stacked chart", "Fan chart", "Linked event"):
            assert any(line.startswith(f"{name} ") for line in shown), name
        assert "the Sum line adding them up" in flat and "p10=… p50=… p90=…" in flat and "10 points" in flat
