"""Articles from HTML (fetched or saved pages): trafilatura for the main text and metadata, our own
reading of the page for an honest publication date and where it came from.

Date evidence, in order: page metadata (JSON-LD, OpenGraph/article meta tags, itemprop, via htmldate's
header reader as a fallback) -> a byline or <time> inside the article -> a dateline or "Published" line
opening the text -> a date in the URL path. Dates in site headers, menus and sidebars are never used:
they are usually the day the page was viewed or belong to other articles.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from forecast.core.errors import InvalidInput
from forecast.core.model import DateSource
from forecast.core.timeparse import in_supported_range, utcnow
from forecast.ingest.draft import ArticleDraft, finish, plausible
from forecast.ingest import furniture as F
from forecast.ingest.dates import byline_author, find_date, line_date
from forecast.ingest.sanitize import clean_line, clean_text
from forecast.ingest.text_article import strip_furniture
from forecast.ingest.urls import date_from_url, host_of, normalise_url, resolve

_META_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "date_published", "publishdate", "publish_date", "publish-date", "published_time",
    "published_date", "publication_date", "pubdate", "og:pubdate", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc.date.created", "dcterms.created",
    "citation_publication_date", "citation_date", "originalpublicationdate", "article.published", "date",
)  # fmt: skip
_ARTICLE_TYPES = re.compile(r"article|posting|report|story", re.I)
_BYLINE_ATTR = re.compile(
    r"byline|author|dateline|posted|published|pubdate|publish|entry-date|post-date|article-date|story-date|"
    r"date-?published|timestamp|entry-meta|post-meta|article-meta|article__meta|meta-date|article-info|post-info",
    re.I,
)
_DATE_ATTR = re.compile(r"(?:^|[\s_-])(?:date|time)(?:$|[\s_-])", re.I)
_CHROME_ALWAYS = re.compile(
    r"(?:^|[\s_-])(?:menu|nav|navbar|navigation|sidebar|widget|ticker|weather|breaking|trending|related|"
    r"recommended?|popular|latest|most-read|comments?)(?:$|[\s_-])",
    re.I,
)
_CHROME_OUTSIDE_ARTICLE = re.compile(r"(?:^|[\s_-])(?:header|top-?bar|masthead|footer|banner)(?:$|[\s_-])", re.I)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->|<!--[^>]{0,200}?\burl:\s*(https?://\S+)", re.I)


def _attrs(el) -> str:
    return " ".join(el.get(a, "") for a in ("class", "id", "itemprop", "rel"))


def _in_article(el) -> bool:
    return any(a.tag in ("article", "main") for a in el.iterancestors())


def _in_chrome(el) -> bool:
    """Inside a navigation bar, sidebar, related-links box, or a page header/footer outside the article."""
    for node in (el, *el.iterancestors()):
        tag = node.tag if isinstance(node.tag, str) else ""
        attrs = _attrs(node)
        if tag in ("nav", "aside") or _CHROME_ALWAYS.search(attrs):
            return True
        if (tag in ("header", "footer") or _CHROME_OUTSIDE_ARTICLE.search(attrs)) and not _in_article(node):
            return True
        if tag in ("article", "main"):
            return False
    return False


def parse_meta_value(value: str | None) -> datetime | None:
    """A date from a metadata value: ISO 8601, RFC 2822, or a written date. A date-time without a zone
    keeps only its date (read as midnight UTC) rather than guessing the zone."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        dt = None
    if dt is None:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        found = find_date(text)
        return found.when if found else None
    if dt.tzinfo is None:
        dt = datetime(dt.year, dt.month, dt.day, tzinfo=UTC)
    return dt.astimezone(UTC) if in_supported_range(dt) else None  # year 1 or 9999 in a page's metadata


def _walk_jsonld(node: Any, out: list[dict]) -> None:
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            if isinstance(value, (dict, list)):
                _walk_jsonld(value, out)
    elif isinstance(node, list):
        for item in node:
            _walk_jsonld(item, out)


