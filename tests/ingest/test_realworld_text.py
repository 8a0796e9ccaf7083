"""Plain text copied from real news pages (tests/fixtures/realworld, see LICENSES.md there): headline,
publication day and body over the whole corpus, and the date forms real pages print, in five languages.

The floors below are about two points under what the reader achieves on the development cases (1268 dumps of 444
pages, on which the learned rankers' weights were fitted); the issue's target is 90 % on pages not fitted on
(docs/realworld.md has the held-out figures and the per-case table). The held-out cases are scored but not asserted,
so that rules and weights are never tuned to them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forecast.core.errors import InvalidInput
from forecast.ingest.dates import cued_date, date_order, find_date, has_weekday, line_date
from forecast.ingest.sanitize import clean_text
from forecast.ingest.text_article import _indents, read_text
from tests.ingest.realworld_corpus import ROOT, evaluate, load_cases

HEADLINE_FLOOR = 0.90
DATE_FLOOR = 0.92
BODY_FLOOR = 0.92


@pytest.fixture(scope="module")
def dev_outcomes():
    return [evaluate(c) for c in load_cases("dev")]


def test_corpus_is_real_and_large_enough():
    cases = load_cases()
    assert len(cases) >= 40
    assert len({c.get("page", c["name"]) for c in cases}) >= 20
    assert {c["form"] for c in cases} == {"w3m", "lynx", "copy", "reader"}  # reader: Firefox's Reader View, copied
    assert len(load_cases("holdout")) >= 5


def test_headline_rate_on_real_pages(dev_outcomes):
    ok = sum(o.headline_ok for o in dev_outcomes)
    assert ok / len(dev_outcomes) >= HEADLINE_FLOOR, [(o.name, o.headline) for o in dev_outcomes if not o.headline_ok]


def test_date_rate_on_real_pages(dev_outcomes):
    ok = sum(o.date_ok for o in dev_outcomes)
    assert ok / len(dev_outcomes) >= DATE_FLOOR, [(o.name, o.date, o.expected_date) for o in dev_outcomes if not o.date_ok]


def test_body_sentences_kept_on_real_pages(dev_outcomes):
    ok = sum(not o.missing for o in dev_outcomes)
    assert ok / len(dev_outcomes) >= BODY_FLOOR, [(o.name, o.missing) for o in dev_outcomes if o.missing]


def test_never_takes_a_weekday_page_header_date(dev_outcomes):
    """Every case whose only date is the site's "today" line comes out without a date. (Pages added by
    add_pages.py whose text does not print htmldate's annotated day are left out: their empty answer
    says the annotation is not printed, not that no date is -- tegernseerstimme prints 6 November 2023
    under its headline, annotated 2018-11-16.)"""
    cases = {c["name"]: c for c in load_cases("dev")}
    for o in dev_outcomes:
        if o.expected_date != "":
            continue
        if cases[o.name].get("note") != "the text does not print the annotated day":
            assert o.date == "", o.name
        elif o.date:  # then at least a day some line of the text prints (either way round), never one made up
            text = (ROOT / cases[o.name]["file"]).read_text(encoding="utf-8")
            printed = set()
            for order in (None, "DMY", "MDY"):
                with date_order(order):
                    printed |= {m.when.date().isoformat() for line in text.splitlines() if (m := find_date(line)) and m.when}
            assert o.date in printed, o.name


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("• 10 April 2020", "2020-04-10"),
        ("Mon 20 Jan 2020 06.05 GMT Last modified on Mon 20 Jan 2020 06.07 GMT", "2020-01-20"),
        ("19. Oktober 2019 15:07", "2019-10-19"),
        ("Published: 22:00 GMT, 26 September 2020 | Updated: 08:39 GMT, 28 September 2020", "2020-09-26"),
        ("Updated 3:41 PM ET, Sat March 14, 2020", "2020-03-14"),
        ("Stand: 28.04.2020 18:00 Uhr", "2020-04-28"),
        ("Publié le 27 Mar 20 à 9:21", "2020-03-27"),
        ("| Le 19 février 2020", "2020-02-19"),
        ("15 de Abril de 2020 | 16:05", "2020-04-15"),
        ("19 FEB 2020 - 18:37 CET", "2020-02-19"),
        ("Domenica 19 Aprile 2020 di Carla Massi", "2020-04-19"),
        ("Redazione ANSA ROMA 28 luglio 202010:43 News", "2020-07-28"),
        ("01.21.2020 07:00 AM", "2020-01-21"),
        ("Date 23.05.2011", "2011-05-23"),
        ("21.dez.2018 às 12h55", "2018-12-21"),  # Folha de S.Paulo (batch 10)
        ("12.Okt.2019", "2019-10-12"),
    ],
)
def test_reads_the_date_forms_real_pages_print(line, day):
    got = line_date(line.lstrip("• "))
    assert got is not None and got.match.when is not None
    assert got.match.when.date().isoformat() == day


def test_dateparser_is_imported_lazily():
    code = "import forecast.ingest.text_article, forecast.ingest.sources, sys; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


_LINE = st.one_of(
    st.text(max_size=80),
    st.sampled_from([
        "Friday, March 29, 2024", "By Jane Doe | March 3, 2019", "Published: 22:00 GMT, 26 September 2020",
        "19. Oktober 2019 15:07", "martes, 22 de diciembre de 2020", "Share", "Advertisement", "• Home",
        "29.3 C", "31.02.2020", "Updated 99:99 on 45 Smarch 20201", "The minister said the plan would go ahead.",
        "Ten thousand people marched through the capital on Saturday, the largest protest in a decade.",
    ]),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=25), st.sampled_from(["\n", "\n\n"]))
def test_text_reader_never_raises_and_stays_honest(lines, sep):
    raw = sep.join(lines)
    try:
        parts = read_text(raw)
    except InvalidInput:
        return
    if parts.published_at is not None:
        assert datetime(1990, 1, 1, tzinfo=UTC) <= parts.published_at <= datetime(2101, 1, 1, tzinfo=UTC)
    flat = " ".join(clean_text(raw).split())
    if parts.headline:  # a line of the input (hard-wrapped lines re-joined, control characters dropped)
        assert " ".join(parts.headline.split()) in flat
        assert line_date(parts.headline) is None  # never a date line
    # Body paragraphs are lines of the input, in the input's order.
    at = 0
    for para in parts.paragraphs:
        found = flat.find(" ".join(para.split()), at)
        assert found >= 0, para
        at = found


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=120))
def test_find_date_never_raises_and_stays_in_range(text):
    found = find_date(text)
    if found is not None and found.when is not None:
        assert 1990 <= found.when.year <= 2100


# The learned rankers and the parsers they brought (text_article.py, dates.py): properties on real dumps.
_DEV_FILES = sorted({c["file"] for c in load_cases("dev")})
# as page headers print today's date (also on a line dropped as furniture, "... | Login")
_HEADER_FORMS = ("{wd}, {mon} {d}, {y}", "{wd} {d} {mon} {y}", "{wd}, {mon} {d}, {y} | Login")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_DEV_FILES), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from(_HEADER_FORMS))  # fmt: skip
def test_a_today_date_over_a_real_page_is_never_its_date(file, day, form):
    """A weekday date without a time above everything (the seed's "Friday, March 29, 2024") is the
    day the page was viewed: put over a real dump, it never becomes the page's date."""
    raw = (ROOT / file).read_text(encoding="utf-8")
    header = form.format(wd=day.strftime("%A"), mon=day.strftime("%B"), d=day.day, y=day.year)
    before = read_text(raw).published_at
    got = read_text(header + "\n\n" + raw).published_at
    if got is not None and got.date() == day:
        assert before is not None and before.date() == day  # only when the page itself prints that day


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=160))
def test_cued_date_never_raises_and_reads_only_from_a_cue(text):
    got = cued_date(text)
    if got is not None:
        assert got.kind in ("published", "updated")
        assert got.match.when is not None and 1990 <= got.match.when.year <= 2100
        assert re.search(r"published|posted|ver[öo]ffentlicht|erschienen|publi|pubblicat|updated|aktualisiert", text, re.I)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                                                     max_size=30)), max_size=20))  # fmt: skip
