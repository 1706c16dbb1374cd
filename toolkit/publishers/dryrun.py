"""The dry-run publisher: logs what it would publish and publishes nothing."""

from __future__ import annotations

import logging

from toolkit.publishers.base import OutgoingPost, PublishResult, Reconciliation

log = logging.getLogger("toolkit.publishers.dryrun")


class DryRunPublisher:
    """Logs each post; reconcile always says absent (nothing was ever sent)."""

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Log the post and pretend it went out."""
        log.info("dry run: would publish %s to %s (%d characters, %d images)", post.id,
                 post.platform, len(post.text), len(post.media))
        return PublishResult(platform_id=None, url=None, detail={"dry_run": True})

    def who_am_i(self) -> str:
        """A dry run has no account."""
        return "dry run"

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Nothing is ever published by a dry run."""
        return Reconciliation("absent")
