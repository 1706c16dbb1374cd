"""A post's history in people's words: the scheduler named by its host, no "draft → draft"
rows, times in the campaign's timezone with the zone, one row per sign-off link visit a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from toolkit.pages.review.history import actor_words, history_rows
from toolkit.store.models import AuditEntry

TZ = ZoneInfo("America/Chicago")
T = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def entry(minutes: int, actor: str, before: str | None, after: str, detail: str) -> AuditEntry:
    return AuditEntry("p1", before, after, actor, T + timedelta(minutes=minutes), detail)


def test_rows_say_who_when_and_what_changed() -> None:
    visit = "opened through sign-off link k1 (Legal)"
    rows = history_rows([
        entry(0, "sam", None, "draft", "queued"),
        entry(5, "maria", "draft", "draft", "commented"),
        entry(10, "link k1", "draft", "draft", visit),
        entry(20, "link k1", "draft", "draft", visit),  # the same day: left out
        entry(60 * 24, "link k1", "draft", "draft", visit),  # the next day: kept
        entry(60 * 25, "maria", "draft", "approved", "approved at revision 1"),
        entry(60 * 26, "web01:4242:1733000000:ab12cd34", "approved", "publishing", "claimed"),
    ], TZ)
    assert [(r["who"], r["change"], r["what"]) for r in rows] == [
        ("sam", "draft", "queued"), ("maria", "", "commented"),
        ("sign-off link k1", "", visit), ("sign-off link k1", "", visit),
        ("maria", "draft → approved", "approved at revision 1"),
        ("scheduler on web01", "approved → publishing", "claimed")]
    assert rows[0]["when"] == "2026-12-01 09:00 CST"
    assert rows[0]["datetime"] == "2026-12-01T09:00:00-06:00"


def test_actor_words_keep_people_and_name_processes() -> None:
    assert actor_words("maria") == "maria"
    assert actor_words("host.example.org:12:99") == "scheduler on host.example.org"
    assert actor_words("library edit") == "library edit"
