"""The Mastodon publisher against an HTTP-level fake instance (`responses`): Mastodon.py runs."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
import responses
from crash import crash_then_recover
from PIL import Image

from toolkit.compose.instances import cached_instance
from toolkit.core.config import Account
from toolkit.core.errors import AuthError, DuplicateError, PermanentError, RateLimited
from toolkit.publishers.base import MediaItem, OutgoingPost, Publisher
from toolkit.publishers.mastodon import MastodonPublisher, idempotency_key

BASE = "https://social.example.org"
TOKEN = "TOKEN-SECRET-mastodon-123"
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TEXT = ("Asylum is a right & a lifeline.\n\nEnd Remain in Mexico: https://www.cvt.org/EndMPP "
        "#SaveAsylum")
ME = {"id": "109", "username": "saveasylum", "acct": "saveasylum", "display_name": "SaveAsylum",
      "url": f"{BASE}/@saveasylum"}
INSTANCE = {"domain": "social.example.org", "title": "Example", "version": "4.3.0",
            "configuration": {
                "statuses": {"max_characters": 1000, "max_media_attachments": 4,
                             "characters_reserved_per_url": 23},
                "media_attachments": {"image_size_limit": 16777216, "description_limit": 1500}}}


def as_html(text: str) -> str:
    """A status's text as Mastodon renders it: paragraphs, escaped, links and tags marked up."""
    def part(word: str) -> str:
        if word.startswith("https://"):
            rest = word[len("https://www."):]
            return (f'<a href="{word}" rel="nofollow noopener" target="_blank"><span '
                    f'class="invisible">https://www.</span><span class="">{rest}</span></a>')
        if word.startswith("#"):
            return (f'<a href="{BASE}/tags/{word[1:]}" class="mention hashtag" rel="tag">#'
                    f'<span>{word[1:]}</span></a>')
        return html.escape(word, quote=False)
    return "".join("<p>" + "<br />".join(" ".join(part(w) for w in line.split(" "))
                                        for line in par.split("\n")) + "</p>"
                   for par in text.split("\n\n"))


class FakeInstance:
    """Keeps statuses and answers a repeated Idempotency-Key with the first status, as Mastodon
    does; records every creation."""

    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.creations = 0
        self.polls = 0
        self.media: dict[str, dict] = {}
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.GET, f"{BASE}/api/v1/accounts/verify_credentials", json=ME)
        rsps.add_callback(responses.POST, f"{BASE}/api/v1/statuses", callback=self.post_status)
        rsps.add_callback(responses.POST, f"{BASE}/api/v2/media", callback=self.upload)
        for i in (1, 2):
            rsps.add_callback(responses.GET, f"{BASE}/api/v1/media/m{i}", callback=self.poll)
        rsps.add_callback(responses.GET, f"{BASE}/api/v1/accounts/109/statuses",
                          callback=lambda r: (200, {}, json.dumps(self.statuses[::-1])))

    def post_status(self, request: requests.PreparedRequest) -> tuple:
        key = request.headers.get("Idempotency-Key")
        if key in self.by_key:
            return 200, {}, json.dumps(self.by_key[key])
        form = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())
        body = {"status": form["status"][0], "media_ids": form.get("media_ids[]", []),
                "language": form.get("language", [None])[0]}
        self.creations += 1
        sid = str(1000 + self.creations)
        status = {"id": sid, "url": f"{BASE}/@saveasylum/{sid}", "uri": f"{BASE}/s/{sid}",
                  "created_at": "2026-12-01T15:00:01.000Z", "account": ME,
                  "content": as_html(body["status"]),
                  "media_attachments": [{"id": m} for m in body.get("media_ids", [])],
                  "language": body.get("language"), "request": body}
        self.statuses.append(status)
        self.by_key[key] = status
        return 200, {}, json.dumps(status)

    def upload(self, request: requests.PreparedRequest) -> tuple:
        mid = f"m{len(self.media) + 1}"
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        self.media[mid] = {"id": mid, "type": "image", "url": None, "body": body}
        return 202, {}, json.dumps({"id": mid, "type": "image", "url": None})

    def poll(self, request: requests.PreparedRequest) -> tuple:
        mid = request.url.rsplit("/", 1)[1]
        self.polls += 1
        if self.polls % 2:  # processing: 206 without url, then done
            return 206, {}, json.dumps({"id": mid, "type": "image", "url": None})
        return 200, {}, json.dumps({"id": mid, "type": "image", "url": f"{BASE}/media/{mid}.png"})


@pytest.fixture
def fake() -> FakeInstance:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeInstance(rsps)


def account() -> Account:
    return Account("mastodon-es", "mastodon", {"base_url": "MASTODON_ES_BASE_URL",
                                               "access_token": "MASTODON_ES_ACCESS_TOKEN"})