def test_indents_line_up_with_the_cleaned_text(rows):
    raw = "\n".join(" " * n + t for n, t in rows)
    text = clean_text(raw)
    indents = _indents(raw, text)
    assert len(indents) == len(text.split("\n"))
    assert all((d >= 0) == bool(line) or d == -1 for d, line in zip(indents, text.split("\n"), strict=True))


@pytest.mark.parametrize(
    ("text", "named"),
    [("Friday, March 29, 2024", True), ("Fri 20 Jan 2020", True), ("martes, 22 de diciembre de 2020", True),
     ("Neuheiten mit den Skiern 14 Januar 2022", False), ("die Tagung am 12.03.2020", False), ("Sat.", True)],
)  # fmt: skip
def test_short_weekday_forms_count_only_as_dates_write_them(text, named):
    assert has_weekday(text) is named


@pytest.mark.parametrize(
    ("dump", "headline"),
    [
        # a kicker ending in a colon printed on a line of its own above the title
        ("automobilwoche.lynx.txt", "Krach vor der VW-Betriebsversammlung: Es knirscht zwischen Diess und Aufsichtsräten"),
        # a title cut short to fit a teaser slot, printed in full further down
        ("denverpost.w3m.txt", "Colorado high school football playoffs: Chalk, toss-ups and upset alerts in the second "
                               "weekend of postseason play"),
        # a breadcrumb run into the title
        ("heise.w3m.txt", "1Password für Mac generiert Einmal-Passwörter"),
        # w3m's marks of an <ins> ad slot run into the title
        ("okmagazin.w3m.txt", "Horror-Fund! Instagram-Star (†24) einbetoniert"),
        # a pull quote printed as a heading is not the title: its words come again inside a paragraph
        ("timesofisrael.w3m.txt", "State of Washington swears in first Native American-Jewish Supreme Court justice"),
        # w3m runs the section links into the title's line, and prints the title alone right under it
        ("lapresse.w3m.txt", "Parité hommes-femmes en Tunisie : Au-dessous de la moyenne mondiale"),
        ("lnonline.w3m.txt", "So lief die Auktion der Schätzchen von St. Johannes"),
        ("vegolosi.copy.txt", "ll Climate Clock ha iniziato a scorrere: sette anni è il tempo che ci rimane per agire"),
        # ... but a line that is only the title's first part is a teaser of it, not the title
        ("moritzmeyer.lynx.txt", "Von Youtube-Netzwerken lernen: Ein Vermarktungsmodell für Lokalblogs"),
    ],
)
def test_the_headline_text_is_the_title_as_printed_in_full(dump, headline):
    got = read_text((ROOT / "text" / dump).read_text(encoding="utf-8"))
    assert got.headline == headline
    assert all("[INS" not in p and ":INS]" not in p for p in got.paragraphs)


