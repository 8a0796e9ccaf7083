"""`forecast feeds ...`: follow RSS/Atom feeds; polling fills the evidence inbox and proposes links."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.exit_codes import ExitCode
from forecast.cli.output import JsonFlag, TableFormat, output_format
from forecast.cli.output import clean_cell, guarded, note, print_json, print_table

feeds_app = typer.Typer(help="News feeds: add, list, remove, poll into the evidence inbox.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("add")
@guarded
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL (RSS or Atom).")],
    question: Annotated[str | None, typer.Option("--question", help="Propose this feed's items for this question.")] = None,
    keywords: Annotated[str | None, typer.Option(
        "--keywords", help='Comma-separated, e.g. "launch, Sohae, ICBM": keep only items that mention one '
        "(whole word, any case); items of any feed that mention them are proposed for --question.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a feed (fetched once now to check that it is a feed)."""
    from forecast.services.feeds import add_feed_to

    data = add_feed_to(state(ctx).database(write=True), url, question=question, keywords=keywords, warn=note)
    if as_json:
        print_json(data)
    else:
        print(data["id"])
        note(f"added feed [{data['id']}] {clean_cell(data['title']) or data['url']}; `forecast feeds poll` fetches its items")


@feeds_app.command("list")
@guarded
def list_(
    ctx: typer.Context,
    as_json: JsonFlag = False,
    fmt: TableFormat = None,
) -> None:
    """The feeds, with their question, keywords and last poll."""
    from forecast.core.timeparse import local, parse_iso
    from forecast.services.feeds import list_feeds

    st = state(ctx)
    out = output_format(as_json, fmt)
    with st.database().session() as session:
        rows = list_feeds(session)
    if out == "json":
        print_json(rows)
        return
    if not rows:
        note("no feeds yet (add one with `forecast feeds add URL`)")
        return
    table = [
        (r["id"], r["url"], r["question"] or "", ", ".join(r["keywords"]),
         local(parse_iso(r["last_polled_at"]), st.tz) if r["last_polled_at"] else "never", r["items_seen"],
         r["last_error"] or "")
        for r in rows
    ]  # fmt: skip
    print_table(("ID", "URL", "QUESTION", "KEYWORDS", "POLLED", "SEEN", "ERROR"), table, flex=1, fmt=out)


@feeds_app.command("remove")
@guarded
def remove(
    ctx: typer.Context,
    feed: Annotated[str, typer.Argument(help="Feed id or URL.")],
) -> None:
    """Stop following a feed (the evidence it brought in stays)."""
    from forecast.services.feeds import remove_feed

    data = state(ctx).database(write=True).write(lambda session: remove_feed(session, feed))
    note(f"removed feed [{data['id']}] {data['url']}")


@feeds_app.command("poll")
@guarded
def poll(
    ctx: typer.Context,
    feeds: Annotated[list[str] | None, typer.Argument(help="Feed ids or URLs (default: all).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch the feeds; new items go to the evidence inbox with proposed links. Exit 1 if a feed failed or was truncated."""
    from forecast.services.feeds import poll

    report = poll(state(ctx).database(write=True), feeds or None)
    if as_json:
        print_json(report.as_dict())
    else:
        for item in report.new:
            proposed = ", ".join(p["question"] for p in item.proposals)
            print(f"[{item.evidence_id}] {clean_cell(item.title)}" + (" (already stored)" if item.reused else "")
                  + (f"  -> {proposed}" if proposed else ""))  # fmt: skip
        if not report.feeds:
            note("no feeds to poll (add one with `forecast feeds add URL`)")
        for f in report.feeds:
            if f.status in ("ok", "truncated"):
                skipped = f", {f.skipped} not matching its keywords" if f.skipped else ""
                known = f", {f.known} already stored" if f.known else ""
                note(f"feed [{f.feed_id}] {f.url}: {f.new} new{known}{skipped}")
            elif f.status == "not modified":
                note(f"feed [{f.feed_id}] {f.url}: not modified")
            for w in f.warnings:
                note(f"feed [{f.feed_id}] {f.url}: {clean_cell(w)}")
            for s in f.skipped_items:
                if s["reason"] != "does not match the feed's keywords":  # counted above
                    note(f"feed [{f.feed_id}] {f.url}: skipped {clean_cell(s['item'])}: {clean_cell(s['reason'])}")
    for f in report.feeds:
        if f.status == "error":
            note(f"forecast: feed {f.url} failed: {clean_cell(f.error)}")
        elif f.status == "truncated":
            note(f"forecast: feed {f.url}: {clean_cell(f.error)}")
    if report.errors:
        raise typer.Exit(int(ExitCode.ERROR))
