"""Benchmark the evidence feature, in process, with the figures the issue sets as targets.

1. extract: one 1 MB news page (a long article inside heavy site chrome) through extract_html.
            Target: <= 1 s. Reported: the first call (imports trafilatura) and the best of the rest.
2. poll:    20 feeds of 50 items each served by a local HTTP server, polled into a fresh SQLite database
            (every item new, keyword proposals on). Target: <= 5 s.
3. search:  full-text search through the service over 50,000 stored articles (about 150 words each),
            for rare, common and very common words, a phrase, OR and two words. Target: <= 100 ms per query.
            The database is built once under benchmarks/data/ (about a minute) and reused.

    python benchmarks/bench_evidence.py                    # all three
    python benchmarks/bench_evidence.py --only search --runs 10
    python benchmarks/bench_evidence.py --pg postgresql://postgres@127.0.0.1:5432/test   # search on PostgreSQL too
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
SEARCH_DB = DATA / "evidence-50k.db"
sys.path.insert(0, str(ROOT))

WORDS = (
    "government minister said officials report week year market prices talks summit launch missile satellite "
    "site images north south rocket test nuclear sanctions council vote budget harvest wheat drought rain power "
    "plant reservoir strike union rail port ferry bank rates inflation copper mine supply shortage analysts "
    "researchers election mayor court ruling police protest border trade exports imports energy gas oil weather "
    "storm typhoon coast ports schools hospital health vaccine study data survey forecast growth economy jobs"
).split()
RARE = ["Sohae", "Yongbyon", "Sanumdong", "DigitalGlobe", "Hwasong"]
FILLER = "the a of to in and on for with at by from that after before over as is was were has have".split()


def _timed(fn, runs: int) -> tuple[float, float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), times


# --- 1. extraction -------------------------------------------------------------------------------------------


def big_page(target: int = 1_000_000, seed: int = 1) -> str:
    rng = random.Random(seed)

    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS + FILLER * 2) for _ in range(n)).capitalize() + "."

    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(300))
    sidebar = "".join(f'<li><a href="/story/{i}">{sentence(8)}</a></li>' for i in range(400))
    body = "".join(f"<p>{' '.join(sentence(rng.randint(12, 30)) for _ in range(4))}</p>" for _ in range(250))
    comments = []
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Big page | Bench Times</title>'
        '<meta property="article:published_time" content="2019-03-08T07:15:00Z">'
        '<meta property="og:site_name" content="Bench Times"></head><body>'
        f'<div class="header-top"><span class="date">Friday, March 29, 2024</span></div><nav><ul>{nav}</ul></nav>'
        f'<main><article><h1>{sentence(10)}</h1><div class="byline">By Bench Writer</div>{body}</article></main>'
        f'<aside class="sidebar"><ul>{sidebar}</ul></aside>'
    )
    page = head
    i = 0
    while len(page.encode()) < target:
        comments.append(f'<div class="comment"><p>{sentence(25)}</p></div>')
        i += 1
        if i % 100 == 0:
            page = head + '<section class="comments">' + "".join(comments) + "</section>"
    return page + "</body></html>"


def bench_extract(runs: int) -> None:
    from forecast.ingest.html_article import extract_html

    page = big_page().encode()
    start = time.perf_counter()
    first = extract_html(page, url="https://bench.example/2019/03/08/big")
    cold = time.perf_counter() - start
    best, median, _ = _timed(lambda: extract_html(page, url="https://bench.example/2019/03/08/big"), runs)
    print(f"extract 1 MB page ({len(page) / 1e6:.2f} MB, {len(first.text.split(chr(10) * 2))} paragraphs, "
          f"date from {first.published_source}): first {cold:.2f} s (with imports), best {best:.2f} s, "
          f"median {median:.2f} s  [target <= 1 s]")  # fmt: skip


# --- 2. polling ----------------------------------------------------------------------------------------------


def feed_xml(n: int, items: int = 50) -> bytes:
    parts = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed {n}</title>"]
    for i in range(items):
        parts.append(
            f"<item><title>Feed {n} story {i}: launch window update</title><guid>feed-{n}-item-{i}</guid>"
            f"<link>https://bench.example/{n}/{i}</link><pubDate>Wed, 01 May 2024 10:{i:02d}:00 GMT</pubDate>"
            f"<description>&lt;p&gt;Story {i} from feed {n} about the ICBM programme and the Sohae site. "
            f"{'More words in the body of the story. ' * 30}&lt;/p&gt;</description></item>"
        )
    return ("".join(parts) + "</channel></rss>").encode()


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    feeds: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.feeds.get(self.path, b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def bench_poll(runs: int) -> None:
    from forecast.services.database import open_database
    from forecast.services.feeds import add_feed, poll_feeds
    from forecast.services.questions.authoring import QuestionDraft, add_question
    from forecast.core.timeparse import utcnow

    _FeedHandler.feeds = {f"/feed/{n}.xml": feed_xml(n) for n in range(20)}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    times = []
    try:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                db = open_database(str(Path(tmp) / "poll.db"))
                now = utcnow()
                with db.session() as s:
                    q = add_question(s, QuestionDraft(title="Will there be a launch?", opens_at=now,
                                                      closes_at=now.replace(year=now.year + 1), slug="launch"), now=now)  # fmt: skip
                    for n in range(20):
                        add_feed(s, f"{base}/feed/{n}.xml", question=q.slug if n % 2 else None,
                                 keywords="launch, Sohae, ICBM" if n % 2 else None, check=False, now=now)  # fmt: skip
                start = time.perf_counter()
                with db.session() as s:
                    report = poll_feeds(s)
                times.append(time.perf_counter() - start)
                new, proposals = len(report.new), report.proposals
                db.engine.dispose()
    finally:
        server.shutdown()
        server.server_close()
    print(f"poll 20 feeds x 50 items into SQLite ({new} new items, {proposals} proposals): best {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s  [target <= 5 s]")  # fmt: skip


# --- 3. search -----------------------------------------------------------------------------------------------


def _article(rng: random.Random, i: int) -> tuple[str, str]:
    def sentence() -> str:
        words = [rng.choice(FILLER) if rng.random() < 0.4 else rng.choice(WORDS) for _ in range(rng.randint(10, 22))]
        if rng.random() < 0.02:
            words.insert(rng.randrange(len(words)), rng.choice(RARE))
        return " ".join(words).capitalize() + "."

    title = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    paragraphs = [" ".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(3, 5))]
    return title, "\n\n".join(paragraphs)


def build_search_db(path: Path, n: int = 50_000, seed: int = 11) -> None:
    """Rows written with raw SQL, as a bulk import does; migration 0002's triggers index them."""
    from forecast.services.database import open_database

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    open_database(str(path)).engine.dispose()
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    rows = []
    for i in range(n):
        title, text = _article(rng, i)
        rows.append((f"ev-bench{i:08d}", f"https://bench.example/{i}", title, "Bench Times", text, text[:200],
                     f"{i:064d}", 1_552_000_000_000_000 + i * 60_000_000))  # fmt: skip
    with con:
        con.executemany(
            "INSERT INTO evidence (key, url, title, outlet, author, text, excerpt, content_hash, inbox, dismissed, "
            "created_at, published_at, published_source) VALUES (?, ?, ?, ?, '', ?, ?, ?, 0, 0, ?, NULL, NULL)",
            rows,
        )
    con.execute("INSERT INTO evidence_fts(evidence_fts) VALUES ('optimize')")
    con.commit()
    con.close()


