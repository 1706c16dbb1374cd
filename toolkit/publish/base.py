"""The one small interface between the dispatcher and every platform.

A publisher knows nothing of the store: it gets an `OutgoingPost` (the frozen text and media of
an approved post), publishes it or says whether it is already there, and raises the toolkit's
`PublishError`s (`RateLimited`, `TransientError`, `DuplicateError`, `PermanentError`,
`AuthError`) for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

ReconcileStatus = Literal["published", "absent", "unknown"]


@dataclass(frozen=True)
class MediaItem:
    """An image to attach, with its alt text."""

    path: str
    alt: str


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
    """A platform client behind the dispatcher."""

    platform: str

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Publish the post once; raise a `PublishError` subclass on failure."""
        ...

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Say whether the post is already on the platform (after a crash or unknown outcome)."""
        ...
