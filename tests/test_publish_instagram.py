"""The Instagram publisher against a fake of the documented Instagram Graph API (respx)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import respx
from crash import crash_then_recover, dispatch_one, two_dispatchers_at_once
from graph_fake import ENV, REVIEW, TOKEN, FakeContainers, frozen_image, graph_error

from toolkit.core import clock
from toolkit.core.config import Account
from toolkit.core.errors import AuthError, PermanentError, RateLimited, TransientError
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.instagram import API, InstagramPublisher

IG = "17841400000000001"
TEXT = "Asylum is a right. Link in bio. #SaveAsylum"


@pytest.fixture
def fake():  # yields the FakeContainers
    with respx.mock(assert_all_called=False) as router:
        yield FakeContainers(API, IG, "media", "media_publish", "media", "status_code",
                             "caption").install(router)


def account() -> Account:
    return Account("instagram-es", "instagram", {"user_id": "INSTAGRAM_ES_USER_ID",
                                                 "access_token": "INSTAGRAM_ES_ACCESS_TOKEN"})


def publisher(tmp_path: Path) -> InstagramPublisher:
    return InstagramPublisher(account(), IG, TOKEN, state=tmp_path / "state", base_url=REVIEW,
                              env=ENV, sleep=lambda s: None)


def post(tmp_path: Path, text: str = TEXT, image: bool = True) -> OutgoingPost:
    media = (frozen_image(tmp_path / "card.jpg", "JPEG"),) if image else ()
    return OutgoingPost("p7k2m9q4r2", "instagram", "instagram-es", text,
                        clock.now() - timedelta(minutes=1), media)


def test_image_post_with_caption_and_alt_text(fake: FakeContainers, tmp_path: Path) -> None:
    out = post(tmp_path)
    result = publisher(tmp_path).publish(out)
    [box] = fake.containers.values()
    assert box["fields"]["caption"] == TEXT and box["fields"]["alt_text"] == out.media[0].alt
    assert box["fields"]["image_url"].startswith(f"{REVIEW}/m/{out.id}/0/")
    assert box["fields"]["image_url"].endswith(".jpg")
    assert result.platform_id == "17901" and len(fake.posts) == 1


def test_text_only_and_png_are_refused_before_any_call(fake: FakeContainers,
                                                       tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="Instagram needs an image"):
        publisher(tmp_path).publish(post(tmp_path, image=False))
    png = OutgoingPost("p1", "instagram", "instagram-es", TEXT, clock.now(),
                       (frozen_image(tmp_path / "card.png"),))
    with pytest.raises(PermanentError, match="only JPG, JPEG images"):
        publisher(tmp_path).publish(png)
    assert not fake.requests


def test_throttling_code_holds_until_meta_says(fake: FakeContainers, tmp_path: Path) -> None:
    usage = json.dumps({IG: [{"type": "instagram", "call_count": 100,
                              "estimated_time_to_regain_access": 30}]})
    fake.fail_next = graph_error(400, 80002, "There have been too many calls to this "
                                 "Instagram account.", {"X-Business-Use-Case-Usage": usage})
    with pytest.raises(RateLimited) as info:
        publisher(tmp_path).publish(post(tmp_path))
    assert clock.now() + timedelta(minutes=29) < info.value.retry_after
    assert info.value.retry_after <= clock.now() + timedelta(minutes=30)


def test_a_used_up_quota_holds_the_account(fake: FakeContainers, tmp_path: Path) -> None:
    fake.quota = (100, 100)
    with pytest.raises(RateLimited, match="100 of 100"):
        publisher(tmp_path).publish(post(tmp_path))
    assert not fake.containers


def test_server_errors_and_timeouts_are_transient(fake: FakeContainers, tmp_path: Path) -> None:
    for failure in (httpx.Response(500, json={"error": {"message": "An unknown error "
                                                        "occurred", "code": 1}}),
                    httpx.ReadTimeout("read timed out")):
        fake.fail_next = failure
        with pytest.raises(TransientError):
            publisher(tmp_path).publish(post(tmp_path))


def test_expired_token_says_reconnect(fake: FakeContainers, tmp_path: Path) -> None:
    fake.fail_next = graph_error(400, 190, "Error validating access token: The session has "
                                 "been invalidated")
    with pytest.raises(AuthError) as info:
        publisher(tmp_path).publish(post(tmp_path))
    assert "INSTAGRAM_ES_ACCESS_TOKEN" in info.value.message and TOKEN not in info.value.message


def test_lost_answer_after_publishing_is_settled_by_status_code(fake: FakeContainers,
                                                                tmp_path: Path) -> None:
    fake.lose_publish_answer = True
    item = frozen_image(tmp_path / "card.jpg", "JPEG")
    stored = dispatch_one(tmp_path, clock.now(), "instagram", "instagram-es", TEXT,
                          publisher(tmp_path),
                          ({"path": item.path, "alt": item.alt, "sha256": item.sha256},))
    assert stored.status == "published" and len(fake.posts) == 1 and fake.publish_calls == 1


def with_image(tmp_path: Path):  # a factory of publishers
    """Publishers that attach a frozen JPEG: the crash helpers queue text-only posts."""
    item = frozen_image(tmp_path / "card.jpg", "JPEG")

    class WithImage(InstagramPublisher):
        def publish(self, post: OutgoingPost):
            return super().publish(replace(post, media=(item,)))

        def reconcile(self, post: OutgoingPost):  # the same post as published
            return super().reconcile(replace(post, media=(item,)))

    return lambda: WithImage(account(), IG, TOKEN, state=tmp_path / "state", base_url=REVIEW,
                             env=ENV, sleep=lambda s: None)


def test_two_schedulers_publish_each_post_once(fake: FakeContainers, tmp_path: Path) -> None:
    posts, _ = crash_then_recover(tmp_path, clock.now(), "instagram", "instagram-es",
                                  ["Notice 1 #SaveAsylum", "Notice 2 #SaveAsylum"],
                                  with_image(tmp_path))
    assert [p.status for p in posts] == ["published", "published"]
    assert len(fake.posts) == 2 and fake.publish_calls == 2


def test_two_schedulers_at_once_publish_each_post_once(fake: FakeContainers,
                                                      tmp_path: Path) -> None:
    posts = two_dispatchers_at_once(tmp_path, clock.now(), "instagram", "instagram-es",
                                    [f"Notice {i} #SaveAsylum" for i in range(6)],
                                    with_image(tmp_path))
    assert {p.status for p in posts} == {"published"}
    assert len(fake.posts) == 6 and fake.publish_calls == 6


def test_who_am_i(fake: FakeContainers, tmp_path: Path) -> None:
    assert publisher(tmp_path).who_am_i() == "saveasylum"
    assert publisher(tmp_path).token_expiry()[0]
