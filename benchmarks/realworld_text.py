"""Plain-text extraction on the real-world corpus: one row per case, then the rates per split.

    python benchmarks/realworld_text.py [--markdown] [--split dev|holdout] [--batch B] [--totals] [--timing]

Develop with `--split dev`: the held-out cases are for measuring, not for reading. `--batch B` keeps
one batch of added pages ("0" for the first cases, which have no batch); the totals are given per batch too.
`--totals` prints the totals only (how a batch kept for a final measurement is run: no case is shown).
`--timing` also times reading each dump (read_text's CPU time, in a warm process): median, 90th percentile, worst.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ingest.realworld_corpus import ROOT, evaluate, load_cases  # noqa: E402


def timing(cases: list[dict]) -> str:
    """CPU time of read_text per dump in this process, after one untimed read (dateparser's import and
    its locales are paid once per process, ~0.5 s, and are not counted); CPU time, as other processes
    share the machine."""
    import statistics
    import time

    from forecast.ingest.text_article import read_text

    raws = [(ROOT / c["file"]).read_text(encoding="utf-8") for c in cases]
    read_text(raws[0])
    times = []
    for raw in raws:
        start = time.process_time()
        try:
            read_text(raw)
        except Exception:  # noqa: BLE001 -- an unreadable dump is timed too
            pass
        times.append(time.process_time() - start)
    times.sort()
    return (f"reading a dump (CPU): median {1000 * statistics.median(times):.0f} ms, "
            f"90th percentile {1000 * times[int(0.9 * len(times))]:.0f} ms, worst {1000 * times[-1]:.0f} ms "
            f"({len(times)} dumps)")  # fmt: skip


def main() -> None:
    md = "--markdown" in sys.argv
    only = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else None
    batch = sys.argv[sys.argv.index("--batch") + 1] if "--batch" in sys.argv else None
    cases = [c for c in load_cases(only) if batch is None or c.get("batch", "0") == batch]
    rows = [evaluate(c) for c in cases]
    batch_of = {c["name"]: c.get("batch", "0") for c in cases}
    if md:  # one table per split, the held-out cases apart
        rows = sorted(rows, key=lambda o: o.split != "dev")
    for n, o in enumerate(rows):
        if "--totals" in sys.argv:
            break
        if md and (n == 0 or rows[n - 1].split != o.split):
            print(f"\n{'Development' if o.split == 'dev' else 'Held out'} cases:\n")
            print("| case | form | split | batch | headline | date (got / expected) | body kept | furniture leaked |")
            print("|---|---|---|---|---|---|---|---|")
        kept = "all" if not o.missing else f"missing {len(o.missing)}"
        if md:
            print(f"| {o.name} | {o.form} | {o.split} | {batch_of[o.name]} | "
                  f"{'ok' if o.headline_ok else 'WRONG: ' + o.headline[:60].replace('|', '/')} | "
                  f"{'not scored' if o.date_ok is None else 'ok' if o.date_ok else 'WRONG'} {o.date or '–'} / {o.expected_date or '–'} | {kept} | "
                  f"{', '.join(o.leaked) or '–'} |")
        else:
            print(f"{o.name:22} {o.form:5} {o.split:7} H={'ok ' if o.headline_ok else 'BAD'} "
                  f"D={'n/a' if o.date_ok is None else 'ok ' if o.date_ok else 'BAD'} {o.date or '-':10} exp {o.expected_date or '-':10} "
                  f"{kept:10} leak={len(o.leaked)} {'' if o.headline_ok else o.headline[:50]}{o.error}")
    print()
    groups = [(s, None) for s in ("dev", "holdout")]
    groups += [(s, b) for s in ("dev", "holdout") for b in sorted(set(batch_of.values()))]
    for split, b in groups:
        part = [o for o in rows if o.split == split and (b is None or batch_of[o.name] == b)]
        if not part or (b is not None and len(part) == len([o for o in rows if o.split == split])):
            continue
        split_name = split if b is None else f"{split}, batch {b}"
        n = len(part)
        h = sum(o.headline_ok for o in part)
        dated = [o for o in part if o.date_ok is not None]  # (pages whose date is not known are not scored on it)
        d, nd = sum(bool(o.date_ok) for o in dated), len(dated)
        k = sum(not o.missing for o in part)
        lk = sum(len(o.leaked) for o in part)
        date = f"date {d}/{nd} ({100 * d / nd:.0f} %)" if nd else "date not scored"
        line = (f"{split_name}: {n} cases, headline {h}/{n} ({100 * h / n:.0f} %), {date}, "
                f"all body sentences kept {k}/{n}, furniture lines leaked {lk}")
        print(("- " if md else "") + line)
    if "--timing" in sys.argv:
        print(("- " if md else "") + timing(cases))


if __name__ == "__main__":
    main()
