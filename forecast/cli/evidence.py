"""`forecast evidence ...`: add articles (URL, saved page, text), list, show, link, search, work the inbox."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import CliState, state
from forecast.cli.output import JsonFlag, TableFormat, output_format
from forecast.cli.output import UsageFailure, clean_cell, guarded, json_object, note, percent, print_json, print_table

evidence_app = typer.Typer(help="Evidence: articles linked to questions and to the updates they caused.",
                           no_args_is_help=True)  # fmt: skip
app.add_typer(evidence_app, name="evidence")

STANCE_HELP = "Which answer it supports: yes, no or neutral."
MAX_STDIN = 10 * 1024 * 1024


def _day(st: CliState, at: datetime | str | None) -> str:
    """The day in the user's zone of a read model's time (or of a JSON-shaped record's ISO text)."""
    if not at:
        return ""
    from forecast.core.timeparse import local, parse_iso

    return local(parse_iso(at) if isinstance(at, str) else at, st.tz, fmt="YYYY-MM-DD")


def _stance(value: str | None):
    if value is None:
        return None
    from forecast.core.errors import InvalidInput
    from forecast.services.evidence import parse_stance

    try:
        return parse_stance(value)
    except InvalidInput as exc:
        raise UsageFailure(str(exc)) from None


def _read_stdin() -> str:
    data = sys.stdin.buffer.read(MAX_STDIN + 1)
    if len(data) > MAX_STDIN:
        raise UsageFailure("the text on stdin is larger than 10 MB")
    from forecast.ingest.sources import decode_text

    return decode_text(data)


def _dated(st: CliState, fields: dict) -> str:
    if fields["published_at"]:
        return f"published {_day(st, fields['published_at'])} ({fields['published_source']})"
    return "no publication date"


@evidence_app.command("add")
@guarded
def add(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="Question id or slug to link it to.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Fetch the article from this http(s) URL.")] = None,
    file: Annotated[str | None, typer.Option("--file", help="A saved page (.html) or text copied from a page.")] = None,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the article text from standard input.")] = False,
    stance: Annotated[str | None, typer.Option("--stance", help=STANCE_HELP)] = None,
    note_text: Annotated[str, typer.Option("--note", help="Why it matters for the question (appended to an earlier "
                                                 "note of the same link).")] = "",
    replace_note: Annotated[bool, typer.Option("--replace-note", help="Replace the link's earlier note instead.")] = False,
    published: Annotated[str | None, typer.Option("--published", help="Publication date, when the page lacks it.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title, instead of the one found.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an article as evidence; the same article added again reuses the record and only adds the link."""
    if sum([url is not None, file is not None, stdin]) != 1:
        raise UsageFailure("give exactly one of --url, --file or --stdin")
    if question is None and (stance is not None or note_text):
        raise UsageFailure("--stance and --note need a question to link to")
    from forecast.services import evidence as service
    from forecast.services.evidence_query import evidence_record

    st = state(ctx)
    when = st.when(published)
    link = service.LinkSpec(question, _stance(stance), note_text, replace_note) if question is not None else None
    text = _read_stdin() if stdin else None
    source, body = ("url", url) if url is not None else ("file", file) if file is not None else ("text", text or "")
    result = service.add_evidence(st.database(write=True), source, body, link=link, published=when, title=title)
    fields = json_object(evidence_record(result.evidence))
    fields.update(created=result.created, linked=result.linked, question=result.question, notes=list(result.notes))
    if as_json:
        print_json(fields)
    else:
        print(fields["id"])
    what = "added" if result.created else "already stored as"
    linked = f"; linked to {result.question}" if result.linked else (
        f"; already linked to {result.question}" if result.question else "")  # fmt: skip
    if result.changes:
        linked = "; " + "; ".join(result.changes)
    elif result.question and not result.linked:
        linked += ", unchanged"
    note(f"{what} [{fields['id']}] {fields['key']} {clean_cell(fields['title'])!r}, {_dated(st, fields)}{linked}")
    for line in result.notes:
        note(clean_cell(line))


@evidence_app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="Only evidence linked to this question.")] = None,
    include_dismissed: Annotated[bool, typer.Option("--all", help="Include dismissed inbox items.")] = False,
    limit: Annotated[int, typer.Option("--limit", callback=params.COUNT, help="At most this many (0: all).")] = 0,
    as_json: JsonFlag = False,
    fmt: TableFormat = None,
) -> None:
    """List evidence: a question's (with stance), or all of it, newest first."""
    from forecast.services.evidence_query import list_evidence

    st = state(ctx)
    out = output_format(as_json, fmt)
    with st.database().session() as session:
        rows = list_evidence(session, question, include_dismissed=include_dismissed, limit=limit)
    if out == "json":
        print_json(rows)
        return
    if not rows:
        note("no evidence" + (f" linked to {question}" if question else " yet"))
        return
    if question is not None:
        table = [(r.id, r.key, _day(st, r.published_at), r.stance, r.outlet, r.title, r.note)
                 for r in rows]  # fmt: skip
        print_table(("ID", "KEY", "PUBLISHED", "STANCE", "OUTLET", "TITLE", "NOTE"), table, flex=5, fmt=out)
    else:
        table = [(r.id, r.key, _day(st, r.published_at), r.links, "inbox" if r.inbox else "",
                  r.outlet, r.title) for r in rows]  # fmt: skip
        print_table(("ID", "KEY", "PUBLISHED", "LINKS", "", "OUTLET", "TITLE"), table, flex=6, fmt=out)


