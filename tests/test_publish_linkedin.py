"""The LinkedIn publisher against a fake of the documented Posts and Images APIs (respx)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from crash import crash_then_recover, dispatch_one, two_dispatchers_at_once
from graph_fake import frozen_image

from toolkit.core import clock
from toolkit.core.config import Account
from toolkit.core.errors import AuthError, PermanentError, RateLimited, TransientError
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.linkedin import (
    API,
    INTROSPECT,
    VERSION,
    LinkedInPublisher,
    little_text,
    plain_commentary,
)

ORG = "urn:li:organization:2414183"
UPLOAD = "https://www.linkedin.com/dms-uploads/sp/v2/abc/uploadedImage"
TOKEN = "AQV-linkedin-token-SECRET-123456"
TEXT = ("Asylum is a right (not a favour). End Remain in Mexico: https://www.cvt.org/EndMPP "
        "#SaveAsylum")


class FakeLinkedIn:
    """An organisation's posts, images and the failures a test asks for."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.images: dict[str, bytes | None] = {}
        self.fail_next: httpx.Response | Exception | None = None
        self.lose_answer = False
        self.headers: list[httpx.Headers] = []

    def rest(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        path = request.url.path
        if request.method == "POST" and self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            if isinstance(failure, Exception):
                raise failure
            return failure
        if path == "/rest/images" and request.url.params.get("action") == "initializeUpload":
            assert json.loads(request.content)["initializeUploadRequest"]["owner"] == ORG
            urn = f"urn:li:image:C4E{len(self.images) + 1}"
            self.images[urn] = None
            return httpx.Response(200, json={"value": {"uploadUrlExpiresAt": 1, "uploadUrl":
                                                       UPLOAD, "image": urn}})
        if path == "/rest/posts" and request.method == "POST":
            body = json.loads(request.content)
            urn = f"urn:li:share:7{len(self.posts) + 1}"
            self.posts.append({**body, "id": urn,
                               "createdAt": int(datetime.now(UTC).timestamp() * 1000)})
            if self.lose_answer:
                self.lose_answer = False
                raise httpx.ReadTimeout("read timed out")
            return httpx.Response(201, headers={"x-restli-id": urn})
        if path == "/rest/posts" and request.url.params.get("q") == "author":
            assert request.headers["X-RestLi-Method"] == "FINDER"
            return httpx.Response(200, json={"elements": self.posts[::-1], "paging": {}})
        if path.startswith("/rest/organizations/"):
            return httpx.Response(200, json={"id": 2414183, "localizedName": "SaveAsylum"})
        return httpx.Response(404, json={"status": 404, "message": "Not found"})

    def upload(self, request: httpx.Request) -> httpx.Response:
        urn = list(self.images)[-1]
        self.images[urn] = request.content
        return httpx.Response(201)


@pytest.fixture
def li():  # yields the FakeLinkedIn
    fake = FakeLinkedIn()
    with respx.mock(assert_all_called=False) as router:
        router.route(url__startswith=API).mock(side_effect=fake.rest)
        router.put(UPLOAD).mock(side_effect=fake.upload)
        router.post(INTROSPECT).mock(return_value=httpx.Response(200, json={
            "active": True, "client_id": "77abc", "expires_at": 4102444800,
            "scope": "w_organization_social"}))
        yield fake


def account() -> Account:
    return Account("linkedin-page", "linkedin", {"organization_id": "LINKEDIN_ORGANIZATION_ID",
                                                 "access_token": "LINKEDIN_ACCESS_TOKEN"})


def publisher(client: bool = False) -> LinkedInPublisher:
    extra = {"client_id": "77abc", "client_secret": "secret-abcdef-123"} if client else {}
    return LinkedInPublisher(account(), "2414183", TOKEN, **extra)


def post(tmp_path: Path | None = None, text: str = TEXT) -> OutgoingPost:
    media = (frozen_image(tmp_path / "card.png"),) if tmp_path else ()
    return OutgoingPost("p7k2m9q4r4", "linkedin", "linkedin-page", text,
                        clock.now() - timedelta(minutes=1), media)


def test_image_post_with_alt_text_and_the_version_header(li: FakeLinkedIn,
                                                         tmp_path: Path) -> None:
    out = post(tmp_path)
    result = publisher().publish(out)
    [(urn, data)] = li.images.items()
    assert data == Path(out.media[0].path).read_bytes()
    body = li.posts[0]
    assert body["content"]["media"] == {"id": urn, "altText": out.media[0].alt}
    assert body["author"] == ORG and body["commentary"] == little_text(TEXT)
    assert "{hashtag|\\#|SaveAsylum}" in body["commentary"] and "\\(not" in body["commentary"]
    assert result.platform_id == "urn:li:share:71"
    assert result.url == "https://www.linkedin.com/feed/update/urn:li:share:71/"
    assert all(h["LinkedIn-Version"] == VERSION for h in li.headers)


def test_commentary_reads_back_as_the_text() -> None:
    assert plain_commentary(little_text(TEXT)) == TEXT


def test_429_holds_until_the_daily_reset(li: FakeLinkedIn) -> None:
    li.fail_next = httpx.Response(429, json={"status": 429, "message": "Resource level "
                                             "throttle APPLICATION DAY limit"})
    with pytest.raises(RateLimited) as info:
        publisher().publish(post())
    reset = info.value.retry_after
    assert (reset.hour, reset.minute) == (0, 0) and clock.now() < reset
    assert reset <= clock.now() + timedelta(days=1)


def test_server_errors_and_timeouts_are_transient(li: FakeLinkedIn) -> None:
    for failure in (httpx.Response(504, json={"message": "Gateway timeout"}),
                    httpx.ReadTimeout("read timed out")):
        li.fail_next = failure
        with pytest.raises(TransientError):
            publisher().publish(post())


def test_expired_token_and_other_4xx(li: FakeLinkedIn) -> None:
    li.fail_next = httpx.Response(401, json={"status": 401, "serviceErrorCode": 65601,
                                             "code": "REVOKED_ACCESS_TOKEN",
                                             "message": "The token used in the request has "
                                             "been revoked by the user"})
    with pytest.raises(AuthError) as info:
        publisher().publish(post())
    assert "LINKEDIN_ACCESS_TOKEN" in info.value.message and TOKEN not in info.value.message
    li.fail_next = httpx.Response(422, json={"status": 422, "message": "ERROR :: /commentary "
                                             ":: text is too long"})
    with pytest.raises(PermanentError, match="text is too long"):
        publisher().publish(post())


def test_lost_answer_is_reconciled_by_the_page_posts(li: FakeLinkedIn, tmp_path: Path) -> None:
    li.lose_answer = True
    stored = dispatch_one(tmp_path, clock.now(), "linkedin", "linkedin-page", TEXT, publisher())
    assert stored.status == "published" and stored.platform_post_id == "urn:li:share:71"
    assert len(li.posts) == 1


def test_two_schedulers_publish_each_post_once(li: FakeLinkedIn, tmp_path: Path) -> None:
    posts, first = crash_then_recover(tmp_path, clock.now(), "linkedin", "linkedin-page",
                                      ["Notice 1 #SaveAsylum", "Notice 2 #SaveAsylum"],
                                      publisher)
    assert [p.status for p in posts] == ["published", "published"]
    assert posts[0].platform_post_id == first.platform_id and len(li.posts) == 2


def test_who_am_i_with_and_without_introspection(li: FakeLinkedIn) -> None:
    assert publisher().who_am_i() == f"SaveAsylum ({ORG})"
    assert publisher().token_expiry() == (False, None)  # introspection needs the app's keys
    assert publisher(client=True).token_expiry() == (True, datetime(2100, 1, 1, tzinfo=UTC))


def test_two_schedulers_at_once_publish_each_post_once(li: FakeLinkedIn, tmp_path: Path) -> None:
    posts = two_dispatchers_at_once(tmp_path, clock.now(), "linkedin", "linkedin-page",
                                    [f"Notice {i} #SaveAsylum" for i in range(6)], publisher)
    assert {p.status for p in posts} == {"published"} and len(li.posts) == 6
