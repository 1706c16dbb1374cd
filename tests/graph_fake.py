"""Fakes of the platforms' documented HTTP endpoints (respx), so the real httpx clients run.

`FakeContainers` answers Meta's container APIs as documented: Threads (graph.threads.net:
`POST /{user}/threads`, `POST /{user}/threads_publish`, `GET /{container}?fields=status`,
`GET /me/threads`, `GET /debug_token`) and Instagram (graph.facebook.com: `POST /{ig}/media`,
`POST /{ig}/media_publish`, `GET /{container}?fields=status_code`, `GET /{ig}/media`,
`GET /{ig}/content_publishing_limit`). A container is published at most once (a second
publish call is refused with Graph's error, as the platform does).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from PIL import Image

from toolkit.publishers.base import MediaItem, OutgoingPost
from toolkit.store import public_media

MEDIA_KEY = "media-key-0123456789abcdef"
REVIEW = "https://review.example.org"
ENV = {public_media.KEY_VARIABLE: MEDIA_KEY}
TOKEN = "TOKEN-SECRET-graph-456789"
EXPIRES = 4102444800  # 2100-01-01


def graph_error(status: int, code: int, message: str, headers: dict | None = None
                ) -> httpx.Response:
    """A Graph API error answer as Meta sends it."""
    return httpx.Response(status, headers=headers or {}, json={"error": {
        "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}})


def frozen_image(path: Path, fmt: str = "PNG") -> MediaItem:
    """A frozen image file with its sha256 and alt text."""
    Image.new("RGB", (1080, 1350), "navy").save(path, fmt)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return MediaItem(str(path), "Chart: attacks on people returned to Mexico", digest)


class Refs:
    """What the store keeps of each post's `publish_ref`, for publishers called on their own:
    `refs.post(out)` carries the stored reference and a `remember` that stores a new one."""

    def __init__(self) -> None:
        self.stored: dict[str, dict] = {}

    def post(self, out: OutgoingPost) -> OutgoingPost:
        """`out` as the dispatcher would hand it over (reference and `remember`)."""
        return replace(out, publish_ref=self.stored.get(out.id),
                       remember=lambda ref: self.stored.__setitem__(out.id, ref))


class FakeContainers:
    """One account on a container platform: containers, posts and the failures a test asks."""

    def __init__(self, api: str, user: str, create: str, publish: str, recent: str,
                 status_field: str, text_field: str) -> None:
        self.api, self.user = api, user
        self.create, self.publish_edge, self.recent = create, publish, recent
        self.status_field, self.text_field = status_field, text_field
        self.containers: dict[str, dict] = {}
        self.posts: list[dict] = []
        self.publish_calls = 0
        #: the next POST's answer: an error response, or an exception (timeout) to raise
        self.fail_next: httpx.Response | Exception | None = None
        self.lose_publish_answer = False
        #: the account's list of posts lags behind: it shows none yet
        self.recent_lags = False
        self.quota = (0, 100)
        self.statuses_before_ready: list[str] = []
        self.requests: list[httpx.Request] = []

    def install(self, router) -> FakeContainers:  # respx.MockRouter
        """Route every request to the API's host here."""
        router.route(url__startswith=self.api).mock(side_effect=self.handle)
        return self

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.split("/", 2)[2]  # after /v1.0/
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()} \
            if request.method == "POST" else dict(request.url.params)
        if self.fail_next is not None and request.method == "POST":
            failure, self.fail_next = self.fail_next, None
            if isinstance(failure, Exception):
                raise failure
            return failure
        if request.method == "POST" and path == f"{self.user}/{self.create}":
            cid = f"c{len(self.containers) + 1}"
            self.containers[cid] = {"fields": form, "status": "IN_PROGRESS"}
            self.statuses_before_ready = ["IN_PROGRESS"]
            return httpx.Response(200, json={"id": cid})
        if request.method == "POST" and path == f"{self.user}/{self.publish_edge}":
            return self._publish(form["creation_id"])
        if path in self.containers:
            box = self.containers[path]
            if box["status"] == "IN_PROGRESS" and not self.statuses_before_ready:
                box["status"] = "FINISHED"
            elif self.statuses_before_ready:
                self.statuses_before_ready.pop()
            return httpx.Response(200, json={self.status_field: box["status"], "id": path})
        if path == f"{self.user}/{self.recent}":
            return httpx.Response(200, json={"data": [] if self.recent_lags
                                             else self.posts[::-1]})
        if path == f"{self.user}/content_publishing_limit":
            used, total = self.quota
            return httpx.Response(200, json={"data": [{"quota_usage": used,
                                                       "config": {"quota_total": total}}]})
        if path == "debug_token":
            return httpx.Response(200, json={"data": {"is_valid": True,
                                                      "expires_at": EXPIRES}})
        if path in (self.user, "me"):
            return httpx.Response(200, json={"id": "17841", "username": "saveasylum"})
        for post in self.posts:
            if path == post["id"]:
                return httpx.Response(200, json={"id": post["id"],
                                                 "permalink": post["permalink"]})
        return httpx.Response(404, json={"error": {"message": "Unknown path", "code": 100}})

    def _publish(self, creation_id: str) -> httpx.Response:
        self.publish_calls += 1
        box = self.containers.get(creation_id)
        if box is None or box["status"] != "FINISHED":
            return graph_error(400, 9007, "The media is not ready for publishing, or was "
                               "already published")
        box["status"] = "PUBLISHED"
        mid = f"1790{len(self.posts) + 1}"
        fields = box["fields"]
        self.posts.append({"id": mid, self.text_field: fields.get("text")
                           or fields.get("caption"),
                           "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                           "permalink": f"https://example.net/p/{mid}"})
        if self.lose_publish_answer:
            self.lose_publish_answer = False
            raise httpx.ReadTimeout("read timed out")
        return httpx.Response(200, json={"id": mid})
