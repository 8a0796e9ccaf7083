"""HTML extraction side by side with the bare libraries it wraps, on trafilatura's published evaluation
set (tests/evaldata.json + tests/cache/ in github.com/adbar/trafilatura, Apache-2.0; the pages remain
their publishers'). The set gives, per page, the title, the publication date ('' = the page has none),
snippets that belong to the text ("with") and furniture that must not ("without").

    python benchmarks/realworld_html.py /path/to/trafilatura.git [--sample 60] [--markdown]
    python benchmarks/realworld_html.py --htmldate /path/to/htmldate.git [--sample 60]   (dates only:
        htmldate's tests/eval_default.json, every page dated by its annotators)

The repository is read as a bare git directory (the `fetch` tool's mirror), nothing is copied here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RETRIEVED = datetime(2026, 1, 1, tzinfo=UTC)


def normal(text: str | None) -> str:
    return " ".join(re.findall(r"[^\W_]+", (text or "").lower()))


def git_show(repo: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", repo, "show", f"HEAD:{path}"], capture_output=True, check=True).stdout


def load(repo: str, sample: int, index: str = "tests/evaldata.json") -> list[tuple[str, dict, bytes]]:
    data = json.loads(git_show(repo, index))
    if "eval_default" in index:  # htmldate's set: a date per page, no title
        data = {u: {**v, "title": "", "with": [], "without": []} for u, v in data.items()}
    # Only annotated pages (title and date known); a fixed sample by hash of the URL, not hand-picked.
    urls = sorted((u for u, v in data.items() if "title" in v and "date" in v), key=lambda u: hashlib.sha1(u.encode()).hexdigest())
    out = []
    for url in urls:
        for folder in ("tests/cache/", "tests/eval/", "tests/test_set/"):
            try:
                html = git_show(repo, folder + data[url]["file"])
                break
            except subprocess.CalledProcessError:
                html = b""
        if not html:
            continue
        out.append((url, data[url], html))
        if len(out) >= sample:
            break
    return out


class Tally:
    def __init__(self) -> None:
        self.n = self.title = self.exact = self.wrong = self.missing = self.invented = self.none_ok = 0
        self.with_total = self.with_kept = self.without_total = self.without_leaked = 0
        self.seconds = 0.0

    def date(self, got: str, want: str) -> None:
        got = (got or "")[:10]
        if want:
            if got == want:
                self.exact += 1
            elif got:
                self.wrong += 1
            else:
                self.missing += 1
        elif got:
            self.invented += 1
        else:
            self.none_ok += 1

    def text(self, text: str, case: dict) -> None:
        body = normal(text)
        for s in case.get("with", []):
            self.with_total += 1
            self.with_kept += normal(s) in body
        for s in case.get("without", []):
            self.without_total += 1
            self.without_leaked += bool(normal(s)) and normal(s) in body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("repo")
    ap.add_argument("--htmldate", action="store_true", help="REPO is htmldate's: score dates on its eval set")
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="print our misses, one line each")
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)
    import trafilatura
    from htmldate import find_date

    from forecast.core.errors import InvalidInput
    from forecast.ingest.html_article import extract_html

    cases = load(args.repo, args.sample, "tests/eval_default.json" if args.htmldate else "tests/evaldata.json")
    ours, bare, hd = Tally(), Tally(), Tally()
    for url, case, html in cases:
        want_title, want_date = normal(case["title"]), case["date"] or ""
        t0 = time.perf_counter()
        try:
            d = extract_html(html, url=url, retrieved_at=RETRIEVED)
            title, date, text = d.title, d.published_at.date().isoformat() if d.published_at else "", d.text
        except InvalidInput:
            title = date = text = ""
        ours.seconds += time.perf_counter() - t0
        if args.verbose and (normal(title) != want_title or date[:10] != want_date):
            pass
        if args.verbose:
            for bad in case.get("without", []):
                if normal(bad) and normal(bad) in normal(text):
                    print(f"  leaked {url[:50]}: {bad[:70]!r}")
        if args.verbose and (normal(title) != want_title or date[:10] != want_date):
            print(f"{url[:60]:60} date {date or '-':10} want {want_date or '-':10} title {title[:50]!r} want {case['title'][:50]!r}")
        t0 = time.perf_counter()
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        bare.seconds += time.perf_counter() - t0
        t0 = time.perf_counter()
        hd_date = find_date(html, url=url) or ""
        hd.seconds += time.perf_counter() - t0
        for tally, t, dt, tx in ((ours, title, date, text),
                                 (bare, getattr(doc, "title", "") if doc else "", getattr(doc, "date", "") if doc else "",
                                  getattr(doc, "text", "") if doc else "")):  # fmt: skip
            tally.n += 1
            tally.title += normal(t) == want_title
            tally.date(dt, want_date)
            tally.text(tx, case)
        hd.n += 1
        hd.date(hd_date, want_date)

    rows = [("forecast (extract_html)", ours), ("trafilatura bare_extraction", bare), ("htmldate find_date", hd)]
    n = len(cases)
    dated = sum(1 for _, c, _ in cases if c["date"])
    print(f"{n} pages ({dated} with a publication date, {n - dated} without)\n")
    header = ("extractor", "titles right", "dates exact", "wrong", "missing", "invented", "no date, none given",
              "'with' kept", "'without' leaked", "s/page")  # fmt: skip
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    for name, t in rows:
        has_text = t.with_total > 0
        cells = (name, f"{t.title}/{t.n}" if has_text else "–", f"{t.exact}/{dated}", str(t.wrong), str(t.missing),
                 str(t.invented), f"{t.none_ok}/{n - dated}",
                 f"{t.with_kept}/{t.with_total}" if has_text else "–",
                 f"{t.without_leaked}/{t.without_total}" if has_text else "–", f"{t.seconds / max(1, t.n):.2f}")  # fmt: skip
        print(("| " + " | ".join(cells) + " |") if args.markdown else "  ".join(f"{c:>12}" for c in cells))


if __name__ == "__main__":
    main()
