"""The Facebook Page publisher against a fake of the documented Graph API (respx)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from crash import crash_then_recover, dispatch_one, two_dispatchers_at_once
from graph_fake import TOKEN, frozen_image, graph_error

from toolkit.core import clock
from toolkit.core.config import Account
from toolkit.core.errors import AuthError, PermanentError, RateLimited, TransientError
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.facebook import API, FacebookPublisher

PAGE = "104000000000001"
TEXT = "Asylum is a right. End Remain in Mexico: https://www.cvt.org/EndMPP #SaveAsylum"


class FakePage:
    """One Page: `/photos` (multipart) and `/feed` create posts, `/posts` lists them."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.uploads: list[bytes] = []
        self.fail_next: httpx.Response | Exception | None = None
        self.lose_answer = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/", 2)[2]
        if request.method == "POST" and self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            if isinstance(failure, Exception):
                raise failure
            return failure
        if request.method == "POST" and path in (f"{PAGE}/photos", f"{PAGE}/feed"):
            body = request.content
            self.uploads.append(body)
            n = len(self.posts) + 1
            message = _field(request, "message")
            self.posts.append({"id": f"{PAGE}_{n}", "message": message,
                               "created_time": datetime.now(UTC).strftime(
                                   "%Y-%m-%dT%H:%M:%S+0000"),
                               "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{n}"})
            if self.lose_answer:
                self.lose_answer = False
                raise httpx.ReadTimeout("read timed out")
            if path.endswith("photos"):
                return httpx.Response(200, json={"id": f"99{n}", "post_id": f"{PAGE}_{n}"})
            return httpx.Response(200, json={"id": f"{PAGE}_{n}"})
        if path == f"{PAGE}/posts":
            return httpx.Response(200, json={"data": self.posts[::-1]})
        if path == "debug_token":
            return httpx.Response(200, json={"data": {"type": "PAGE", "expires_at": 0}})
        if path == PAGE:
            return httpx.Response(200, json={"id": PAGE, "name": "SaveAsylum Coalition"})
        return httpx.Response(404, json={"error": {"message": "Unknown path", "code": 100}})


def _field(request: httpx.Request, name: str) -> str:
    """A form field of an urlencoded or multipart body."""
    from email.parser import BytesParser
    from urllib.parse import parse_qs

    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/"):
        msg = BytesParser().parsebytes(f"Content-Type: {kind}\r\n\r\n".encode()
                                       + request.content)
        for part in msg.get_payload():
            if part.get_param("name", header="content-disposition") == name:
                return part.get_payload(decode=True).decode()
        return ""
    return parse_qs(request.content.decode()).get(name, [""])[0]


@pytest.fixture
def page():  # yields the FakePage
    fake = FakePage()
    with respx.mock(assert_all_called=False) as router:
        router.route(url__startswith=API).mock(side_effect=fake.handle)
        yield fake


def account() -> Account:
    return Account("facebook-page", "facebook", {"page_id": "FACEBOOK_PAGE_ID",
                                                 "access_token": "FACEBOOK_PAGE_TOKEN"})


def publisher() -> FacebookPublisher:
    return FacebookPublisher(account(), PAGE, TOKEN)


def post(tmp_path: Path | None = None, text: str = TEXT) -> OutgoingPost:
    media = (frozen_image(tmp_path / "card.png"),) if tmp_path else ()
    return OutgoingPost("p7k2m9q4r3", "facebook", "facebook-page", text,
                        clock.now() - timedelta(minutes=1), media)


def test_photo_post_uploads_the_frozen_bytes_with_message_and_alt_text(
        page: FakePage, tmp_path: Path) -> None:
    out = post(tmp_path)
    result = publisher().publish(out)
    body = page.uploads[0]
    assert Path(out.media[0].path).read_bytes() in body  # the bytes themselves, multipart
    assert b'name="alt_text_custom"' in body and out.media[0].alt.encode() in body
    assert page.posts[0]["message"] == TEXT
    assert result.platform_id == f"{PAGE}_1"


def test_text_post_carries_the_link(page: FakePage) -> None:
    publisher().publish(post())
    assert b"link=https%3A%2F%2Fwww.cvt.org%2FEndMPP" in page.uploads[0]


