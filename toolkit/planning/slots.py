"""Times in the campaign's timezone: parsing `--at`, and weekly posting slots across DST.

A slot whose wall-clock time does not exist on a DST day (spring forward) is skipped; an
ambiguous one (fall back) takes its first occurrence. Everything returned is aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from toolkit.core.config import Slot
from toolkit.core.errors import InputError


def localize(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The aware datetime for a wall-clock time; None if it does not exist that day."""
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: first occurrence when ambiguous
    back = local.astimezone(UTC).astimezone(tz)
    if (back.replace(tzinfo=None) != local.replace(tzinfo=None)):
        return None  # skipped by a spring-forward change
    return local


def show_time(at: datetime, tz: ZoneInfo) -> str:
    """A time as people read it back: wall clock in the campaign's timezone, with its offset
    (`2026-11-01T09:00-06:00`)."""
    try:
        return at.astimezone(tz).isoformat(timespec="minutes")
    except OverflowError:  # the edge of datetime's range: no local form exists
        return at.isoformat(timespec="minutes")


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 with a time of day → aware UTC; without an offset it is read in the
    campaign's timezone. A date alone is refused (it would silently mean midnight)."""
    raw = text.strip()
    iso = raw.replace(" ", "T", 1) if "T" not in raw else raw
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise InputError(f"time {text!r} is not ISO 8601 (e.g. 2026-12-01T09:00 or "
                         "2026-12-01T15:00Z)") from None
    if "T" not in iso:
        raise InputError(f"time {text!r} has no time of day; give one, e.g. {raw}T09:00 "
                         f"({tz.key})")
    try:
        if value.tzinfo is None:
            local = localize(value.date(), value.time(), tz)
            if local is None:
                raise InputError(f"time {text!r} does not exist in {tz.key} (a daylight-saving "
                                 "change skips it)")
            value = local
        return value.astimezone(UTC)
    except OverflowError:
        raise InputError(f"time {text!r} is out of range; give a time in the campaign") from None


def slot_times(slots: tuple[Slot, ...], tz: ZoneInfo, after: datetime,
               days: int = 366) -> Iterator[datetime]:
    """Every slot strictly after `after`, in order, as aware UTC, for up to `days` days."""
    if not slots:
        return
    start = after.astimezone(tz).date()
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        for slot in slots:
            if slot.weekday != day.weekday():
                continue
            local = localize(day, slot.at, tz)
            if local is None:
                continue
            moment = local.astimezone(UTC)
            if moment > after:
                yield moment


def next_free_slot(slots: tuple[Slot, ...], tz: ZoneInfo, after: datetime,
                   is_taken: Callable[[datetime], bool]) -> datetime:
    """The first slot after `after` that `is_taken` does not reject."""
    for moment in slot_times(slots, tz, after):
        if not is_taken(moment):
            return moment
    raise InputError("no free posting slot in the coming year (add slots in schedule.slots "
                     "or give --at)")