# The synthetic vocabulary is small, so its ordinary words occur in most articles: a worst case for ranking,
# which scores every matching article. The matching count is printed with each figure.
QUERIES = [
    ("rare word", "Sohae"),
    ("two rare words, OR", "Yongbyon OR Hwasong"),
    ("word in most articles", "reservoir"),
    ("two words", "missile launch"),
    ("phrase", '"nuclear sanctions"'),
    ("word in every article", "the"),
]


def _matching(session, query: str) -> int:
    from sqlalchemy import text

    from forecast.services.evidence_query import fts5_query

    if session.get_bind().dialect.name == "postgresql":
        sql = "SELECT count(*) FROM evidence WHERE search @@ websearch_to_tsquery('english', :q)"
        return session.exec(text(sql).bindparams(q=query)).one()[0]
    sql = "SELECT count(*) FROM evidence_fts WHERE evidence_fts MATCH :q"
    return session.exec(text(sql).bindparams(q=fts5_query(query))).one()[0]


def _search_times(session, runs: int) -> list[tuple[str, int, float, float]]:
    from forecast.services.evidence_query import search_evidence

    out = []
    for label, query in QUERIES:
        search_evidence(session, query, limit=20)
        best, median, times = _timed(lambda q=query: search_evidence(session, q, limit=20), runs)
        out.append((f"{label} {query!r}", _matching(session, query), median * 1000, max(times) * 1000))
    return out


def bench_search(runs: int, pg: str | None) -> None:
    from forecast.services.database import open_database

    if not SEARCH_DB.exists():
        start = time.perf_counter()
        build_search_db(SEARCH_DB)
        print(f"built {SEARCH_DB.relative_to(ROOT)} (50,000 articles) in {time.perf_counter() - start:.0f} s")
    db = open_database(str(SEARCH_DB))
    with db.session() as s:
        count = s.connection().exec_driver_sql("SELECT count(*) FROM evidence").scalar()
        for label, hits, median, worst in _search_times(s, runs):
            print(f"search SQLite FTS5 over {count:,} articles, {label} ({hits:,} match): median {median:.1f} ms, "
                  f"worst {worst:.1f} ms  [target <= 100 ms]")  # fmt: skip
    db.engine.dispose()
    if pg:
        bench_search_pg(pg, runs)


def bench_search_pg(admin_url: str, runs: int) -> None:
    """The same articles in a throwaway PostgreSQL database."""
    import uuid

    import psycopg

    from forecast.services.database import open_database

    name = f"forecast_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        db = open_database(url)
        src = sqlite3.connect(SEARCH_DB)
        rows = src.execute("SELECT key, url, title, outlet, text, excerpt, content_hash, created_at FROM evidence").fetchall()
        src.close()
        start = time.perf_counter()
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            with cur.copy("COPY evidence (key, url, title, outlet, text, excerpt, content_hash, created_at, author, "
                          "inbox, dismissed) FROM STDIN") as copy:  # fmt: skip
                for row in rows:
                    copy.write_row((*row, "", False, False))
            conn.execute("ANALYZE evidence")
        print(f"loaded {len(rows):,} articles into PostgreSQL in {time.perf_counter() - start:.0f} s")
        with db.session() as s:
            for label, hits, median, worst in _search_times(s, runs):
                print(f"search PostgreSQL over {len(rows):,} articles, {label} ({hits:,} match): median {median:.1f} ms, "
                      f"worst {worst:.1f} ms  [target <= 100 ms]")  # fmt: skip
        db.engine.dispose()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["extract", "poll", "search"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", help="PostgreSQL admin URL: also time search on PostgreSQL")
    args = parser.parse_args()
    if args.only in (None, "extract"):
        bench_extract(args.runs)
    if args.only in (None, "poll"):
        bench_poll(max(1, args.runs // 2))
    if args.only in (None, "search"):
        bench_search(args.runs, args.pg)


if __name__ == "__main__":
    main()
