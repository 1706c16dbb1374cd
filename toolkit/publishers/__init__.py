"""The publishers: the `Publisher` protocol, the outbox, the dry run, X, Bluesky,
Mastodon, Threads, Instagram, Facebook Pages and LinkedIn, their registry, HTTP client, limits
and token lifetimes. They publish and reconcile one post; they never change
the queue. They may import every layer below them.

Publishers: one module per platform behind the `Publisher` protocol (see `base.py`).
"""

from toolkit.publishers.base import (
    MediaItem,
    OutgoingPost,
    Publisher,
    PublishResult,
    Reconciliation,
)

__all__ = ["MediaItem", "OutgoingPost", "PublishResult", "Publisher", "Reconciliation"]
