"""`forecast comment`: the discussion on a question."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.cli import params
from forecast.cli.app import app
from forecast.cli.context import state
from forecast.cli.output import JsonFlag, UsageFailure, guarded, note, print_json


@app.command("comment")
@guarded
def comment(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question id or slug.")],
    text: Annotated[str | None, typer.Argument(help="The comment (or the new text with --edit).")] = None,
    edit: Annotated[int | None, typer.Option("--edit", callback=params.ROW_ID, help="Replace the text of your comment ID.")] = None,
    delete: Annotated[int | None, typer.Option("--delete", callback=params.ROW_ID, help="Delete your comment ID.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Comment as this forecaster (default: you).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Comment on a question; `--edit ID` or `--delete ID` change one of your own comments."""
    from forecast.services import comments

    if edit is not None and delete is not None:
        raise UsageFailure("give --edit or --delete, not both")
    if delete is None and not (text or "").strip():
        raise UsageFailure("give the comment's text")
    if delete is not None and text is not None:
        raise UsageFailure("--delete takes no text")
    st = state(ctx)
    db = st.database(write=True)
    author = st.forecaster(by)
    admin = False
    if delete is not None and db.dialect == "postgresql":
        from forecast.services.team import identity

        me = identity(db)
        admin = me is not None and me.role == "admin"

    def work(session):
        from forecast.services.lookup import get_question

        q = get_question(session, question)
        target = edit if edit is not None else delete
        if target is not None:
            existing = {c.id for c in comments.comments_of(session, q.id)}
            if target not in existing:
                raise comments.NotFound(f"no comment {target} on question {q.slug}")
        if edit is not None:
            return "edited", comments.edit_comment(session, edit, text, author)
        if delete is not None:
            return "deleted", comments.delete_comment(session, delete, author, admin=admin)
        return "added", comments.add_comment(session, q.id, text, author)

    what, c = db.write(work)
    if as_json:
        print_json(c)
    else:
        note(f"{what} comment {c.id} on question {c.question_id}")
