"""The schedule as an iCalendar file (RFC 5545), one event per post, times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from toolkit.store import Post
from toolkit.urls import safe_href

EVENT_MINUTES = 15


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 requires."""
    out, current = [], b""
    for ch in line:
        enc = ch.encode("utf-8")
        if len(current) + len(enc) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += enc
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_ics(posts: Iterable[Post], calendar_name: str, now: datetime) -> str:
    """Render posts as a VCALENDAR document."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//SaveAsylum//toolkit//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_escape(calendar_name)}"]
    for p in posts:
        summary = f"[{p.status}] {p.platform} ({p.lang}): {p.text[:60]}"
        description = f"{p.text}\n\nmessage: {p.message_id}\npost: {p.id}\nstatus: {p.status}"
        if safe_href(p.url):  # calendars turn URLs in text into links: checked ones only
            description += f"\nurl: {p.url}"
        lines += [
            "BEGIN:VEVENT", f"UID:{p.id}@saveasylum-toolkit", f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(p.scheduled_at)}",
            f"DTEND:{_stamp(p.scheduled_at + timedelta(minutes=EVENT_MINUTES))}",
            f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}",
            f"CATEGORIES:{_escape(p.platform)},{_escape(p.status)}",
            "STATUS:" + ("CANCELLED" if p.status == "cancelled" else
                         "CONFIRMED" if p.status in ("approved", "published") else "TENTATIVE"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
