"""Articles from plain text as copied or scraped from a web page, site furniture and all.

The page is read as a column of lines: the header (before the first line of running text), the body
and the footer (after the last). Furniture rules (furniture.py) drop ads, placeholders, labels and share
bars anywhere; short and menu-like lines are dropped only in the header and footer, so every body
paragraph stays, in order. The headline is picked from the header.

Dates are honest: a date alone in the header *above* the headline is what news sites print as "today"
(the day the page was viewed), so it is ignored and said so. A publication date is one the text prints:
a "Published ..." or "By X | date" line, a date line near the headline, a news-agency dateline
("SEOUL, March 8 (Reuters) -"), an info box after the text -- or a date in the URL path.

The hand rules propose a headline and a date; two learned rankers (conditional logits whose weights
benchmarks/fit_text.py fits on the development pages of the real-world corpus and writes to
text_weights.py) have the last word: one weighs every visible line that could be the title, the other
every full date the page prints against "no date".
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.text import strip_controls
from forecast.core.timeparse import local, utcnow
from forecast.ingest import furniture as F
from forecast.ingest.draft import ArticleDraft, finish, plausible
from forecast.ingest.dates import (
    LineDate, byline_author, cued_date, date_order, find_date, has_clock, has_weekday, line_date, numeric_order,
)  # fmt: skip
from forecast.ingest.sanitize import clean_line, clean_text
from forecast.ingest.urls import date_from_url, host_of, normalise_url

_MAX_HEADLINE_WORDS = 40
_WRAP_MIN = 50  # a line at least this long followed by a lower-case line is a hard-wrapped paragraph
_RELATIVE = re.compile(
    r"^\W*(?:(?:published|posted|updated)\s+)?(?:\d+|an?|one)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s+ago\W*$",
    re.I,
)
_PARAGRAPH_WORDS = 12  # an opening paragraph is at least this long; a headline phrased as a question is not
_BODY_GAP = 8  # non-paragraph lines (captions, subheads, ad slots) allowed between two paragraphs of one article
_HEADLINE_WINDOW = 25  # lines above the text searched for the headline
_ABOVE_HEADLINE = 3  # a date this close above the headline is the article's (reuters, CBS); further up, the site's
_ABOVE_META = 12  # lines above the byline/date searched for the headline (kicker, deck, caption, share bar between)
_MENU_GAP = 30  # recurring (navigation) lines that part two runs of text
_AFTER_TEXT = 12  # lines after the text searched for an info box with the date


@dataclass(slots=True)
class _Line:
    text: str
    why: str | None = None  # furniture reason, None while it may be text
    date: LineDate | None = None
    bullet: bool = False  # a list item ("* Home", "• 10 April 2020"): menus, share bars, info boxes
    indent: int = -1  # columns the dump indented it by (-1: not known)
    number: str = ""  # a numbered list item's number ("4."), which the text of the item keeps


@dataclass(frozen=True, slots=True)
class TextParts:
    """The result of reading a scraped page before it becomes an ArticleDraft (exposed for the HTML path)."""

    headline: str
    paragraphs: list[str]
    author: str
    published_at: datetime | None
    published_how: str  # "published line", "byline", "date under the headline", "dateline", ... or ""
    notes: list[str]
    close_call: str = ""  # another line the headline ranker scored nearly as high ("" when the pick was clear)
    site: str = ""  # the host a Reader View copy names above its title ("" when the text names none)


# List markers as w3m and lynx print them; "1." only before a word, so "19. Oktober 2019" stays a date.
_BULLET = re.compile(r"^(?:[*•+o□☆◦‣▪■·]\s+(?=\S)|\d{1,2}\.\s+(?=[^\W\d_])(?!\S*\s+(?:19|20)\d\d\b))")
# Form widgets and images as text browsers draw them: "(BUTTON)", "[ ]", "[X]", "[logo_small]", "IFRAME: ...".
_FORM_JUNK = re.compile(r"\(BUTTON\)|\[[\s_xX*]*\]|\[[^\][]{0,40}\s\]|^\[[^\]]{1,60}\]$|_{4,}|^IFRAME:|^#\S")


# lynx opens a dump with the titles of the page's <link rel=...> elements: "#alternate Site » Feed ...".
_LINK_TITLES = re.compile(r"^#\S")


def _wrap_width(text: str) -> int:
    """The column a hard-wrapping renderer (w3m, lynx: 80 by default) broke lines at, or 0 if none did."""
    lengths = sorted(n for line in text.split("\n") if (n := len(line.rstrip())) >= 40)
    if len(lengths) < 10 or lengths[int(len(lengths) * 0.8)] > 100:
        return 0  # unwrapped text (a browser copy): long lines are whole paragraphs
    # Most wrapped lines end a few columns short of the width; a stray long line (a URL) is no guide.
    width = lengths[int(len(lengths) * 0.9) - 1]
    return width if 60 <= width <= 100 else 0


def _unwrap(block: list[tuple[str, int]], width: int) -> list[tuple[str, bool, int, str]]:
    """Split a blank-line separated block of (line, indent) into (line, is list item, indent, its number
    if it is a numbered item), re-joining hard-wrapped lines: a line was wrapped when the next line's first
    word would not have fitted after it."""
    out: list[tuple[str, bool, int, str]] = []
    prev_raw = ""
    # Renderers wrap some blocks short of the page width (indented or narrower columns): within a block
    # of long lines, its own longest line is the width it was wrapped at.
    longest = max((len(r.rstrip()) for r, _ in block), default=0)
    if width and longest >= 55:
        width = min(width, longest + 1)
    for raw, indent in block:
        line = raw.strip()
        if not line:
            continue
        marker = _BULLET.match(line)
        bullet, number = marker is not None, marker.group().strip() if marker and line[:1].isdigit() else ""
        if bullet:
            line = _BULLET.sub("", line)
        first_word = line.split()[0]
        wrapped = width and not bullet and len(prev_raw.rstrip()) + 1 + len(first_word) > width - 1
        lower = len(out[-1][0]) >= _WRAP_MIN and line[:1].islower() and not F.is_sentence(out[-1][0]) if out else False
        if out and not bullet and (wrapped or lower):
            out[-1] = (f"{out[-1][0]} {line}", out[-1][1], out[-1][2], out[-1][3])
        else:
            out.append((line, bullet, indent, number))
        prev_raw = raw
    return out


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")  # as forecast.core.text folds them


def _indents(raw: str, text: str) -> list[int]:
    """How far each line of the cleaned text was indented in the dump (-1 when not known): lynx prints
    headings flush left and paragraphs three columns in; w3m indents lists and sidebars."""
    rows = text.split("\n")
    got = []
    for line in unicodedata.normalize("NFC", strip_controls(raw)).split("\n"):
        folded = _SPACES.sub(" ", line)
        if folded.strip():
            got.append(len(folded) - len(folded.lstrip()))
    if len(got) != sum(1 for r in rows if r):
        return [-1] * len(rows)
    it = iter(got)
    return [next(it) if r else -1 for r in rows]


# A rule drawn across the page (w3m draws <hr> as "━━━━"): a break between blocks, never text to join.
_RULE = re.compile(r"^[ \t]*[━─═_=~*·•-]{5,}[ \t]*$", re.M)


def _lines(raw: str, text: str) -> list[_Line]:
    width = _wrap_width(raw)
    indents = _indents(raw, text)
    blocks: list[list[tuple[str, int]]] = [[]]
    for row, indent in zip(_RULE.sub("", text).split("\n"), indents, strict=True):
        if row.strip():
            blocks[-1].append((row, indent))
        elif blocks[-1]:
            blocks.append([])
    lines = [_Line(t, bullet=b, indent=d, number=n) for block in blocks for t, b, d, n in _unwrap(block, width)]
    for ln in lines:
        ln.why = F.furniture_reason(ln.text) or ("form" if _FORM_JUNK.search(ln.text) and not _is_prose(ln.text) else None)
    if lines and _LINK_TITLES.match(lines[0].text):
        lines[0].why = "link titles"
    # Short lines that recur are navigation or repeated slots; a paragraph is never this short and repeated.
    counts: dict[str, int] = {}
    for ln in lines:
        counts[F.normal(ln.text)] = counts.get(F.normal(ln.text), 0) + 1
    for ln in lines:
        if ln.why is None and counts[F.normal(ln.text)] > 1 and len(F.words(ln.text)) <= 8:
            ln.why = "repeated"
    # Once the text has begun, a label such as "Related stories" starts a list of other articles'
    # headlines, which goes too, up to the next running text.
    # When running text or a date ends the list, the line right above it was no list item but that
    # text's headline (a headline with its deck or date, after a list of other stories).
    in_text = in_list = False
    last: _Line | None = None
    for ln in lines:
        if ln.why in ("list label", "teaser") and in_text:
            in_list = True
        elif ln.why is None and in_list and last is not None and last.why == "list label" and not _is_prose(ln.text):
            ln.why = "promoted links"  # right under the label: the first teaser's date or title ("Lesen Sie auch" / "14/08/2021")
        elif ln.why is None and (_is_prose(ln.text) or in_list and _dated(ln.text)):
            if in_list and last is not None and last.why == "promoted links" and not last.bullet:
                last.why = None
            in_text, in_list = True, False
        elif ln.why is None and in_list:
            ln.why = "promoted links"
        if ln.why not in ("blank", "punctuation", "form", "placeholder"):
            last = ln
    return lines


def _dated(text: str) -> bool:
    d = line_date(text) if len(text) < 300 and re.search(r"\d", text) else None
    return d is not None and d.match.when is not None and d.kind != "dateline"


def _is_prose(text: str) -> bool:
    # Without a full stop, only a long line in which most words are not capitalised reads as running text:
    # a mega-menu flattened into one line ("iPhone Überblick iPhone 15 Pro Max iPhone 15 Pro ...") does not.
    return F.is_sentence(text) or (len(F.words(text)) >= 16 and not F.is_menu(text) and F.lowercase_share(text) >= 0.3)


def _is_paragraph(ln: _Line) -> bool:
    return ln.why is None and not (ln.date and ln.date.kind != "dateline") and _paragraph_text(ln.text)


@functools.lru_cache(maxsize=8192)
def _paragraph_text(text: str) -> bool:
    return (
        _is_prose(text) and len(F.words(text)) >= _PARAGRAPH_WORDS and not _shouted(text) and not _repetitive(text)
        and not F.is_site_notice(text)
    )  # fmt: skip


def _is_byline(ln: _Line) -> bool:
    return bool((ln.date and ln.date.kind in ("published", "updated", "byline")) or byline_author(ln.text))


def _introduced(lines: list[_Line], start: int) -> bool:
    """A byline or date among the dozen lines above: how an article's text begins."""
    above = [j for j in range(max(0, start - _HEADLINE_WINDOW), start) if lines[j].why in (None, "repeated")]
    return any(_is_meta(lines[j]) for j in above[-12:])


