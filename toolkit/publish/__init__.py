"""Publishers: one module per platform behind the `Publisher` protocol (see `base.py`)."""

from toolkit.publish.base import (
    MediaItem,
    OutgoingPost,
    Publisher,
    PublishResult,
    Reconciliation,
)

__all__ = ["MediaItem", "OutgoingPost", "PublishResult", "Publisher", "Reconciliation"]