@pytest.mark.parametrize(
    "title", ["«Oui» et «non»: le débat sur la réforme des retraites continue", "»Das ist gut« und »Das ist auch sehr gut«"]
)
def test_quotation_marks_are_not_a_breadcrumb(title):
    # heise's real dump, its breadcrumb line replaced by a title quoting with » and «
    raw = (ROOT / "text" / "heise.w3m.txt").read_text(encoding="utf-8")
    crumb = next(ln for ln in raw.splitlines() if ln.startswith("Mac & i > News"))
    assert read_text(raw.replace(crumb, title)).headline == title


@pytest.mark.parametrize("form", ["w3m", "lynx", "copy"])
def test_a_teaser_list_s_dates_are_never_the_article_s(form):
    # CityLab's page prints no date of its own; under the text, a "Recommended" list of other stories prints
    # theirs ("Mark Byrnes / Jul 17, 2014"), which the reader once gave as the article's date.
    got = read_text((ROOT / "text" / f"citylab.{form}.txt").read_text(encoding="utf-8"))
    assert got.headline == "Why Neon Is the Ultimate Symbol of the 20th Century"
    assert got.published_at is None


def test_a_teaser_list_s_date_does_not_stand_in_for_a_missing_one():
    # the same page with a date of its own printed under the text, then the list: the article's date is kept
    raw = (ROOT / "text" / "citylab.w3m.txt").read_text(encoding="utf-8")
    label = next(ln for ln in raw.splitlines() if ln.strip() == "Recommended")
    got = read_text(raw.replace(label, "Published: March 3, 2019\n\n" + label, 1))
    assert got.published_at is not None and got.published_at.date() == date(2019, 3, 3)