def _body_run(lines: list[_Line], runs_out: list[tuple[int, int, float]] | None = None) -> tuple[int, int] | None:
    """The article: the run of paragraphs (allowing captions, subheads and ads between them) with the
    most words. Menus, teasers and comment threads come in shorter runs. `runs_out` receives every run
    (first paragraph, last paragraph, weight)."""
    paras = [i for i, ln in enumerate(lines) if _is_paragraph(ln)]
    if not paras:
        return None
    best, run = None, [paras[0]]
    runs = []
    for i in paras[1:]:
        between = [j for j in range(run[-1] + 1, i) if lines[j].why is None]
        # A list inside the text (a table of contents, the items of a listicle) does not break it up.
        gap = [j for j in between if not lines[j].bullet]
        # A byline or date after a paragraph or two starts the article: what came before was a login
        # box, a teaser or the article's own deck. A dated teaser inside the text ("Jane Doe | 22.11.22")
        # is no new start: a date counts only before any other run, a byline ("Von Tim Ehlers",
        # "Published ...") anywhere.
        starts = len(run) <= 2 and any(_is_byline(lines[j]) or (not runs and _is_meta(lines[j])) for j in between)
        # Further down, a headline right on its date or byline starts another text (an article under a
        # wall of teasers) -- unless this run had its own byline or date: an article's text can hold
        # a dated teaser of another story.
        dated = _introduced(lines, run[0]) or any(_is_meta(lines[j]) for j in range(run[0], run[-1]))
        starts = starts or not dated and any(
            _is_meta(lines[j]) and any(_headline_candidate(lines[k]) for k in between if j - 2 <= k < j) for j in between
        )
        # A whole menu between two paragraphs (navigation that recurs on the page) parts two texts.
        menu = sum(1 for j in range(run[-1] + 1, i) if lines[j].why == "repeated") > _MENU_GAP
        if len(gap) <= _BODY_GAP and not starts and not menu:
            run.append(i)
        else:
            runs.append(run)
            run = [i]
    runs.append(run)

    def weight(r: list[int]) -> float:
        # A comment thread is paragraphs with a date between each: worth less than an article's text.
        dated = sum(1 for j in range(r[0], r[-1] + 1) if lines[j].date is not None and not _is_paragraph(lines[j]))
        words = sum(len(F.words(lines[i].text)) for i in r)
        # An article is introduced by its byline or date; a list of teasers or a comment thread is not.
        introduced = _introduced(lines, r[0])
        # ... and a run right under "Don't miss", "Most read" or "Related" is that list.
        listed = any(lines[j].why == "list label" for j in range(max(0, r[0] - 3), r[0]))
        if dated >= 3:  # one date per comment (or per teaser): the more of them, the less it is one article
            return words / dated
        return words * (2 if introduced else 1) * (0.1 if listed else 1)

    # The article comes first; other stories, comments and teasers follow it. So the first run that is
    # at least half as heavy as the heaviest.
    weights = [weight(r) for r in runs]
    if runs_out is not None:
        runs_out.extend((r[0], r[-1], w) for r, w in zip(runs, weights, strict=True))
    heaviest = max(weights)
    best = next(r for r, w in zip(runs, weights, strict=True) if w >= heaviest / 2)
    end = best[-1]
    # A short closing sentence ("Hatchlings are expected from late August.") still belongs to the text,
    # and so do the steps of a list written in sentences ("• Remove and drain on paper towels."), which
    # menus and lists of other stories are not.
    # (A list's items do not count against the gap: the ingredients above a recipe's steps.)
    gap = 0
    for j in range(end + 1, len(lines)):
        ln = lines[j]
        if ln.why in ("list label", "teaser", "promoted links") or gap > _BODY_GAP:
            break
        if ln.why is None and F.is_sentence(ln.text) and (not ln.bullet or len(F.words(ln.text)) >= 5):
            end, gap = j, 0
        elif ln.why is None and not ln.bullet or j - end > 3 * _BODY_GAP:
            gap += 1
    return best[0], end


# A photo credit or a web address is never a headline ("... | Bildquelle: dpa", "Photograph: Getty Images").
_NOT_TITLE = re.compile(
    r"\b(?:fot[oó]|photo|photograph|bild(?:quelle)?|image|credits?|crédits?|imagen|immagine|quelle|source)\s*:"
    r"|getty images|©|https?://|\bwww\.|\.(?:com|de|fr|es|it|org|net|co\.uk)/"
    r"|^\s*[←→↑↓]|[←→↑↓]\s*$",  # "← Previous post", "Zu den Kommentaren ↓": links, not titles
    re.I,
)


def _shouted(text: str) -> bool:
    """All capitals: a kicker or section label ("MINIATURAS DEL BÉISBOL"), not a headline."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


_AUTHOR_LINE = re.compile(r"^[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)? [A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?\s*(?:,|\||$)")


def _repetitive(text: str) -> bool:
    """The same words over and over ("Zu den Angeboten Zu den Angeboten ..."): a widget, not a title."""
    ws = [w.lower() for w in F.words(text)]
    return len(ws) >= 6 and len(set(ws)) <= len(ws) / 2


def _headline_candidate(ln: _Line) -> bool:
    n = len(F.words(ln.text))
    return (
        not _NOT_TITLE.search(ln.text) and ln.why in (None, "repeated") and not (_shouted(ln.text) and n <= 5)
        and not ln.bullet and ln.date is None and 3 <= n <= _MAX_HEADLINE_WORDS and not _repetitive(ln.text)
        and not F.is_menu(ln.text) and not F.is_site_notice(ln.text) and not byline_author(ln.text)
        and not (ln.text.rstrip().endswith(".") and n > 25)
    )  # fmt: skip


def _is_meta(ln: _Line) -> bool:
    return ln.why in (None, "repeated") and (
        (ln.date is not None and ln.date.match.when is not None) or _is_byline(ln)
    )


def _is_deck(ln: _Line) -> bool:
    n = len(F.words(ln.text))
    return n >= _PARAGRAPH_WORDS and _is_prose(ln.text) and (ln.text.rstrip().endswith(".") or n > 25)


def _stems(text: str) -> set[str]:
    """Content words, cut to their first five letters so that inflections meet ("Gottesdienste" and
    "Gottesdienst", "rips" and "ripped" do not, which is fine: most words of a headline recur as they are)."""
    return {w.lower()[:5] for w in re.findall(r"[^\W\d_]{4,}", text)}


def _overlap(text: str, vocab: set[str]) -> float:
    """The share of a line's content words that the article's text uses: a headline names what the text
    is about; a menu, a widget, a UI message or another story's teaser mostly does not."""
    own = _stems(text)
    share = len(own & vocab) / len(own) if own else 0.0
    return min(share, _OVERLAP_ENOUGH) / _OVERLAP_ENOUGH


