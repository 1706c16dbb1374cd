"""Publishing through a media container (Threads, Instagram): create → wait → publish, exactly once.

1. The container is created with the post's text (caption) and the frozen image's public URL
   (`toolkit.store.public_media`) and alt text; the platform fetches the image itself.
2. Its id is remembered in the store (`OutgoingPost.remember`: the post's `publish_ref`,
   committed under the dispatcher's claim) **before** the publish call, so a publish call is
   only ever made for a container every scheduler sharing the store can see. The reference
   names what the container was built from (`digest`: text, image hashes, alt texts): a post
   edited and approved again after a failure never publishes its old container.
3. The publish call turns the container into the post. After a lost answer, `reconcile` (on any
   machine) asks the remembered container's status: `PUBLISHED` settles it as published
   (exactly once); `FINISHED` or `IN_PROGRESS` means not published, and the retry publishes the
   same container (a container is published at most once by the platform); `EXPIRED` or
   `ERROR` means absent and the retry builds a new one. Without a reference the publish call was
   never made through the store: for a post whose container an earlier version recorded in this
   machine's `containers/<post id>.json` that file is still read; with neither, the account's
   recent posts decide (text match), as for Facebook and LinkedIn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.compose.instances import read_json, state_dir, state_file
from toolkit.core.config import Account, Config
from toolkit.core.errors import AuthError, DuplicateError, PermanentError, TransientError
from toolkit.core.platforms import PlatformInfo
from toolkit.publishers.base import (
    OutgoingPost,
    PublishResult,
    Reconciliation,
    read_media,
    remember,
)
from toolkit.publishers.http import PlatformHttp, debug_token_expiry
from toolkit.publishers.limits import check_media
from toolkit.publishers.textmatch import find_post, settle, window_start
from toolkit.store import public_media

log = logging.getLogger("toolkit.publishers.containers")

#: where an earlier version recorded containers on one machine (still read, never written)
CONTAINERS = "containers"
#: a container still processing is asked this many times, `POLL_SECONDS` apart
POLL_ATTEMPTS = 10
POLL_SECONDS = 3.0
RECENT_PAGE = 25
NOT_PUBLISHED = {"FINISHED", "IN_PROGRESS"}
DEAD = {"EXPIRED", "ERROR"}


def built_from(post: OutgoingPost) -> str:
    """A digest of what a container is built from: the text and each image's hash and alt."""
    parts = [post.text, [(m.sha256, m.alt) for m in post.media]]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class ContainerPublisher:
    """The shared flow; a platform names its host, edges and fields (see `ThreadsPublisher`)."""

    platform = ""
    info: PlatformInfo
    #: the Graph host with its version, e.g. https://graph.threads.net/v1.0
    api = ""
    #: the user's edges that create and publish a container
    create_edge = ""
    publish_edge = ""
    status_field = "status"
    text_field = "text"
    #: the recent-posts edge and the fields it is read with
    recent_edge = ""
    recent_fields = ""

    def __init__(self, account: Account, user_id: str, access_token: str, *, state: Path,
                 base_url: str, env: Mapping[str, str],
                 sleep: Callable[[float], Any] = time.sleep) -> None:
        self.account = account
        self.user_id = user_id
        self._token = access_token
        self.state = Path(state)
        self.base_url = base_url
        self._env = env
        self._sleep = sleep
        names = ", ".join(account.env.get(r, r) for r in self.info.keys)
        self.http = PlatformHttp(self.info.title, self.reconnect_hint.format(names=names))
        self._me: dict | None = None

    reconnect_hint = "{names}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account={self.account.name!r})"

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> ContainerPublisher:
        """The publisher for `account`: token (and user id) from the environment, earlier
        versions' container records beside the store, image URLs on the review app's public
        address."""
        user = env[account.env["user_id"]].strip() if "user_id" in cls.info.keys else "me"
        return cls(account, user, env[account.env["access_token"]].strip(),
                   state=state_dir(config), base_url=config.web.base_url, env=env)

    # -- requests ------------------------------------------------------------------------------

    def _get(self, path: str, action: str, **params: Any) -> dict:
        return self.http.json("GET", f"{self.api}/{path}", action,
                              params={**params, "access_token": self._token})

    def _post(self, path: str, action: str, **data: Any) -> dict:
        return self.http.json("POST", f"{self.api}/{path}", action,
                              data={**{k: v for k, v in data.items() if v is not None},
                                    "access_token": self._token})

    # -- the container reference -------------------------------------------------------------

    def _legacy_path(self, post_id: str) -> Path:
        return state_file(self.state, CONTAINERS, post_id)

    def recorded(self, post: OutgoingPost) -> tuple[str, str | None] | None:
        """(container id, digest it was built from) remembered for a post before its publish
        call: from the store (any machine), else from a record an earlier version wrote on this
        machine; None when there is neither."""
        ref = post.publish_ref or {}
        if ref.get("container"):
            return str(ref["container"]), ref.get("digest")
        legacy = read_json(self._legacy_path(post.id)) or {}
        if legacy.get("container_id"):
            return str(legacy["container_id"]), legacy.get("built_from")
        return None

    def _forget_legacy(self, post_id: str) -> None:
        self._legacy_path(post_id).unlink(missing_ok=True)

    # -- the Publisher protocol ----------------------------------------------------------------

    def check(self, post: OutgoingPost) -> None:
        """Refuse, before any network call, what the platform would refuse."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        check_media(post.media, self.info)
        if post.media:
            why = public_media.unavailable(self.base_url, self._env)
            if why:
                raise PermanentError(f"{self.info.title} post {post.id}: {why}")

    def image_url(self, post: OutgoingPost) -> str:
        """The public URL the platform fetches the post's (first) frozen image from."""
        item = post.media[0]
        return public_media.image_url(self.base_url, self._env, post.id, 0, item.sha256 or "",
                                      item.path)

    def container_fields(self, post: OutgoingPost) -> dict:
        """The creation call's fields (text, image URL, alt text) for the platform."""
        raise NotImplementedError

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Create the container (or reuse the remembered one), remember it in the store, wait
        until it is ready, publish it once."""
        self.check(post)
        for item in post.media:
            read_media(item)  # the frozen bytes still match what was approved
        digest = built_from(post)
        recorded = self.recorded(post)
        container = recorded[0] if recorded else None
        if recorded is not None:
            status = self._status(recorded[0])
            if status == "PUBLISHED":
                if self._edited_since(recorded, digest):  # reconcile says so to a person
                    raise DuplicateError(self._other_words(post, recorded[0]))
                return self._found(post, recorded[0])
            if status in DEAD or (recorded[1] and recorded[1] != digest):
                self._forget_legacy(post.id)  # never publish stale words: build anew
                container = None
        if container is None:
            created = self._post(f"{self.user_id}/{self.create_edge}", "the media container",
                                 **self.container_fields(post))
            container = str(created.get("id") or "")
            if not container:
                raise PermanentError(f"{self.info.title} answered the container without an id")
        if (post.publish_ref or {}).get("container") != container:  # new, or only on this disk
            remember(post, {"container": container, "digest": digest})
        self._wait_until_ready(container)
        try:
            answer = self._post(f"{self.user_id}/{self.publish_edge}", "the publish call",
                                creation_id=container)
        except PermanentError as exc:  # e.g. "already published": the container says
            if isinstance(exc, AuthError) or self._status(container) != "PUBLISHED":
                raise
            return self._found(post, container)
        media_id = str(answer.get("id") or "")
        if not media_id:
            raise TransientError(f"{self.info.title} answered the publish call without an id; "
                                 "the outcome is unknown")
        log.info("%s: post %s published as %s", self.platform, post.id, media_id)
        return PublishResult(media_id, self._permalink(media_id), {"container_id": container})

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Settled by the remembered container's status (whichever machine remembered it);
        without a reference, by recent posts."""
        recorded = self.recorded(post)
        if recorded is None:
            return self._by_recent_posts(post)
        status = self._status(recorded[0])
        if status == "PUBLISHED":
            if self._edited_since(recorded, built_from(post)):
                raise PermanentError(self._other_words(post, recorded[0]))
            return Reconciliation("published", self._found(post, recorded[0]))
        return Reconciliation("absent")

    @staticmethod
    def _edited_since(recorded: tuple[str, str | None], digest: str) -> bool:
        """Whether the remembered container was built from other words or images than the
        post has now (it was edited and approved again after that attempt)."""
        return bool(recorded[1]) and recorded[1] != digest

    def _other_words(self, post: OutgoingPost, container: str) -> str:
        return (f"{self.info.title} published container {container} of post {post.id} with "
                "other words or images than it has now (it was edited after that attempt): "
                "check the account, then resolve the post")

    def _status(self, container: str) -> str:
        body = self._get(container, "the container's status",
                         fields=f"{self.status_field},id")
        return str(body.get(self.status_field) or "").upper()

    def _wait_until_ready(self, container: str) -> None:
        for attempt in range(POLL_ATTEMPTS + 1):
            status = self._status(container)
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in DEAD:
                raise PermanentError(f"{self.info.title} could not prepare the post "
                                     f"(container {status})")
            if attempt < POLL_ATTEMPTS:
                self._sleep(POLL_SECONDS)
        raise TransientError(f"{self.info.title} still prepares container {container}; "
                             "the outcome is unknown")

    def _found(self, post: OutgoingPost, container: str) -> PublishResult:
        """A published container's post: its id and link from the recent posts when found."""
        try:
            match = self._recent_match(post)
        except PermanentError:
            match = None
        if match is None:
            return PublishResult(None, None, {"container_id": container})
        return PublishResult(str(match.get("id")), match.get("permalink"),
                             {"container_id": container})

    def _recent(self) -> list[dict]:
        body = self._get(f"{self.user_id}/{self.recent_edge}", "reading the account's posts",
                         fields=self.recent_fields, limit=RECENT_PAGE)
        return [d for d in body.get("data") or [] if isinstance(d, dict)]

    def _recent_match(self, post: OutgoingPost) -> Mapping[str, Any] | None:
        return find_post(post.text, self._recent(), window_start(post.scheduled_at),
                         text_key=self.text_field, time_key="timestamp")

    def _by_recent_posts(self, post: OutgoingPost) -> Reconciliation:
        return settle(post, self._recent(), RECENT_PAGE, text_key=self.text_field,
                      time_key="timestamp",
                      result=lambda m: PublishResult(str(m.get("id")), m.get("permalink")))

    def _permalink(self, media_id: str) -> str | None:
        try:
            return self._get(media_id, "the post's link", fields="permalink").get("permalink")
        except PermanentError:
            return None  # the post is out: never fail it for its link

    # -- the account ---------------------------------------------------------------------------

    def who_am_i(self) -> str:
        """The account's username (checks the token works); `token_expiry` tells its life."""
        raise NotImplementedError

    def token_expiry(self) -> tuple[bool, datetime | None]:
        """(known, when) of the token's expiry, from `debug_token`."""
        return debug_token_expiry(self.http, self.api, self._token)
