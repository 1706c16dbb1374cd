"""What the share kit shows, per language: verified cards with their downloads, ready posts with
share links, the call script and the sources. Plain data for the templates; no files written.

Only verified facts reach the page: a message is shown only when the fact gate
(`toolkit.library.gate.blocking_facts`) lets it through, and a card only when its statistic is
verified and the graphics manifest marks its image verified.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from toolkit.compose.text import compose_message, fill, tagged_link
from toolkit.compose.utm import share_tags
from toolkit.core.config import Config
from toolkit.core.errors import ComposeError
from toolkit.core.languages import NumberFormat
from toolkit.graphics.alt import format_date
from toolkit.library.gate import blocking_facts
from toolkit.library.models import Library, Statistic
from toolkit.library.site_words import SiteWords
from toolkit.pages.site.links import share_links, tel_href

#: the platforms whose composed text the page offers (each has a share intent)
SHARE_PLATFORMS = ("x", "bluesky", "mastodon")
THUMB_WIDTH = 640
#: a ready post's preview in the list (beside its text, about a third of a phone's width)
POST_THUMB_WIDTH = 320


@dataclass(frozen=True)
class Download:
    """One PNG of a card: its file (under graphics/), format label and sizes."""

    file: str
    format: str
    label: str
    width: int
    height: int
    bytes: int
    size: str


@dataclass(frozen=True)
class CardView:
    """A verified card in one language: title, alt text, thumbnail and its downloads."""

    id: str
    title: str
    alt: str
    thumb: str
    thumb_source: str
    thumb_width: int
    thumb_height: int
    share_image: str
    share_text: str
    downloads: list[Download]


@dataclass(frozen=True)
class Thumb:
    """A WebP preview (under thumbs/) of a graphic (under graphics/), at its size."""

    rel: str
    source: str
    width: int
    height: int


@dataclass(frozen=True)
class PostView:
    """A ready post: the composed text, its share links, the graphic it carries and that
    graphic's preview."""

    id: str
    text: str
    links: dict[str, str]
    image: str | None
    image_alt: str
    #: the small preview beside the text, and the large one "Today's post" shows
    thumb: Thumb | None = None
    large: Thumb | None = None


@dataclass(frozen=True)
class SourceView:
    """A statistic shown on the page, with its source and as-of date."""

    id: str
    label: str
    name: str
    url: str
    as_of: str


@dataclass
class PageContent:
    """Everything one language's page shows."""

    lang: str
    words: dict[str, str]
    paragraphs: dict[str, list[str]]
    cards: list[CardView] = field(default_factory=list)
    posts: list[PostView] = field(default_factory=list)
    sources: list[SourceView] = field(default_factory=list)
    tel: str = ""
    files: list[str] = field(default_factory=list)

    def thumbs(self) -> list[Thumb]:
        """Every preview the pages show (cards' and posts'), each once, in page order."""
        found = {c.thumb: Thumb(c.thumb, c.thumb_source, c.thumb_width, c.thumb_height)
                 for c in self.cards}
        for p in self.posts:
            for thumb in (p.thumb, p.large):
                if thumb is not None:
                    found.setdefault(thumb.rel, thumb)
        return list(found.values())

    def today(self) -> list[PostView]:
        """The posts "Today's post" rotates through: the ready posts that carry a graphic (the
        page shows the first; its script picks one by date)."""
        return [p for p in self.posts if p.image and p.large]


def card_is_verified(library: Library, card_id: str) -> bool:
    """Whether a card shows only verified facts (a card without a statistic shows none)."""
    card = library.cards.get(card_id)
    if card is None:
        return False
    if not card.statistic:
        return True
    stat = library.statistics.get(card.statistic)
    return stat is not None and stat.verified


def site_cards(library: Library) -> list[str]:
    """Ids of the cards the site may show, in library order."""
    return [cid for cid in library.cards if card_is_verified(library, cid)]


def human_size(n: int, numbers: NumberFormat) -> str:
    """'48 KB', '3.4 MB', written with the page language's number format (config `numbers`:
    '3,4 MB' where the decimal separator is a comma)."""
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} KB"
    return f"{f'{n / 1_000_000:.1f}'.replace('.', numbers.decimal)} MB"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill_words(site: SiteWords, library: Library, lang: str) -> dict[str, str]:
    return {key: fill(texts[lang], library, lang) for key, texts in site.words.items()
            if lang in texts}


