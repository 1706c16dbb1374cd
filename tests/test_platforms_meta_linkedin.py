"""Threads, Instagram, Facebook Page and LinkedIn through the toolkit's commands: compose, the
gates at queue time and approval, frozen images at their public URL, `accounts test` with the
token's lifetime, the notifier's warning before expiry, and lazy imports."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from conftest import edit
from graph_fake import MEDIA_KEY, REVIEW

from toolkit.core.config import load_config
from toolkit.core.errors import InputError
from toolkit.graphics.build import build
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.store import Store, public_media

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
AT = datetime(2099, 1, 5, 15, tzinfo=UTC)
CARD_MESSAGE = "violence-attacks"  # card stat-attacks
NO_CARD = "courts-suspended"
ACCOUNTS = """  outbox:
    platform: outbox
  threads-campaign:
    platform: threads
    env: {access_token: THREADS_ACCESS_TOKEN}
  instagram-campaign:
    platform: instagram
    env: {user_id: INSTAGRAM_USER_ID, access_token: INSTAGRAM_ACCESS_TOKEN}
  facebook-page:
    platform: facebook
    env: {page_id: FACEBOOK_PAGE_ID, access_token: FACEBOOK_PAGE_TOKEN}
  linkedin-page:
    platform: linkedin
    env: {organization_id: LINKEDIN_ORGANIZATION_ID, access_token: LINKEDIN_ACCESS_TOKEN}