def publisher(tmp_path: Path, token: str = TOKEN) -> MastodonPublisher:
    return MastodonPublisher(account(), BASE, token,
                             cache_path=tmp_path / "instances" / "mastodon-es.json",
                             sleep=lambda s: None)


def post(text: str = TEXT, media: tuple[MediaItem, ...] = ()) -> OutgoingPost:
    return OutgoingPost("p7k2m9q4r1", "mastodon", "mastodon-es", text, T0, media, "en")


def image(path: Path) -> MediaItem:
    Image.new("RGB", (1600, 900), "navy").save(path, "PNG")
    return MediaItem(str(path), "Chart: more than 1,500 attacks on people returned to Mexico")


def test_post_with_images_alt_text_and_idempotency_key(fake: FakeInstance,
                                                       tmp_path: Path) -> None:
    pub = publisher(tmp_path)
    assert isinstance(pub, Publisher)
    media = (image(tmp_path / "a.png"), image(tmp_path / "b.png"))
    result = pub.publish(post(media=media))
    assert result.url == f"{BASE}/@saveasylum/1001" and result.platform_id == "1001"
    (status,) = fake.statuses
    assert status["request"]["media_ids"] == ["m1", "m2"]
    assert status["request"]["status"] == TEXT
    assert fake.by_key == {idempotency_key("p7k2m9q4r1"): status}
    for mid, item in zip(("m1", "m2"), media, strict=True):
        assert item.alt.encode() in fake.media[mid]["body"]  # the description went up
    assert fake.polls == 4  # each 202 upload was polled until processed


def test_idempotency_header_is_sent(fake: FakeInstance, tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses",
                 json={"id": "9", "url": f"{BASE}/@saveasylum/9", "content": ""})
        publisher(tmp_path).publish(post())
        sent = rsps.calls[-1].request
    assert sent.headers["Idempotency-Key"] == "saveasylum-post-p7k2m9q4r1"
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"


def test_instance_limits_read_once_and_cached(fake: FakeInstance, tmp_path: Path) -> None:
    pub = publisher(tmp_path)
    pub.publish(post())
    cached = cached_instance(tmp_path, "mastodon-es")
    assert cached.max_characters == 1000 and cached.characters_reserved_per_url == 23
    with pytest.raises(PermanentError, match="1000"):
        publisher(tmp_path).publish(post(text="a" * 1001))  # from the cache, no new read


def test_instance_without_v2_gets_the_config_limit(tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", status=404,
                 json={"error": "Record not found"})
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses",
                 json={"id": "9", "url": f"{BASE}/@saveasylum/9", "content": ""})
        pub = MastodonPublisher(account(), BASE, TOKEN, fallback_characters=480,
                                cache_path=tmp_path / "instances" / "mastodon-es.json")
        assert pub.publish(post()).platform_id == "9"
        assert pub.limits().max_characters == 480
    assert cached_instance(tmp_path, "mastodon-es") is None  # asked again next time


def test_crash_retry_creates_no_second_post(fake: FakeInstance, tmp_path: Path) -> None:
    """The status went out but the answer was lost: reconcile finds it among the account's
    statuses, and a blind retry carries the same key, so the instance returns the first one."""
    publisher(tmp_path).publish(post())
    after_crash = publisher(tmp_path)
    found = after_crash.reconcile(post())
    assert found.status == "published" and found.result.url == f"{BASE}/@saveasylum/1001"
    again = after_crash.publish(post())
    assert again.platform_id == "1001" and fake.creations == 1


def test_reconcile_absent_when_not_among_statuses(fake: FakeInstance, tmp_path: Path) -> None:
    assert publisher(tmp_path).reconcile(post()).status == "absent"


def test_reconcile_ignores_the_same_words_posted_long_before(fake: FakeInstance,
                                                              tmp_path: Path) -> None:
    publisher(tmp_path).publish(post())
    fake.statuses[0]["created_at"] = "2026-11-20T09:00:00.000Z"  # ten days before it was due
    assert publisher(tmp_path).reconcile(post()).status == "absent"


def test_rate_limit_holds_until_reset(tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses", status=429,
                 headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                          "X-RateLimit-Reset": "2099-01-01T00:00:00.000Z"},
                 json={"error": "Too many requests"})
        with pytest.raises(RateLimited) as info:
            publisher(tmp_path).publish(post())
    assert info.value.retry_after is not None
    assert info.value.retry_after.year in (2098, 2099)


@pytest.mark.parametrize("failure", [{"status": 503, "json": {"error": "Unavailable"}},
                                     {"body": requests.ReadTimeout("read timed out")}])