_OVERLAP_ENOUGH = 0.5  # a headline names a few of the text's words; more is no surer sign


def _headline(
    lines: list[_Line], body_start: int, counts: dict[str, int], body_end: int | None = None,
    scores_out: dict[int, float] | None = None,
) -> int | None:  # fmt: skip
    """The headline. News pages print it just above the byline and date (or just below a date stamp),
    with at most a deck between: the headline sits above the deck, and a deck is the longer of the two."""
    window = [i for i in range(max(0, body_start - 3 * _HEADLINE_WINDOW), body_start) if lines[i].why in (None, "repeated")]
    window = window[-_HEADLINE_WINDOW:]
    metas = [i for i in window if _is_meta(lines[i])]
    cands = [i for i in window if _headline_candidate(lines[i])]
    end = body_end if body_end is not None else len(lines) - 1
    paras = [j for j in range(body_start, min(end + 1, len(lines))) if _is_paragraph(lines[j])]
    # The text's first "paragraph" may be a long headline (a headline has no full stop, a paragraph
    # has): it is weighed too when more text follows it.
    opening = lines[body_start]
    same = F.normal(opening.text)
    if (
        not F.is_sentence(opening.text) and _headline_candidate(opening)
        and any(F.normal(lines[j].text) != same for j in paras)
    ):  # fmt: skip
        cands.append(body_start)
    if not cands:
        return None
    anchor = None
    if metas:
        # the first meta line of the cluster closest to the text
        anchor = metas[-1]
        for i in reversed(metas[:-1]):
            between = [j for j in window if i < j < anchor]
            if len(between) <= 4 and not any(_headline_candidate(lines[j]) for j in between):
                anchor = i
    vocab: set[str] = set()
    for j in paras:
        vocab |= _stems(lines[j].text)
    # (the opening line's words are counted from the rest of the text only)
    rest: set[str] = set()
    for j in paras:
        if F.normal(lines[j].text) != same:
            rest |= _stems(lines[j].text)

    features = {
        i: _headline_features(lines, window, i, anchor, body_start, rest if i == body_start else vocab)
        for i in cands
    }  # fmt: skip
    if (sink := _CANDIDATES.get()) is not None:
        sink.extend((lines[i].text, features[i]) for i in cands)
    scores = {i: sum(_HEADLINE_WEIGHTS[k] * v for k, v in features[i].items()) for i in cands}
    if scores_out is not None:
        scores_out.update(scores)
    return max(cands, key=lambda i: (scores[i], -i))


# Where the headline's candidates and their features go while fitting the weights (benchmarks/fit_headline.py).
_CANDIDATES: ContextVar[list[tuple[str, dict[str, float]]] | None] = ContextVar("headline_candidates", default=None)


def headline_candidates(raw: str) -> list[tuple[str, dict[str, float]]]:
    """The lines the reader weighed as the headline of this text, each with its features."""
    sink: list[tuple[str, dict[str, float]]] = []
    token = _CANDIDATES.set(sink)
    try:
        read_text(raw)
    finally:
        _CANDIDATES.reset(token)
    return sink


# Small words an English title-case headline has ("Is", "The", "Of"); a row of menu items has none.
_TITLE_WORDS = frozenset(
    "a an the is are was were be has have had will can could may of in to for on with and or at by from as "
    "it its how why what who when where not no after over into this that than new".split()
)


def _flattened_menu(text: str) -> bool:
    """A menu that a text browser printed as one line: "Artikel Themen Hefte Karten Kultur Jobs". Every
    word capitalised and none of the small words every sentence and title-case headline has."""
    ws = [w for w in F.words(text) if w[0].isalpha()]
    if len(ws) < 5 or any(w[0].islower() for w in ws) or _shouted(text):
        return False
    return not any(w.lower() in _TITLE_WORDS for w in ws)


def _lower_start(text: str) -> bool:
    first = next((c for c in text if c.isalnum()), "")
    return first.islower()


def _headline_features(
    lines: list[_Line], window: list[int], i: int, anchor: int | None, body_start: int, vocab: set[str]
) -> dict[str, float]:
    """What makes a line look like the headline, as numbers: long for a title (section labels, names and
    site names are short), close above the byline/date (or just under a date stamp), not an item of a
    list, above the deck (lines under a sentence-long deck are photo captions), and about what the text
    is about. The weights are in _HEADLINE_WEIGHTS."""
    text = lines[i].text
    n = len(F.words(text))
    f: dict[str, float] = {"words": float(min(n, 8)), "short": float(n < 4)}
    # Right under a headline-long line (share bars and credits aside), a line is its deck (a kicker
    # above a headline is shorter).
    up = [j for j in window if j < i][-1:]
    upper = lines[up[0]].text if up else ""
    # (unless the line above is this one with navigation glued on: "Headline NEWS FEATURES ...")
    f["under title"] = float(
        bool(up) and _headline_candidate(lines[up[0]]) and len(F.words(upper)) >= 6 and not _lower_start(upper)
        and not (F.normal(text) in F.normal(upper) and len(F.normal(text)) < len(F.normal(upper)))
        and not upper.rstrip().endswith((".", ":"))
    )  # fmt: skip
    ref = anchor if anchor is not None else body_start
    # lines between the candidate and the byline/date; share buttons and labels ("Twittern") count little
    dist = sum(1 if len(F.words(lines[j].text)) >= 3 else 0.2 for j in window if min(i, ref) < j < max(i, ref))
    below = anchor is not None and i > anchor
    # "30 septembre 2018" printed above the headline: the headline is right under it
    f["below meta"] = float(below)
    f["distance below"] = dist if below else 0.0
    f["distance above"] = 0.0 if below else dist
    f["far above"] = float(anchor is not None and i < anchor - _ABOVE_META and dist > 6)  # past share bars, captions
    deck = _is_deck(lines[i])
    f["deck"] = float(deck)
    f["full stop"] = float(not deck and text.rstrip().endswith("."))  # captions and decks end so, headlines not
    f["under deck"] = float(any(_is_deck(lines[j]) for j in window if j < i and j >= ref - _ABOVE_META))
    # A headline sits right on its deck or byline, often under a short kicker ("Deutschland").
    nxt = next((j for j in range(i + 1, len(lines)) if lines[j].why in (None, "repeated")), None)
    # (Below the date, only right under it: further down, a line on the text is a caption.)
    placed = anchor is None or i < anchor or dist == 0
    sits = nxt is not None and (_is_deck(lines[nxt]) or _is_meta(lines[nxt]))
    teaser = sits and anchor is not None and nxt < anchor and _is_meta(lines[nxt])
    # dated, but not with the article's byline: another story's teaser above the article
    f["teaser"] = float(teaser)
    f["sits"] = float(sits and placed and not teaser)
    f["kicker above"] = float(
        f["sits"] > 0 and bool(up) and len(F.words(upper)) <= 3 and not _headline_candidate(lines[up[0]])
    )
    f["author"] = float(n <= 6 and bool(_AUTHOR_LINE.match(text)))  # "Norbert Lehmann, agrarheute Redakteur"
    f["shouted"] = float(_shouted(text))  # a long line in capitals can be a headline; most are kickers, banners
    f["lower start"] = float(_lower_start(text))  # a pull quote or a fragment of a caption
    f["menu"] = float(_flattened_menu(text) and not sits)  # a menu does not sit on a byline
    f["among items"] = float(bool(up) and nxt is not None and lines[up[0]].bullet and lines[nxt].bullet)
    f["overlap"] = _overlap(text, vocab)
    f["commas"] = max(0, text.count(",") - 1)  # captions list names; decks are sentences
    # A title-shaped line naming the text just above (not this line printed again, longer or shorter):
    # this one is its deck or a caption.
    own = F.normal(text)
    f["title above"] = float(any(
        _headline_candidate(lines[j]) and not lines[j].text.rstrip().endswith(".") and len(F.words(lines[j].text)) >= 3
        and _overlap(lines[j].text, vocab) >= 1.0 and own not in (other := F.normal(lines[j].text)) and other not in own
        for j in window if i - 4 <= j < i
    ))  # fmt: skip
    return f