"""
SECRETS = {"THREADS_ACCESS_TOKEN": "th-token-hunter2-1", "INSTAGRAM_USER_ID": "17841",
           "INSTAGRAM_ACCESS_TOKEN": "ig-token-hunter2-2", "FACEBOOK_PAGE_ID": "1040",
           "FACEBOOK_PAGE_TOKEN": "fb-token-hunter2-3", "LINKEDIN_ORGANIZATION_ID": "2414183",
           "LINKEDIN_ACCESS_TOKEN": "li-token-hunter2-4"}


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    pin_clock(NOW)


@pytest.fixture
def campaign(project: Path) -> Path:
    """The project with one account on each new platform."""
    edit(project, "  outbox:\n    platform: outbox\n", ACCOUNTS)
    return project


def _public(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(project, "  session_hours: 12\n", f"  session_hours: 12\n  base_url: {REVIEW}\n")
    monkeypatch.setenv(public_media.KEY_VARIABLE, MEDIA_KEY)


def _planner(project: Path) -> Planner:
    config = load_config(project)
    return Planner(config, load_library(config), Store(config.store_url))


@pytest.mark.parametrize("platform, limit", [("threads", 500), ("instagram", 2200),
                                             ("facebook", 63206), ("linkedin", 3000)])
def test_compose_for_each_platform(run_cli, platform: str, limit: int) -> None:
    result = run_cli("compose", "--text", "Asylum is a right", "--platform", platform, "--json")
    doc = json.loads(result.stdout)
    assert doc["text"] == "Asylum is a right #SaveAsylum"
    assert (doc["length"], doc["limit"], doc["fits"]) == (29, limit, True)
    shown = run_cli("compose", "--text", "Asylum is a right", "--platform", platform)
    assert f"-- 29/{limit} on {platform}" in shown.stderr


def test_instagram_counts_hashtags_and_threads_counts_emoji_as_bytes(run_cli) -> None:
    tags = " ".join(f"#tag{i}" for i in range(30))  # 30 + #SaveAsylum = 31
    doc = json.loads(run_cli("compose", "--text", tags, "--platform", "instagram",
                             "--json").stdout)
    assert (doc["hashtags"], doc["max_hashtags"], doc["fits"]) == (31, 30, False)
    shown = run_cli("compose", "--text", tags, "--platform", "instagram")
    assert "31/30 hashtags (TOO MANY HASHTAGS)" in shown.stderr
    doc = json.loads(run_cli("compose", "--text", "Refugees \U0001F30D", "--platform",
                             "threads", "--json").stdout)
    assert doc["length"] == len("Refugees  #SaveAsylum") + 4  # the globe: 4 UTF-8 bytes


def test_instagram_refuses_a_text_only_message_when_queued(campaign: Path) -> None:
    planner = _planner(campaign)
    with pytest.raises(InputError, match="takes only posts with an image"):
        planner.add(NO_CARD, "instagram", "en", AT, NOW, "sam")
    planner.store.close()


@pytest.mark.slow  # renders a card in every format
def test_approval_needs_a_public_image_url_then_freezes_a_jpeg_for_instagram(
        campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(campaign)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    monkeypatch.delenv(public_media.KEY_VARIABLE, raising=False)
    planner = _planner(campaign)
    pids = [planner.add(CARD_MESSAGE, p, "en", AT, NOW, "sam") for p in ("threads",
                                                                         "instagram")]
    refused = planner.approve(pids, "lead", NOW).refused
    assert set(refused) == set(pids)
    assert "fetches the image itself from a public URL" in refused[pids[0]]
    assert "web.base_url" in refused[pids[0]]
    planner.store.close()

    _public(campaign, monkeypatch)
    planner = _planner(campaign)
    assert planner.approve(pids, "lead", NOW).approved == pids
    threads, instagram = (planner.store.get(p).media[0] for p in pids)
    assert threads["path"].endswith(".png")
    data = planner.store.frozen_images([instagram["sha256"]])[instagram["sha256"]]
    assert data[:3] == b"\xff\xd8\xff" and instagram["path"].endswith(".jpg")
    assert hashlib.sha256(data).hexdigest() == instagram["sha256"]
    planner.store.close()


@pytest.mark.slow  # renders a card, runs the review app
def test_the_public_image_url_serves_the_frozen_bytes_only_until_published(
        campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp import make_webapp

    _public(campaign, monkeypatch)
    config = load_config(campaign)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    site = make_webapp(campaign, NOW)
    try:
        planner = site.toolkit.planner()
        pid = planner.add(CARD_MESSAGE, "threads", "en", AT, NOW, "sam")
        assert planner.approve([pid], "maria", NOW).approved == [pid]
        item = site.toolkit.store.get(pid).media[0]
        url = public_media.image_url(REVIEW, {public_media.KEY_VARIABLE: MEDIA_KEY}, pid, 0,
                                     item["sha256"], item["path"])
        path = url[len(REVIEW):]
        client = site.client()  # no session: the platform fetches it
        answer = client.get(path)
        frozen = site.toolkit.store.frozen_images([item["sha256"]])[item["sha256"]]
        assert answer.status_code == 200 and answer.data == frozen
        assert answer.headers["Cache-Control"] == "no-store"
        wrong = path[:-12] + "0" * 8 + path[-4:]
        assert client.get(wrong).status_code == 404
        site.toolkit.store.transition_many([(pid, "approved", {})], "cancelled", "maria", NOW)
        assert client.get(path).status_code == 404  # dead once the post no longer waits
    finally:
        site.toolkit.close()


def test_accounts_test_names_each_account_and_its_token_lifetime(
        run_cli, campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    in_40_days = int((NOW + timedelta(days=40, hours=1)).timestamp())
    debug = httpx.Response(200, json={"data": {"is_valid": True, "expires_at": in_40_days}})
    with respx.mock(assert_all_called=False) as router:
        router.get("https://graph.threads.net/v1.0/me").mock(
            return_value=httpx.Response(200, json={"id": "1", "username": "saveasylum"}))
        router.get("https://graph.threads.net/v1.0/debug_token").mock(return_value=debug)
        router.get("https://graph.facebook.com/v21.0/17841").mock(
            return_value=httpx.Response(200, json={"id": "17841", "username": "saveasylum.ig"}))
        router.get("https://graph.facebook.com/v21.0/1040").mock(
            return_value=httpx.Response(200, json={"id": "1040", "name": "SaveAsylum"}))
        router.get("https://graph.facebook.com/v21.0/debug_token").mock(return_value=debug)
        router.get("https://api.linkedin.com/rest/organizations/2414183").mock(
            return_value=httpx.Response(200, json={"localizedName": "SaveAsylum Coalition"}))
        result = run_cli("accounts", "test")
    out = result.stdout
    assert "threads-campaign (threads): ok, connected as @saveasylum, token expires in 40 " \
        "days (2027-01-10)" in out
    assert "instagram-campaign (instagram): ok, connected as @saveasylum.ig, token expires " \
        "in 40 days" in out
    assert "facebook-page (facebook): ok, connected as SaveAsylum (page 1040), token " \
        "expires in 40 days" in out
    assert "linkedin-page (linkedin): ok, connected as SaveAsylum Coalition " \
        "(urn:li:organization:2414183), token expiry unknown" in out
    assert "hunter2" not in result.output and result.exit_code == 0
    saved = campaign.parent.parent / "data" / "tokens" / "threads-campaign.json"
    assert json.loads(saved.read_text())["expires_at"].startswith("2027-01-10")


def test_the_notifier_warns_seven_days_before_a_token_expires(campaign: Path) -> None:
    from toolkit.compose.instances import record_token_expiry
    from toolkit.operations.notify.events import token_events
    from toolkit.operations.notify.messages import render

    config = load_config(campaign)
    expires = NOW + timedelta(days=10)
    record_token_expiry(config, "threads-campaign", expires)
    record_token_expiry(config, "facebook-page", None)  # a Page token that never expires
    assert token_events(config, NOW) == []
    [event] = token_events(config, expires - timedelta(days=7))
    assert event.account == "threads-campaign" and event.until == expires
    title, body = render("token_expiry", [event], "es", UTC)
    assert "threads-campaign" in title and "toolkit accounts test" in body


@pytest.mark.slow  # real interpreters
def test_clients_are_imported_only_for_connected_accounts(campaign: Path) -> None:
    modules = ("toolkit.publishers.threads", "toolkit.publishers.instagram",
               "toolkit.publishers.facebook", "toolkit.publishers.linkedin",
               "toolkit.publishers.http",
               "httpx", "tweepy", "mastodon", "atproto_client")
    probe = ("import sys, os\nfrom toolkit.surfaces.cli import cli\n"
             "try:\n cli(['--config', sys.argv[1], *sys.argv[2:]])\n"
             "except SystemExit as e:\n assert not e.code, e.code\n"
             f"print([m for m in {modules!r} if m in sys.modules], file=sys.stderr)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(campaign.parent)}
    compose = subprocess.run([sys.executable, "-c", probe, str(campaign), "compose", "--text",
                              "Hola", "--platform", "threads"], capture_output=True,
                             text=True, env=env, cwd=campaign.parent.parent)
    assert compose.returncode == 0, compose.stderr
    assert compose.stderr.splitlines()[-1] == "[]"  # a command that does not publish: none
    connect = ("import sys, os\nfrom toolkit.core.config import load_config\n"
               "from toolkit.publishers.registry import build_publishers\n"
               "os.environ['FACEBOOK_PAGE_ID'] = '1'; os.environ['FACEBOOK_PAGE_TOKEN'] = 'x'\n"
               "build_publishers(load_config(sys.argv[1]), os.environ)\n"
               f"print([m for m in {modules!r} if m in sys.modules])")
    only = subprocess.run([sys.executable, "-c", connect, str(campaign)], capture_output=True,
                          text=True, env=env, cwd=campaign.parent.parent)
    assert only.returncode == 0, only.stderr
    # only Facebook is connected (the other accounts lack keys and fall back to the outbox)
    assert only.stdout.strip() == str(["toolkit.publishers.facebook", "toolkit.publishers.http",
                                       "httpx"])


@pytest.mark.parametrize("platform, good, bad", [
    ("threads", "https://www.threads.net/@saveasylum/post/C1a", "https://x.com/a/status/1"),
    ("instagram", "https://www.instagram.com/p/C1a/", "https://instagram.evil.example/p/1"),
    ("facebook", "https://www.facebook.com/1040/posts/1", "https://bsky.app/profile/a/post/1"),
    ("linkedin", "https://www.linkedin.com/feed/update/urn:li:share:71/",
     "https://linkedin.com.evil.example/x")])
def test_resolve_takes_only_urls_on_the_platforms_host(campaign: Path, platform: str,
                                                       good: str, bad: str) -> None:
    from toolkit.compose.urls import require_post_url

    config = load_config(campaign)
    assert require_post_url(config, platform, "outbox", good) == good
    with pytest.raises(InputError):
        require_post_url(config, platform, "outbox", bad)


def test_check_warns_of_a_threads_account_without_a_public_image_url(
        run_cli, campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(public_media.KEY_VARIABLE, raising=False)
    out = run_cli("check").output
    assert "warning: account 'threads-campaign' (Threads): no public image URL is configured" \
        in out
    assert "account 'instagram-campaign' (Instagram): no public image URL" in out
    _public(campaign, monkeypatch)
    monkeypatch.delenv(public_media.KEY_VARIABLE)
    (campaign.parent.parent / ".env").write_text(f"{public_media.KEY_VARIABLE}={MEDIA_KEY}\n",
                                                 encoding="utf-8")  # the key from .env only
    result = run_cli("check")
    assert "no public image URL" not in result.output and MEDIA_KEY not in result.output


@pytest.mark.slow  # renders a card, runs the review app
def test_threads_fetches_exactly_the_frozen_bytes_through_the_review_app(
        campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: approval freezes the card; the dispatcher's Threads publisher creates the
    container with the image URL; the fake Threads fetches that URL from the review app (no
    session) as Threads does; the bytes are the frozen ones, and the URL is dead afterwards."""
    from graph_fake import TOKEN, FakeContainers
    from webapp import make_webapp

    from toolkit.publishers.threads import API, ThreadsPublisher
    from toolkit.scheduler.dispatch import Dispatcher

    _public(campaign, monkeypatch)
    config = load_config(campaign)
    build(config, load_library(config), cards=["stat-attacks"], jobs=1)
    site = make_webapp(campaign, NOW)
    fetched: list[tuple[int, bytes]] = []
    client = site.client()
    try:
        planner = site.toolkit.planner()
        pid = planner.add(CARD_MESSAGE, "threads", "en", AT, NOW, "sam")
        assert planner.approve([pid], "maria", NOW).approved == [pid]
        frozen = site.toolkit.store.get(pid).media[0]
        with respx.mock(assert_all_called=False) as router:
            fake = FakeContainers(API, "me", "threads", "threads_publish", "threads", "status",
                                  "text")

            def fetching(request: httpx.Request) -> httpx.Response:
                answer = fake.handle(request)
                if request.url.path.endswith("/me/threads") and request.method == "POST":
                    url = fake.containers[answer.json()["id"]]["fields"]["image_url"]
                    got = client.get(url[len(REVIEW):])
                    fetched.append((got.status_code, got.data))
                return answer

            router.route(url__startswith=API).mock(side_effect=fetching)
            publisher = ThreadsPublisher(config.accounts["threads-campaign"], "me", TOKEN,
                                         state=campaign.parent.parent / "data",
                                         base_url=REVIEW, env={public_media.KEY_VARIABLE:
                                                               MEDIA_KEY},
                                         sleep=lambda s: None)
            Dispatcher(site.toolkit.store, {"threads-campaign": publisher}).dispatch_due(AT)
        assert site.toolkit.store.get(pid).status == "published"
        stored = site.toolkit.store.frozen_images([frozen["sha256"]])[frozen["sha256"]]
        assert fetched == [(200, stored)]
        assert fake.containers["c1"]["fields"]["alt_text"] == frozen["alt"]
        url = fake.containers["c1"]["fields"]["image_url"]
        assert client.get(url[len(REVIEW):]).status_code == 404  # dead once published
    finally:
        site.toolkit.close()


def test_the_guide_table_matches_the_table_of_platforms() -> None:
    from toolkit.core.platforms import PLATFORMS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "guide" / "platforms.md"
             ).read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in guide.splitlines()
            if line.startswith("| ") and not line.startswith("| platform")}
    for name in ("threads", "instagram", "facebook", "linkedin"):
        info = PLATFORMS[name]
        row = next(r for title, r in rows.items() if title.startswith(info.title))
        assert f"| {info.limit:,}" in row, name
        exact = info.guarantee == "exactly once"
        assert ("**exactly once**" in row) == exact, name
        assert ("at most once, reconciled by text" in row) == (not exact), name
    assert {"X", "Bluesky", "Mastodon", "outbox"} <= set(rows)
