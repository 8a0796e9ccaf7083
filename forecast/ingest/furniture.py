"""Generic rules for the site furniture that comes along when a page is copied or scraped as text:
ad slots, template placeholders, weather widgets, section labels, share bars, menus, copyright lines.

The rules look at the shape of a line and at vocabulary common to news sites in general, never at one
site's strings, so they can be applied to any page. Each rule answers "why is this line not article text".
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w'’.-]*\w[\w'’.-]*")
_IDENT = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")  # template leaks such as spot_img
_PLACEHOLDER = re.compile(
    r"^[\[(]?\s*(?:image|img|photo|picture|pic|video|embed|gallery|graphic|chart|media|icon|thumbnail)"
    r"(?:\s*(?:\d+|\d+\s*(?:of|/)\s*\d+))?\s*[\])]?$",
    re.I,
)
_AD = re.compile(
    r"^(?:advertisement|advertisements|advertising|advert|ads?|sponsored(?: content| links?| stories)?|"
    r"promoted(?: content| stories)?|paid (?:content|post|partner)|partner content|"
    r"(?:the )?(?:story|article) continues (?:below|after)(?: (?:this |the )?(?:advertisement|ad))?|"
    r"continue reading(?: below| the main story)?|scroll (?:down )?to continue(?: with content| reading)?)$",
    re.I,
)
_WEATHER = re.compile(r"(?<!\d)-?\d{1,3}(?:[.,]\d)?\s*°?\s*[CF](?!\w)|[°℃℉]")
# Section labels that introduce lists of other articles, and other labels of site chrome.
_LIST_LABEL = re.compile(
    r"^(?:must[- ]reads?|latest(?: articles?| news| stories| posts| updates| headlines)?|"
    r"related(?: articles?| stories| posts| news| content| coverage| topics| reading)?|"
    r"read (?:more|next|also|this)|also read|see also|more (?:stories|news|articles|headlines|on this(?: story| topic)?)|"
    r"recommended(?: for you| stories| articles)?|(?:most )?popular(?: now| stories| articles)?|"
    r"most (?:read|viewed|shared|commented|popular)|trending(?: now| stories| news)?|top (?:stories|news|headlines)|"
    r"(?:don't|dont|do not) miss(?: this)?|you (?:may|might) (?:also )?like|editor'?s? (?:picks?|choice)|"
    r"in (?:other|case you missed)(?: news)?|previous (?:article|post|story)|next (?:article|post|story)|"
    r"load more|show more|view all|more|"
    # the same lists in German, French, Spanish and Italian
    r"(?:weitere|mehr|ähnliche|verwandte|kommentierte|meistgelesene|meistgeklickte|beliebte)(?: artikel| beiträge| nachrichten| themen| news| zum thema)*(?: zum thema)?|"
    r"mehr zum thema|top-?themen(?: bei .{1,30})?|das könnte sie (?:auch )?interessieren|auch interessant|lesen sie auch|"
    r"(?:à )?lire aussi|sur le même sujet|les plus lus|articles? similaires|à découvrir|voir aussi|"
    r"leer más|lea también|te puede interesar|noticias relacionadas|lo más (?:leído|visto)|"
    r"leggi anche|articoli correlati|potrebbe interessarti|i più letti|più letti)$"
)
_LABEL = re.compile(
    r"^(?:breaking(?: news)?|just in|watch(?: now| live)?|listen|tags?|topics?|categories|filed under|comments?|"
    r"leave a (?:comment|reply)|(?:sign|log) ?in|register|menu|search|home|skip to (?:main )?content|"
    r"share(?: this)?(?: article| story| post| page)?|subscribe(?: now)?|newsletter|follow us|"
    r"back to (?:home|top|homepage)|go to (?:home|homepage)|reuse this content|"
    r"teilen|drucken|kommentare|anzeige|werbung|nach oben|zur startseite|veröffentlichung|partager|imprimer|"
    r"publicité|commentaires|compartir|imprimir|publicidad|comentarios|condividi|stampa|pubblicità|commenti)$"
)
_TEASER = re.compile(r"^(?:read more|also read|read also|see also|related|recommended|watch|listen|more|latest)\s*[:>»›|–—-]\s*\S", re.I)
_SOCIAL = frozenset(
    "facebook twitter x whatsapp telegram linkedin pinterest reddit email e-mail mail print copy link "
    "instagram youtube tiktok viber line vk messenger flipboard threads bluesky mastodon share tweet".split()
)
_CALL = re.compile(
    r"^(?:share|subscribe|follow|sign up|join|download|get (?:the|our)|click|tap|like us|tweet|email this|"
    r"print this|save this|copy link|turn on|enable|support)\b",
    re.I,
)
# What a call to action is about; plain words like "share" alone are not enough ("Share prices fell...").
_CALL_TOPIC = re.compile(
    r"\b(?:newsletters?|subscription|facebook|twitter|whatsapp|telegram|linkedin|instagram|youtube|tiktok|"
    r"app|notifications?|inbox|podcasts?|channel|alerts?|this (?:article|story|post|page)|our|us|social media)\b",
    re.I,
)
_SHARE_FILLER = frozenset("share on via this article story post page the to with friends copy link url icon button".split())
# A photo credit on its own line ("Crédits photos : Bestimage", "Photograph: Guy Smallman/Getty Images").
_CREDIT = re.compile(
    r"^(?:\(?(?:photo|photos|photograph|picture|image|foto|fotos|bild|bildquelle|quelle|crédits?(?: photos?)?|"
    r"imagen|immagine|credit)\)?\s*:|.{0,60}\bgetty images\b|©\s*\w+\s*$)",
    re.I,
)
# Boxes addressed to the reader, not part of the story: feedback calls, newsletter sign-ups, the
# agency's trust principles.
_PROMO = re.compile(
    r"\b(?:we want to hear (?:from you|what you think)|tell us what you think|share your (?:views|story|thoughts)|"
    r"get in touch with us|sign up (?:for|to) (?:our|the)\b.{0,40}\bnewsletter|newsletter (?:abonnieren|bestellen)|"
    r"inscrivez-vous à (?:notre|la) newsletter|suscríbete a (?:nuestro|el) (?:boletín|newsletter)|"
    r"iscriviti alla (?:nostra )?newsletter|trust principles|our standards:)",
    re.I,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))|all rights reserved", re.I)
_SITE_NOTICE = re.compile(
    r"\b(?:we use cookies|this (?:site|website) uses cookies|accept (?:all )?cookies|cookie (?:policy|settings)|"
    r"enable javascript|javascript is (?:disabled|required)|your browser (?:does not|doesn'?t) support|"
    r"privacy policy|terms of (?:use|service)|this (?:article|story|page) (?:is|was published) more than)\b"
    # cookie banners in other languages: "Nous utilisons des cookies", "Diese Website verwendet Cookies"
    r"|\b(?:utilis|verwend|nutz|utiliz|usa(?:mos)?\b|accept|akzept|acept|accett)\w*\b.{0,80}\bcookies?\b"
    r"|\bcookies?\b.{0,80}\b(?:utilis|verwend|nutz|utiliz|akzept|acept|accett)\w*"
    # push-notification prompts: "Dürfen wir Sie ... benachrichtigen? Erlauben", "Turn on notifications"
    r"|\b(?:benachrichtigung\w*|notifications?|notificaciones|notifiche)\b.{0,100}"
    r"\b(?:erlauben|aktivieren|allow|enable|turn on|activer|autoriser|activar|permitir|attivare|consentire)\b"
    r"|\b(?:erlauben|aktivieren|allow|enable|turn on|activer|autoriser|activar|permitir|attivare|consentire)\b"
    r".{0,100}\b(?:benachrichtigung\w*|notifications?|notificaciones|notifiche)\b",
    re.I,
)
# "You are here: Home > News > ...": the trail repeats the headline, but is navigation.
_BREADCRUMB = re.compile(
    r"^\W*(?:you are here|sie sind hier|vous [êe]tes ici|usted est[áa] aqu[íi]|est[áa]s aqu[íi]|sei qui|ti trovi in)\b\s*:?",
    re.I,
)
_PARTS = re.compile(r"\s[|•·»›/–—-]\s")
_SEPARATORS = re.compile(r"\s[|•·»›/>]\s|\s{3,}|\t")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def words(line: str) -> list[str]:
    return _WORD.findall(line)


def normal(line: str) -> str:
    """Lower-case letters and digits only, for comparing lines."""
    return " ".join(re.findall(r"[^\W_]+", line.lower()))


def lowercase_share(line: str) -> float:
    """The share of words that start with a lower-case letter: high in running text in any of our
    languages (German capitalises nouns, yet its articles, verbs and prepositions are lower case), near
    zero in menus and lists of names."""
    ws = [w for w in words(line) if w[0].isalpha()]
    return sum(w[0].islower() for w in ws) / len(ws) if ws else 0.0


def is_sentence(line: str) -> bool:
    """Reads like a sentence of running text: several words and sentence-final punctuation."""
    ws = words(line)
    return len(ws) >= 3 and bool(_SENTENCE_END.search(line.strip())) and not is_menu(line)


def is_menu(line: str) -> bool:
    """A row of navigation items separated by bars, bullets or wide gaps: "Home | World | Business"."""
    parts = [p for p in _SEPARATORS.split(line.strip()) if p.strip()]
    return len(parts) >= 3 and all(len(words(p)) <= 4 for p in parts)


def _label_key(line: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", line.lower().replace("’", "'")).replace("_", " ").split())


def is_list_label(line: str) -> bool:
    """A label over a list of other articles: "Must read", "Latest articles", "Related stories"."""
    return bool(_LIST_LABEL.match(_label_key(line)))


def is_label(line: str) -> bool:
    """Any section label, including chrome such as "Sign in", "Tags", "Share this article"."""
    return is_list_label(line) or bool(_LABEL.match(_label_key(line)))


def is_teaser(line: str) -> bool:
    """A link to another article: "Read more: ...", "Related: ..."."""
    return bool(_TEASER.match(line.strip())) and len(words(line)) <= 30


def furniture_reason(line: str) -> str | None:
    """Why a line is site furniture wherever it appears, or None when it may be article text."""
    text = line.strip()
    if not text:
        return "blank"
    without_idents = _IDENT.sub(" ", text)
    bare = without_idents.strip(" \t-–—_|:•·*#=~.,;!?()[]{}<>«»\"'")
    if not bare:
        return "placeholder" if _IDENT.search(text) else "punctuation"
    if _PLACEHOLDER.match(bare):
        return "placeholder"
    if _AD.match(normal(bare)):
        return "advertisement"
    ws = words(text)
    n = len(ws)
    if n <= 6 and _WEATHER.search(text) and len(words(_WEATHER.sub(" ", text))) <= 3 and not is_sentence(text):
        return "weather"
    if n <= 8 and is_list_label(bare):
        return "list label"
    if n <= 8 and is_label(bare):
        return "label"
    parts = [p for p in _PARTS.split(text) if p.strip()]
    if n <= 10 and len(parts) >= 2 and any(is_label(p) for p in parts):
        return "label"  # "Site name - Back to home", "Home | World"
    if is_teaser(text):
        return "teaser"
    lowered = {w.lower().strip(".") for w in ws}
    social = lowered & _SOCIAL
    if n <= 12 and social and lowered <= _SOCIAL | _SHARE_FILLER and (len(social) >= 2 or n <= 2):
        return "share"
    if n <= 14 and _CALL.match(text) and _CALL_TOPIC.search(text):
        return "share"
    if n <= 14 and _CREDIT.match(text):
        return "credit"
    if n <= 40 and _PROMO.search(text):
        return "promo"
    if n <= 30 and _COPYRIGHT.search(text):
        return "copyright"
    if n <= 40 and _BREADCRUMB.match(text):
        return "breadcrumb"
    return None


def is_site_notice(line: str) -> bool:
    """Cookie banners and legal links; only trusted outside the article body, where prose may mention them."""
    return len(words(line)) <= 40 and bool(_SITE_NOTICE.search(line))


# "Title - Site", "Title | Site", "Title › site.at", "Title — site.net - Its motto": how a page's <title>
# adds the site's name.
_TITLE_PARTS = re.compile(r"\s+[-|–—›»·:]\s+|\s*\|\s*")


def spells_host(text: str, host: str) -> bool:
    """Whether a short text is the site's name, spelling its host's ("AutoSprintCH" on autosprint.ch,
    "Diario El Dia de La Plata www.eldia.com" on eldia.com, "Reiterrevue International" on reiterrevue.de)."""
    labels = [x for x in host.lower().split(".")[:-1] if x not in ("www", "m", "mobile", "amp")]
    name = max(labels, key=len, default="").replace("-", "")
    return len(name) >= 4 and len(words(text)) <= 8 and name in normal(text).replace(" ", "")


def strip_site_name(title: str, site: str = "", host: str = "") -> str:
    """A page title without the site's name after it: the part from the first one (after the first) that
    is the site's name (`site`, or its host's spelling, `host`), with what follows it. With a host, a title
    that is only the site's name gives "" (it names no article)."""
    parts = _TITLE_PARTS.split(title)
    if len(parts) == 1:
        return "" if host and spells_host(title, host) else title
    for k in range(1, len(parts)):
        part = parts[k].strip()
        named = bool(site) and part.lower() in (site.lower(), site.lower().removeprefix("www."))
        if named or host and len(words(part)) <= 5 and spells_host(part, host):
            return re.sub(r"(?:\s+[-|–—›»·:]\s+|\s*\|\s*)$", "", title[: title.find(parts[k], len(parts[0]))]).strip()
    return title

