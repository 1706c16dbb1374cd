"""The calendar grids: a week on a time axis (slots and other times as rows, the configured first
weekday, a line at the current time, the local time of each cell across DST) and a month."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from toolkit.core.config import Slot
from toolkit.pages.review.grid import calendar_span, month_grid, week_grid, week_start
from toolkit.pages.review.view import Item
from toolkit.store import Post

TZ = ZoneInfo("America/Chicago")
SLOTS = (Slot(0, time(9, 0)), Slot(0, time(13, 0)), Slot(2, time(18, 30)))


def item(at: datetime, pid: str = "p") -> Item:
    post = Post(pid, "m", "en", "x", "x-main", "Text #SaveAsylum", at.astimezone(UTC), "draft")
    return Item(post, at.astimezone(TZ))


def test_the_week_starts_on_the_configured_weekday() -> None:
    saturday = date(2026, 12, 5)
    assert week_start(saturday, 0) == date(2026, 11, 30)  # Monday
    assert week_start(saturday, 6) == date(2026, 11, 29)  # Sunday
    assert week_start(saturday, 5) == saturday
    span = calendar_span("week", saturday, 0)
    assert (span.start, span.end, span.previous, span.next) == (
        date(2026, 11, 30), date(2026, 12, 7), date(2026, 11, 23), date(2026, 12, 7))


def test_rows_are_the_slots_and_any_other_time_a_post_has() -> None:
    monday = date(2026, 11, 30)
    odd = item(datetime(2026, 12, 2, 7, 45, tzinfo=TZ), "odd")
    in_slot = item(datetime(2026, 11, 30, 9, 0, tzinfo=TZ), "slot")
    now = datetime(2026, 12, 1, 12, 0, tzinfo=TZ)  # Tuesday noon
    grid = week_grid(monday, [odd, in_slot], SLOTS, TZ, now)
    assert [r.label for r in grid.rows] == ["07:45", "09:00", "13:00", "18:30"]
    assert grid.days[0] == monday and len(grid.days) == 7
    nine = grid.rows[1]
    assert [i.post.id for i in nine.cells[0].items] == ["slot"]
    assert nine.cells[0].slot and not nine.cells[1].slot  # Monday 09:00 is a slot, Tuesday not
    assert [i.post.id for i in grid.rows[0].cells[2].items] == ["odd"]
    assert nine.cells[0].past and not nine.cells[2].past
    assert nine.cells[3].at == datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
    # the line at the current time: Tuesday 12:00 falls before the 13:00 row
    assert [r.label for r in grid.rows if r.now] == ["13:00"]
    assert grid.today == date(2026, 12, 1) and grid.now_label == "12:00"
    late = week_grid(monday, [], SLOTS, TZ, datetime(2026, 12, 1, 23, 0, tzinfo=TZ))
    assert late.now_after_last and not any(r.now for r in late.rows)
    other_week = week_grid(monday + timedelta(days=7), [], SLOTS, TZ, now)
    assert not other_week.now_after_last and not any(r.now for r in other_week.rows)


def test_a_time_that_does_not_exist_on_a_dst_day_has_no_cell_time() -> None:
    # Sunday 14 March 2027: Chicago's clocks go from 02:00 to 03:00
    grid = week_grid(week_start(date(2027, 3, 14), 0), [], (Slot(6, time(2, 30)),), TZ,
                     datetime(2027, 3, 1, tzinfo=TZ))
    sunday, saturday = grid.rows[0].cells[6], grid.rows[0].cells[5]
    assert sunday.day == date(2027, 3, 14) and sunday.at is None
    assert saturday.at == datetime(2027, 3, 13, 2, 30, tzinfo=TZ)


def test_the_month_covers_whole_weeks_with_each_days_posts() -> None:
    posts = [item(datetime(2026, 12, 24, 9, 0, tzinfo=TZ), "eve"),
             item(datetime(2026, 12, 24, 8, 0, tzinfo=TZ), "early")]
    weeks = month_grid(date(2026, 12, 1), posts, 0)
    assert weeks[0][0].day == date(2026, 11, 30) and not weeks[0][0].in_month
    assert weeks[-1][-1].day == date(2027, 1, 3) and len(weeks) == 5
    eve = next(d for w in weeks for d in w if d.day == date(2026, 12, 24))
    assert [i.post.id for i in eve.items] == ["early", "eve"]
    span = calendar_span("month", date(2026, 12, 17), 0)
    assert (span.start, span.end, span.anchor, span.previous, span.next) == (
        date(2026, 11, 30), date(2027, 1, 4), date(2026, 12, 1), date(2026, 11, 1),
        date(2027, 1, 1))


def test_the_config_names_the_first_weekday(project, run_cli) -> None:
    from conftest import edit

    from toolkit.core.config import load_config

    edit(project, "  week_starts: mon\n", "")
    assert load_config(project).week_start == 0  # Monday unless the config says otherwise
    edit(project, "  max_lateness_minutes: 60", "  max_lateness_minutes: 60\n  week_starts: sun")
    assert load_config(project).week_start == 6
    edit(project, "week_starts: sun", "week_starts: sunday")
    result = run_cli("check")
    assert result.exit_code == 1 and "'schedule.week_starts' must be one of mon, tue" in \
        result.output