def test_rate_limit_holds_until_the_reset(page: FakePage) -> None:
    page.fail_next = graph_error(429, 32, "Page request limit reached", {"Retry-After": "600"})
    with pytest.raises(RateLimited) as info:
        publisher().publish(post())
    assert info.value.retry_after > clock.now() + timedelta(minutes=9)


def test_server_errors_and_timeouts_are_transient(page: FakePage) -> None:
    for failure in (httpx.Response(502, text="Bad Gateway"), httpx.ConnectError("refused")):
        page.fail_next = failure
        with pytest.raises(TransientError):
            publisher().publish(post())


def test_expired_token_and_other_4xx(page: FakePage) -> None:
    page.fail_next = graph_error(400, 190, "Error validating access token: Session has expired")
    with pytest.raises(AuthError) as info:
        publisher().publish(post())
    assert "reconnect" in info.value.message and "FACEBOOK_PAGE_TOKEN" in info.value.message
    assert TOKEN not in info.value.message
    page.fail_next = graph_error(400, 200, "(#200) The user hasn't authorized the application "
                                 "to perform this action")
    with pytest.raises(PermanentError, match="hasn't authorized"):
        publisher().publish(post())


def test_lost_answer_is_reconciled_by_the_page_posts(page: FakePage, tmp_path: Path) -> None:
    page.lose_answer = True
    stored = dispatch_one(tmp_path, clock.now(), "facebook", "facebook-page", TEXT, publisher())
    assert stored.status == "published" and stored.platform_post_id == f"{PAGE}_1"
    assert len(page.posts) == 1


def test_two_schedulers_publish_each_post_once(page: FakePage, tmp_path: Path) -> None:
    posts, first = crash_then_recover(tmp_path, clock.now(), "facebook", "facebook-page",
                                      ["Notice 1 #SaveAsylum", "Notice 2 #SaveAsylum"],
                                      publisher)
    assert [p.status for p in posts] == ["published", "published"]
    assert posts[0].platform_post_id == first.platform_id and len(page.posts) == 2


def test_who_am_i_names_the_page_and_a_token_that_never_expires(page: FakePage) -> None:
    assert publisher().who_am_i() == f"SaveAsylum Coalition (page {PAGE})"
    assert publisher().token_expiry() == (True, None)  # expires_at 0: never



def test_two_schedulers_at_once_publish_each_post_once(page: FakePage, tmp_path: Path) -> None:
    posts = two_dispatchers_at_once(tmp_path, clock.now(), "facebook", "facebook-page",
                                    [f"Notice {i} #SaveAsylum" for i in range(6)], publisher)
    assert {p.status for p in posts} == {"published"} and len(page.posts) == 6


def test_a_token_echoed_by_graph_is_masked_even_when_its_variable_ends_in_a_newline(
        page: FakePage) -> None:
    # a token read from a secret file keeps its newline; the publisher sends it stripped and
    # Graph echoes what it got ("Malformed access token <token>", code 190)
    from toolkit.publishers.registry import connect

    token = "EAAGtrailingnewline0123456789"
    env = {"FACEBOOK_PAGE_ID": PAGE, "FACEBOOK_PAGE_TOKEN": f"{token}\n"}
    page.fail_next = graph_error(400, 190, f"Malformed access token {token}")
    with pytest.raises(AuthError) as info:
        connect(None, account(), env).publish(post())  # type: ignore[arg-type]
    assert "Malformed access token" in info.value.message
    assert token not in info.value.message


def test_an_image_the_store_holds_is_published_without_any_file(page: FakePage,
                                                                  tmp_path: Path) -> None:
    # without `store.media` a frozen image is only in the store: its path is a bare file name
    import hashlib

    from toolkit.publishers.base import MediaItem

    file = frozen_image(tmp_path / "card.png")
    data = Path(file.path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    held = OutgoingPost("p7k2m9q4r3", "facebook", "facebook-page", TEXT,
                        clock.now() - timedelta(minutes=1),
                        (MediaItem(f"{digest}.png", file.alt, digest, data),))
    assert publisher().publish(held).platform_id == f"{PAGE}_1"
    assert data in page.uploads[0]