# Hand-set from the rules these features came from, the new ones tuned one at a time on the development
# cases; benchmarks/fit_headline.py found no fitted set that does better on a batch it was not fitted on.
# (Tried and left out, as no help on dev: length past 14 words, the line recurring on the page.)
_HEADLINE_WEIGHTS: dict[str, float] = {
    "words": 1.0, "short": -2.0, "under title": -4.0, "below meta": -1.0, "distance below": -1.0,
    "distance above": -0.5, "far above": -6.0, "deck": -6.0, "full stop": -3.0, "under deck": -8.0,
    "teaser": -4.0, "sits": 1.0, "kicker above": 2.0, "author": -3.0, "shouted": -2.0, "lower start": -3.0,
    "menu": -5.0, "among items": -6.0, "overlap": 8.0, "commas": -1.5, "title above": -3.0,
}  # fmt: skip


# A pick whose best rival (a line of other words) scores within this much of it is a close call, and the
# user is told which line came near. Measured on the corpus (benchmarks/realworld_text.py): about 8 % of
# dumps are close calls, half of them with a wrong headline -- a third to a half of all wrong headlines.
_CLOSE_CALL = 1.0

# ---------------------------------------------------------------------------------------------------
# The learned headline ranker. Every visible line that could be a title is described by numbers about
# its shape and its place on the page (what follows it, how far it is from the article's text, whether
# its words are the text's words, whether the hand rules above chose it); a conditional logit fitted on
# the development pages (benchmarks/fit_text.py, cross-validated by page) weighs them. The weights are
# plain numbers in text_weights.py, so reading a dump needs nothing but Python.

_VISIBLE = (None, "repeated", "promoted links")
# Words of a line that speaks to the reader (a sign-up box, a city picker, a consent banner), not a title.
_READER = frozenset(
    "you your yours du dein deine deinen dir dich euch vous votre vos tu ton ta tes usted ustedes tú tus te "
    "você vocês voi vostro vostra tuo tua".split()
)
_READER_CASED = re.compile(r"\b(?:Sie|Ihr|Ihre|Ihren|Ihnen)\b")
_UI_WORDS = frozenset(
    "click tap sign login log register subscribe subscription download app account cookies cookie newsletter "
    "anmelden registrieren abonnieren herunterladen konto einloggen "
    "connectez inscrivez abonnez télécharger compte "
    "regístrate registrate suscríbete descarga descargar cuenta inicia "
    "accedi iscriviti abbonati scarica "
    "cadastre assine baixe".split()
)
_QUOTES = "\"'«»„‚‘’“”‹›"
_SEPARATOR = re.compile(r"\s[|•·»›/>–—-]\s")


@dataclass(slots=True)
class _Layout:
    """Where the visible lines of a dump are, and what kind of line each is, by rank among them."""

    kept: list[int]  # line numbers of the visible lines
    rank: dict[int, int]  # line number -> its rank in kept
    para: list[bool]
    meta: list[bool]
    deck: list[bool]
    shaped: list[bool]  # title-shaped: 3-20 words, no full stop, no list item, no date
    para_words: list[int]  # prefix sums of the words of paragraphs, by rank
    next_para: list[int]  # rank of the first paragraph at or after a rank (len(kept) when none)
    stems: dict[int, set[str]]
    text_indent: int  # the indent most paragraphs have (-1: not known)
    indent_share: dict[int, float]  # how many of the visible lines have each indent
    at: list[int]  # for every line, the rank of the first visible line at or after it
    nwords: list[int]  # words of each visible line


def _layout(lines: list[_Line]) -> _Layout:
    kept = [i for i, ln in enumerate(lines) if ln.why in _VISIBLE]
    para = [_is_paragraph(lines[i]) for i in kept]
    meta = [_is_meta(lines[i]) for i in kept]
    deck = [p and _is_deck(lines[i]) for i, p in zip(kept, para, strict=True)]
    shaped = []
    sums = [0]
    nwords = [len(F.words(lines[i].text)) for i in kept]
    for i, p, n in zip(kept, para, nwords, strict=True):
        ln = lines[i]
        shaped.append(3 <= n <= 20 and not ln.text.rstrip().endswith(".") and not ln.bullet and ln.date is None)
        sums.append(sums[-1] + (n if p else 0))
    nxt = [len(kept)] * (len(kept) + 1)
    for r in range(len(kept) - 1, -1, -1):
        nxt[r] = r if para[r] else nxt[r + 1]
    by_indent: dict[int, int] = {}
    for i in kept:
        by_indent[lines[i].indent] = by_indent.get(lines[i].indent, 0) + 1
    para_indent: dict[int, int] = {}
    for i, p in zip(kept, para, strict=True):
        if p:
            para_indent[lines[i].indent] = para_indent.get(lines[i].indent, 0) + 1
    text_indent = max(para_indent, key=lambda d: para_indent[d]) if para_indent else -1
    share = {d: c / len(kept) for d, c in by_indent.items()} if kept else {}
    at, r = [], 0
    for i in range(len(lines)):
        while r < len(kept) and kept[r] < i:
            r += 1
        at.append(r)
    return _Layout(
        kept, {i: r for r, i in enumerate(kept)}, para, meta, deck, shaped, sums, nxt, {}, text_indent, share, at, nwords
    )


def _stems_of(lay: _Layout, lines: list[_Line], i: int) -> set[str]:
    got = lay.stems.get(i)
    if got is None:
        got = lay.stems[i] = _stems(lines[i].text)
    return got


def _share(own: set[str], vocab) -> float:
    return len(own & vocab) / len(own) if own else 0.0


def _layout_candidate(ln: _Line) -> bool:
    n = len(F.words(ln.text))
    return (
        ln.why in _VISIBLE and ln.date is None and 2 <= n <= _MAX_HEADLINE_WORDS and len(ln.text) <= 300
        and not _NOT_TITLE.search(ln.text) and not byline_author(ln.text) and not F.is_site_notice(ln.text)
        and not _repetitive(ln.text) and not (n > 25 and ln.text.rstrip().endswith("."))
    )  # fmt: skip