def _jsonld_objects(tree) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        try:
            _walk_jsonld(json.loads(script.text_content() or ""), objects)
        except (ValueError, RecursionError):
            continue
    return objects


def _jsonld_date(objects: list[dict]) -> datetime | None:
    def kind(obj: dict) -> str:
        t = obj.get("@type", "")
        return " ".join(t) if isinstance(t, list) else str(t)

    articles = [o for o in objects if _ARTICLE_TYPES.search(kind(o))]
    for group in (articles, objects):
        for key in ("datePublished", "dateCreated"):
            for obj in group:
                if (when := parse_meta_value(obj.get(key))) is not None:
                    return when
    return None


def _jsonld_publisher(objects: list[dict]) -> str:
    for obj in objects:
        pub = obj.get("publisher")
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            return pub["name"]
    return ""


def _meta_date(tree, objects: list[dict]) -> datetime | None:
    if (when := _jsonld_date(objects)) is not None:
        return when
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas and meta.get("content"):
            metas[key] = meta.get("content")
    for key in _META_KEYS:
        if (when := parse_meta_value(metas.get(key))) is not None:
            return when
    for el in tree.xpath('//*[@itemprop="datePublished"] | //time[@pubdate]'):
        if (when := parse_meta_value(el.get("datetime") or el.get("content") or el.text_content())) is not None:
            return when
    return _htmldate_meta(tree)


def _htmldate_meta(tree) -> datetime | None:
    """htmldate's reader of meta tags and JSON-LD knows many more site conventions than our list."""
    try:
        from htmldate.core import examine_header, json_search
        from htmldate.utils import Extractor
        from htmldate.validators import get_max_date, get_min_date

        options = Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
        found = examine_header(tree, options) or json_search(tree, options)
    except Exception:  # a private API of htmldate; losing this fallback must not break extraction
        return None
    return parse_meta_value(found)


def _byline_date(tree, notes: list[str]) -> tuple[datetime | None, str]:
    """A date in a byline element or a <time> inside the article, never in site chrome."""
    author = ""
    candidates = tree.xpath("//time[@datetime] | //*[@class or @id or @itemprop or @rel]")
    for el in candidates:
        attrs = _attrs(el)
        is_time = el.tag == "time"
        if not (is_time or _BYLINE_ATTR.search(attrs) or (_DATE_ATTR.search(attrs) and _in_article(el))):
            continue
        if _in_chrome(el) or (is_time and not _in_article(el) and not _BYLINE_ATTR.search(attrs)):
            continue
        text = clean_line(el.text_content(), 300)
        author = author or byline_author(text)
        if is_time and (when := parse_meta_value(el.get("datetime"))) is not None:
            return when, author
        found = line_date(text) if len(text) < 200 else None
        if found is None or found.match.when is None:
            continue
        if found.kind == "updated":
            notes.append(f"ignored an 'updated' date in the byline ({found.match.text})")
            continue
        return found.match.when, author or found.author
    return None, author


_INFO_ATTR = re.compile(r"info|meta|detail|date|datum|fecha|data|time|stamp|publi", re.I)
_NEAR_H1 = 80  # elements after the headline searched for a printed date


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.lower())}


def _page_h1(tree, doc_title: str):
    """The page's own headline element: of the <h1>s outside navigation, sidebars and site headers, the
    one sharing most words with the page title (a page may carry a logo or an ad in an <h1> too)."""
    found = []
    for el in tree.iter("h1"):
        text = clean_line(el.text_content(), 400)
        if text and not _in_chrome(el) and 1 <= len(text.split()) <= 40:
            found.append((len(_content_words(text) & _content_words(doc_title)), -len(found), el, text))
    if not found:
        return None, ""
    shared, _, el, text = max(found)
    # No word in common: only trusted when the title is a bare section or site name ("Pressemitteilungen").
    if shared == 0 and doc_title.strip() and not (len(doc_title.split()) <= 2 and len(text.split()) >= 3):
        return el, ""
    return el, text