@pytest.mark.parametrize(("dump", "mark"), [("politics.w3m.txt", "[Screenshot-2023-10-25-at-17]"),
                                            ("breakingsoup.w3m.txt", "[2020-10-05_09-56-47]")])  # fmt: skip
def test_a_date_in_an_image_s_file_name_is_no_publication_date(dump, mark):
    # w3m prints an image as its file name in brackets; the date in it is when the picture was made, and
    # the page does not print it (a browser's copy has none of it)
    raw = (ROOT / "text" / dump).read_text(encoding="utf-8")
    assert mark in raw
    got = read_text(raw)
    day = mark.strip("[]").replace("Screenshot-", "")[:10]
    assert got.published_at is None or got.published_at.date().isoformat() != day


def test_close_calls_name_the_rival_line_and_clear_picks_name_none():
    # a clear pick (BBC's dump, in the first cases) has no rival; stern's has its real title as the rival;
    # a rival is never the headline itself printed again, longer or shorter
    assert read_text((ROOT / "text" / "bbc.lynx.txt").read_text(encoding="utf-8")).close_call == ""
    stern = read_text((ROOT / "text" / "stern.lynx.txt").read_text(encoding="utf-8"))
    assert stern.close_call.startswith("Niederlage für Johnson: Parlament vertagt Votum über Brexit")
    from forecast.ingest import furniture as F

    for c in load_cases("dev")[:300]:
        got = read_text((ROOT / c["file"]).read_text(encoding="utf-8"))
        if got.close_call:
            own, rival = F.normal(got.headline), F.normal(got.close_call)
            assert rival and rival not in own and own not in rival, c["name"]


# Firefox's Reader View, copied (the corpus's "reader" form: Readability 0.6.0 laid out as about:reader).
def test_a_reader_view_copy_opens_with_host_title_byline_and_reading_time():
    got = read_text((ROOT / "text" / "bbc.reader.txt").read_text(encoding="utf-8"))
    assert got.headline == "New York ramps up mass burials amid virus outbreak"  # the title it shows, not a caption
    assert got.author == "BBC News"
    assert not any(p in ("bbc.com", "BBC News") or re.search(r"\d\s*minutes$", p) for p in got.paragraphs)
    assert got.paragraphs[0].startswith("Media caption") or "mass grave" in " ".join(got.paragraphs[:4])


def test_a_reader_view_byline_that_carries_the_date_dates_the_article():
    got = read_text((ROOT / "text" / "graziamagazin.reader.txt").read_text(encoding="utf-8"))
    assert got.headline == "Dank dieser Lebensmittel wachsen eure Haare viel schneller"
    assert got.published_at is not None and got.published_at.date() == date(2019, 10, 19)
    assert got.published_how == "byline"


@pytest.mark.parametrize(("dump", "not_day"), [
    # "Von wegen. Am Sonntag, 15. März 2020, verkündete ...": when something happened, in a sentence
    ("handelsblatt.reader.txt", "2020-03-15"),
    # "— The Economist (@TheEconomist) November 6, 2023": an embedded post's signature
    ("aargauerzeitung.reader.txt", "2023-11-06"),
])  # fmt: skip
def test_a_reader_view_copy_is_not_dated_by_a_date_its_text_mentions(dump, not_day):
    got = read_text((ROOT / "text" / dump).read_text(encoding="utf-8"))
    assert got.published_at is None or got.published_at.date().isoformat() != not_day


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=20), st.sampled_from(["", "Jane Doe", "By Jane Doe"]),
       st.sampled_from(["⁨7–9⁩ minutes", "~1 minute", "⁨12–15⁩ Minuten", "3–4 minutos"]))  # fmt: skip
@example(["BY:0000:000:00000:0:0000", "BY 0000;000|00000:0:0000", "0"], "", "⁨7–9⁩ minutes")  # "0000;000" was an author
def test_a_reader_view_head_names_the_title_over_any_text(lines, byline, minutes):
    title = "Parliament votes to delay the decision on the withdrawal deal"
    raw = "\n\n".join(["example.co.uk", title, *([byline] if byline else []), minutes, *lines])
    try:
        parts = read_text(raw)
    except InvalidInput:
        return
    assert parts.headline == title
    if byline:
        assert parts.author == "Jane Doe"
    else:  # none, or a byline the article itself prints (Readability missed it), never a line of the head
        assert parts.author == "" or any(parts.author in ln for ln in lines)
    assert all(minutes.replace("⁨", "").replace("⁩", "") != p for p in parts.paragraphs)