def _layout_features(
    lines: list[_Line], lay: _Layout, i: int, run: tuple[int, int] | None, runs: list[tuple[int, int, float]],
    hand: dict[int, float], hand_at: int | None, counts: dict[str, int], body_vocab: dict[str, int],
    all_vocab: set[str], page: str, para_page: str,
) -> dict[str, float]:  # fmt: skip
    ln = lines[i]
    text = ln.text.strip()
    r = lay.rank[i]
    ws = F.words(text)
    n = len(ws)
    alpha = [w for w in ws if w[0].isalpha()]
    f: dict[str, float] = {
        "words<=3": float(n <= 3), "words 4-6": float(4 <= n <= 6), "words 7-14": float(7 <= n <= 14),
        "words 15-25": float(15 <= n <= 25), "words>25": float(n > 25),
        "full stop": float(text.endswith(".")), "question": float(text.endswith(("?", "!"))),
        "colon end": float(text.endswith(":")), "colon inside": float(":" in text[:-1]),
        "quote start": float(text[:1] in _QUOTES), "shouted": float(_shouted(text)),
        "lower start": float(_lower_start(text)), "digits": float(bool(re.search(r"\d", text))),
        "separators": float(min(3, len(_SEPARATOR.findall(text)))), "commas": float(min(3, text.count(","))),
        "capitalised": sum(w[0].isupper() for w in alpha) / len(alpha) if alpha else 0.0,
        "list item": float(ln.bullet), "promoted": float(ln.why == "promoted links"),
        "recurs": float(counts.get(F.normal(text), 0) > 1),
        "paragraph": float(lay.para[r]), "deck": float(lay.deck[r]),
    }  # fmt: skip
    end = len(lay.kept)
    ahead = min(end, r + 11)
    words_ahead = lay.para_words[ahead] - lay.para_words[r + 1]
    f["text ahead"] = min(words_ahead, 400) / 400
    f["next is text"] = float(r + 1 < end and lay.para[r + 1])
    f["meta right under"] = float(any(lay.meta[k] for k in range(r + 1, min(end, r + 3))))
    f["meta under"] = float(any(lay.meta[k] for k in range(r + 1, min(end, r + 7))))
    f["meta above"] = float(any(lay.meta[k] for k in range(max(0, r - 3), r)))
    f["deck under"] = float(r + 1 < end and lay.deck[r + 1])
    f["kicker above"] = float(r > 0 and lay.nwords[r - 1] <= 3 and not lay.meta[r - 1])
    f["titles around"] = float(sum(lay.shaped[k] for k in range(max(0, r - 4), min(end, r + 5)) if k != r))
    # the run of paragraphs right under the line, and how heavy it is beside the heaviest on the page
    p = lay.next_para[r + 1] if r + 1 <= end else end
    heaviest = max((w for _, _, w in runs), default=0.0)
    follow = 0.0
    chosen = 0.0
    if p < end and p - r <= 12:
        first = lay.kept[p]
        for a, b, w in runs:
            if a <= first <= b:
                follow = w / heaviest if heaviest else 0.0
                chosen = float(run is not None and a <= run[1] and b >= run[0])
                break
    f["run under"] = follow
    f["article under"] = chosen
    # the text right under the line (its next paragraphs) names what the line names, and names it again
    # and again (a teaser's words recur in its own blurb only)
    local: dict[str, int] = {}
    k, seen = p, 0
    while k < end and seen < 6:
        for st in _stems_of(lay, lines, lay.kept[k]):
            local[st] = local.get(st, 0) + 1
        seen += 1
        k = lay.next_para[k + 1] if k + 1 <= end else end
    own = _stems_of(lay, lines, i)
    f["overlap under"] = min(_share(own, local.keys()), 0.6) / 0.6
    f["overlap article"] = min(_share(own, body_vocab.keys()), 0.6) / 0.6
    f["overlap page"] = min(_share(own, all_vocab), 0.6) / 0.6
    if own:
        f["salience under"] = sum(min(local.get(st, 0), 3) for st in own) / (3 * len(own))
        f["salience article"] = sum(min(body_vocab.get(st, 0), 5) for st in own) / (5 * len(own))
    # printed again inside other lines (a breadcrumb, "Share: ...", "5 comments on ...")
    norm = F.normal(text)
    if len(norm) >= 12:
        f["echoed"] = float(min(2, page.count(norm) - counts.get(norm, 1)) > 0)
        # ... inside a paragraph of text: a pull quote or a caption repeats a sentence of the story, a
        # headline is not printed again word for word inside one
        f["inside a paragraph"] = float(para_page.count(norm) > int(lay.para[r]))
    # a photo credit right under it: a caption, not a title
    f["credit under"] = float(any(lines[j].why == "credit" for j in range(i + 1, min(len(lines), i + 3))))
    low = {w.lower() for w in alpha}
    f["addresses reader"] = float(bool(low & _READER) or bool(_READER_CASED.search(text[1:])))
    f["ui words"] = float(bool(low & _UI_WORDS))
    f["kicker colon"] = float(text.endswith(":") and r + 1 < end and lay.shaped[r + 1])
    f["cut short"] = float(text.endswith(("…", "...")))  # a teaser's title cut to fit
    # where it sits beside the article's text as the rules above found it
    if run is not None:
        bs, be = lay.rank.get(run[0], 0), lay.rank.get(run[1], end)
        gap = bs - r
        f["above text"] = float(gap > 0)
        f["distance above text"] = min(gap, 60) / 60 if gap > 0 else 0.0
        f["far above text"] = float(gap > 25)
        f["opens text"] = float(gap == 0)
        f["inside text"] = float(bs < r <= be)
        f["below text"] = float(r > be)
    f["position"] = i / max(1, len(lines))
    # how the renderer indented it: lynx prints headings flush left and text three columns in, w3m
    # indents lists and sidebars
    if ln.indent >= 0 and lay.text_indent >= 0:
        under = lines[lay.kept[p]].indent if p < end else -1
        f["outdented"] = float(ln.indent < lay.text_indent)
        f["indented"] = float(ln.indent > lay.text_indent)
        f["indent of text under"] = float(under >= 0 and ln.indent == under)
        f["rare indent"] = float(lay.indent_share.get(ln.indent, 0.0) < 0.05)
        # the last heading (outdented line) before the text under it: the title, not a kicker above it
        if f["outdented"]:
            f["last heading"] = float(not any(lines[lay.kept[q]].indent < lay.text_indent for q in range(r + 1, min(p, end))))
    # what the hand rules said
    f["rules' window"] = float(i in hand)
    f["rules' choice"] = float(i == hand_at)
    if i in hand:
        f["rules' margin"] = max(-10.0, hand[i] - max(hand.values())) / 10
    return f


def _learned_headline(
    lines: list[_Line], lay: _Layout, run: tuple[int, int] | None, runs: list[tuple[int, int, float]], hand: dict[int, float],
    hand_at: int | None, counts: dict[str, int],
) -> tuple[int | None, str]:  # fmt: skip
    """The line the ranker prefers, and the best line of another text it scored within _CLOSE_CALL of it
    ("" when none did)."""
    from forecast.ingest.text_weights import HEADLINE

    # Only lines with text or a byline/date close under them, or that the rules weighed: a title
    # introduces something (this leaves out most menus and lists, and reading stays fast).
    end = len(lay.kept)
    near = [
        i for r, i in enumerate(lay.kept)
        if i in hand or lay.para_words[min(end, r + 11)] > lay.para_words[r + 1] or any(lay.meta[r + 1 : r + 7])
    ]  # fmt: skip
    cands = [i for i in near if _layout_candidate(lines[i])]
    if not cands:
        return hand_at, ""
    body_vocab: dict[str, int] = {}
    all_vocab: set[str] = set()
    for r, i in enumerate(lay.kept):
        if lay.para[r]:
            st = _stems_of(lay, lines, i)
            all_vocab |= st
            if run is not None and run[0] <= i <= run[1]:
                for w in st:
                    body_vocab[w] = body_vocab.get(w, 0) + 1
    normals = [F.normal(ln.text) for ln in lines]
    page = "\n".join(normals)
    para_page = "\n".join(normals[i] for r, i in enumerate(lay.kept) if lay.para[r])
    feats = {
        i: _layout_features(lines, lay, i, run, runs, hand, hand_at, counts, body_vocab, all_vocab, page, para_page)
        for i in cands
    }
    if (sink := _LEARNING.get()) is not None:
        sink.append(("headline", [(lines[i].text, feats[i]) for i in cands]))
    scores = {i: sum(HEADLINE.get(k, 0.0) * v for k, v in f.items()) for i, f in feats.items()}
    best = max(cands, key=lambda i: (scores[i], -i))
    # (the title printed again, longer or shorter, is the same pick, not a rival)
    own = normals[best]
    rivals = [i for i in cands if normals[i] and normals[i] not in own and own not in normals[i]]
    rival = max(rivals, key=lambda i: (scores[i], -i), default=None)
    close = rival is not None and scores[best] - scores[rival] < _CLOSE_CALL
    return best, lines[rival].text.strip() if close else ""


def _text_under(
    lines: list[_Line], at: int, start: int, end: int, runs: list[tuple[int, int, float]]
) -> tuple[int, int]:  # fmt: skip
    """The article's text once its headline is known: it begins under the headline. A headline inside
    the run of paragraphs found cuts off what came above it (teasers, another story's deck); a headline
    below that run has its own run under it."""
    same = F.normal(lines[at].text)
    if start <= at <= end:
        nxt = next((j for j in range(at + 1, end + 1) if _is_paragraph(lines[j]) and F.normal(lines[j].text) != same), None)
        return (nxt, end) if nxt is not None else (start, end)
    if at > end:
        for a, b, _ in runs:
            if a > at:
                return a, b
    return start, end

# The learned date ranker: every full date the visible lines print (but the page-header "today" date,
# which is never taken) competes with "no date" on features of its kind of line and its place beside
# the headline and the text.
_COMMENT_CUE = re.compile(
    r"\b(?:comments?|reply|replies|antworten|kommentar(?:e|en)?|responder|respuesta|répondre|rispondi|says|sagt|"
    r"schreibt|wrote|a écrit|dice)\b",
    re.I,
)
_AMBIGUOUS = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[/.](?:0?[1-9]|1[0-2])[/.](?:\d{2}){1,2}(?!\d)")
_HOW = {
    "published": "published line", "byline": "byline", "dateline": "dateline", "updated": "updated line",
    "under": "date under the headline", "above": "date above the headline", "after": "date after the text",
    "text": "date in the text",
}  # fmt: skip


_NO_DATES = ("blank", "punctuation", "placeholder", "advertisement", "weather", "relative date", "promoted links")
# A renderer's mark for an image: its file name or alt token in brackets ("[Screenshot-2023-10-25-at-17]",
# "5. [2020-10-05_09-56-47]"). A date in it is when a picture was taken or uploaded, and it is not printed
# on the page (a browser's copy leaves images out), so it is no publication date.
_IMAGE_MARK = re.compile(r"\s*(?:\d+\.\s+)?\[[^\s\[\]]+\]\s*")


# The signature of an embedded post ("— Elon Musk (@elonmusk) March 16, 2020", as Twitter's embed code
# prints it under the quoted text): the post's date, not the article's.
_EMBEDDED_POST = re.compile(r"\(@\w{1,30}\)\s+\S[^()]{0,40}$")


