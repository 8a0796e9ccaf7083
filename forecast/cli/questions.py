"""`forecast q ...`: add, list, show, edit and sync questions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.output import JsonFlag, TableFormat, output_format
from forecast.cli.output import UsageFailure, guarded, note, print_json, print_table, status_text, usage
from forecast.cli.params import PlainCoercionGroup

if TYPE_CHECKING:
    from forecast.services.views import QuestionDetail, ResolutionEventRow

q_app = typer.Typer(cls=PlainCoercionGroup, help="Questions: add, list, show, edit, sync from TOML files.",
                    no_args_is_help=True)
app.add_typer(q_app, name="q")

AUTO_HELP = "Auto-resolution when closes_at passes unresolved: no_at_close or yes_at_close."


def _auto(value: str | None):
    if value is None:
        return None
    from forecast.core.errors import InvalidInput
    from forecast.core.model import AutoRule

    if value in ("", "none"):
        return ""
    try:
        return AutoRule(value)
    except ValueError:
        raise InvalidInput(f"--auto {value!r} is not one of: no_at_close, yes_at_close, none") from None


def _pct(p: float) -> str:
    return f"{p * 100:.0f}%" if abs(p * 100 - round(p * 100)) < 1e-9 else f"{p * 100:.1f}%"


def _when_cell(days: float, status: str) -> str:
    if status in ("resolved", "annulled"):
        return ""
    if days < 0:
        return f"overdue {-days:.0f}d" if status == "open" else f"closed {-days:.0f}d ago"
    return f"{days:.0f}d" if days >= 1 else f"{days * 24:.0f}h"


def print_question_list(
    st: CliState, *, status: str, tag: str | None = None, search: str | None = None, fmt: str = "table"
) -> None:
    from forecast.services.questions.listing import list_questions

    db = st.database()
    with db.snapshot() as conn:
        rows = list_questions(conn, status=status, tag=tag, search=search)
    me = st.forecaster(write=False)
    table = []
    for r in rows:
        latest = r.latest
        mine = latest.get(me)
        others = ", ".join(f"{n} {_pct(p)}" for n, p in sorted(latest.items()) if n != me)
        prob = _pct(mine) if mine is not None else ""
        if others:
            prob = f"{prob} ({others})" if prob else others
        if r.kind != "binary":  # its forecasts are distributions: `forecasts Q` and `q show Q` show them
            prob = r.kind
        badge = status_text(r.status, r.resolution)
        table.append((r.id, r.slug, badge, r.title, prob, _when_cell(r.days_to_close, r.status),
                      ",".join(r.tags)))  # fmt: skip
    if not table:
        note(f"no {status if status != 'all' else ''} questions".replace("  ", " "))
        return
    print_table(("ID", "SLUG", "STATUS", "TITLE", "P", "CLOSES", "TAGS"), table, flex=3, fmt=fmt)


def _first_shown(first: float | str) -> str:
    return f"{first * 100:g}%" if isinstance(first, float) else repr(first)


def kind_spec_of(kind: str, option, other: bool, range_: str | None, open_lower: bool, open_upper: bool, log: bool,
                 unit: str):  # fmt: skip
    """The KindSpec `q add`'s kind options describe; refuses options that do not belong to the kind."""
    from forecast.core.errors import InvalidInput
    from forecast.core.kind_spec import BINARY, choice_spec, continuous_spec
    from forecast.core.model import Kind

    try:
        k = Kind(kind.strip().lower())
    except ValueError:
        raise InvalidInput(f"--kind {kind!r} must be one of: {', '.join(x.value for x in Kind)}") from None
    given = {"--option": bool(option), "--other": other, "--range": range_ is not None, "--open-lower": open_lower,
             "--open-upper": open_upper, "--log": log, "--unit": bool(unit)}  # fmt: skip
    allowed = {Kind.BINARY: set(), Kind.CHOICE: {"--option", "--other"},
               Kind.NUMERIC: {"--range", "--open-lower", "--open-upper", "--log", "--unit"},
               Kind.DATE: {"--range", "--open-lower", "--open-upper"}}[k]  # fmt: skip
    stray = [name for name, on in given.items() if on and name not in allowed]
    if stray:
        raise InvalidInput(f"{', '.join(stray)} {'does' if len(stray) == 1 else 'do'} not apply to a {k} question")
    if k is Kind.BINARY:
        return BINARY
    if k is Kind.CHOICE:
        return choice_spec(option or [], other=other)
    if range_ is None:
        raise InvalidInput(f"a {k} question needs --range LOW..HIGH")
    return continuous_spec(k, range_, open_lower=open_lower, open_upper=open_upper, log=log, unit=unit)


