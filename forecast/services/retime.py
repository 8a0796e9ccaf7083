"""Re-time forecasts that an earlier import read in the wrong time zone.

Fatebook writes its server's wall-clock time without a zone, so a first import made without `--tz` (or
with the wrong one) stores every time shifted by the zone's offset. Importing the same export again with
the right `--tz` should move those forecasts, not add a second copy of each. A stored forecast is taken
for a batch forecast read in another zone when, for one question of the batch and one forecaster:
- the stored question's opening differs from the batch's by whole quarter hours, at most 26 hours
  (every UTC offset in use), so the question itself was imported with another zone;
- the stored forecasts not in the batch and the batch's forecasts not stored are as many, in the same
  time order with the same probabilities, each shifted by whole quarter hours, at most 26 hours;
- the stored forecast was imported (recorded when it was made) and is not a correction.
Those forecasts get the batch's times; the question's times are then updated by the import itself.
"""

from __future__ import annotations

from sqlmodel import Session

from forecast.interchange.reader import Batch
from forecast.store import bulk
from forecast.store.standing import refresh_standing

QUARTER_HOUR = 15 * 60 * 1_000_000
MAX_SHIFT = 26 * 3600 * 1_000_000


def _zone_shift(a: int, b: int) -> bool:
    d = a - b
    return d != 0 and abs(d) <= MAX_SHIFT and d % QUARTER_HOUR == 0


def retime_forecasts(session: Session, batch: Batch) -> int:
    """Move the stored forecasts that are `batch`'s forecasts read in another zone; how many moved."""
    conn = session.connection()
    opens = {q.slug: q.opens_at for q in batch.questions}
    if not opens:
        return 0
    stored_q = {slug: (qid, at) for qid, slug, at in bulk.iterate(conn, "SELECT id, slug, opens_at FROM question")}
    shifted = {slug: stored_q[slug][0] for slug, at in opens.items() if slug in stored_q and _zone_shift(stored_q[slug][1], at)}
    if not shifted:
        return 0
    names = {name: fid for fid, name in bulk.iterate(conn, "SELECT id, name FROM forecaster")}
    wanted: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for f in batch.forecasts:
        if f.question in shifted and f.forecaster in names:
            wanted.setdefault((shifted[f.question], names[f.forecaster]), []).append((f.made_at, f.probability))
    if not wanted:
        return 0
    marks = ", ".join(f":q{i}" for i in range(len(shifted)))
    stored: dict[tuple[int, int], list[tuple[int, int, int, float, bool]]] = {}
    for row in bulk.iterate(
        conn,
        "SELECT question_id, forecaster_id, id, made_at, recorded_at, probability, "
        f"superseded OR supersedes_id IS NOT NULL FROM forecast WHERE question_id IN ({marks})",
        tuple(shifted.values()),
    ):
        stored.setdefault((row[0], row[1]), []).append(row[2:])
    moves: list[tuple[int, int]] = []
    for pair, new in wanted.items():
        have = stored.get(pair, [])
        times = {r[1] for r in have}
        new_times = {t for t, _p in new}
        todo = sorted(x for x in new if x[0] not in times)
        old = sorted((r for r in have if r[1] not in new_times), key=lambda r: r[1])
        if not todo or len(todo) != len(old):
            continue
        if all(
            r[1] == r[2] and not r[4] and abs(r[3] - p) < 1e-12 and _zone_shift(r[1], t)
            for r, (t, p) in zip(old, todo, strict=True)
        ):
            moves.extend((r[0], t) for r, (t, _p) in zip(old, todo, strict=True))
    if not moves:
        return 0
    # Two steps, so that no row passes through another's identity (question, forecaster, made_at, recorded_at).
    bulk.execute_many(conn, "UPDATE forecast SET made_at = -id, recorded_at = -id WHERE id = :id", [(i,) for i, _t in moves])
    bulk.execute_many(conn, "UPDATE forecast SET made_at = :t, recorded_at = :t WHERE id = :id", [(t, i) for i, t in moves])
    refresh_standing(conn, {pair for pair in wanted})
    return len(moves)
