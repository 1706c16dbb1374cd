"""The one small interface between the dispatcher and every platform.

A publisher knows nothing of the store: it gets an `OutgoingPost` (the frozen text and media of
an approved post, what it remembered of the post on an earlier attempt and a `remember`
callable that writes that to the store), publishes it or says whether it is already there, and
raises the toolkit's
`PublishError`s (`RateLimited`, `TransientError`, `DuplicateError`, `PermanentError`,
`AuthError`) for everything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from toolkit.core.errors import PermanentError

ReconcileStatus = Literal["published", "absent", "unknown"]


@dataclass(frozen=True)
class MediaItem:
    """An image to attach, with its alt text and (for frozen media) the sha256 of its bytes."""

    path: str
    alt: str
    sha256: str | None = None
    #: the frozen bytes as the store holds them (None: read the file at `path`)
    data: bytes | None = field(default=None, repr=False, compare=False)


def read_media(item: MediaItem) -> bytes:
    """The image's bytes, checked against its recorded sha256: the one way publishers read media.

    Frozen images come from the store (`data`, filled in by the dispatcher); an image the store
    does not hold is read from its file (`path`). A frozen image that is missing or whose bytes
    no longer match the hash recorded at approval is a `PermanentError`: what goes out must be
    exactly what the lead approved.
    """
    try:
        data = item.data if item.data is not None else Path(item.path).read_bytes()
    except OSError as exc:
        raise PermanentError(f"image {Path(item.path).name} cannot be read: "
                             f"{exc.strerror or exc.__class__.__name__}") from None
    if item.sha256 and hashlib.sha256(data).hexdigest() != item.sha256:
        raise PermanentError(f"image {Path(item.path).name} does not match the approved image "
                             "(sha256 differs): the frozen copy was changed; re-approve the post")
    return data


@dataclass(frozen=True)
class OutgoingPost:
    """What a publisher needs of a post: ids, exact text, media, and when it was due (UTC)."""

    id: str
    platform: str
    account: str
    text: str
    scheduled_at: datetime
    media: tuple[MediaItem, ...] = ()
    lang: str = "en"
    #: what the publisher remembered of this post on an earlier attempt, on any machine sharing
    #: the store (e.g. `{"container": …}`, `{"rkey": …}`); None before the first attempt
    publish_ref: Mapping[str, Any] | None = field(default=None, compare=False)
    #: `remember(ref)` writes `ref` to the store for this post before the platform call
    #: (committed; raises `NotCreatedError` when the claim was lost). None: nothing to write to
    #: (a dry run, a publisher called on its own)
    remember: Callable[[dict], None] | None = field(default=None, repr=False, compare=False)
    #: when the account was last disconnected (`toolkit accounts disconnect`, any machine): a
    #: saved session signed in before that is never used
    signed_out_at: datetime | None = None


def remember(post: OutgoingPost, ref: dict) -> None:
    """Write `ref` through the post's `remember` callable, where it has one."""
    if post.remember is not None:
        post.remember(ref)


@dataclass(frozen=True)
class PublishResult:
    """Where a post went: the platform's id for it and its public URL (either may be None)."""

    platform_id: str | None = None
    url: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Reconciliation:
    """The answer of `reconcile`: published (with where), absent, or unknown."""

    status: ReconcileStatus
    result: PublishResult | None = None


@runtime_checkable
class Publisher(Protocol):
    """A platform client behind the dispatcher.

    Each class also offers `from_config(config, account, env)`, which the registry calls with
    the class named in `toolkit.core.platforms.PLATFORMS`.
    """

    platform: str

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Publish the post once; raise a `PublishError` subclass on failure."""
        ...

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Say whether the post is already on the platform (after a crash or unknown outcome)."""
        ...

    def who_am_i(self) -> str:
        """The account as the platform names it (checks the keys work): `toolkit accounts test`."""
        ...
