"""The schedule as iCalendar (RFC 5545, through the `icalendar` library): one event per post.

UIDs are stable per post (`<id>@saveasylum-toolkit`), so a calendar app that subscribes to the
feed updates an event when its post changes instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from toolkit.compose.urls import safe_href
from toolkit.store import Post

EVENT_MINUTES = 15
UID_DOMAIN = "saveasylum-toolkit"


def event_status(status: str) -> str:
    """The iCalendar STATUS for a post's status."""
    if status == "cancelled":
        return "CANCELLED"
    return "CONFIRMED" if status in ("approved", "publishing", "published") else "TENTATIVE"


def to_ics(posts: Iterable[Post], calendar_name: str, now: datetime) -> str:
    """Render posts as a VCALENDAR document (CRLF lines folded at 75 octets)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//SaveAsylum//toolkit//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    for p in posts:
        event = Event()
        event.add("uid", f"{p.id}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", p.scheduled_at)
        event.add("dtend", p.scheduled_at + timedelta(minutes=EVENT_MINUTES))
        event.add("summary", f"[{p.status}] {p.platform} ({p.lang}): {p.text[:60]}")
        description = f"{p.text}\n\nmessage: {p.message_id}\npost: {p.id}\nstatus: {p.status}"
        if safe_href(p.url):  # calendars turn URLs in text into links: checked ones only
            description += f"\nurl: {p.url}"
        event.add("description", description)
        event.add("categories", [p.platform, p.status])
        event.add("status", event_status(p.status))
        event.add("sequence", p.version)
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")