def page_content(config: Config, library: Library, site: SiteWords, manifest: list[dict],
                 lang: str, today: date) -> PageContent:
    """The content of `lang`'s page from the library, the site words and the graphics manifest."""
    words = _fill_words(site, library, lang)
    page = PageContent(lang, words, {k: _paragraphs(words[k]) for k in ("why", "call_script")})
    by_card: dict[str, list[dict]] = {}
    order = list(config.formats)
    for e in manifest:
        if e.get("lang") == lang and e.get("verified") and e.get("format") in config.formats:
            by_card.setdefault(e["card"], []).append(e)
    used: list[str] = list(site.statistic_ids())
    texts_of_card: dict[str, str] = {}
    for message in library.messages.values():
        if blocking_facts(library, message, today) or lang not in message.text:
            continue
        post = _post(config, library, message, lang, words, by_card)
        if post is None:
            continue
        page.posts.append(post)
        used += library.statistic_ids_of(message)
        if message.card:
            texts_of_card.setdefault(message.card, post.text)
    for cid in site_cards(library):
        entries = sorted(by_card.get(cid, []), key=lambda e: order.index(e["format"]))
        if not entries:
            continue
        card = library.cards[cid]
        if card.statistic:
            used.append(card.statistic)
        page.cards.append(_card_view(config, library, cid, entries, words, lang,
                                     texts_of_card.get(cid, "")))
        page.files += [e["file"] for e in entries]
    page.posts = [_with_thumb(p, page.cards, by_card) for p in page.posts]
    seen: set[str] = set()
    for sid in used:
        stat = library.statistics.get(sid)
        if stat is None or sid in seen or not stat.verified:
            continue
        seen.add(sid)
        page.sources.append(_source(stat, lang))
    switchboard = library.statistics.get("switchboard")
    page.tel = tel_href(str(switchboard.value)) if switchboard else ""
    return page


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _post(config: Config, library: Library, message, lang: str, words: dict[str, str],
          by_card: dict[str, list[dict]]) -> PostView | None:
    texts: dict[str, str] = {}
    for platform in SHARE_PLATFORMS:
        if platform not in message.platforms or platform not in config.platforms:
            continue
        try:
            # the text the page shows (and Copy and Web Share take) carries the plain link: a
            # tagged one would double its length on a phone; the share links are tagged
            composed = compose_message(config, library, message, lang, platform, utm={})
        except ComposeError:
            continue
        if composed.fits:
            texts[platform] = composed.text
    if not texts:
        return None
    text = texts.get("x") or next(iter(texts.values()))
    texts, addresses = _tagged_per_target(config, library, message, lang, texts)
    links = share_links(texts, tagged_link(config, message.link, "x", message.id, lang,
                                           _share_utm(config, "x", message.id, lang))
                        if message.link else None,
                        message.link or config.url, words["email_subject"], addresses)
    image, alt = None, ""
    fmt = config.platforms["x"].card_format if "x" in config.platforms else None
    for e in by_card.get(message.card or "", []):
        if e["format"] == fmt:
            image, alt = e["file"], e.get("alt", "")
    return PostView(message.id, text, links, image, alt)


def _preview(width: int, height: int, most: int = THUMB_WIDTH) -> tuple[int, int]:
    """A preview's size: `most` wide at most, the graphic's proportions."""
    tw = min(most, width)
    return tw, round(height * tw / width)


def _with_thumb(post: PostView, cards: list[CardView],
                by_card: dict[str, list[dict]]) -> PostView:
    """The post with its graphic's previews: a small one for the list
    (thumbs/<graphic>.webp) and a large one, the card's own when the card shows that graphic."""
    if not post.image:
        return post
    entry = next(e for es in by_card.values() for e in es if e["file"] == post.image)
    stem = post.image.removesuffix(".png")
    small = Thumb(f"thumbs/{stem}.webp", post.image,
                  *_preview(int(entry["width"]), int(entry["height"]), POST_THUMB_WIDTH))
    card = next((c for c in cards if c.thumb_source == post.image), None)
    large = (Thumb(card.thumb, card.thumb_source, card.thumb_width, card.thumb_height)
             if card is not None else
             Thumb(f"thumbs/{stem}-large.webp", post.image,
                   *_preview(int(entry["width"]), int(entry["height"]))))
    return dataclasses.replace(post, thumb=small, large=large)


def _share_utm(config: Config, target: str, message_id: str, lang: str) -> dict[str, str]:
    """The share kit's UTM tags for a link shared to `target` ({} when `utm` is off)."""
    return share_tags(config.utm.campaign, target, message_id, lang) if config.utm.enabled \
        else {}


def _tagged_per_target(config: Config, library: Library, message, lang: str,
                       texts: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Each share target's text with its own `utm_medium` (the page shows the X one), and the
    address Facebook and LinkedIn share, tagged for each."""
    out = {}
    for target, platform in (("x", "x"), ("bluesky", "bluesky"), ("mastodon", "mastodon"),
                             ("whatsapp", "x"), ("email", "x")):
        if platform in texts:
            out[target] = compose_message(config, library, message, lang, platform,
                                          utm=_share_utm(config, target, message.id,
                                                         lang)).text
    address = message.link or config.url
    return out, {t: tagged_link(config, address, t, message.id, lang,
                                _share_utm(config, t, message.id, lang))
                 for t in ("facebook", "linkedin")}


def _card_view(config: Config, library: Library, cid: str, entries: list[dict],
               words: dict[str, str], lang: str, share_text: str) -> CardView:
    card = library.cards[cid]
    if card.layout == "statistic" and card.statistic:
        title = _sentence(library.statistics[card.statistic].label[lang])
    else:
        title = card.text.get(lang, cid)
    downloads = [Download(e["file"], e["format"], words.get(f"format_{e['format']}", e["format"]),
                          int(e["width"]), int(e["height"]), int(e.get("bytes") or 0),
                          human_size(int(e.get("bytes") or 0), config.number_format(lang)))
                 for e in entries]
    first = entries[0]
    tw, th = _preview(int(first["width"]), int(first["height"]))
    return CardView(cid, title, first.get("alt", ""), f"thumbs/{cid}-{lang}.webp",
                    first["file"], tw, th, first["file"],
                    share_text or " ".join(config.hashtags), downloads)


def _source(stat: Statistic, lang: str) -> SourceView:
    """A date or a contact is its own figure: 'December 20, 2018: the day …', no as-of date.
    Every item starts with a capital ('Enero de 2019: el mes …')."""
    label = stat.label.get(lang, stat.id)
    if stat.kind in ("date", "contact"):
        return SourceView(stat.id, _sentence(f"{stat.display.get(lang, '')}: {label}"),
                          stat.source_in(lang), stat.source_url, "")
    as_of = format_date(stat.as_of, lang, stat.as_of_text, long=True) if stat.as_of else ""
    return SourceView(stat.id, _sentence(label), stat.source_in(lang), stat.source_url, as_of)
