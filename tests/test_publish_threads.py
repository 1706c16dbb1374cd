"""The Threads publisher against a fake of the documented Threads API (respx): our httpx client
runs, nothing leaves the machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from crash import crash_then_recover, dispatch_one, lost_on_one_machine, two_dispatchers_at_once
from graph_fake import (
    ENV,
    MEDIA_KEY,
    REVIEW,
    TOKEN,
    FakeContainers,
    Refs,
    frozen_image,
    graph_error,
)

from toolkit.compose.instances import write_private
from toolkit.core import clock
from toolkit.core.config import Account
from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    PermanentError,
    RateLimited,
    TransientError,
)
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.containers import built_from
from toolkit.publishers.threads import API, ThreadsPublisher
from toolkit.store import public_media

TEXT = "Asylum is a right. End Remain in Mexico: https://www.cvt.org/EndMPP #SaveAsylum"


@pytest.fixture
def fake():  # yields the FakeContainers
    with respx.mock(assert_all_called=False) as router:
        yield FakeContainers(API, "me", "threads", "threads_publish", "threads", "status",
                             "text").install(router)


def account() -> Account:
    return Account("threads-es", "threads", {"access_token": "THREADS_ES_ACCESS_TOKEN"})


def publisher(tmp_path: Path, base_url: str = REVIEW) -> ThreadsPublisher:
    return ThreadsPublisher(account(), "me", TOKEN, state=tmp_path / "state",
                            base_url=base_url, env=ENV, sleep=lambda s: None)


def post(tmp_path: Path | None = None, text: str = TEXT) -> OutgoingPost:
    media = (frozen_image(tmp_path / "card.png"),) if tmp_path else ()
    return OutgoingPost("p7k2m9q4r1", "threads", "threads-es", text,
                        clock.now() - timedelta(minutes=1), media)


def test_image_post_with_alt_text_from_the_frozen_image_url(fake: FakeContainers,
                                                            tmp_path: Path) -> None:
    refs = Refs()
    out = post(tmp_path)
    result = publisher(tmp_path).publish(refs.post(out))
    [box] = fake.containers.values()
    fields = box["fields"]
    assert fields["media_type"] == "IMAGE" and fields["text"] == TEXT
    assert fields["alt_text"] == out.media[0].alt
    url = fields["image_url"]
    prefix = f"{REVIEW}/m/{out.id}/0/"
    assert url.startswith(prefix) and url.endswith(".png")
    assert public_media.valid(ENV, out.id, 0, out.media[0].sha256, url[len(prefix):-4])
    assert (result.platform_id, result.url) == ("17901", "https://example.net/p/17901")
    assert fake.publish_calls == 1 and len(fake.posts) == 1
    # the container id, remembered (in the store) before the publish call; nothing on disk
    assert refs.stored == {out.id: {"container": "c1", "digest": built_from(out)}}
    assert not (tmp_path / "state" / "containers").exists()


def test_text_post(fake: FakeContainers, tmp_path: Path) -> None:
    publisher(tmp_path).publish(post())
    [box] = fake.containers.values()
    assert box["fields"]["media_type"] == "TEXT" and "image_url" not in box["fields"]


def test_image_refused_without_a_public_image_url(fake: FakeContainers, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="web.base_url"):
        publisher(tmp_path, base_url="").publish(post(tmp_path))
    assert not fake.containers  # before any call


def test_429_holds_until_the_reset(fake: FakeContainers, tmp_path: Path) -> None:
    fake.fail_next = graph_error(429, 4, "Application request limit reached",
                                 {"Retry-After": "120"})
    before = clock.now()
    with pytest.raises(RateLimited) as info:
        publisher(tmp_path).publish(post())
    assert before + timedelta(seconds=119) <= info.value.retry_after
    assert info.value.retry_after <= clock.now() + timedelta(seconds=121)


@pytest.mark.parametrize("failure", [httpx.Response(503, text="Service Unavailable"),
                                     httpx.ConnectTimeout("timed out")])
def test_server_errors_and_timeouts_are_transient(fake: FakeContainers, tmp_path: Path,
                                                  failure) -> None:
    fake.fail_next = failure
    with pytest.raises(TransientError) as info:
        publisher(tmp_path).publish(post())
    assert info.value.reconcile


def test_expired_token_says_reconnect_naming_the_variable(fake: FakeContainers,
                                                          tmp_path: Path) -> None:
    fake.fail_next = graph_error(400, 190, "Error validating access token: Session has "
                                 "expired on Monday, 30-Nov-26")
    with pytest.raises(AuthError) as info:
        publisher(tmp_path).publish(post())
    assert "reconnect" in info.value.message and "THREADS_ES_ACCESS_TOKEN" in info.value.message
    assert "Session has expired" in info.value.message and TOKEN not in info.value.message


def test_other_4xx_fails_with_threads_words(fake: FakeContainers, tmp_path: Path) -> None:
    fake.fail_next = graph_error(400, 100, "Param text must be at most 500 characters long.")
    with pytest.raises(PermanentError, match="at most 500 characters") as info:
        publisher(tmp_path).publish(post())
    assert not isinstance(info.value, AuthError)


def test_lost_answer_after_publishing_is_settled_by_the_container(fake: FakeContainers,
                                                                  tmp_path: Path) -> None:
    fake.lose_publish_answer = True
    stored = dispatch_one(tmp_path, clock.now(), "threads", "threads-es", TEXT,
                          publisher(tmp_path))
    assert stored.status == "published" and stored.platform_post_id == "17901"
    assert len(fake.posts) == 1 and fake.publish_calls == 1


def test_a_ready_container_is_published_on_retry_not_rebuilt(fake: FakeContainers,
                                                             tmp_path: Path) -> None:
    refs = Refs()
    refs.stored["p7k2m9q4r1"] = {"container": "c1", "digest": built_from(post())}
    fake.containers["c1"] = {"fields": {"text": TEXT}, "status": "FINISHED"}
    assert publisher(tmp_path).reconcile(refs.post(post())).status == "absent"
    publisher(tmp_path).publish(refs.post(post()))
    assert list(fake.containers) == ["c1"] and len(fake.posts) == 1


def test_a_container_recorded_on_disk_before_the_upgrade_is_still_used(
        fake: FakeContainers, tmp_path: Path) -> None:
    # an earlier version wrote containers/<post id>.json on this machine: still read, and the
    # store learns it before the publish call
    write_private(tmp_path / "state" / "containers" / "p7k2m9q4r1.json",
                  {"container_id": "c1", "account": "threads-es", "built_from": None})
    fake.containers["c1"] = {"fields": {"text": TEXT}, "status": "FINISHED"}
    refs = Refs()
    publisher(tmp_path).publish(refs.post(post()))
    assert list(fake.containers) == ["c1"] and len(fake.posts) == 1
    assert refs.stored["p7k2m9q4r1"]["container"] == "c1"


def test_another_machine_settles_a_lost_answer_by_the_stored_container(
        fake: FakeContainers, tmp_path: Path) -> None:
    # machine A's publish answer is lost and A dies; machine B (its own state folder, the same
    # store) reads the container id from the store: published, nothing new, even though the
    # account's list of posts does not show the post yet
    fake.lose_publish_answer = True
    fake.recent_lags = True
    on_a = ThreadsPublisher(account(), "me", TOKEN, state=tmp_path / "a", base_url=REVIEW,
                            env=ENV, sleep=lambda s: None)
    on_b = ThreadsPublisher(account(), "me", TOKEN, state=tmp_path / "b", base_url=REVIEW,
                            env=ENV, sleep=lambda s: None)
    stored = lost_on_one_machine(tmp_path, clock.now(), "threads", "threads-es", TEXT, on_a,
                                 on_b)
    assert stored.status == "published"
    assert len(fake.posts) == 1 and fake.publish_calls == 1 and list(fake.containers) == ["c1"]


def test_two_schedulers_publish_each_post_once(fake: FakeContainers, tmp_path: Path) -> None:
    posts, first = crash_then_recover(tmp_path, clock.now(), "threads", "threads-es",
                                      ["Notice 1 #SaveAsylum", "Notice 2 #SaveAsylum"],
                                      lambda: publisher(tmp_path))
    assert [p.status for p in posts] == ["published", "published"]
    assert posts[0].platform_post_id == first.platform_id
    assert len(fake.posts) == 2 and fake.publish_calls == 2


def test_who_am_i_names_the_account_and_the_token_lifetime(fake: FakeContainers,
                                                           tmp_path: Path) -> None:
    assert publisher(tmp_path).who_am_i() == "saveasylum"
    known, when = publisher(tmp_path).token_expiry()
    assert known and when == datetime(2100, 1, 1, tzinfo=UTC)


def test_no_token_in_logs_or_errors(fake: FakeContainers, tmp_path: Path,
                                    caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from toolkit.core.redact import redact_log

    caplog.set_level(logging.DEBUG)
    out = Refs().post(post(tmp_path))
    publisher(tmp_path).publish(out)
    publisher(tmp_path).reconcile(out)
    assert TOKEN not in caplog.text and caplog.text
    url = fake.containers["c1"]["fields"]["image_url"]
    assert url.rsplit("/", 1)[1][:32] not in redact_log(f"GET {url[len(REVIEW):]} 200")


def test_a_refused_publish_call_of_a_published_container_is_found_not_failed(
        fake: FakeContainers, tmp_path: Path) -> None:
    """The status still said FINISHED when read, but the container was published meanwhile
    (the first call's answer was lost): Threads refuses the second call, the status settles it."""
    refs = Refs()
    refs.stored["p7k2m9q4r1"] = {"container": "c1", "digest": built_from(post())}
    fake.containers["c1"] = {"fields": {"text": TEXT}, "status": "FINISHED"}
    real = fake._publish

    def published_meanwhile(creation_id: str):
        fake.containers["c1"]["status"] = "FINISHED"
        answer = real(creation_id)  # publishes it
        return graph_error(400, 9007, "The media has already been published") \
            if answer.status_code == 200 else answer

    fake._publish = published_meanwhile  # type: ignore[method-assign]
    result = publisher(tmp_path).publish(refs.post(post()))
    assert result.platform_id == "17901" and len(fake.posts) == 1


def test_two_schedulers_at_once_publish_each_post_once(fake: FakeContainers,
                                                      tmp_path: Path) -> None:
    posts = two_dispatchers_at_once(tmp_path, clock.now(), "threads", "threads-es",
                                    [f"Notice {i} #SaveAsylum" for i in range(6)],
                                    lambda: publisher(tmp_path))
    assert {p.status for p in posts} == {"published"}
    assert len(fake.posts) == 6 and fake.publish_calls == 6


def test_an_image_url_token_with_other_characters_is_refused_not_an_error() -> None:
    # anyone may ask /m/<post>/<n>/<anything>.png: a non-ASCII token is a 404, never a 500
    env = {public_media.KEY_VARIABLE: MEDIA_KEY}
    sha = "a" * 64
    assert public_media.valid(env, "p7k2m9q4r3", 0, sha,
                              public_media.token(MEDIA_KEY, "p7k2m9q4r3", 0, sha))
    assert not public_media.valid(env, "p7k2m9q4r3", 0, sha, "é" * 32)


def test_a_container_built_from_an_earlier_version_of_the_post_is_never_published(
        fake: FakeContainers, tmp_path: Path) -> None:
    # the publish call is refused (the post fails, its container stays FINISHED on record);
    # a person edits the text and approves it again: what goes out is the new text
    real = fake._publish

    def refuse_once(creation_id: str) -> httpx.Response:
        fake._publish = real
        return graph_error(400, 10, "(#10) Application does not have permission")

    fake._publish = refuse_once
    refs = Refs()
    with pytest.raises(PermanentError):
        publisher(tmp_path).publish(refs.post(post()))
    assert refs.stored["p7k2m9q4r1"]["container"] == "c1"
    edited = "Asylum is a human right. #SaveAsylum"
    publisher(tmp_path).publish(refs.post(post(text=edited)))
    assert [p["text"] for p in fake.posts] == [edited]
    assert refs.stored["p7k2m9q4r1"]["container"] == "c2"


def test_a_container_published_with_words_since_edited_is_not_settled_by_them(
        fake: FakeContainers, tmp_path: Path) -> None:
    # the publish answer is lost (the container went out with the old words); a person takes
    # it for not published, edits the text and approves it again: the old container's post is
    # not taken for the edited one (a person must see it), and nothing new goes out
    fake.lose_publish_answer = True
    refs = Refs()
    with pytest.raises(TransientError):
        publisher(tmp_path).publish(refs.post(post()))
    edited = post(text="Asylum is a human right. #SaveAsylum")
    with pytest.raises(DuplicateError):
        publisher(tmp_path).publish(refs.post(edited))
    with pytest.raises(PermanentError, match="other words"):
        publisher(tmp_path).reconcile(refs.post(edited))
    assert [p["text"] for p in fake.posts] == [TEXT] and fake.publish_calls == 1
    assert publisher(tmp_path).reconcile(refs.post(post())).status == "published"
