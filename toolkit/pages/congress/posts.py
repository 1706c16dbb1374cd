"""Ready posts addressed to a member, and the call script with the member's name filled in.

A post is `.@handle …` on X (the dot keeps a post that starts with a mention public) and
`@user@instance …` on Mastodon, composed exactly by `toolkit.compose.text` (statistics filled,
`#SaveAsylum` added, the link appended) and refused when over the platform's limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from toolkit.compose.text import Composed, compose_message, require_fit
from toolkit.compose.utm import share_tags
from toolkit.core.config import Config
from toolkit.library.models import Library, Message, Origin
from toolkit.pages.congress.content import Content, fill_member
from toolkit.pages.congress.models import Member

X_INTENT = "https://x.com/intent/tweet?text="


@dataclass(frozen=True)
class MemberPost:
    """One ready post to a member: the exact text, its length and where to open it."""

    platform: str
    composed: Composed
    url: str

    def as_dict(self) -> dict:
        """`{"platform", "text", "length", "limit", "url"}`."""
        return {"platform": self.platform, "text": self.composed.text,
                "length": self.composed.length, "limit": self.composed.limit, "url": self.url}


def addressed(member: Member, platform: str) -> str | None:
    """How a post on `platform` opens to reach the member, or None without a handle there."""
    if platform == "x" and member.x:
        return f".@{member.x}"
    if platform == "mastodon" and member.mastodon:
        return member.mastodon
    return None


def x_intent_url(text: str) -> str:
    """X's web intent that opens a new post with `text` filled in."""
    return X_INTENT + quote(text, safe="")


def mastodon_share_url(text: str, content: Content) -> str:
    """The share page (any instance) that opens a new Mastodon post with `text` filled in."""
    return content.mastodon_share + quote(text, safe="")


def compose_to(config: Config, library: Library, content: Content, member: Member, lang: str,
               platform: str) -> Composed | None:
    """The post to `member` on `platform` in `lang`, exactly as it will read (None without a
    handle there). Raises `ComposeError` when it does not fit: nothing is ever truncated."""
    opening = addressed(member, platform)
    if opening is None:
        return None
    body = fill_member(content.post[lang], member, content, library, lang)
    message = Message(f"to-{member.bioguide.lower()}", "congress", {lang: f"{opening} {body}"},
                      content.link, None, (platform,), Origin(content.path, 0))
    # supporters post these: their link is tagged like the share kit's, one content per page
    utm = share_tags(config.utm.campaign, platform, "congress", lang) if config.utm.enabled \
        else {}
    composed = compose_message(config, library, message, lang, platform, utm=utm)
    return require_fit(composed, f"the {lang} post to {member.name} on {platform}")


def member_posts(config: Config, library: Library, content: Content, member: Member,
                 lang: str) -> list[MemberPost]:
    """The member's ready posts in `lang`: X (as an intent) and Mastodon (as a share link)."""
    out = []
    for platform in ("x", "mastodon"):
        composed = compose_to(config, library, content, member, lang, platform)
        if composed is None:
            continue
        url = (x_intent_url(composed.text) if platform == "x"
               else mastodon_share_url(composed.text, content))
        out.append(MemberPost(platform, composed, url))
    return out


def call_script(member: Member, content: Content, library: Library, lang: str,
                ended: bool = False) -> str:
    """What to say on the phone, in `lang`, with the member's name, role and state; `ended`
    (the member's term has ended): the script that names the seat, not the member."""
    template = content.ended["seat_script"][lang] if ended else content.call_script[lang]
    return fill_member(template, member, content, library, lang)