@evidence_app.command("show")
@guarded
def show(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    as_json: JsonFlag = False,
) -> None:
    """One piece of evidence: where it is from, its links, the updates it moved, and its text."""
    from forecast.core.text import clean_text
    from forecast.services.evidence_query import show_evidence

    st = state(ctx)
    with st.database().session() as session:
        data = show_evidence(session, evidence)
    if as_json:
        print_json(data)
        return
    c = clean_cell
    lines = [c(data.title), f"[{data.id}] {data.key}"]
    if data.url:
        lines.append(c(data.url))
    byline = " · ".join(c(x) for x in (data.outlet, data.author) if x)
    if byline:
        lines.append(byline)
    if data.published_at:
        lines.append(f"published {_day(st, data.published_at)} (from {data.published_source})")
    else:
        lines.append(f"published: unknown (set it with `forecast evidence edit {data.id} --published WHEN`)")
    if data.retrieved_at:
        lines.append(f"retrieved {_day(st, data.retrieved_at)}")
    if data.dismissed or data.inbox:
        lines.append("dismissed" if data.dismissed else "in the inbox")
    for link in data.links:
        lines.append(f"linked: {link.question} ({link.stance})" + (f" — {c(link.note)}" if link.note else ""))
    for f in data.forecasts:
        mark = " (corrected)" if f.superseded else ""
        lines.append(f"moved forecast {f.id}: {f.question} {percent(f.probability)} by {c(f.forecaster)} "
                     f"on {_day(st, f.made_at)}{mark}")  # fmt: skip
    for p in data.proposals:
        lines.append(f"proposed: {p.question} ({p.state}; {', '.join(p.keywords) or 'feed question'})")
    print("\n".join(lines) + "\n\n" + clean_text(data.text))


@evidence_app.command("link")
@guarded
def link(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    stance: Annotated[str | None, typer.Option("--stance", help=STANCE_HELP + " Default: unchanged, else neutral.")] = None,
    note_text: Annotated[str, typer.Option("--note", help="Why it matters for the question (appended to an earlier "
                                                 "note).")] = "",
    replace_note: Annotated[bool, typer.Option("--replace-note", help="Replace the link's earlier note instead.")] = False,
) -> None:
    """Link evidence to a question (or change the link's stance); accepts an inbox proposal."""
    from forecast.services.evidence import link_evidence

    st = state(ctx)
    s = _stance(stance)

    def work(session) -> tuple[bool, list[str]]:
        changes: list[str] = []
        new = link_evidence(session, evidence, question, stance=s, note=note_text, replace_note=replace_note,
                            changes=changes)  # fmt: skip
        return new, changes

    new, changes = st.database(write=True).write(work)
    if new:
        note(f"linked evidence {evidence} to {question}")
    else:
        note(f"evidence {evidence} was already linked to {question}: " + ("; ".join(changes) or "unchanged"))


