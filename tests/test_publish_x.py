"""The X publisher against HTTP-level fakes (`responses`): tweepy's real code runs, no network."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from toolkit.core.config import Account
from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    PermanentError,
    RateLimited,
    TransientError,
)
from toolkit.publishers.base import MediaItem, OutgoingPost, Publisher
from toolkit.publishers.x import XPublisher, missing_keys, same_text
from toolkit.publishers.x_media import MAX_IMAGE_BYTES

API = "https://api.twitter.com"  # tweepy 4.17's host for v2 calls
MEDIA = "https://api.x.com"  # X's v2 media endpoints
TWEETS = f"{API}/2/tweets"
ME = f"{API}/2/users/me"
USER_ID = "2244994945"
TIMELINE = f"{API}/2/users/{USER_ID}/tweets"
UPLOAD = f"{MEDIA}/2/media/upload"
METADATA = f"{MEDIA}/2/media/metadata"
TWEET_ID = "1445880548472328192"
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

ENV_NAMES = {"api_key": "X_API_KEY", "api_secret": "X_API_SECRET",
             "access_token": "X_ACCESS_TOKEN", "access_secret": "X_ACCESS_TOKEN_SECRET"}
SECRETS = {"X_API_KEY": "KEY-SECRET-123abc", "X_API_SECRET": "APISECRET-SECRET-456def",
           "X_ACCESS_TOKEN": "2244994945-TOKEN-SECRET-789ghi",
           "X_ACCESS_TOKEN_SECRET": "TOKENSECRET-SECRET-000jkl"}
TEXT = ("Asylum is a right & a lifeline.\n\nEnd Remain in Mexico: https://www.cvt.org/EndMPP "
        "#SaveAsylum")
# how X stores TEXT: links through t.co, & < > escaped
STORED = ("Asylum is a right &amp; a lifeline.\n\nEnd Remain in Mexico: https://t.co/AbCdEf123 "
          "#SaveAsylum")

DUPLICATE = {"title": "Forbidden", "type": "about:blank", "status": 403,
             "detail": "You are not allowed to create a Tweet with duplicate content."}
NOT_PERMITTED = {"title": "Forbidden", "type": "about:blank", "status": 403,
                 "detail": "You are not permitted to perform this action."}
READ_ONLY_APP = {"title": "Forbidden", "status": 403,
                 "detail": "Your client app is not configured with the appropriate oauth1 app "
                           "permissions for this endpoint.",
                 "type": "https://api.twitter.com/2/problems/oauth1-permissions"}
NOT_ENROLLED = {"title": "Client Forbidden", "reason": "client-not-enrolled",
                "detail": "When authenticating requests to the Twitter API v2 endpoints, you "
                          "must use keys and tokens from a Twitter developer App that is "
                          "attached to a Project.",
                "type": "https://api.twitter.com/2/problems/client-forbidden"}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                "detail": "Unauthorized"}


def make_account(handle: str | None = "SaveAsylumDemo") -> Account:
    return Account("x-campaign", "x", dict(ENV_NAMES), 17, 500, handle)


def make_post(text: str = TEXT, media: tuple[MediaItem, ...] = ()) -> OutgoingPost:
    return OutgoingPost("p-001", "x", "x-campaign", text, T0, media, "en")


@pytest.fixture
def rsps() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def publisher() -> XPublisher:
    return XPublisher.from_env(make_account(), SECRETS)


def images(tmp_path: Path, n: int = 2, size: int = 64) -> tuple[MediaItem, ...]:
    items = []
    for i in range(1, n + 1):
        path = tmp_path / f"card{i}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * size)
        items.append(MediaItem(str(path), f"Chart {i}: asylum grants fell by half"))
    return tuple(items)


def calls_to(rsps: responses.RequestsMock, url: str) -> list:
    return [c for c in rsps.calls if c.request.url.split("?")[0] == url]


def assert_oauth1(request: requests.PreparedRequest) -> None:
    header = request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    assert header.startswith("OAuth ")
    assert "oauth_signature=" in header and 'oauth_signature_method="HMAC-SHA1"' in header


def tweet(tweet_id: str, text: str) -> dict:
    """A post as X v2 returns it in a timeline."""
    return {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}


def add_me(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, ME, json={"data": {"id": USER_ID, "name": "#SaveAsylum demo",
                                               "username": "SaveAsylumDemo"}})


# -- posting --------------------------------------------------------------------------------

def test_is_a_publisher(publisher: XPublisher) -> None:
    assert isinstance(publisher, Publisher) and publisher.platform == "x"


def test_text_only_post(rsps: responses.RequestsMock, publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, status=201,
             json={"data": {"id": TWEET_ID, "text": STORED, "edit_history_tweet_ids": [TWEET_ID]}})
    result = publisher.publish(make_post())
    assert result.platform_id == TWEET_ID
    assert result.url == f"https://x.com/SaveAsylumDemo/status/{TWEET_ID}"
    (call,) = rsps.calls
    assert json.loads(call.request.body) == {"text": TEXT}
    assert_oauth1(call.request)
    assert call.request.req_kwargs["timeout"]  # tweepy passes none: our adapter adds one


def test_two_images_with_alt_text(rsps: responses.RequestsMock, publisher: XPublisher,
                                  tmp_path: Path) -> None:
    media = images(tmp_path, 2)
    rsps.add(responses.POST, UPLOAD, json={"data": {"id": "111", "media_key": "3_111",
                                                    "size": 72, "expires_after_secs": 86400}})
    rsps.add(responses.POST, UPLOAD, json={"data": {"id": "222", "media_key": "3_222",
                                                    "size": 72, "expires_after_secs": 86400}})
    rsps.add(responses.POST, METADATA, json={"data": {"associated_metadata": True}})
    rsps.add(responses.POST, TWEETS, status=201, json={"data": {"id": TWEET_ID, "text": "x"}})

    result = publisher.publish(make_post(media=media))

    assert result.platform_id == TWEET_ID and result.detail["media_ids"] == ["111", "222"]
    assert [c.request.url for c in rsps.calls] == [UPLOAD, METADATA, UPLOAD, METADATA, TWEETS]
    uploads, metas = calls_to(rsps, UPLOAD), calls_to(rsps, METADATA)
    for i, (call, item) in enumerate(zip(uploads, media, strict=True), start=1):
        assert call.request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        body = call.request.body
        assert b'name="media_category"\r\n\r\ntweet_image\r\n' in body
        assert f'name="media"; filename="card{i}.png"'.encode() in body
        assert Path(item.path).read_bytes() in body
        assert call.request.req_kwargs["timeout"]
    assert [json.loads(c.request.body) for c in metas] == [
        {"id": "111", "metadata": {"alt_text": {"text": media[0].alt}}},
        {"id": "222", "metadata": {"alt_text": {"text": media[1].alt}}},
    ]
    assert json.loads(calls_to(rsps, TWEETS)[0].request.body) == {
        "text": TEXT, "media": {"media_ids": ["111", "222"]}}
    for call in rsps.calls:
        assert_oauth1(call.request)


@pytest.mark.parametrize("problem", ["five", "large", "alt", "missing", "gif"])
def test_media_checked_before_any_network_call(rsps: responses.RequestsMock,
                                               publisher: XPublisher, tmp_path: Path,
                                               problem: str) -> None:
    media = images(tmp_path, 5 if problem == "five" else 1)
    if problem == "large":
        Path(media[0].path).write_bytes(b"\0" * (MAX_IMAGE_BYTES + 1))
    elif problem == "alt":
        media = (MediaItem(media[0].path, "a" * 1001),)
    elif problem == "missing":
        media = (MediaItem(str(tmp_path / "gone.png"), "alt"),)
    elif problem == "gif":
        media = (MediaItem(str(tmp_path / "anim.gif"), "alt"),)
    with pytest.raises(PermanentError) as err:
        publisher.publish(make_post(media=media))
    assert type(err.value) is PermanentError
    assert not rsps.calls


def test_alt_text_of_exactly_1000_characters_is_fine(rsps: responses.RequestsMock,
                                                     publisher: XPublisher,
                                                     tmp_path: Path) -> None:
    media = (MediaItem(images(tmp_path, 1)[0].path, "a" * 1000),)
    rsps.add(responses.POST, UPLOAD, json={"data": {"id": "111"}})
    rsps.add(responses.POST, METADATA, json={})
    rsps.add(responses.POST, TWEETS, status=201, json={"data": {"id": TWEET_ID, "text": "x"}})
    assert publisher.publish(make_post(media=media)).platform_id == TWEET_ID


# -- errors ---------------------------------------------------------------------------------

def test_rate_limited_until_x_reset(rsps: responses.RequestsMock,
                                    publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, status=429, json={"title": "Too Many Requests",
                                                       "detail": "Too Many Requests"},
             headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                      "x-rate-limit-reset": "1796140800"})
    with pytest.raises(RateLimited) as err:
        publisher.publish(make_post())
    assert err.value.retry_after == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert err.value.retry_after.tzinfo is not None
    assert len(rsps.calls) == 1  # no sleeping, no retry inside the client


def test_rate_limited_by_the_free_tier_day_waits_for_the_day(rsps: responses.RequestsMock,
                                                             publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, status=429, json={"title": "Too Many Requests"},
             headers={"x-rate-limit-remaining": "90", "x-rate-limit-reset": "1796140800",
                      "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
                      "x-user-limit-24hour-reset": "1796200000"})
    with pytest.raises(RateLimited) as err:
        publisher.publish(make_post())
    assert err.value.retry_after == datetime.fromtimestamp(1796200000, tz=UTC)


def test_rate_limit_without_headers_leaves_the_wait_to_the_dispatcher(
        rsps: responses.RequestsMock, publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, status=429, json={"title": "Too Many Requests"})
    with pytest.raises(RateLimited) as err:
        publisher.publish(make_post())
    assert err.value.retry_after is None


def test_server_error_then_reconcile_finds_the_post(rsps: responses.RequestsMock,
                                                    publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, status=500, json={"title": "Internal Server Error"})
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, json={
        "data": [tweet("1445880548472328999", "another post"), tweet(TWEET_ID, STORED)],
        "meta": {"result_count": 2, "newest_id": "1445880548472328999", "oldest_id": TWEET_ID}})
    post = make_post()

    with pytest.raises(TransientError) as err:
        publisher.publish(post)
    assert err.value.reconcile
    answer = publisher.reconcile(post)

    assert answer.status == "published"
    assert answer.result.platform_id == TWEET_ID
    assert answer.result.url == f"https://x.com/SaveAsylumDemo/status/{TWEET_ID}"
    assert len(calls_to(rsps, TWEETS)) == 1  # reconciled, never posted twice
    (timeline,) = calls_to(rsps, TIMELINE)
    query = parse_qs(urlparse(timeline.request.url).query)
    assert query["max_results"] == ["100"]
    assert query["start_time"] == ["2026-12-01T14:00:00Z"]  # an hour before it was due
    assert_oauth1(timeline.request)


def test_timeout_then_reconcile_says_absent(rsps: responses.RequestsMock,
                                            publisher: XPublisher) -> None:
    rsps.add(responses.POST, TWEETS, body=requests.exceptions.ConnectTimeout("timed out"))
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, json={"meta": {"result_count": 0}})
    post = make_post()
    with pytest.raises(TransientError):
        publisher.publish(post)
    assert publisher.reconcile(post).status == "absent"


def test_reconcile_absent_when_only_other_posts(rsps: responses.RequestsMock,
                                                publisher: XPublisher) -> None:
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, json={
        "data": [tweet("1", STORED.replace("lifeline", "duty"))],
        "meta": {"result_count": 1}})
    assert publisher.reconcile(make_post()).status == "absent"


def test_reconcile_caches_own_id(rsps: responses.RequestsMock, publisher: XPublisher) -> None:
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, json={"meta": {"result_count": 0}})
    publisher.reconcile(make_post())
    publisher.reconcile(make_post())
    assert len(calls_to(rsps, ME)) == 1 and len(calls_to(rsps, TIMELINE)) == 2


def test_reconcile_finds_post_with_images(rsps: responses.RequestsMock, publisher: XPublisher,
                                          tmp_path: Path) -> None:
    add_me(rsps)  # X appends one link to the images at the end of the stored text
    rsps.add(responses.GET, TIMELINE, json={
        "data": [tweet(TWEET_ID, STORED + " https://t.co/PiCtUrE42")],
        "meta": {"result_count": 1}})
    answer = publisher.reconcile(make_post(media=images(tmp_path, 2)))
    assert answer.status == "published" and answer.result.platform_id == TWEET_ID


def test_reconcile_rate_limited_raises(rsps: responses.RequestsMock,
                                       publisher: XPublisher) -> None:
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, status=429, json={"title": "Too Many Requests"},
             headers={"x-rate-limit-reset": "1796140800"})
    with pytest.raises(RateLimited) as err:
        publisher.reconcile(make_post())
    assert err.value.retry_after == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def test_reconcile_server_error_raises(rsps: responses.RequestsMock,
                                       publisher: XPublisher) -> None:
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, status=503, json={"title": "Service Unavailable"})
    with pytest.raises(TransientError):
        publisher.reconcile(make_post())


@pytest.mark.parametrize("answer", [
    {"status": 403, "json": NOT_ENROLLED},  # the free tier cannot read timelines
    {"status": 200, "json": {"errors": [{"title": "Not Found Error", "detail": "gone"}]}},
    {"status": 200, "json": {"data": [tweet("1", "other")],
                             "meta": {"result_count": 1, "next_token": "7140dibdnow9c7btw"}}},
])
def test_reconcile_unknown_when_x_cannot_tell(rsps: responses.RequestsMock,
                                              publisher: XPublisher, answer: dict) -> None:
    add_me(rsps)
    rsps.add(responses.GET, TIMELINE, **answer)
    assert publisher.reconcile(make_post()).status == "unknown"


@pytest.mark.parametrize(("status", "body", "kind", "words"), [
    (401, UNAUTHORIZED, AuthError, "reconnect the account"),
    (403, DUPLICATE, DuplicateError, "duplicate content"),
    (403, NOT_PERMITTED, PermanentError, "You are not permitted to perform this action."),
    (403, READ_ONLY_APP, AuthError, "Read and write"),
    (400, {"errors": [{"parameters": {"text": [""]}, "message": "Text is too long"}],
           "title": "Invalid Request", "detail": "One or more parameters to your request was "
           "invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"},
     PermanentError, "Text is too long"),
])
def test_http_errors_are_mapped(rsps: responses.RequestsMock, publisher: XPublisher,
                                status: int, body: dict, kind: type, words: str) -> None:
    rsps.add(responses.POST, TWEETS, status=status, json=body)
    with pytest.raises(kind) as err:
        publisher.publish(make_post())
    assert type(err.value) is kind
    assert words in err.value.message
    if kind is AuthError:  # names the variables to fix, never their values
        assert "X_ACCESS_TOKEN" in err.value.message


def test_media_upload_errors_are_mapped(rsps: responses.RequestsMock, publisher: XPublisher,
                                        tmp_path: Path) -> None:
    media = images(tmp_path, 1)
    rsps.add(responses.POST, UPLOAD, status=500)
    for status, kind in [(429, RateLimited), (503, TransientError), (401, AuthError),
                         (400, PermanentError)]:
        rsps.replace(responses.POST, UPLOAD, status=status, json={"title": "x", "detail": "no"},
                     headers={"x-rate-limit-reset": "1796140800"})
        with pytest.raises(kind) as err:
            publisher.publish(make_post(media=media))
        assert type(err.value) is kind
    rsps.replace(responses.POST, UPLOAD, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(TransientError):
        publisher.publish(make_post(media=media))
    assert not calls_to(rsps, TWEETS)  # no post without its images


def test_alt_text_rejected_fails_the_post(rsps: responses.RequestsMock, publisher: XPublisher,
                                          tmp_path: Path) -> None:
    rsps.add(responses.POST, UPLOAD, json={"data": {"id": "111"}})
    rsps.add(responses.POST, METADATA, status=400, json={"title": "Invalid Request",
                                                         "detail": "Bad alt text"})
    with pytest.raises(PermanentError, match="Bad alt text"):
        publisher.publish(make_post(media=images(tmp_path, 1)))
    assert not calls_to(rsps, TWEETS)


# -- the account ----------------------------------------------------------------------------

def test_who_am_i(rsps: responses.RequestsMock, publisher: XPublisher) -> None:
    add_me(rsps)
    assert publisher.who_am_i() == "SaveAsylumDemo"
    (call,) = rsps.calls
    assert_oauth1(call.request)


def test_who_am_i_with_revoked_keys(rsps: responses.RequestsMock,
                                    publisher: XPublisher) -> None:
    rsps.add(responses.GET, ME, status=401, json=UNAUTHORIZED)
    with pytest.raises(AuthError, match="reconnect the account"):
        publisher.who_am_i()


def test_url_uses_username_from_x_without_handle(rsps: responses.RequestsMock) -> None:
    publisher = XPublisher.from_env(make_account(handle=None), SECRETS)
    rsps.add(responses.POST, TWEETS, status=201, json={"data": {"id": TWEET_ID, "text": "x"}})
    add_me(rsps)
    assert publisher.publish(make_post()).url == (
        f"https://x.com/SaveAsylumDemo/status/{TWEET_ID}")


def test_url_never_fails_a_published_post(rsps: responses.RequestsMock) -> None:
    publisher = XPublisher.from_env(make_account(handle=None), SECRETS)
    rsps.add(responses.POST, TWEETS, status=201, json={"data": {"id": TWEET_ID, "text": "x"}})
    rsps.add(responses.GET, ME, status=503, json={"title": "Service Unavailable"})
    assert publisher.publish(make_post()).url == f"https://x.com/i/web/status/{TWEET_ID}"


def test_missing_keys_name_variables_not_values() -> None:
    env = {"X_API_KEY": SECRETS["X_API_KEY"], "X_API_SECRET": "  ",
           "X_ACCESS_TOKEN": SECRETS["X_ACCESS_TOKEN"]}
    assert missing_keys(make_account(), env) == ["X_API_SECRET", "X_ACCESS_TOKEN_SECRET"]
    with pytest.raises(AuthError) as err:
        XPublisher.from_env(make_account(), env)
    message = err.value.message
    assert "X_API_SECRET" in message and "X_ACCESS_TOKEN_SECRET" in message
    assert not any(secret in message for secret in SECRETS.values())


def test_missing_role_in_config_is_named() -> None:
    account = Account("x-campaign", "x", {"api_key": "X_API_KEY"})
    assert missing_keys(account, SECRETS) == [
        "accounts.x-campaign.env.api_secret (not configured)",
        "accounts.x-campaign.env.access_token (not configured)",
        "accounts.x-campaign.env.access_secret (not configured)"]


def test_no_key_or_secret_in_logs_or_errors(rsps: responses.RequestsMock, tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG: tweepy logs every request
    publisher = XPublisher.from_env(make_account(handle=None), SECRETS)
    errors: list[BaseException] = []

    def attempt(call) -> None:  # a zero-argument callable
        try:
            call()
        except Exception as exc:  # every error is inspected below
            errors.append(exc)

    add_me(rsps)
    rsps.add(responses.POST, UPLOAD, json={"data": {"id": "111"}})
    rsps.add(responses.POST, METADATA, json={})
    rsps.add(responses.POST, TWEETS, status=201, json={"data": {"id": TWEET_ID, "text": "x"}})
    publisher.publish(make_post(media=images(tmp_path, 1)))
    for status, body in [(401, UNAUTHORIZED), (403, DUPLICATE), (403, NOT_PERMITTED),
                         (429, {"title": "Too Many Requests"}), (500, {"title": "Oops"})]:
        rsps.replace(responses.POST, TWEETS, status=status, json=body)
        attempt(lambda: publisher.publish(make_post()))
    rsps.replace(responses.POST, TWEETS, body=requests.exceptions.ConnectTimeout("timed out"))
    attempt(lambda: publisher.publish(make_post()))
    rsps.add(responses.GET, TIMELINE, status=401, json=UNAUTHORIZED)
    attempt(lambda: publisher.reconcile(make_post()))
    attempt(lambda: XPublisher.from_env(make_account(), {**SECRETS, "X_API_SECRET": ""}))
    logging.getLogger("toolkit").debug("publisher %r", publisher)

    assert len(errors) == 8 and "KEY-SECRET" not in "".join(map(str, errors))
    out, err = capsys.readouterr()
    seen = [caplog.text, out, err, repr(publisher)]
    for exc in errors:
        seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    assert "Making API request" in caplog.text  # DEBUG logging really was on
    everything = "\n".join(seen)
    for name, secret in SECRETS.items():
        assert secret not in everything, f"the value of {name} leaked"


def test_leak_check_would_catch_oauthlib_debug_logging(rsps: responses.RequestsMock,
                                                       publisher: XPublisher,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """The guard above matters: with oauthlib at DEBUG the consumer key is logged."""
    caplog.set_level(logging.DEBUG, logger="oauthlib")
    add_me(rsps)
    publisher.who_am_i()
    assert SECRETS["X_API_KEY"] in caplog.text


# -- text comparison ------------------------------------------------------------------------

@pytest.mark.parametrize(("ours", "theirs", "same"), [
    (TEXT, STORED, True),
    (TEXT, STORED.replace("\n\n", " "), True),
    ("a < b > c & d", "a &lt; b &gt; c &amp; d", True),
    ("see cvt.org/EndMPP #SaveAsylum", "see https://t.co/xyz #SaveAsylum", True),
    ("caf\u00e9 #SaveAsylum", "cafe\u0301 #SaveAsylum", True),  # X stores NFC
    (TEXT, STORED.replace("right", "duty"), False),
    ("literal &amp; #SaveAsylum", "literal &amp;amp; #SaveAsylum", True),
    ("short", "short https://t.co/media", False),  # without images, no extra link
])
def test_same_text(ours: str, theirs: str, same: bool) -> None:
    assert same_text(ours, theirs) is same