@q_app.command("add")
@guarded
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The question, e.g. 'Will X happen before 2027-01-01?'")],
    probability: Annotated[str | None, typer.Argument(
        metavar="[PROB]", help="Your first forecast, e.g. 35% (recorded now).")] = None,
    closes: Annotated[str | None, typer.Option("--closes", help="Deadline: forecasts accepted until then (WHEN). "
                      "Default: read from the title ('before DATE', 'by DATE', 'by end of 2027', 'in 2027').")] = None,
    opens: Annotated[str | None, typer.Option("--opens", help="When forecasting opens (default: now).")] = None,
    resolves: Annotated[str | None, typer.Option("--resolves", help="When the answer is expected (default: closes).")] = None,
    criteria: Annotated[str, typer.Option("--criteria", help="Resolution criteria.")] = "",
    description: Annotated[str, typer.Option("--description", help="Background.")] = "",
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeatable).")] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="Slug (default: derived from the title).")] = None,
    auto: Annotated[str | None, typer.Option("--auto", help=AUTO_HELP)] = None,
    why: Annotated[str, typer.Option("--why", help="Rationale for the first forecast.")] = "",
    remind: Annotated[str | None, typer.Option("--remind", metavar="WHEN",
                                               help="Remind me then (listed by `forecast check`).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="binary, choice, numeric or date.")] = "binary",
    option: Annotated[list[str] | None, typer.Option("--option", metavar="KEY=LABEL",
                      help="A choice question's option (repeatable, 2 to 50).")] = None,
    other: Annotated[bool, typer.Option("--other", help="Add an 'other' option to a choice question.")] = False,
    range_: Annotated[str | None, typer.Option("--range", metavar="LOW..HIGH",
                      help="A numeric question's range (numbers) or a date question's (dates).")] = None,
    open_lower: Annotated[bool, typer.Option("--open-lower", help="The outcome may fall below the range.")] = False,
    open_upper: Annotated[bool, typer.Option("--open-upper", help="The outcome may fall above the range.")] = False,
    log: Annotated[bool, typer.Option("--log", help="A numeric range on a log scale (LOW > 0).")] = False,
    unit: Annotated[str, typer.Option("--unit", help="A numeric question's unit.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Add a question, optionally with your first forecast: `q add "Will X happen before 2027-03-01?" 35%`."""
    from forecast.core.deadline import deadline_from_title
    from forecast.core.probability import parse_probability
    from forecast.core.timeparse import iso_z, utcnow
    from forecast.services.forecasts import ForecastRequest, record_forecast
    from forecast.services.questions.detail import show_question
    from forecast.services.questions.authoring import QuestionDraft, add_question

    st = state(ctx)
    now = utcnow()
    spec = usage(lambda _: kind_spec_of(kind, option, other, range_, open_lower, open_upper, log, unit), kind)
    if probability is None:
        first = None
    elif spec.binary:
        first = usage(parse_probability, probability)
    else:
        first = probability
        usage(spec.parse_forecast, probability)  # refused here, before anything is written
    if closes is not None:
        closes_at = st.when(closes, now=now)
    else:
        closes_at = deadline_from_title(title, now=now, tz=st.tz)
        if closes_at is None:
            raise UsageFailure("no deadline in the title (say 'before 2027-03-01', 'by end of 2027', "
                               "'in 2027'), so give --closes WHEN")  # fmt: skip
    if first is not None and closes_at <= now:
        raise UsageFailure("the deadline has passed, so a forecast made now cannot count; add the question "
                           "without PROB, then log earlier forecasts with `forecast predict Q P --at WHEN`")  # fmt: skip
    draft = QuestionDraft(
        title=title,
        closes_at=closes_at,
        opens_at=st.when(opens, now=now),
        resolves_at=st.when(resolves, now=now),
        criteria=criteria,
        description=description,
        tags=tuple(tag or ()),
        slug=slug,
        auto=usage(_auto, auto) or None,
        spec=spec,
    )

    remind_at = st.when(remind, now=now)
    me = st.forecaster() if first is not None else st.settings.name

    def work(session) -> QuestionDetail:  # the question, its first forecast and reminder commit together or not at all
        row = add_question(session, draft, now=now)
        if first is not None:
            record_forecast(session, ForecastRequest(row.id, first, me, rationale=why), now=now)
        if remind_at is not None:
            from forecast.services.reminders import set_reminder

            set_reminder(session, row.id, remind_at, now=now)
        return show_question(session, row.id, now=now, backfill_after=st.settings.backfill_after)

    data = st.database(write=True).write(work)
    if as_json:
        print_json(data)
    else:
        print(f"{data.id}\t{data.slug}")
        where = "" if closes is not None else " (read from the title)"
        from forecast.core.timeparse import shown_time

        note(f"added question {data.id} ({data.slug}), closes {shown_time(data.closes_at)}{where}"
             + (f"; your forecast {_first_shown(first)} recorded" if first is not None else ""))  # fmt: skip
    if data.status != "open":
        note(f"its deadline has passed, so question {data.slug} was created closed; add the forecasts you "
             f"made while it was open with `forecast predict {data.slug} P --at WHEN`")  # fmt: skip


@q_app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", "-s", help="open, closed, resolved, annulled or all.")] = "open",
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only questions with this tag.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in the title or slug.")] = None,
    as_json: JsonFlag = False,
    fmt: TableFormat = None,
) -> None:
    """List questions with each forecaster's latest probability and the time to close."""
    from forecast.services.questions.listing import STATUSES, list_questions

    if status not in STATUSES:
        raise UsageFailure(f"--status must be one of: {', '.join(STATUSES)}")
    st = state(ctx)
    out = output_format(as_json, fmt)
    if out != "json":
        print_question_list(st, status=status, tag=tag, search=search, fmt=out)
        return
    with st.database().snapshot() as conn:
        rows = list_questions(conn, status=status, tag=tag, search=search)
    print_json(rows)


@q_app.command("show")
@guarded
def show(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    as_json: JsonFlag = False,
) -> None:
    """Show a question with its forecasts, evidence and resolution history."""
    from forecast.core.timeparse import local

    from forecast.services.questions.detail import show_question

    st = state(ctx)
    with st.database().snapshot() as conn:
        data = show_question(conn, question, backfill_after=st.settings.backfill_after)
    if as_json:
        print_json(data)
        return
    from forecast.core.backfill import GLYPH, MEANING
    from forecast.core.text import strip_controls

    tz = st.tz

    def say(text: str) -> None:
        print(strip_controls(text))  # stored text may predate sanitising

    def t(value):
        return local(value, tz) if value else "-"

    shown_resolution = data.resolution not in (None, data.status, "outcome")  # never "annulled:annulled"
    say(f"#{data.id} {data.slug}  [{data.status}{':' + data.resolution if shown_resolution else ''}]")
    say(f"  {data.title}")
    spec = None
    if data.spec is not None:
        from forecast.core.kind_spec import KindSpec
        from forecast.services.kinds import shown_values

        spec = KindSpec.from_dict(data.kind, data.spec)
        say(f"  {spec.describe()}")
    for label, key in (("criteria", "criteria"), ("description", "description")):
        if getattr(data, key):
            say(f"  {label}: {getattr(data, key)}")
    say(f"  opens {t(data.opens_at)}  closes {t(data.closes_at)}  resolves {t(data.resolves_at)}")
    if data.resolved_at:
        outcome = data.resolution if spec is None or data.outcome is None else spec.shown_outcome(data.outcome)
        say(f"  resolved {outcome} at {t(data.resolved_at)}  {data.resolution_note}")
    if data.auto:
        say(f"  auto: {data.auto}")
    if data.tags:
        say(f"  tags: {', '.join(data.tags)}")
    if data.forecasts:
        say("  forecasts:")
        for f in data.forecasts:
            mark = (" (corrected)" if f.superseded else "") + (f" {GLYPH} backfilled" if f.backfilled else "")
            value = _pct(f.probability) if spec is None else shown_values(spec, f.values)
            say(f"    {t(f.made_at)}  {f.forecaster:<12} {value:>6}{mark}  {f.rationale}")
        if any(f.backfilled for f in data.forecasts):
            say(f"  {GLYPH} " + MEANING.format(hours=st.settings.backfill_after.total_seconds() / 3600))
    if data.others_hidden:
        from forecast.services.views import HIDDEN_NOTE

        say("  " + HIDDEN_NOTE[data.others_hidden])
    if data.event_link is not None:
        for line in _event_lines(data.event_link, t):
            say(line)
    if data.linked_binaries:
        for line in _linked_lines(data.linked_binaries, t):
            say(line)
    if data.evidence:
        say("  evidence:")
        for e in data.evidence:
            say(f"    [{e.id}] {e.stance:<7} {e.title}  {e.outlet}  {t(e.published_at)}")
    if data.reminder:
        r = data.reminder
        say(f"  reminder: {t(r.remind_at)}" + (f"  {r.note}" if r.note else ""))
    if data.resolution_history:
        say("  resolution history:")
        for ev in data.resolution_history:
            say("    " + _resolution_event(ev, t, spec))
    if data.comments:
        say("  comments:")
        for c in data.comments:
            edited = "  (edited)" if c.updated_at != c.created_at else ""
            first, *rest = c.body.splitlines() or [""]
            say(f"    [{c.id}] {t(c.created_at)}  {c.author}: {first}{edited}")
            for line in rest:
                say(f"        {line}")


@q_app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    title: Annotated[str | None, typer.Option("--title")] = None,
    slug: Annotated[str | None, typer.Option("--slug")] = None,
    closes: Annotated[str | None, typer.Option("--closes", help="WHEN")] = None,
    opens: Annotated[str | None, typer.Option("--opens", help="WHEN")] = None,
    resolves: Annotated[str | None, typer.Option("--resolves", help="WHEN")] = None,
    criteria: Annotated[str | None, typer.Option("--criteria")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag (repeatable).")] = None,
    untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag (repeatable).")] = None,
    auto: Annotated[str | None, typer.Option("--auto", help=AUTO_HELP + " 'none' removes it.")] = None,
    event: Annotated[str | None, typer.Option("--event", metavar="DATE_Q|none",
                                              help="Link this binary \"before X\" question (X: its close) to a date "
                                              "question on the same event; 'none' unlinks it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Edit a question's fields."""
    from forecast.services.questions.detail import show_question
    from forecast.services.questions.authoring import edit_question

    st = state(ctx)
    changes = {}
    for key, value in (("title", title), ("slug", slug), ("criteria", criteria), ("description", description)):
        if value is not None:
            changes[key] = value
    for key, value in (("closes_at", closes), ("opens_at", opens), ("resolves_at", resolves)):
        if value is not None:
            changes[key] = st.when(value)
    if auto is not None:
        changes["auto"] = usage(_auto, auto) or None
    if event is not None:
        changes["event"] = None if event.strip().lower() == "none" else event

    def work(session) -> tuple[QuestionDetail, list[str]]:
        row, changed = edit_question(
            session, question, add_tags=tuple(tag or ()), remove_tags=tuple(untag or ()), **changes
        )
        return show_question(session, row.id), changed

    data, changed = st.database(write=True).write(work)
    if as_json:
        print_json(data)
    else:
        note(f"question {data.slug}: " + (f"changed {', '.join(changed)}" if changed else "nothing changed"))


@q_app.command("sync")
@guarded
def sync(
    ctx: typer.Context,
    directory: Annotated[str, typer.Argument(help="Directory of question TOML files.")] = "questions",
    prefer: Annotated[str | None, typer.Option("--prefer", metavar="file|app",
                                               help="Settle conflicts: take the file's value or keep the app's.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what the sync would change; write nothing.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Upsert questions from TOML files. Edits made in the app since the last sync are kept; a field
    changed on both sides is a conflict (nothing written). Never deletes; a bad file stops everything."""
    from forecast.cli.interchange import DryRunRollback, change_lines
    from forecast.services.questions.files import sync_directory

    if prefer not in (None, "file", "app"):
        raise UsageFailure(f"--prefer must be file or app, not {prefer!r}")
    st = state(ctx)
    me = st.forecaster()

    def work(session) -> dict:
        report = sync_directory(session, directory, forecaster=me, prefer=prefer)
        if dry_run:
            raise DryRunRollback(report)  # inside the unit of work: everything the sync did is rolled back
        return report

    try:
        report = st.database(write=True).write(work)
    except DryRunRollback as dry:
        report = dry.report
    report["dry_run"] = dry_run
    if as_json:
        print_json(report)
        return
    print(
        f"{report['added']} added, {report['updated']} updated, {report['unchanged']} unchanged, "
        f"{report['forecasts_added']} forecasts added, {report['evidence_added']} evidence added"
    )
    for line in change_lines({"changes": report["changes"]}):
        print(line)
    for k in report["kept_app"]:
        print(f"kept {k['question']} {k['field']} as changed in the app ({k['file']})")
    for k in report["settled"]:
        print(f"conflict on {k['question']} {k['field']} settled by --prefer {k['kept']}")
    if dry_run:
        note("dry run: nothing was written")


def _event_lines(link, t) -> list[str]:
    """`q show`'s lines for a binary question linked to a date question."""
    lines = [f"  event: date question {link.date_question}; P(before {t(link.threshold)}) implied by its forecasts:"]
    lines += _comparison_lines(link.forecasters, "    ")
    return lines


def _comparison_lines(rows, indent: str) -> list[str]:
    """Per forecaster: the binary forecast, the P(before X) their date forecast implies, and a gap flagged."""
    lines = []
    for r in rows:
        binary = "-" if r.binary is None else _pct(round(r.binary, 3))
        implied = "-" if r.implied is None else _pct(round(r.implied, 3))
        gap = f"  inconsistent ({abs(r.binary - r.implied) * 100:.0f} points apart)" if r.inconsistent else ""
        lines.append(f"{indent}{r.forecaster:<12} binary {binary:>6}  implied {implied:>6}{gap}")
    if not rows:
        lines.append(f"{indent}no forecasts on either question yet")
    return lines


def _linked_lines(linked, t) -> list[str]:
    """`q show`'s lines for a date question: the binary "before X" questions linked to it."""
    lines = ["  linked binary questions (P(before X) implied by this question's forecasts):"]
    for b in linked:
        binary = "-" if b.binary_median is None else _pct(round(b.binary_median, 3))
        implied = "-" if b.implied_median is None else _pct(round(b.implied_median, 3))
        flag = "  inconsistent" if b.inconsistent else ""
        lines.append(f"    {b.slug} [{b.status}]  before {t(b.threshold)}: median binary {binary}, implied {implied}{flag}")
        lines += _comparison_lines(b.forecasters, "      ")
    return lines


def _resolution_event(ev: ResolutionEventRow, t, spec=None) -> str:
    """One line of `q show`'s resolution history: when, what, by whom, and why."""
    resolved = ev.resolution
    if ev.outcome is not None and spec is not None:
        resolved = spec.shown_outcome(ev.outcome)
    what = ev.action + (f" {resolved}" if resolved else "")
    outcome_at = f" (outcome at {t(ev.resolved_at)})" if ev.resolved_at else ""
    note = f"  {ev.note}" if ev.note else ""
    return f"{t(ev.at)}  {what}{outcome_at} by {ev.actor}{note}"


@q_app.command("remind")
@guarded
def remind(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id, slug or slug prefix.")],
    when: Annotated[str | None, typer.Argument(metavar="[WHEN]", help="When to be reminded, e.g. 'in 2 weeks'.")] = None,
    note_text: Annotated[str, typer.Option("--note", help="What to look at then.")] = "",
    clear: Annotated[bool, typer.Option("--clear", help="Remove the question's reminder.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Set (or move, or --clear) a question's reminder. `forecast check` lists it once due, until the
    question gets a new forecast, is resolved, or the reminder is cleared."""
    from forecast.services.reminders import clear_reminder, set_reminder

    st = state(ctx)
    if clear == (when is not None):
        raise UsageFailure("give WHEN to set the reminder, or --clear to remove it")
    if clear:
        removed = st.database(write=True).write(lambda session: clear_reminder(session, question))
        if as_json:
            print_json({"question": question, "cleared": removed})
        note(f"cleared the reminder of {question}" if removed else f"{question} had no reminder")
        return
    at = st.when(when)
    data = st.database(write=True).write(lambda session: set_reminder(session, question, at, note=note_text))
    if as_json:
        print_json(data)
    else:
        from forecast.core.timeparse import shown_time

        note(f"will remind you of {data.question} from {shown_time(data.remind_at)}")
