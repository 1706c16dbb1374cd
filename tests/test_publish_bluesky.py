"""The Bluesky publisher against an HTTP-level fake PDS (`respx`): atproto's real client runs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from crash import crash_then_recover
from PIL import Image

from toolkit.core.config import Account
from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    NotCreatedError,
    PermanentError,
    RateLimited,
)
from toolkit.publishers.base import MediaItem, OutgoingPost, Publisher
from toolkit.publishers.bluesky import BlueskyPublisher
from toolkit.publishers.bluesky_keys import legacy_record_key, record_key
from toolkit.store.media import freeze_image

SERVICE = "https://pds.example.org"
XRPC = f"{SERVICE}/xrpc"
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
HANDLE = "saveasylum.example.org"
PASSWORD = "abcd-efgh-SECRET-ijkl"
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
BLOB = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"
T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TEXT = "Señal de auxilio 🆘: más de 1,500 ataques. https://www.cvt.org/EndMPP #SaveAsylum"


def jwt(exp_in: int, kind: str) -> str:
    def b64(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    now = int(time.time())
    return ".".join([b64({"alg": "ES256K", "typ": kind}),
                     b64({"scope": "com.atproto.appPass", "sub": DID, "iat": now,
                          "exp": now + exp_in, "aud": "did:web:pds.example.org"}), "c2ln"])


class FakePds:
    """A PDS that records creations by record key, as the real one keeps one record per key."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.records: dict[str, dict] = {}
        self.creations = 0
        self.sessions = 0
        self.refreshes = 0
        self.blobs: list[bytes] = []
        self.blob_types: list[str] = []
        self.access_ttl = 7200
        self.lose_next_answer = False  # the next record is written but its answer is lost
        self.revoked = False  # the app password revoked: sign-in refused, tokens still valid
        router.post(f"{XRPC}/com.atproto.server.createSession").mock(side_effect=self.create_session)
        router.post(f"{XRPC}/com.atproto.server.refreshSession").mock(side_effect=self.refresh)
        router.get(f"{XRPC}/com.atproto.server.getSession").mock(
            return_value=httpx.Response(200, json={"handle": HANDLE, "did": DID}))
        self.upload_route = router.post(f"{XRPC}/com.atproto.repo.uploadBlob")
        self.upload_route.mock(side_effect=self.upload)
        self.create_route = router.post(f"{XRPC}/com.atproto.repo.createRecord")
        self.create_route.mock(side_effect=self.create)
        self.get_route = router.get(f"{XRPC}/com.atproto.repo.getRecord")
        self.get_route.mock(side_effect=self.get)

    def tokens(self) -> dict:
        return {"accessJwt": jwt(self.access_ttl, "at+jwt"),
                "refreshJwt": jwt(86400 * 60, "refresh+jwt"), "handle": HANDLE, "did": DID}

    def create_session(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["password"] != PASSWORD or self.revoked:
            return httpx.Response(401, json={"error": "AuthenticationRequired",
                                             "message": "Invalid identifier or password"})
        self.sessions += 1
        return httpx.Response(200, json=self.tokens())

    def refresh(self, request: httpx.Request) -> httpx.Response:
        self.refreshes += 1
        return httpx.Response(200, json=self.tokens())

    def upload(self, request: httpx.Request) -> httpx.Response:
        self.blobs.append(request.content)
        self.blob_types.append(request.headers["content-type"])
        return httpx.Response(200, json={"blob": {"$type": "blob", "ref": {"$link": BLOB},
                                                  "mimeType": request.headers["content-type"],
                                                  "size": len(request.content)}})

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        rkey = body["rkey"]
        if rkey in self.records:  # what @atproto/pds 0.5.35 answers (its log: "There is
            # already a value at key"), seen in tests/test_bluesky_pds.py
            return httpx.Response(500, json={"error": "InternalServerError",
                                             "message": "Internal Server Error"})
        self.creations += 1
        self.records[rkey] = body
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise httpx.ReadTimeout("read timed out")
        return httpx.Response(200, json={"uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                                         "cid": CID})

    def get(self, request: httpx.Request) -> httpx.Response:
        rkey = request.url.params["rkey"]
        if rkey not in self.records:
            return httpx.Response(400, json={"error": "RecordNotFound",
                                             "message": f"Could not locate record: {rkey}"})
        return httpx.Response(200, json={"uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                                         "cid": CID, "value": self.records[rkey]["record"]})


@pytest.fixture
def pds() -> FakePds:
    with respx.mock(assert_all_called=False) as router:
        yield FakePds(router)


def account() -> Account:
    return Account("bluesky-es", "bluesky", {"handle": "BSKY_ES_HANDLE",
                                             "app_password": "BSKY_ES_APP_PASSWORD"},
                   service=SERVICE)


def publisher(tmp_path: Path, password: str = PASSWORD) -> BlueskyPublisher:
    return BlueskyPublisher(account(), HANDLE, password,
                            session_path=tmp_path / "sessions" / "bluesky-es.json")


def post(text: str = TEXT, media: tuple[MediaItem, ...] = (),
         pid: str = "p7k2m9q4r1") -> OutgoingPost:
    return OutgoingPost(pid, "bluesky", "bluesky-es", text, T0, media, "es")


def png(path: Path, size: tuple[int, int], noise: bool = False) -> MediaItem:
    img = Image.effect_noise(size, 120).convert("RGB") if noise else Image.new("RGB", size, "navy")
    img.save(path, "PNG")
    return MediaItem(str(path), "Gráfico: más de 1,500 ataques contra personas devueltas")


def tid_time(rkey: str) -> datetime:
    value = 0
    for ch in rkey:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(ch)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=UTC)


def test_record_key_is_a_stable_valid_tid_at_the_scheduled_time() -> None:
    from atproto_client.models.string_formats import TID_RE

    keys = {record_key(f"post{i}", T0) for i in range(2000)}  # one time: still 2,000 keys
    assert len(keys) == 2000 and all(TID_RE.match(k) for k in keys)
    assert record_key("p7k2m9q4r1", T0) == record_key("p7k2m9q4r1", T0)
    for at in (T0, datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)):
        assert timedelta(0) <= tid_time(record_key("p7k2m9q4r1", at)) - at < timedelta(seconds=1)
    # an earlier version's key (2024-2025) is still where reconcile looks
    assert tid_time(legacy_record_key("p7k2m9q4r1")).year in (2024, 2025)


def test_post_with_images_facets_and_record_key(pds: FakePds, tmp_path: Path) -> None:
    pub = publisher(tmp_path)
    assert isinstance(pub, Publisher)
    media = (png(tmp_path / "a.png", (1200, 630)), png(tmp_path / "b.png", (1080, 1350)))
    result = pub.publish(post(media=media))
    rkey = record_key("p7k2m9q4r1", T0)
    assert result.url == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"
    body = pds.records[rkey]
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    record = body["record"]
    assert record["text"] == TEXT and record["langs"] == ["es"]
    raw = TEXT.encode()
    spans = {f["features"][0]["$type"]: raw[f["index"]["byteStart"]:f["index"]["byteEnd"]]
             for f in record["facets"]}
    assert spans == {"app.bsky.richtext.facet#link": b"https://www.cvt.org/EndMPP",
                     "app.bsky.richtext.facet#tag": b"#SaveAsylum"}
    tag = next(f for f in record["facets"] if "tag" in f["features"][0])
    assert tag["features"][0]["tag"] == "SaveAsylum"
    # accented letters and the emoji push the byte offsets past the character offsets
    assert tag["index"]["byteStart"] == len(TEXT[:TEXT.index("#")].encode("utf-8"))
    assert tag["index"]["byteStart"] > TEXT.index("#")
    images = record["embed"]["images"]
    assert [i["alt"] for i in images] == [m.alt for m in media]
    ratios = [(i["aspectRatio"]["width"], i["aspectRatio"]["height"]) for i in images]
    assert ratios == [(1200, 630), (1080, 1350)]
    assert pds.blob_types == ["image/png", "image/png"] and pds.sessions == 1


def test_the_approved_platform_ready_image_goes_out_byte_for_byte(pds: FakePds,
                                                                   tmp_path: Path) -> None:
    big = png(tmp_path / "big.png", (1400, 1400), noise=True)
    assert os.path.getsize(big.path) > 1_000_000
    path, digest = freeze_image(big.path, tmp_path / "media", max_bytes=1_000_000)
    frozen = path.read_bytes()
    publisher(tmp_path).publish(post(media=(MediaItem(str(path), big.alt, digest),)))
    (blob,) = pds.blobs
    assert blob == frozen and hashlib.sha256(blob).hexdigest() == digest  # never re-encoded
    assert Image.open(io.BytesIO(blob)).format == "JPEG" and pds.blob_types == ["image/jpeg"]


def test_an_image_over_the_limit_is_refused_never_reencoded(pds: FakePds,
                                                             tmp_path: Path) -> None:
    big = png(tmp_path / "big.png", (1400, 1400), noise=True)
    with pytest.raises(PermanentError, match=r"big.png is [\d,]+ bytes; Bluesky takes at most "
                       "1,000,000 bytes"):
        publisher(tmp_path).publish(post(media=(big,)))
    assert pds.blobs == [] and pds.records == {}


def test_session_saved_private_and_reused(pds: FakePds, tmp_path: Path) -> None:
    publisher(tmp_path).publish(post(pid="first00001"))
    saved = tmp_path / "sessions" / "bluesky-es.json"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert PASSWORD not in saved.read_text()
    publisher(tmp_path).publish(post(pid="second0002"))  # a new process: no second sign-in
    assert pds.sessions == 1 and pds.creations == 2


def test_expiring_session_is_refreshed_not_recreated(pds: FakePds, tmp_path: Path) -> None:
    pds.access_ttl = 60  # within the SDK's 15-minute refresh margin
    publisher(tmp_path).publish(post(pid="first00001"))
    publisher(tmp_path).publish(post(pid="second0002"))
    assert pds.sessions == 1 and pds.refreshes >= 1


def test_rejected_saved_session_signs_in_again_once(pds: FakePds, tmp_path: Path) -> None:
    publisher(tmp_path).publish(post(pid="first00001"))
    expired = [httpx.Response(400, json={"error": "ExpiredToken",
                                         "message": "Token has been revoked"})]
    pds.create_route.mock(side_effect=lambda r: expired.pop() if expired else pds.create(r))
    publisher(tmp_path).publish(post(pid="second0002"))
    assert pds.sessions == 2 and pds.creations == 2


def test_a_disconnected_session_is_never_used_again(pds: FakePds, tmp_path: Path) -> None:
    """Revoking the app password leaves the saved access token working (up to ~2 h); removing
    the session (`accounts disconnect`) stops a running publisher before its next call."""
    pub = publisher(tmp_path)
    pub.publish(post(pid="first00001"))
    pds.revoked = True
    pub.publish(post(pid="second0002"))  # the saved token still works
    (tmp_path / "sessions" / "bluesky-es.json").unlink()
    with pytest.raises(AuthError):
        pub.publish(post(pid="third00003"))
    assert pds.creations == 2


def test_crash_retry_creates_no_second_post(pds: FakePds, tmp_path: Path) -> None:
    """The record went out but the answer was lost (crash): reconcile finds it by its key, and
    even a blind second publish is refused by the PDS, never doubled."""
    first = publisher(tmp_path)
    first.publish(post())
    after_crash = publisher(tmp_path)
    found = after_crash.reconcile(post())
    assert found.status == "published"
    assert found.result.url.endswith(record_key("p7k2m9q4r1", T0))
    with pytest.raises(DuplicateError):
        after_crash.publish(post())
    assert pds.creations == 1 and len(pds.records) == 1


def test_reconcile_absent_when_no_record(pds: FakePds, tmp_path: Path) -> None:
    assert publisher(tmp_path).reconcile(post()).status == "absent"


def test_rate_limit_carries_reset(pds: FakePds, tmp_path: Path) -> None:
    reset = 1_800_000_000
    pds.create_route.mock(return_value=httpx.Response(
        429, headers={"ratelimit-reset": str(reset), "ratelimit-remaining": "0"},
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}))
    with pytest.raises(RateLimited) as info:
        publisher(tmp_path).publish(post())
    assert info.value.retry_after == datetime.fromtimestamp(reset, tz=UTC)


@pytest.mark.parametrize("failure", [httpx.Response(502, text="Bad Gateway"),
                                     httpx.Response(500, json={"error": "InternalServerError"}),
                                     httpx.ReadTimeout("read timed out")])
def test_server_errors_and_timeouts_are_transient(pds: FakePds, tmp_path: Path,
                                                  failure: object) -> None:
    from toolkit.core.errors import TransientError

    pds.create_route.mock(side_effect=[failure])
    with pytest.raises(TransientError) as info:
        publisher(tmp_path).publish(post())
    assert info.value.reconcile  # the dispatcher asks Bluesky before any retry


@pytest.mark.parametrize("route", ["upload", "create"])
def test_a_refused_connection_or_failed_upload_cannot_have_created_the_post(
        pds: FakePds, tmp_path: Path, route: str) -> None:
    """Classified per call: nothing before the post record, and no refused connection, can
    have created the post, so the dispatcher retries without asking."""
    pub = publisher(tmp_path)
    pub.who_am_i()  # signed in: the failure is the upload's or the record's own
    failure = httpx.ConnectError("[Errno 111] Connection refused")
    if route == "upload":
        pds.upload_route.mock(side_effect=[httpx.Response(503, text="Service Unavailable")])
    else:
        pds.create_route.mock(side_effect=[failure])
    image = png(tmp_path / "a.png", (600, 400))
    with pytest.raises(NotCreatedError) as info:
        pub.publish(post(media=(image,)))
    assert not info.value.reconcile and pds.records == {}
    assert ("503" if route == "upload" else "ConnectError") in info.value.message


def test_a_taken_key_answered_500_is_a_duplicate(pds: FakePds, tmp_path: Path) -> None:
    """The PDS answers createRecord on a key that holds a record with 500 InternalServerError;
    the record then decides: a duplicate, never a second post."""
    publisher(tmp_path).publish(post())
    with pytest.raises(DuplicateError):
        publisher(tmp_path).publish(post())
    assert pds.creations == 1


def test_bad_app_password_is_auth_error_without_secret(pds: FakePds, tmp_path: Path) -> None:
    with pytest.raises(AuthError) as info:
        publisher(tmp_path, password="wrong-SECRET").publish(post())
    assert "BSKY_ES_APP_PASSWORD" in info.value.message
    assert "SECRET" not in info.value.message and pds.creations == 0


def test_over_300_graphemes_refused_before_network(pds: FakePds, tmp_path: Path) -> None:
    from toolkit.core.errors import PermanentError

    with pytest.raises(PermanentError, match="300"):
        publisher(tmp_path).publish(post(text="é" * 301))
    assert pds.sessions == 0


def test_dispatcher_after_a_crash_publishes_each_post_once(pds: FakePds, tmp_path: Path) -> None:
    """A scheduler claimed two posts, sent one and died; the next one reconciles both through
    the real publisher: the sent one is found by its record key, the other goes out once."""
    posts, _ = crash_then_recover(tmp_path, T0, "bluesky", "bluesky-es",
                                  ["Aviso 1 #SaveAsylum", "Aviso 2 #SaveAsylum"],
                                  lambda: publisher(tmp_path))
    assert [p.status for p in posts] == ["published", "published"]
    assert posts[0].url.endswith(f"/post/{record_key(posts[0].id, posts[0].scheduled_at)}")
    assert pds.creations == 2
    assert sorted(pds.records) == sorted(record_key(p.id, p.scheduled_at) for p in posts)


def test_no_secret_in_logs(pds: FakePds, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    publisher(tmp_path).publish(post())
    from atproto_client.client.session import Session

    saved = json.loads((tmp_path / "sessions" / "bluesky-es.json").read_text())
    session = Session.decode(saved["session"])
    assert PASSWORD not in caplog.text and caplog.text
    for token in (session.access_jwt, session.refresh_jwt):
        assert token.split(".")[1] not in caplog.text


def test_a_tagged_link_shows_short_and_its_facet_carries_the_full_url(pds: FakePds,
                                                                       tmp_path: Path) -> None:
    """Issue 26: the frozen text holds the full UTM-tagged URL; Bluesky shows the short form
    and the link facet's byte range covers exactly that short form (after the accented letters
    and the emoji), with the full tagged URL as its URI."""
    full = ("https://www.cvt.org/EndMPP?utm_source=bluesky&utm_medium=social"
            "&utm_campaign=saveasylum&utm_content=violence-over-1500-es")
    frozen = TEXT.replace("https://www.cvt.org/EndMPP", full)
    publisher(tmp_path).publish(post(frozen))
    record = pds.records[record_key("p7k2m9q4r1", T0)]["record"]
    assert record["text"] == TEXT.replace("https://www.cvt.org/EndMPP", "cvt.org/EndMPP")
    raw = record["text"].encode()
    spans = [(f["features"][0]["$type"], raw[f["index"]["byteStart"]:f["index"]["byteEnd"]],
              f["features"][0].get("uri") or f["features"][0].get("tag"))
             for f in record["facets"]]
    assert spans == [("app.bsky.richtext.facet#link", b"cvt.org/EndMPP", full),
                     ("app.bsky.richtext.facet#tag", b"#SaveAsylum", "SaveAsylum")]
    link = record["facets"][0]["index"]
    assert link["byteStart"] == len(record["text"][:record["text"].index("cvt.org")].encode())


def claim_and_lose_the_answer(store, pub: BlueskyPublisher, pds: FakePds, account_name: str,
                              now: datetime) -> str:
    """A scheduler claims a due post; its record is written but the answer is lost and the
    scheduler is gone; the platform could not be asked after: the post waits for a person."""
    from contextlib import suppress

    from toolkit.core.errors import PublishError
    from toolkit.scheduler.dispatch import Dispatcher, outgoing
    from toolkit.store import NewPost

    [pid] = store.add([NewPost("m", "es", "bluesky", account_name, TEXT, now)], "test",
                      now - timedelta(days=1))
    store.transition_many([(pid, "draft", {})], "approved", "lead", now)
    gone = Dispatcher(store, {}, owner="machine-a:1:0:gone")
    [claimed] = store.claim_due(now, gone.owner, gone.lease, 1)
    pds.lose_next_answer = True
    with suppress(PublishError):
        pub.publish(outgoing(claimed, store, gone.owner))
    store.transition_many([(pid, "publishing", {"claim_owner": None, "claim_expires_at": None})],
                          "needs_check", gone.owner, now, "the platform could not be asked",
                          owner=gone.owner)
    return pid


def test_a_post_resolved_wrongly_and_rescheduled_is_found_not_posted_again(
        pds: FakePds, tmp_path: Path, planner) -> None:
    """The record went out but the answer was lost; a person resolves the post as "not
    published" and reschedules it: the key remembered in the store (not one derived from the
    new time) is written again, the PDS refuses it, and the record there is found."""
    from toolkit.scheduler.dispatch import Dispatcher

    store, name = planner.store, "bluesky-campaign"
    pid = claim_and_lose_the_answer(store, publisher(tmp_path / "a"), pds, name, T0)
    [first_key] = pds.records
    assert store.publish_ref(pid) == {"rkey": first_key}
    planner.resolve(pid, None, "lead", T0 + timedelta(minutes=30))
    later = T0 + timedelta(days=1)
    planner.reschedule(pid, later, "lead", T0 + timedelta(minutes=31))
    store.transition_many([(pid, "draft", {})], "approved", "lead", T0 + timedelta(minutes=32))
    assert store.publish_ref(pid) == {"rkey": first_key}  # kept through resolve and reschedule
    Dispatcher(store, {name: publisher(tmp_path / "b")}).dispatch_due(later)
    stored = store.get(pid)
    assert stored.status == "published" and stored.url.endswith(first_key)
    assert pds.creations == 1 and list(pds.records) == [first_key]
    assert record_key(pid, later) != first_key


def test_a_disconnect_on_one_machine_stops_the_saved_sessions_on_others(
        pds: FakePds, tmp_path: Path, planner, run_cli, pin_clock) -> None:
    """Machines B (running on) and C (restarted) signed in and saved their sessions; the app
    password is revoked and machine A runs `accounts disconnect`: B and C delete their saved
    sessions before their next post and sign in anew, which Bluesky refuses. With a new app
    password C signs in once and goes on."""
    from toolkit.scheduler.dispatch import Dispatcher
    from toolkit.store import NewPost

    store, name = planner.store, "bluesky-campaign"
    start = pin_clock(T0 - timedelta(hours=1))
    ids = store.add([NewPost("m", "es", "bluesky", name, f"{TEXT} {n}", T0 + timedelta(hours=n))
                     for n in range(6)], "test", start)
    store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead", start)

    def dispatch(pub: BlueskyPublisher, n: int) -> str:
        Dispatcher(store, {name: pub}).dispatch_due(T0 + timedelta(hours=n))
        return store.get(ids[n]).status

    on_b = publisher(tmp_path / "b")
    assert [dispatch(on_b, 0), dispatch(publisher(tmp_path / "c"), 1)] == ["published"] * 2
    assert pds.sessions == 2 and pds.creations == 2
    pds.revoked = True
    pin_clock(T0 + timedelta(minutes=10))
    result = run_cli("accounts", "disconnect", name)  # on machine A: no session of its own
    assert result.exit_code == 0 and "disconnect recorded in the store" in result.stdout
    assert [dispatch(on_b, 2), dispatch(publisher(tmp_path / "c"), 3)] == ["failed"] * 2
    assert pds.creations == 2
    assert not list(tmp_path.glob("[bc]/sessions/*.json"))
    pds.revoked = False  # a new app password: signed in after the disconnect, it goes on
    pin_clock(T0 + timedelta(minutes=20))
    assert [dispatch(publisher(tmp_path / "c"), n) for n in (4, 5)] == ["published"] * 2
    assert pds.sessions == 3 and pds.creations == 4


def test_a_record_of_words_since_edited_is_not_taken_for_the_edited_post(
        pds: FakePds, tmp_path: Path, planner) -> None:
    """The record went out but the answer was lost; a person resolves the post as "not
    published", the text is edited and the post approved again: the remembered key holds a
    record of the OLD words, so the post is not settled as published by it: it waits for a
    person (needs_check, saying why), and nothing new is written."""
    from toolkit.scheduler.dispatch import Dispatcher

    store, name = planner.store, "bluesky-campaign"
    pid = claim_and_lose_the_answer(store, publisher(tmp_path / "a"), pds, name, T0)
    [first_key] = pds.records
    planner.resolve(pid, None, "lead", T0 + timedelta(minutes=30))
    later = T0 + timedelta(days=1)
    planner.reschedule(pid, later, "lead", T0 + timedelta(minutes=31))
    edited = "Pedir asilo es un derecho humano. #SaveAsylum"
    store.transition_many([(pid, "draft", {"text": edited})], "approved", "lead",
                          T0 + timedelta(minutes=32))
    Dispatcher(store, {name: publisher(tmp_path / "b")}).dispatch_due(later)
    stored = store.get(pid)
    assert stored.status == "needs_check" and "other words" in stored.last_error
    assert pds.creations == 1 and pds.records[first_key]["record"]["text"] == TEXT


def test_a_claim_lost_before_the_key_is_remembered_sends_nothing(
        pds: FakePds, tmp_path: Path, planner) -> None:
    """Scheduler A claimed the post; before A remembers the record key, another scheduler took
    the claim over: A's publish stops before the post record is written, and the post is left
    to its new owner."""
    from sqlalchemy import text

    from toolkit.scheduler.dispatch import Dispatcher, outgoing
    from toolkit.store import NewPost

    store, name = planner.store, "bluesky-campaign"
    [pid] = store.add([NewPost("m", "es", "bluesky", name, TEXT, T0)], "test",
                      T0 - timedelta(days=1))
    store.transition_many([(pid, "draft", {})], "approved", "lead", T0)
    a = Dispatcher(store, {name: publisher(tmp_path)}, owner="machine-a:1:0:a")
    [claimed] = store.claim_due(T0, a.owner, a.lease, 1)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE posts SET claim_owner = 'machine-b:2:0:b' WHERE id = :i"),
                     {"i": pid})
    with pytest.raises(NotCreatedError, match="claim was taken over"):
        publisher(tmp_path).publish(outgoing(claimed, store, a.owner))
    assert pds.creations == 0 and store.publish_ref(pid) is None
    stored = store.get(pid)
    assert stored.status == "publishing" and stored.claim_owner == "machine-b:2:0:b"
