"""The `stats:` and `utm:` sections of the config (schemas `STATS` and `UTM`, read with
`toolkit.core.options`): when counts are collected, and how the campaign's links are tagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from toolkit.core.options import Custom, Option, Positive, Reading, Spot, Type

#: sample times after publishing when the config names none: +1 h, +24 h, +7 days
DEFAULT_OFFSETS = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7))
_UNITS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class StatsSettings:
    """`stats:`: whether the scheduler collects counts, and when after publishing."""

    collect: bool = True
    after: tuple[timedelta, ...] = DEFAULT_OFFSETS
    #: how often the scheduler's collection job looks for samples that are due
    every_minutes: int = 10


@dataclass(frozen=True)
class UtmSettings:
    """`utm:`: tag the campaign's links (`utm_source=<platform>&utm_medium=social&…`)."""

    enabled: bool = True
    campaign: str = "saveasylum"
    medium: str = "social"


def offset_label(offset: timedelta) -> str:
    """`1h`, `24h`, `7d`, `30m`: how the config and reports name a sample time."""
    seconds = int(offset.total_seconds())
    if seconds % 86400 == 0 and seconds >= 7 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def parse_offset(text: str) -> timedelta | None:
    """`90m`, `1h`, `24h`, `7d` as a duration; None when it is none of those."""
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit() or int(text[:-1]) < 1:
        return None
    return timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])


def _offsets(rd: Reading, spot: Spot) -> tuple[timedelta, ...]:
    items = rd.r.strings(spot.node, spot.key, None, where=spot.where)
    if items is None:
        return DEFAULT_OFFSETS
    out = []
    for item in items:
        found = parse_offset(item)
        if found is None:
            rd.r.fail(spot.node, spot.key, f"'{spot.label}' entries must be durations like "
                      f"1h, 24h or 7d, not {item!r}")
            return DEFAULT_OFFSETS
        out.append(found)
    return tuple(sorted(set(out))) or DEFAULT_OFFSETS


STATS: dict[str, Option] = {
    "collect": Type(bool, True, help="The scheduler collects the public engagement counts of "
                    "the posts it published (on by default)."),
    "after": Custom(_offsets, help="When after publishing a post's counts are read, e.g. "
                    "`[1h, 24h, 7d]` (the default)."),
    "every_minutes": Positive(10, help="How often the scheduler looks for counts that are "
                              "due, in minutes."),
}
UTM: dict[str, Option] = {
    "enabled": Type(bool, True, help="Tag the campaign's links with UTM parameters (on by "
                    "default): `utm_source` the platform, `utm_content` message and language."),
    "campaign": Type(str, "saveasylum", help="The `utm_campaign` value."),
    "medium": Type(str, "social", help="The `utm_medium` value of scheduled posts (share-kit "
                   "links use the share target)."),
}