def _date_candidates(
    lines: list[_Line], lay: _Layout, header: set[int], headline_at: int | None
) -> list[tuple[int, LineDate]]:  # fmt: skip
    """Every full date a line prints: the dated lines, a date in another short line (a "mention"), a
    "Published ..." run into a long line, and dates on lines otherwise dropped as furniture ("Posted on
    2015-04-05 by marc | Leave a comment", "© dpa-AFX | 07.11.2023 08:03") -- but never a page-header
    "today" date, on whatever line it is above the headline."""
    out = []
    for i, ln in enumerate(lines):
        if i in header or ln.why in _NO_DATES or not re.search(r"\d", ln.text) or _IMAGE_MARK.fullmatch(ln.text):
            continue
        if _EMBEDDED_POST.search(ln.text):
            continue
        d = ln.date
        if d is None and ln.why not in (None, "repeated"):
            d = line_date(ln.text) if len(ln.text) < 300 else None
        if d is None:
            d = cued_date(ln.text)
        if d is None and len(ln.text) < 300 and ln.why != "promoted links":
            m = find_date(ln.text)
            d = LineDate("mention", m) if m is not None else None
        if d is None or d.match.when is None:
            continue
        if headline_at is not None and i < headline_at and d.kind in ("bare", "stamp", "mention"):
            run_on = bool(re.match(r"^\s*[/|·]\s", ln.text)) and headline_at - i <= 3  # "Gossip / martes 29 de ..."
            if has_weekday(ln.text) and not has_clock(ln.text) and not run_on:
                continue
        out.append((i, d))
    return out


@dataclass(slots=True)
class _Dates:
    """What every date candidate of a page is weighed against: the days printed, where they are."""

    days: list[str]
    count: dict[str, int]
    ranks: list[int]  # rank of each candidate's line, ascending
    first_under: int  # the smallest positive distance of a date under the headline (-1: none)


def _dates_context(lay: _Layout, cands: list[tuple[int, LineDate]], ref: int) -> _Dates:
    days = [d.match.when.date().isoformat() for _, d in cands if d.match.when]
    count: dict[str, int] = {}
    for day in days:
        count[day] = count.get(day, 0) + 1
    ranks = [lay.at[i] for i, _ in cands]
    under = [r - ref for r in ranks if r > ref]
    return _Dates(days, count, ranks, min(under) if under else -1)


def _date_features(
    lines: list[_Line], lay: _Layout, cands: list[tuple[int, LineDate]], k: int, headline_at: int | None,
    body: tuple[int, int], rules_at: int | None, rules_day: str, ctx: _Dates,
) -> dict[str, float]:  # fmt: skip
    i, d = cands[k]
    ln = lines[i]
    day = ctx.days[k]
    r = lay.at[i]
    end = len(lay.kept)
    visible = r < end and lay.kept[r] == i
    h = lay.at[headline_at] if headline_at is not None else None
    bs, be = lay.at[body[0]], lay.at[body[1]]
    ref = h if h is not None else bs
    gap = r - ref
    f: dict[str, float] = {f"kind {d.kind}": 1.0}
    f["weekday"] = float(has_weekday(ln.text))
    f["clock"] = float(has_clock(ln.text))
    f["short line"] = float(len(F.words(ln.text)) <= 8)
    f["paragraph"] = float(visible and lay.para[r])
    f["furniture line"] = float(ln.why not in (None, "repeated"))
    f["just above"] = float(-3 <= gap < 0)
    f["above"] = float(gap < -3)
    f["right under"] = float(0 < gap <= 3)
    f["under"] = float(3 < gap <= 12 and r < bs)
    f["in text"] = float(bs <= r <= be and gap > 0)
    f["early in text"] = float(bs <= r <= min(be, bs + 3) and gap > 0)
    f["after text"] = float(r > be)
    f["right after text"] = float(be < r <= be + 12)
    f["distance"] = min(abs(gap), 60) / 60
    f["first under headline"] = float(gap > 0 and gap == ctx.first_under)
    f["same day printed"] = min(ctx.count[day] - 1, 3) / 3
    f["distinct days"] = min(len(ctx.count), 10) / 10
    f["latest"] = float(day == max(ctx.count))
    f["earliest"] = float(day == min(ctx.count))
    around = bisect.bisect_right(ctx.ranks, r + 4) - bisect.bisect_left(ctx.ranks, r - 4) - 1
    f["dates around"] = min(around, 4) / 4
    near = range(max(0, r - 1), min(end, r + 2))
    f["comment cue"] = float(any(_COMMENT_CUE.search(lines[lay.kept[q]].text) for q in near))
    f["embedded post"] = float("(@" in ln.text or ln.text.lstrip().startswith(("—", "– ")))  # "— Name (@handle) date"
    f["byline near"] = float(any(byline_author(lines[lay.kept[q]].text) for q in range(max(0, r - 2), min(end, r + 3))))
    f["ambiguous numeric"] = float(bool(_AMBIGUOUS.search(d.match.text)))
    f["rules' line"] = float(i == rules_at)
    f["rules' day"] = float(day == rules_day)
    return f


def _learned_date(
    lines: list[_Line], lay: _Layout, headline_at: int | None, body: tuple[int, int], header: set[int],
    rules_at: int | None, rules_when: datetime | None, article_only: bool = False,
) -> tuple[LineDate | None, str]:  # fmt: skip
    """The publication date the ranker prefers, and how it was found ("" when it prefers none).
    `article_only`: the text is the article alone (a Reader View copy, which shows no date of its own):
    a date that a sentence of it mentions ("Am Sonntag, 15. März 2020, verkündete ...") is when something
    happened, not when it was published; only a line that is a date or says so (a dateline, "Published
    ...") can give that."""
    from forecast.ingest.text_weights import DATE

    # (with no headline found, the page's header is what comes above the text)
    cands = _date_candidates(lines, lay, header, headline_at if headline_at is not None else body[0])
    if article_only:  # (a dated line stays, "Sonntag, 06. Februar 2022"; a sentence's mention goes)
        cands = [(i, d) for i, d in cands if d.kind in ("published", "byline", "dateline", "updated")
                 or d.kind != "mention" and not (_is_prose(lines[i].text) and F.is_sentence(lines[i].text))]  # fmt: skip
    rules_day = rules_when.date().isoformat() if rules_when else ""
    ref = lay.at[headline_at] if headline_at is not None else lay.at[body[0]]
    ctx = _dates_context(lay, cands, ref)
    feats = [_date_features(lines, lay, cands, k, headline_at, body, rules_at, rules_day, ctx) for k in range(len(cands))]
    none = {"none": 1.0, "none, nothing near": float(not any(abs(lay.at[i] - ref) <= 12 for i, _ in cands)),
            "none, rules found none": float(rules_when is None)}  # fmt: skip
    if (sink := _LEARNING.get()) is not None:
        sink.append(("date", [("", none)] + [(d.match.when.date().isoformat(), f) for (_, d), f in zip(cands, feats, strict=True)]))
    best, best_score = None, sum(DATE.get(k, 0.0) * v for k, v in none.items())
    for k, f in enumerate(feats):
        score = sum(DATE.get(n, 0.0) * v for n, v in f.items())
        if score > best_score:
            best, best_score = k, score
    if best is None:
        return None, ""
    i, d = cands[best]
    f = feats[best]
    if d.kind in ("published", "byline", "dateline", "updated"):
        how = _HOW[d.kind]
    elif d.kind == "mention":
        how = _HOW["text"]
    else:
        how = _HOW["after" if f["after text"] else "above" if f["above"] or f["just above"] else "under"]
    return d, how


# Where the learned rankers' candidates and features go while they are fitted (benchmarks/fit_text.py).
_LEARNING: ContextVar[list[tuple[str, list[tuple[str, dict[str, float]]]]] | None] = ContextVar(
    "text_learning", default=None
)


def learning_candidates(raw: str) -> list[tuple[str, list[tuple[str, dict[str, float]]]]]:
    """What the learned rankers weighed while reading this text: ("headline" or "date", candidates)."""
    sink: list[tuple[str, list[tuple[str, dict[str, float]]]]] = []
    token = _LEARNING.set(sink)
    try:
        read_text(raw)
    finally:
        _LEARNING.reset(token)
    return sink


# w3m prints an <ins> element (most often an empty ad slot) as "[INS::INS]" or "[INS: ... :INS]": the
# marks are the renderer's, not the page's text.
_W3M_INS = re.compile(r"\[INS:\s?|\s?:INS\]")


def read_text(raw: str) -> TextParts:
    """Split scraped text into headline, body paragraphs, author and an honest publication date."""
    raw = _W3M_INS.sub("", raw)
    text = clean_text(raw)
    if not text:
        raise InvalidInput("the text is empty")
    with date_order(numeric_order(text)):
        return _read(raw, text)


