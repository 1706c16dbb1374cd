"""Composing the exact text that gets published.

Fill a message template's `{statistic-id}` placeholders with each statistic's display form, add
the campaign hashtags that are absent (found by the platform's own rule, any case, never
doubled: Bluesky's tag facets there, twitter-text elsewhere), append the link with its UTM tags
(`toolkit.compose.utm`), and measure the result as the target platform counts it. Nothing is ever
truncated: a text that does not fit is reported as not fitting.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from toolkit.compose.instances import instance_limits
from toolkit.compose.lengths import count
from toolkit.compose.utm import post_tags, tag_url
from toolkit.core.config import Config
from toolkit.core.errors import ComposeError
from toolkit.core.hashtags import extract_hashtags, has_hashtag
from toolkit.core.platforms import platform_info
from toolkit.core.problems import Problems
from toolkit.library import checks
from toolkit.library.models import PLACEHOLDER, Library, Message


@dataclass(frozen=True)
class Composed:
    """A composed post and its length against the platform's limit."""

    text: str
    length: int
    limit: int
    platform: str
    #: hashtags in the text, and the most the platform takes (None: no limit of its own)
    hashtags: int = 0
    max_hashtags: int | None = None

    @property
    def fits(self) -> bool:
        """Whether the text is within the platform's limit (and hashtag limit, Instagram)."""
        return self.length <= self.limit and not self.too_many_hashtags

    @property
    def too_many_hashtags(self) -> bool:
        """Whether the text carries more hashtags than the platform takes."""
        return self.max_hashtags is not None and self.hashtags > self.max_hashtags

    def as_dict(self) -> dict:
        """`{"text", "length", "limit", "fits"}` (the `compose --json` contract), plus
        `hashtags` and `max_hashtags` for a platform that limits hashtags."""
        d = asdict(self)
        d.pop("platform")
        if self.max_hashtags is None:
            d.pop("hashtags")
            d.pop("max_hashtags")
        d["fits"] = self.fits
        return d


def add_hashtags(text: str, hashtags: tuple[str, ...] | list[str], platform: str = "x") -> str:
    """Append each campaign hashtag that `text` does not already carry on `platform`."""
    missing = [t for t in hashtags if not has_hashtag(text, t, platform)]
    return f"{text} {' '.join(missing)}" if missing else text


def fill(template: str, library: Library, lang: str) -> str:
    """Replace `{statistic-id}` with the statistic's display form in `lang`."""

    def sub(m: re.Match) -> str:
        stat = library.statistics.get(m[1])
        if stat is None:
            raise ComposeError(f"unknown statistic '{m[1]}' in template")
        if lang not in stat.display:
            raise ComposeError(f"statistic '{m[1]}' has no '{lang}' display form")
        return stat.display[lang]

    return PLACEHOLDER.sub(sub, template)


def measure(config: Config, text: str, platform: str) -> Composed:
    """Measure finished text against a platform's limit.

    For Mastodon the instance's own limits (maximum characters, characters per link), cached
    from `/api/v2/instance` by the publisher or `accounts test`, win over the config's; a
    config limit over the platform's own (the table of platforms) is lowered to it.
    """
    spec = config.platforms.get(platform)
    if spec is None:
        raise ComposeError(f"unknown platform '{platform}' (configured: "
                           f"{', '.join(config.platforms)})")
    limit, url_length = spec.limit, None
    if spec.counter == "mastodon":
        found = instance_limits(config, platform)
        if found is not None:
            limit, url_length = found.max_characters, found.characters_reserved_per_url
    info = platform_info(platform)
    if info is not None and info.limit is not None:
        limit = min(limit, info.limit)
    max_tags = info.max_hashtags if info is not None else None
    return Composed(text, count(text, spec.counter, url_length), limit, platform,
                    len(extract_hashtags(text)) if max_tags else 0, max_tags)


def compose_text(config: Config, text: str, platform: str, tag: bool = True) -> Composed:
    """Compose free text: add the hashtags (unless `tag` is false) and measure it."""
    body = text.strip()
    return measure(config, add_hashtags(body, config.hashtags, platform) if tag else body,
                   platform)


def compose_message(config: Config, library: Library, message: Message | str, lang: str,
                    platform: str, tag: bool = True,
                    utm: dict[str, str] | None = None) -> Composed:
    """Compose a library message for one language and platform. Its link carries the UTM
    tags of a post on `platform` (`utm:` in the config, on by default), or `utm` when given
    (the share kit's); `{}` leaves it untagged."""
    if isinstance(message, str):
        found = library.messages.get(message)
        if found is None:
            raise ComposeError(f"unknown message '{message}'")
        message = found
    if lang not in message.text:
        raise ComposeError(f"message '{message.id}' has no '{lang}' text")
    body = fill(message.text[lang], library, lang)
    if tag:
        body = add_hashtags(body, config.hashtags, platform)
    if message.link:
        body = f"{body} {tagged_link(config, message.link, platform, message.id, lang, utm)}"
    return measure(config, body, platform)


def tagged_link(config: Config, link: str, platform: str, message_id: str, lang: str,
                utm: dict[str, str] | None = None) -> str:
    """`link` with the UTM tags of a post of `message_id` in `lang` on `platform` (none when
    `utm.enabled` is off), or with `utm` when given."""
    if utm is None:
        if not config.utm.enabled:
            return link
        utm = post_tags(config.utm.campaign, config.utm.medium, platform, message_id, lang)
    return tag_url(link, utm) if utm else link


def require_fit(composed: Composed, what: str) -> Composed:
    """Raise `ComposeError` when the composed text is over its limit (never truncate)."""
    if composed.too_many_hashtags:
        raise ComposeError(f"{what} carries {composed.hashtags} hashtags; {composed.platform} "
                           f"takes at most {composed.max_hashtags}")
    if not composed.fits:
        raise ComposeError(f"{what} is {composed.length} long, over {composed.platform}'s limit "
                           f"of {composed.limit}; shorten the text (nothing is truncated)")
    return composed


def check_lengths(config: Config, library: Library) -> checks.MessageCheck:
    """`toolkit check`'s length rule, for `check_library(after_message=…)`: an error for each
    language of a message that cannot be composed, or is over a platform's limit after tagging."""

    def check(message: Message, problems: Problems) -> None:
        o = message.origin
        for lang in message.text:
            for platform in message.platforms:
                if platform not in config.platforms:
                    continue
                try:
                    composed = compose_message(config, library, message, lang, platform)
                except ComposeError as exc:
                    problems.error(o.path, o.at("text"),
                                   f"message '{message.id}' ({lang}): {exc.message}")
                    break
                if composed.too_many_hashtags:
                    problems.error(o.path, o.at("text"),
                                   f"message '{message.id}' ({lang}) carries "
                                   f"{composed.hashtags} hashtags on {platform} after tagging; "
                                   f"{platform} takes at most {composed.max_hashtags}")
                elif not composed.fits:
                    problems.error(o.path, o.at("text"),
                                   f"message '{message.id}' ({lang}) is {composed.length} long "
                                   f"on {platform} after tagging, over the limit of "
                                   f"{composed.limit}")

    return check


def require_clean(config: Config, library: Library, message: Message) -> None:
    """Raise `ComposeError` with the first `path:line: problem` when `toolkit check` would
    report an error for `message`, its length included: what fails the check is never
    composed, queued or approved."""
    checks.require_clean(config, library, message, check_lengths(config, library))