def _headline(doc_title: str, h1: str, site: str) -> str:
    """Prefer the <h1> over og:title/<title> when they differ: social titles add "Coronavirus: " or a
    site suffix. A one- or two-word <h1> that the title contains is a logo, not the headline."""
    if not h1:
        return doc_title
    if site and h1.lower() in (site.lower(), host_of("http://" + site)):
        return doc_title
    if len(h1.split()) <= 2 and doc_title and h1.lower() in doc_title.lower() and len(doc_title) > len(h1):
        return doc_title
    return h1


def _visible_date(tree, h1_el, notes: list[str]) -> datetime | None:
    """A date printed on the page when the metadata has none: just under the headline, in an info box
    ("Date 23.05.2011"), or in the <title>. Dates in navigation, sidebars and site headers never count."""

    def from_element(el) -> datetime | None:
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "a") or _in_chrome(el):
            return None
        text = clean_line(el.text_content(), 400)
        if not text or len(text) > 150 or not re.search(r"\d", text):
            return None
        d = line_date(text)
        if d is None or d.match.when is None or d.kind == "dateline":
            return None
        if d.kind == "updated":
            notes.append(f"ignored an 'updated' date printed on the page ({d.match.text})")
            return None
        return d.match.when

    if h1_el is not None:
        for el in h1_el.xpath(f"following::*[position() <= {_NEAR_H1}]"):
            if (when := from_element(el)) is not None:
                return when
    for el in tree.xpath("//body//*[@class or @id]"):
        attrs = _attrs(el)
        if _INFO_ATTR.search(attrs) and (when := from_element(el)) is not None:
            return when
    title = tree.find(".//title")
    if title is not None and (found := find_date(clean_line(title.text_content(), 400))) is not None:
        return found.when
    return None


# Boxes named for what they are (newsletter sign-ups, cookie banners, author bios, trust principles,
# teaser sidebars, feedback calls): removed before trafilatura reads the page, which keeps some of them.
_FURNITURE_TOKEN = frozenset(
    "newsletter newsletters newsletter-signup subscribe subscription signup paywall cookie cookies consent gdpr "
    "authorbio author-bio feedback survey outbrain taboola".split()
)


def _drop_furniture_boxes(tree) -> None:
    body = tree.find(".//body")
    if body is None:
        return
    total = len(body.text_content())
    doomed = []
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("body", "article", "main", "h1"):
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')}".lower()
        tokens = set(re.split(r"[\s_]+", attrs)) | set(re.split(r"[\s_-]+", attrs))
        if tokens & _FURNITURE_TOKEN and len(el.text_content()) < 0.3 * total:
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None and not any(a in doomed for a in el.iterancestors()):
            el.drop_tree() if hasattr(el, "drop_tree") else parent.remove(el)


def _saved_from(head: str) -> str | None:
    m = _SAVED_FROM.search(head)
    return resolve(None, (m.group(1) or m.group(2))) if m else None


def _quiet_libraries() -> None:
    # trafilatura and htmldate log their own complaints; without a handler Python would print them on stderr,
    # where the CLI's one-line error is the only thing a user should see.
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


def _trafilatura(tree_or_html, url: str | None, recall: bool):
    import trafilatura  # heavy: only loaded when a page is extracted

    return trafilatura.bare_extraction(
        tree_or_html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=recall,
        deduplicate=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )


def _decode(html: bytes | str) -> str:
    if isinstance(html, str):
        return html
    from trafilatura.utils import decode_file

    return decode_file(html)


