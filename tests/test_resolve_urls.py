"""`queue resolve --published URL` stores only https URLs on the post's platform host, and pages
build links only from checked values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from toolkit.compose.urls import safe_href
from toolkit.core.config import load_config
from toolkit.core.errors import InputError, InvalidTransition
from toolkit.library import load_library
from toolkit.pages.review.html import to_html
from toolkit.pages.review.ics import to_ics
from toolkit.planning.queue import Planner
from toolkit.store import MISSED, Store

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
MSG = "courts-suspended"
EVIL = "javascript:alert(document.domain)//"



def _missed(planner: Planner, platform: str) -> str:
    pid = planner.add(MSG, platform, "en", NOW + timedelta(days=1), NOW, "comms")
    planner.store.transition(pid, ("draft",), MISSED, "test", NOW, "simulated outage")
    return pid


@pytest.mark.parametrize(("platform", "bad", "good"), [
    ("x", "not a url", "https://x.com/SaveAsylum/status/1"),
    ("x", EVIL, "https://twitter.com/SaveAsylum/status/2"),
    ("x", "http://x.com/SaveAsylum/status/1", "https://mobile.twitter.com/a/status/3"),
    ("x", "https://x.com.evil.example/status/1", "https://x.com/a/status/4"),
    ("x", "https://user@x.com/a/status/1", "https://x.com/a/status/5"),
    ("bluesky", "https://x.com/a/status/1", "https://bsky.app/profile/a.bsky.social/post/3k"),
    ("mastodon", "https://mastodon.example/@a/1", "https://social.example/@campaign/11"),
    ("outbox", "ftp://files.example/1", "https://anything.example/post/1"),
])
def test_published_url_must_be_https_on_the_platform_host(
        planner: Planner, monkeypatch: pytest.MonkeyPatch, platform: str, bad: str,
        good: str) -> None:
    monkeypatch.setenv("MASTODON_BASE_URL", "https://social.example")
    pid = _missed(planner, platform)
    with pytest.raises(InputError) as err:
        planner.resolve(pid, bad, "lead", NOW)
    assert "https" in err.value.message or "host" in err.value.message
    assert planner.store.get(pid).status == MISSED and planner.store.get(pid).url is None
    post = planner.resolve(pid, good, "lead", NOW)
    assert post.status == "published" and post.url == good


def test_resolve_cli_refuses_a_script_url(run_cli, project: Path) -> None:
    config = load_config(project)
    store = Store(config.store_url)
    pid = _missed(Planner(config, load_library(config), store), "x")
    out = run_cli("queue", "resolve", pid, "--published", EVIL)
    assert out.exit_code == 1 and "is not an https URL" in out.output
    assert "Traceback" not in out.output
    assert store.get(pid).status == MISSED


def test_resolve_speaks_the_users_words(planner: Planner) -> None:
    pid = planner.add(MSG, "x", "en", NOW + timedelta(days=1), NOW, "comms")
    planner.approve([pid], "lead", NOW)
    with pytest.raises(InvalidTransition) as err:
        planner.resolve(pid, None, "lead", NOW)
    assert err.value.message == ("only a post that is missed, failed or needs checking can be "
                                 "resolved; this one is approved")


def test_html_page_never_links_an_unchecked_url(planner: Planner) -> None:
    pid = _missed(planner, "x")
    # a value stored before URLs were checked (or written by another tool)
    planner.store.transition(pid, (MISSED,), "published", "old", NOW, "legacy", url=EVIL)
    page = to_html(planner.store.list(), "Schedule", ZoneInfo("America/Chicago"))
    assert 'href="javascript' not in page and "javascript:alert" in page
    assert "javascript" not in to_ics(planner.store.list(), "Schedule", NOW)
    assert safe_href(EVIL) is None and safe_href("https://x.com/a") == "https://x.com/a"
    assert safe_href("https://x.com/a b") is None and safe_href("https:///nohost") is None


def test_a_refused_url_with_a_password_is_never_echoed(run_cli, project: Path) -> None:
    config = load_config(project)
    store = Store(config.store_url)
    pid = _missed(Planner(config, load_library(config), store), "x")
    out = run_cli("queue", "resolve", pid, "--published",
                  "https://me:hunter22secret@x.com/a/status/1")
    assert out.exit_code == 1 and "is not an https URL" in out.output
    assert "hunter22secret" not in out.output and "https://me:***@x.com/a/status/1" in out.output
    assert store.get(pid).status == MISSED