def test_server_errors_and_timeouts_are_transient(tmp_path: Path, failure: dict) -> None:
    from toolkit.core.errors import TransientError

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses", **failure)
        with pytest.raises(TransientError) as info:
            publisher(tmp_path).publish(post())
    assert info.value.reconcile  # the dispatcher asks the instance before any retry


def test_bad_token_is_auth_error_without_secret(tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses", status=401,
                 json={"error": "The access token is invalid"})
        with pytest.raises(AuthError) as info:
            publisher(tmp_path).publish(post())
    assert "MASTODON_ES_ACCESS_TOKEN" in info.value.message
    assert "write:statuses write:media read:accounts" in info.value.message
    assert TOKEN not in info.value.message


def test_other_4xx_is_permanent_with_the_instance_words(tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses", status=422,
                 json={"error": "Validation failed: Text character limit of 500 exceeded"})
        with pytest.raises(PermanentError, match="character limit of 500"):
            publisher(tmp_path).publish(post())


def test_who_am_i(fake: FakeInstance, tmp_path: Path) -> None:
    assert publisher(tmp_path).who_am_i() == "saveasylum@social.example.org"


def test_dispatcher_after_a_crash_publishes_each_post_once(fake: FakeInstance,
                                                           tmp_path: Path) -> None:
    """A scheduler claimed two posts, sent one and died; the next one reconciles both through
    the real publisher: the sent one is found among the statuses, the other goes out once."""
    posts, first = crash_then_recover(tmp_path, T0, "mastodon", "mastodon-es",
                                      ["Notice 1 #SaveAsylum", "Notice 2 #SaveAsylum"],
                                      lambda: publisher(tmp_path))
    assert [p.status for p in posts] == ["published", "published"]
    assert posts[0].url == first.url
    assert fake.creations == 2 and set(fake.by_key) == {idempotency_key(p.id) for p in posts}


def test_reconcile_matches_text_as_mastodon_renders_it() -> None:
    from toolkit.publishers.mastodon import comparable, plain_text

    ours = ("Asylum is a right & a lifeline.\n\nCall @ana@social.example now: "
            "https://www.cvt.org/EndMPP #SaveAsylum")
    rendered = ('<p>Asylum is a right &amp; a lifeline.</p><p>Call <span class="h-card"><a '
                'href="https://social.example/@ana" class="u-url mention">@<span>ana</span></a>'
                '</span> now: <a href="https://www.cvt.org/EndMPP" rel="nofollow noopener">'
                '<span class="invisible">https://www.</span><span class="">cvt.org/EndMPP'
                '</span><span class="invisible"></span></a> <a href="https://social.example.org'
                '/tags/SaveAsylum" class="mention hashtag" rel="tag">#<span>SaveAsylum</span>'
                '</a></p>')
    assert comparable(plain_text(rendered)) == comparable(ours)
    assert comparable(plain_text(rendered)) != comparable(ours.replace("right", "duty"))


def test_a_key_answered_with_a_status_of_words_since_edited_is_not_taken_for_the_post(
        fake: FakeInstance, tmp_path: Path) -> None:
    """The status went out but the answer was lost; a person takes the post for not published,
    edits it and approves it again within the instance's key window: the same Idempotency-Key
    brings back the OLD status, which is not taken for the edited post (the dispatcher
    reconciles and leaves it to a person); nothing new is posted."""
    publisher(tmp_path).publish(post())
    edited = post(text="Asylum is a human right. #SaveAsylum")
    with pytest.raises(DuplicateError, match="other words"):
        publisher(tmp_path).publish(edited)
    assert fake.creations == 1
    assert publisher(tmp_path).reconcile(edited).status == "absent"


def test_the_dispatcher_leaves_such_a_post_to_a_person(fake: FakeInstance, tmp_path: Path) -> None:
    """Through the real dispatcher: the key already holds a status of the post's earlier words,
    so the post ends in needs_check, not published by the old status."""
    from toolkit.scheduler.dispatch import Dispatcher
    from toolkit.store import NewPost, Store

    store = Store(f"sqlite:///{tmp_path / 'store.db'}", now=T0)
    try:
        [pid] = store.add([NewPost("m", "en", "mastodon", "mastodon-es",
                                   "Asylum is a human right. #SaveAsylum", T0)], "test",
                          T0 - timedelta(days=1))
        old = {"id": "1001", "url": f"{BASE}/@saveasylum/1001", "content": as_html(TEXT),
               "created_at": "2026-12-01T14:00:01.000Z"}
        fake.by_key[idempotency_key(pid)] = old
        fake.statuses.append(old)
        store.transition_many([(pid, "draft", {})], "approved", "lead", T0)
        Dispatcher(store, {"mastodon-es": publisher(tmp_path)}).dispatch_due(T0)
        assert store.get(pid).status == "needs_check" and fake.creations == 0
    finally:
        store.close()