# Firefox's Reader View (about:reader) prints the site's host, the title, the byline (when the page gives
# one) and the estimated reading time above the article (toolkit/components/reader/content/aboutReader.html):
# a copy of it opens with that head. The time is a range, or "~N" when its ends meet ("⁨7–9⁩ minutes",
# "⁨~1⁩ minute", "⁨~5⁩ Minuten" in a German Firefox; AboutReader.sys.mjs formats it with formatRange).
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}", re.I)
_READING_TIME = re.compile(r"(?:~\s*\d{1,3}|\d{1,3}\s*[–-]\s*\d{1,3})\s*[^\W\d_]{1,12}\.?(?:\s+[^\W\d_]{1,12})?")


@dataclass(frozen=True, slots=True)
class _ReaderHead:
    title: int
    credits: range  # the byline's lines (none when the page gives no byline)
    time: int
    title_text: str  # the title without the site's name after it ("" when the title is only the site's name)


def _reader_title(title: str, host: str) -> str:
    """The title Reader View shows, without the site's name the page's <title> adds to it; "" when it is
    only that name."""
    return F.strip_site_name(clean_line(title), host=host)


def _reader_view_head(lines: list[_Line]) -> _ReaderHead | None:
    """The head of a Reader View copy: its first line the host alone, then the title, the byline if any
    (one line in the browser; a copy may break it where the page's markup did: "By" / "Daniel Wood") and
    the reading time; None when the text does not open so."""
    if len(lines) < 3 or not _HOST.fullmatch(lines[0].text.strip()) or not F.words(lines[1].text):
        return None
    for time in range(2, min(8, len(lines))):
        if _READING_TIME.fullmatch(clean_line(lines[time].text).strip()):
            return _ReaderHead(1, range(2, time), time, _reader_title(lines[1].text, lines[0].text.strip()))
        if len(F.words(lines[time].text)) > 20 or _is_paragraph(lines[time]):
            break
    return None


def _read(raw: str, text: str) -> TextParts:
    lines = _lines(raw, text)
    head = _reader_view_head(lines)
    if head is not None:
        lines[0].why, lines[head.time].why = "host", "reading time"
        for i in head.credits:
            lines[i].why = "byline"
        lines[head.title].why = None
        if not head.title_text:  # the site's name, wherever the article prints it again
            for ln in lines:
                if F.normal(ln.text) == F.normal(lines[head.title].text):
                    ln.why = "site name"
    kept = [i for i, ln in enumerate(lines) if ln.why is None]
    if not kept:
        raise InvalidInput("no article text found (only site furniture such as menus and ads)")
    notes: list[str] = []
    for ln in lines:
        if ln.why in (None, "repeated") and len(ln.text) < 300 and re.search(r"\d", ln.text):
            ln.date = line_date(ln.text)
            if ln.date is None and _RELATIVE.match(ln.text):
                ln.why = "relative date"
                notes.append(f"the page gives only a relative date ({ln.text!r}); set the date with --published")
    counts: dict[str, int] = {}
    for ln in lines:
        counts[F.normal(ln.text)] = counts.get(F.normal(ln.text), 0) + 1

    runs: list[tuple[int, int, float]] = []
    run = _body_run(lines, runs)
    lay = _layout(lines)
    if run is None:  # nothing reads like running text: keep every remaining line
        body_start, body_end = kept[0], kept[-1]
    else:
        body_start, body_end = run
    hand: dict[int, float] = {}
    headline_at = _headline(lines, body_start, counts, body_end, hand)
    rules_start = body_start
    if run is not None and headline_at == body_start:  # the text's first line was its headline
        same = F.normal(lines[body_start].text)
        rest = range(body_start + 1, body_end + 1)
        rules_start = next(j for j in rest if _is_paragraph(lines[j]) and F.normal(lines[j].text) != same)
    # A long headline can read like a paragraph; it is the headline when a byline or date follows it
    # before the text does ("Jamie's war on toxic US food: ... trade deals" / "By ..." / "Published: ...").
    first = lines[rules_start]
    if run is not None and not F.is_sentence(first.text) and len(F.words(first.text)) <= _MAX_HEADLINE_WORDS:
        following = [j for j in range(rules_start + 1, min(len(lines), rules_start + 12)) if lines[j].why is None]
        same = F.normal(first.text)  # sites print the headline twice (title and heading)
        nxt = next((j for j in following if _is_paragraph(lines[j]) and F.normal(lines[j].text) != same), None)
        if nxt is not None and any(_is_meta(lines[j]) for j in following if j < nxt):
            headline_at = max(j for j in [rules_start, *following] if j < nxt and F.normal(lines[j].text) == same)
            rules_start = nxt
    # The rules' pick is one opinion among the features of the learned ranker, which weighs every line.
    learned, rival = _learned_headline(lines, lay, run, runs, hand, headline_at, counts)
    if head is not None:  # a Reader View copy says which line is the title, and the article is all below it
        # (unless the title it shows is the site's name: then the article's own heading is the title)
        headline_at = head.title if head.title_text else learned if learned is not None and learned > head.time else None
        learned, rival = None, ""
        opening = head.time if headline_at is None or headline_at == head.title else headline_at
        body_start = next((j for j in range(opening + 1, len(lines)) if lines[j].why is None), opening)
        # (to its last paragraph: what follows that, short lines only, is the site's, "Síguenos en Facebook",
        # "SUSCRIBITE", "War der Artikel nützlich?", that Readability left in)
        body_end = max([body_end, body_start, *(j for j in kept if j > body_start and _is_paragraph(lines[j]))])
    elif learned == headline_at or run is None or learned is None:
        body_start = rules_start
    else:
        headline_at = learned
        body_start, body_end = _text_under(lines, headline_at, body_start, body_end, runs)
    top = headline_at if headline_at is not None else max(0, body_start - _HEADLINE_WINDOW)

    # Dates around the headline, in order of how much they say about publication.
    found: dict[str, LineDate] = {}
    found_at: dict[str, int] = {}
    header: set[int] = set()  # page-header "today" dates, never taken
    # Down to the third paragraph: a deck and a photo caption often come between headline and byline.
    # (captions are often printed twice, so count distinct paragraphs).
    # (captions are often printed twice, the second time with a credit or cut short, so a paragraph that
    # mostly repeats an earlier one's words is not counted again).
    date_end = body_start + 3
    seen: list[set[str]] = []
    for i in range(body_start, len(lines)):
        if not _is_paragraph(lines[i]):
            continue
        own = _stems(lines[i].text)
        if any(len(own & s) >= 0.7 * min(len(own), len(s)) for s in seen if own and s):
            continue
        seen.append(own)
        if len(seen) == 3:
            date_end = i
            break
    for i in range(max(0, top - _ABOVE_HEADLINE), min(len(lines), date_end, body_end + 1)):
        ln = lines[i]
        d = ln.date
        if d is None or ln.why not in (None, "repeated") or d.match.when is None and d.kind != "dateline":
            continue
        kind = d.kind
        if kind in ("bare", "stamp"):
            # "Friday, March 29, 2024" (a weekday, no time) is how sites print today's date in the page
            # header; an article's date in that form sits right under its headline.
            # (Unless it is run on from the article's section label, "Gossip / martes 29 de septiembre
            # de 2020", which a renderer prints as a line opening with the separator.)
            kicker = bool(re.match(r"^\s*[/|·]\s", ln.text)) and headline_at is not None and 0 < headline_at - i <= 3
            today_like = has_weekday(ln.text) and not has_clock(ln.text) and not kicker
            under = headline_at is not None and i > headline_at
            if today_like and not (under and i - headline_at <= 3):
                notes.append(f"ignored the page-header date {ln.text!r}: it is likely the day the page was viewed")
                header.add(i)
                continue
            if under:
                kind = "under headline"
            elif today_like:
                notes.append(f"ignored the page-header date {ln.text!r}: it is likely the day the page was viewed")
                header.add(i)
                continue
            else:
                kind = "above headline"
        found.setdefault(kind, d)
        found_at.setdefault(kind, i)
    # A byline or "Published" line further down, under a gallery of captions, is still the article's.
    if not found.keys() & {"published", "byline"}:
        for i in range(date_end, min(len(lines), body_start + 2 * _HEADLINE_WINDOW)):
            d = lines[i].date
            if lines[i].why in (None, "repeated") and d is not None and d.kind in ("published", "byline"):
                found.setdefault(d.kind, d)
                found_at.setdefault(d.kind, i)
                break
    # Info boxes after the text: "Date 23.05.2011", "Published ...", a date alone under the last paragraph.
    # Under a list label after the text ("Recommended", "Most read") come other articles: their dates are
    # theirs, never this article's (a page with no date of its own would otherwise get a teaser's).
    listed = next((i for i in range(body_end + 1, len(lines)) if lines[i].why == "list label"), len(lines))
    others = set(range(listed, len(lines)))
    after = [i for i in range(body_end + 1, listed) if lines[i].why in (None, "repeated")][:_AFTER_TEXT]
    for i in after:
        d = lines[i].date
        if d is not None and d.match.when is not None and d.kind in ("published", "bare"):
            found.setdefault("after text" if d.kind == "bare" else "published", d)
            found_at.setdefault("after text" if d.kind == "bare" else "published", i)
            break

    published_at, how, rules_at = None, "", None
    order = (("published", "published line"), ("byline", "byline"), ("under headline", "date under the headline"),
             ("dateline", "dateline"), ("above headline", "date above the headline"), ("updated", "updated line"),
             ("after text", "date after the text"))  # fmt: skip
    for kind, label in order:
        d = found.get(kind)
        if d is None:
            continue
        if d.match.when is None:
            notes.append(f"the {label} gives {d.match.text!r} without a year; set the date with --published")
            continue
        published_at, how, rules_at = d.match.when, label, found_at[kind]
        break
    # Every weekday date without a time above the headline is the header's "today" date (above the text,
    # when no headline was found).
    for i in range(0, top if headline_at is not None else max(top, body_start)):
        ln = lines[i]
        d = ln.date
        if d is not None and d.kind in ("bare", "stamp") and i not in header and has_weekday(ln.text) and not has_clock(ln.text):
            kicker = bool(re.match(r"^\s*[/|·]\s", ln.text)) and headline_at is not None and 0 < headline_at - i <= 3
            if not kicker:
                header.add(i)
    chosen, how = _learned_date(lines, lay, headline_at, (body_start, body_end), header | others, rules_at, published_at,
                                 head is not None)  # fmt: skip
    published_at = chosen.match.when if chosen is not None else None
    if chosen is not None and chosen.kind == "updated":
        notes.append(f"only an 'updated' date was found ({local(published_at, fmt='YYYY-MM-DD')}); "
                     "the article may be older")  # fmt: skip

    bylines = [i for i in range(top, body_start) if _is_byline(lines[i])]
    author = next((ln.date.author for i in bylines if (ln := lines[i]).date and ln.date.author), "")
    author = author or next((a for i in bylines if (a := byline_author(lines[i].text))), "")
    if head is not None and head.credits:  # the credits line is the byline, "By" or not
        credits = clean_line(" ".join(lines[i].text for i in head.credits))
        dated = line_date(credits)
        author = (dated.author if dated else "") or byline_author(credits)
        author = author or (credits if not re.search(r"\d", credits) and len(F.words(credits)) <= 6 else "")

    headline, headline_lines = _headline_text(lines, lay, headline_at)
    if head is not None and headline_at == head.title:
        headline = head.title_text
    paragraphs = []
    for i in range(len(lines)):
        ln = lines[i]
        if ln.why is not None or i in headline_lines or i in bylines or i > body_end:
            continue
        if i < body_start:
            # A deck under the headline is text; anything above it, short, or a notice is header furniture.
            above = headline_at is None or i < headline_at
            short = not _is_prose(ln.text) and len(F.words(ln.text)) < 6
            dated = ln.date is not None and not (_is_prose(ln.text) and (F.is_sentence(ln.text) or len(F.words(ln.text)) >= _PARAGRAPH_WORDS))
            if above or short or ln.bullet or dated or F.is_site_notice(ln.text):
                continue
        elif ln.date is not None and ln.date.kind not in ("dateline",) and not _is_prose(ln.text):
            continue
        paragraphs.append(f"{ln.number} {ln.text}" if ln.number else ln.text)
    close_call = rival if learned is not None and headline_at == learned and run is not None else ""
    if close_call and F.normal(close_call) in F.normal(headline):  # a kicker now part of the headline
        close_call = ""
    site = lines[0].text.strip().lower() if head is not None else ""
    return TextParts(headline, paragraphs, author, published_at, how, notes, close_call, site)


