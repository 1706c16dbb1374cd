"""Share links for a composed post: web intents that open the platform's app or compose page.

Every link carries the composed text exactly (for X, the trailing link goes into `url`, which X
appends after a space, so the post is the same). Facebook and LinkedIn only share an address.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

#: the Mastodon server the links use until the supporter types their own (remembered by the page)
DEFAULT_MASTODON = "mastodon.social"


def _q(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote)


def x_intent(text: str, link: str | None) -> str:
    """X's web intent; a trailing `link` goes in `url` so that X shows it as the link card."""
    params = {"text": text}
    if link and text.endswith(" " + link):
        params = {"text": text[: -len(link) - 1], "url": link}
    return "https://x.com/intent/tweet?" + _q(params)


def share_links(texts: dict[str, str], link: str | None, address: str,
                subject: str, addresses: dict[str, str] | None = None) -> dict[str, str]:
    """Share URLs by target: x, bluesky, mastodon, facebook, linkedin, whatsapp, email.

    `texts` holds the composed text per target (x, bluesky, mastodon, whatsapp, email; any
    missing falls back to the x text); `address` is what Facebook and LinkedIn share (they take
    no text), unless `addresses` gives one per target (each with its own UTM tags)."""
    base = texts.get("x") or next(iter(texts.values()))
    addresses = addresses or {}
    return {
        "x": x_intent(texts.get("x", base), link),
        "bluesky": "https://bsky.app/intent/compose?" + _q({"text": texts.get("bluesky", base)}),
        "mastodon": f"https://{DEFAULT_MASTODON}/share?" +
                    _q({"text": texts.get("mastodon", base)}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" +
                    _q({"u": addresses.get("facebook", address)}),
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" +
                    _q({"url": addresses.get("linkedin", address)}),
        "whatsapp": "https://wa.me/?" + _q({"text": texts.get("whatsapp", base)}),
        "email": "mailto:?" + _q({"subject": subject, "body": texts.get("email", base)}),
    }


def tel_href(number: str) -> str:
    """A `tel:` link for a US number written like 202-224-3121: `tel:+12022243121`."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}"
