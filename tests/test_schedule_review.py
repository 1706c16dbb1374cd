"""Reviewing the schedule: table, JSON, ICS file and the HTML page in a real Chromium."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from browser import chromium_page

NO_CARD = "courts-suspended"


DAY = date.today() + timedelta(days=3)
NEXT = DAY + timedelta(days=1)


@pytest.fixture
def queued(run_cli) -> list[str]:
    ids = []
    for at, platform, lang in [(f"{DAY}T09:00", "x", "en"), (f"{DAY}T13:00", "x", "es"),
                               (f"{NEXT}T09:00", "mastodon", "en")]:
        result = run_cli("queue", "add", NO_CARD, "--at", at, "--platform", platform,
                         "--lang", lang)
        assert result.exit_code == 0, result.output
        ids.append(result.stdout.strip())
    assert run_cli("queue", "approve", ids[0], "--by", "lead").exit_code == 0
    return ids


def test_schedule_json_and_ics(run_cli, queued: list[str], tmp_path: Path) -> None:
    ics = tmp_path / "schedule.ics"
    result = run_cli("schedule", "--days", "10", "--json", "--ics", str(ics))
    assert result.exit_code == 0, result.output
    posts = json.loads(result.stdout)
    assert [p["id"] for p in posts] == queued
    assert [p["status"] for p in posts] == ["approved", "draft", "draft"]
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    text = raw.decode().replace("\r\n ", "")
    for pid in queued:
        assert f"UID:{pid}@saveasylum-toolkit" in text
    nine = datetime.combine(DAY, time(9), tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
    assert f"DTSTART:{nine:%Y%m%dT%H%M%SZ}" in text  # 09:00 in Chicago, as UTC
    assert text.count("BEGIN:VEVENT") == 3


@pytest.mark.slow  # Chromium: `make test-fast` skips it
def test_schedule_html_in_chromium(run_cli, queued: list[str], tmp_path: Path) -> None:
    page_file = tmp_path / "schedule.html"
    assert run_cli("schedule", "--days", "10", "--html", str(page_file)).exit_code == 0
    with chromium_page() as page:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(page_file.as_uri())
        assert page.locator("article.post").count() == 3
        first = page.locator(f"#post-{queued[0]}")
        assert first.locator(".status").inner_text() == "approved"
        assert "#SaveAsylum" in first.locator(".text").inner_text()
        assert page.locator(f"#post-{queued[1]}").get_attribute("lang") == "es"
        assert page.locator("h2").count() == 2  # two days
        assert errors == []


def test_schedule_json_fast_path_equals_the_posts(run_cli, queued: list[str],
                                                  project: Path) -> None:
    from toolkit.surfaces.app import build

    result = run_cli("schedule", "--days", "10", "--json")
    assert result.exit_code == 0, result.output
    store = build(project).store
    assert json.loads(result.stdout) == [p.as_dict() for p in store.list(ids=queued)]