@pytest.mark.parametrize(("title", "host", "shown"), [
    ("Histo-Monte: Pistenstopp in Rheinfelden - AutoSprintCH", "autosprint.ch", "Histo-Monte: Pistenstopp in Rheinfelden"),
    ("Lockdown: Gottesdienste bleiben unter strengen Auflagen möglich › evang.at", "evang.at",
     "Lockdown: Gottesdienste bleiben unter strengen Auflagen möglich"),
    ("Wir unterstützen Fridays for Future - Piratenpartei Marburg-Biedenkopf", "piratenpartei-marburg.de",
     "Wir unterstützen Fridays for Future"),
    ("Ladensterben immer dramatischer - Journalistenwatch e.V. - Aktuelle Geschehnisse", "journalistenwatch.com",
     "Ladensterben immer dramatischer"),
    # a product named after the site is the title, not the site's name
    ("Run Windows on Mac - Parallels Desktop 15 Virtual Machine for Mac", "parallels.com",
     "Run Windows on Mac - Parallels Desktop 15 Virtual Machine for Mac"),
    ("Reiterrevue International", "reiterrevue.de", ""),  # the site's name alone: no title
    ("Diario El Dia de La Plata www.eldia.com", "eldia.com", ""),
    ("BBC News: New York ramps up mass burials", "bbc.com", "BBC News: New York ramps up mass burials"),
])  # fmt: skip
def test_a_reader_view_title_loses_the_site_s_name_the_page_s_title_adds(title, host, shown):
    from forecast.ingest.text_article import _reader_title

    assert _reader_title(title, host) == shown


@given(st.text(max_size=80), st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,2}", fullmatch=True))
def test_a_reader_view_title_is_the_shown_title_or_its_start(title, host):
    from forecast.ingest.sanitize import clean_line
    from forecast.ingest.text_article import _reader_title

    got = _reader_title(title, host)
    assert clean_line(title).startswith(got)


def test_a_reader_view_copy_of_a_page_titled_with_the_site_s_name_takes_no_site_name_for_headline():
    got = read_text((ROOT / "text" / "reiterrevue.reader.txt").read_text(encoding="utf-8"))
    assert got.headline != "Reiterrevue International"
    assert "Reiterrevue International" not in got.paragraphs


@pytest.mark.parametrize("form", ["lynx", "w3m", "copy"])
def test_a_numbered_list_in_the_text_keeps_its_numbers(form):
    """helge.at's post argues in a numbered list ("3. Der rote Bürgermeister ...", "4. Der grüne ..."): the
    numbers are the text's (a renderer prints "4." as a list marker, a copy as part of the line)."""
    got = read_text((ROOT / "text" / f"helge.{form}.txt").read_text(encoding="utf-8"))
    item = next(p for p in got.paragraphs if "Der grüne Bezirksvorsteher" in p)
    assert item.startswith("4. Der grüne Bezirksvorsteher")


def test_a_date_right_under_a_read_also_label_is_the_teaser_s():
    # vaticannews' copy: "Lesen Sie auch" / "14/08/2021" / another story's title, inside the text; the
    # article's own date, "14 August 2022, 15:40", comes after it
    got = read_text((ROOT / "text" / "vaticannews.copy.txt").read_text(encoding="utf-8"))
    assert got.published_at is not None and got.published_at.date() == date(2022, 8, 14)


@pytest.mark.parametrize("form", ["lynx", "w3m"])
def test_a_paragraph_that_mentions_a_date_is_text_not_a_date_line(form):
    # presse-augsburg's first paragraph, with an image's alt text run onto its end (so no full stop ends
    # the line): "Die Ticketpreise im AVV werden ab 1. Januar 2024 um ... angehoben. Avv 1 Avv 1"
    got = read_text((ROOT / "text" / f"presseaugsburg.{form}.txt").read_text(encoding="utf-8"))
    assert any(p.startswith("Die Ticketpreise im AVV werden ab 1. Januar 2024") for p in got.paragraphs)