def extract_html(
    html: bytes | str, *, url: str | None = None, title: str | None = None, retrieved_at: datetime | None = None
) -> ArticleDraft:
    """An ArticleDraft from a page. `url` is where it was fetched from (None for a saved file, in which
    case the browser's "saved from" note or the canonical link is used)."""
    from trafilatura.utils import load_html

    retrieved_at = retrieved_at or utcnow()
    source = _decode(html)
    if not source.strip():
        raise InvalidInput("the page is empty")
    _quiet_libraries()
    tree = load_html(source)
    if tree is None:  # a bare fragment such as "<p>...</p>": give it the document around it
        tree = load_html(f"<html><body>{source}</body></html>")
    if tree is None:
        raise InvalidInput("the page could not be read as HTML")
    notes: list[str] = []
    page_url = url or _saved_from(source[:4096])
    base = page_url
    canonical = None
    for el in tree.xpath('//link[@rel="canonical"][@href] | //meta[@property="og:url"][@content]'):
        canonical = resolve(base, el.get("href") or el.get("content"))
        if canonical:
            break
    base = base or canonical
    objects = _jsonld_objects(tree)

    published_at, how = plausible(_meta_date(tree, objects), retrieved_at, notes, "metadata"), DateSource.META
    byline_when, byline_by = _byline_date(tree, notes)
    if published_at is None:
        published_at, how = plausible(byline_when, retrieved_at, notes, "byline"), DateSource.BYLINE

    h1_el_early, _ = _page_h1(tree, "")
    printed = _visible_date(tree, h1_el_early, notes) if published_at is None else None
    _drop_furniture_boxes(tree)
    doc = _trafilatura(tree, base, recall=False)
    if doc is None or not (doc.text or "").strip():
        doc = _trafilatura(load_html(source), base, recall=True)
    if doc is None or not (doc.text or "").strip():
        raise InvalidInput("no article text found in the page")

    site = clean_line(doc.sitename or _jsonld_publisher(objects), 200)
    doc_title = F.strip_site_name(clean_line(doc.title), site=site)
    declared = " ".join(
        [doc_title, tree.findtext(".//title") or "", *tree.xpath('//meta[@property="og:title"]/@content')[:1]]
    )
    h1_el, h1 = _page_h1(tree, declared)
    headline = clean_line(title) or _headline(doc_title, h1, site)
    paragraphs = strip_furniture([p for p in clean_text(doc.text).split("\n") if p.strip()])
    # trafilatura sometimes keeps the byline or the headline as the first lines of text.
    lead: list[str] = []
    for p in paragraphs[:3]:
        d = line_date(p)
        if clean_line(p) == headline or (d and d.kind in ("published", "updated", "byline")) or byline_author(p):
            lead.append(p)
            if published_at is None and d and d.kind in ("published", "byline") and d.match.when:
                published_at, how = plausible(d.match.when, retrieved_at, notes, "byline"), DateSource.BYLINE
            byline_by = byline_by or (d.author if d else "") or byline_author(p)
            continue
        if published_at is None and d and d.kind == "dateline":
            if d.match.when is None:
                notes.append(f"the dateline gives {d.match.text!r} without a year; set the date with --published")
            else:
                published_at, how = plausible(d.match.when, retrieved_at, notes, "dateline"), DateSource.BYLINE
        break
    paragraphs = paragraphs[len(lead) :] or paragraphs
    if published_at is None:
        published_at, how = plausible(printed, retrieved_at, notes, "printed"), DateSource.BYLINE
    if published_at is None:
        in_url = date_from_url(canonical) or date_from_url(base)
        published_at, how = plausible(in_url, retrieved_at, notes, "URL"), DateSource.URL

    return finish(
        title=headline,
        paragraphs=paragraphs,
        url=page_url or (normalise_url(canonical) if canonical else None),
        canonical_url=normalise_url(canonical or base) if (canonical or base) else None,
        outlet=site or host_of(canonical or base),
        author=clean_line(doc.author or byline_by, 200),
        published_at=published_at,
        published_source=how if published_at else None,
        notes=notes,
        excerpt=clean_line(doc.description, 400) if doc.description and len(doc.description) > 40 else "",
    )