@evidence_app.command("unlink")
@guarded
def unlink(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
) -> None:
    """Remove the link between evidence and a question (forecasts that cite it keep citing it)."""
    from forecast.services.evidence import unlink_evidence

    state(ctx).database(write=True).write(lambda session: unlink_evidence(session, evidence, question))
    note(f"unlinked evidence {evidence} from {question}")


@evidence_app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    published: Annotated[str | None, typer.Option("--published", help="Publication date (WHEN), or 'none' to clear.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Outlet (publication) name.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Author.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Source URL ('' to clear).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Correct what extraction got wrong: title, date, outlet, author, URL."""
    from forecast.services.evidence import edit_evidence
    from forecast.services.evidence_query import evidence_record

    st = state(ctx)
    if published is None and all(v is None for v in (title, outlet, author, url)):
        raise UsageFailure("nothing to change (give --title, --published, --outlet, --author or --url)")
    changes: dict = {"title": title, "outlet": outlet, "author": author, "url": url}
    if published is not None:
        changes["published"] = None if published.strip().lower() in ("none", "") else st.when(published)
    record = st.database(write=True).write(lambda session: evidence_record(edit_evidence(session, evidence, **changes)))
    if as_json:
        print_json(record)
    else:
        note(f"updated [{record.id}] {record.key}: {_dated(st, json_object(record))}")


@evidence_app.command("search")
@guarded
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words to find; "a phrase", OR, -exclude, prefix*.')],
    limit: Annotated[int, typer.Option("--limit", callback=params.COUNT, help="At most this many results.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Full-text search over titles and text, best match first, with the matches marked «like this»."""
    from forecast.services.evidence_query import search_evidence

    st = state(ctx)
    with st.database().session() as session:
        rows = search_evidence(session, query, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        note(f"no evidence matches {query!r}")
        return
    out = []
    for r in rows:
        meta = ", ".join(x for x in (clean_cell(r.outlet), _day(st, r.published_at)) if x)
        out.append(f"{r.rank}. [{r.id}] {clean_cell(r.title)}" + (f" ({meta})" if meta else ""))
        out.append(f"   {clean_cell(r.snippet)}")
    print("\n".join(out))


@evidence_app.command("inbox")
@guarded
def inbox(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", callback=params.COUNT, help="At most this many (0: all).")] = 0,
    as_json: JsonFlag = False,
    fmt: TableFormat = None,
) -> None:
    """Evidence from feeds waiting for you: link it (`evidence link E Q`) or dismiss it (`evidence dismiss E`)."""
    from forecast.services.evidence_query import inbox_items

    st = state(ctx)
    out = output_format(as_json, fmt)
    with st.database().session() as session:
        rows = inbox_items(session, limit=limit)
    if out == "json":
        print_json(rows)
        return
    if not rows:
        note("the inbox is empty")
        return
    table = []
    for r in rows:
        proposed = "; ".join(f"{p.question} ({', '.join(p.keywords)})" if p.keywords else p.question
                             for p in r.proposals)  # fmt: skip
        table.append((r.id, _day(st, r.published_at), r.outlet, r.title, proposed))
    print_table(("ID", "PUBLISHED", "OUTLET", "TITLE", "PROPOSED"), table, flex=3, fmt=out)


@evidence_app.command("dismiss")
@guarded
def dismiss(
    ctx: typer.Context,
    evidence: Annotated[str, typer.Argument(help="Evidence id or key.")],
    question: Annotated[str | None, typer.Argument(help="Only dismiss the proposal for this question.")] = None,
) -> None:
    """Take an item out of the inbox (or decline one proposed link)."""
    from forecast.services.evidence import dismiss_evidence

    state(ctx).database(write=True).write(lambda session: dismiss_evidence(session, evidence, question))
    note(f"dismissed the proposal of {evidence} for {question}" if question else f"dismissed evidence {evidence}")