_CRUMB = re.compile(r"\s*[>›»]\s*")


def _headline_text(lines: list[_Line], lay: _Layout, at: int | None) -> tuple[str, set[int]]:
    """The headline's text and the lines it is printed on. A kicker ending in a colon is printed on a
    line of its own above the rest of the title ("Krach vor der VW-Betriebsversammlung:" / "Es knirscht
    zwischen Diess und Aufsichtsräten"): the title is both. A title cut short to fit ("Playoffs: Chalk,…")
    is the line printed in full elsewhere on the page, when one is."""
    if at is None:
        return "", set()
    text = clean_line(lines[at].text)
    # a breadcrumb run into the title ("Mac & i > News > 2015 > KW 15 > 1Password für Mac ...",
    # "Startseite>People>Real Life>Horror-Fund! ..."): the title is its last step
    # (not where » and › are quotation marks: «Oui» et «non», »Das ist gut« und »Das auch«)
    steps = [p.strip() for p in _CRUMB.split(text)] if not any(q in text for q in "«‹") else []
    if len(steps) >= 3 and len(F.words(steps[-1])) >= 3 and all(1 <= len(F.words(p)) <= 4 for p in steps[:-1]):
        text = steps[-1]
    r = lay.rank.get(at)
    if r is None:
        return text, {at}
    if text.endswith(":") and len(F.words(text)) <= 10 and r + 1 < len(lay.kept) and lay.shaped[r + 1]:
        nxt = lay.kept[r + 1]
        return f"{text} {clean_line(lines[nxt].text)}", {at, nxt}
    # A renderer that runs inline neighbours into the title's line ("Accueil à la une Parité hommes-femmes
    # ... mondiale à la une Société", "Home News Ökumene trifft Diplomatie: ...") prints the title alone
    # right under it too: the title is that line. Only words run in before it count (a line that is the
    # title's first part, "Vanlife in Schweden" of "... - Skandinavien im Wohnmobil", is a teaser of it), and
    # not a kicker ending in a colon ("Niederlage für Johnson: Parlament vertagt ...": part of the title).
    own = F.normal(text)
    for i in lay.kept[r + 1 : r + 4] if len(own.split()) >= 6 else []:
        alone = F.normal(lines[i].text)
        n = len(alone.split())
        if n < 3 or 2 * n < len(own.split()) or f" {alone} " not in f" {own} " or own.startswith(alone):
            continue
        kicker = any(F.normal(text[m.end() :]).startswith(alone) for m in re.finditer(":", text))
        if not kicker and _headline_candidate(lines[i]) and not lines[i].text.rstrip().endswith(("…", "...")):
            return clean_line(lines[i].text), {at, i}
    if text.endswith(("…", "...")):
        stem = F.normal(text)
        if len(stem.split()) >= 3:
            for i in lay.kept:
                full = F.normal(lines[i].text)
                if i != at and full.startswith(stem) and len(full) > len(stem) and len(F.words(lines[i].text)) <= 40:
                    if not lines[i].text.rstrip().endswith(("…", "...")):
                        return clean_line(lines[i].text), {at, i}
    return text, {at}


def extract_text(
    raw: str, *, url: str | None = None, title: str | None = None, retrieved_at: datetime | None = None
) -> ArticleDraft:
    """An ArticleDraft from pasted or scraped text; `url` (when known) gives the outlet and a URL date."""
    retrieved_at = retrieved_at or utcnow()
    parts = read_text(raw)
    notes = list(parts.notes)
    published_at = plausible(parts.published_at, retrieved_at, notes, parts.published_how)
    source = DateSource.BYLINE if published_at else None
    if published_at is None and (url_date := plausible(date_from_url(url), retrieved_at, notes, "URL")):
        published_at, source = url_date, DateSource.URL
    headline = clean_line(title) or parts.headline
    if not headline:
        notes.append("no headline found; the title is the start of the text (set it with --title)")
    elif parts.close_call and not clean_line(title):
        notes.append(f"the headline is a close call: {parts.close_call[:120]!r} came near it "
                     "(set the title with --title if that is the title)")  # fmt: skip
    return finish(
        title=headline,
        paragraphs=parts.paragraphs,
        url=url,
        canonical_url=normalise_url(url) if url else None,
        outlet=host_of(url) or parts.site,
        author=clean_line(parts.author, 200),
        published_at=published_at,
        published_source=source,
        notes=notes,
    )


def strip_furniture(paragraphs: list[str]) -> list[str]:
    """Only the anywhere-rules, for text another extractor already separated from the page."""
    return [p for p in paragraphs if F.furniture_reason(p) is None and not re.fullmatch(r"\W*", p)]
