"""The review app's calendar grids in the campaign's timezone: a week with a time axis (the
configured posting slots and any other time a post has as rows, days as columns, a line at the
current time) and a month of weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from toolkit.core.config import Slot
from toolkit.pages.review.view import Item
from toolkit.planning.slots import localize


def week_start(day: date, first_weekday: int) -> date:
    """The first day (weekday `first_weekday`, 0 = Monday) of the week holding `day`."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


@dataclass
class Cell:
    """One day at one time of the week grid: its posts, whether it is a posting slot, and the
    local time a post queued or dropped here gets (None: the time does not exist that day)."""

    day: date
    at: datetime | None
    items: list[Item]
    slot: bool
    past: bool


@dataclass
class Row:
    """One time of day across the week; `now` marks the row the current time falls before."""

    label: str
    cells: list[Cell]
    now: bool = False


@dataclass
class WeekGrid:
    """A week with a time axis: its days, rows and the current local time (for the line)."""

    days: list[date]
    rows: list[Row]
    today: date
    now_label: str
    now_after_last: bool = False


def _minute(at: datetime) -> time:
    return time(at.hour, at.minute)


def week_grid(start: date, items: Iterable[Item], slots: Sequence[Slot], tz: ZoneInfo,
              now: datetime) -> WeekGrid:
    """The seven days from `start` with a row per configured slot time and per other time a
    post has (items are in `tz`)."""
    days = [start + timedelta(days=n) for n in range(7)]
    placed: dict[tuple[date, time], list[Item]] = defaultdict(list)
    for item in items:
        placed[(item.when.date(), _minute(item.when))].append(item)
    slot_at = {(s.weekday, s.at) for s in slots}
    times = sorted({s.at for s in slots} | {t for _, t in placed})
    local_now = now.astimezone(tz)
    rows = []
    for t in times:
        cells = []
        for day in days:
            at = localize(day, t, tz)
            cells.append(Cell(day, at, placed.get((day, t), []),
                              (day.weekday(), t) in slot_at, at is None or at <= local_now))
        rows.append(Row(t.strftime("%H:%M"), cells))
    grid = WeekGrid(days, rows, local_now.date(), local_now.strftime("%H:%M"))
    if grid.today in days:
        later = [r for r, t in zip(rows, times, strict=True) if t > _minute(local_now)]
        if later:
            later[0].now = True
        else:
            grid.now_after_last = True
    return grid


@dataclass
class MonthDay:
    """One day of the month view: its posts (the first few shown) and whether it is in the
    month."""

    day: date
    items: list[Item] = field(default_factory=list)
    in_month: bool = True


def month_grid(first: date, items: Iterable[Item], first_weekday: int) -> list[list[MonthDay]]:
    """The weeks (rows of seven days, starting on `first_weekday`) covering the month of
    `first`, each day with its posts in time order."""
    start = week_start(first.replace(day=1), first_weekday)
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    by_day: dict[date, list[Item]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.when):
        by_day[item.when.date()].append(item)
    weeks, day = [], start
    while day < next_month:
        weeks.append([MonthDay(d, by_day.get(d, []), d.month == first.month)
                      for d in (day + timedelta(days=n) for n in range(7))])
        day += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class Span:
    """The days a calendar view shows (`start` to `end`, exclusive), the day it is anchored on
    (the week's first day, the month's first day), and the anchors before and after."""

    start: date
    end: date
    anchor: date
    previous: date
    next: date


def calendar_span(view: str, day: date, first_weekday: int) -> Span:
    """What a view (`week`, `agenda`: the week holding `day`; `month`: the weeks covering
    its month) shows."""
    if view == "month":
        first = day.replace(day=1)
        weeks = month_grid(first, [], first_weekday)
        after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Span(weeks[0][0].day, weeks[-1][-1].day + timedelta(days=1), first,
                    (first - timedelta(days=1)).replace(day=1), after)
    start = week_start(day, first_weekday)
    return Span(start, start + timedelta(days=7), start, start - timedelta(days=7),
                start + timedelta(days=7))
