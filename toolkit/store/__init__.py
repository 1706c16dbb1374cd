"""The durable queue (SQLAlchemy): posts, audit log, account holds and schema migrations.

`Store`, `new_post_id` and `utcnow` are imported on first use: importing this package for its
statuses or records does not import SQLAlchemy (~0.1 s).
"""

from typing import Any

from toolkit.store.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    PUBLISHED,
    PUBLISHING,
    STATUSES,
    AuditEntry,
    NewPost,
    Post,
)

__all__ = [
    "APPROVED", "CANCELLED", "DRAFT", "FAILED", "MISSED", "NEEDS_CHECK", "PUBLISHED",
    "PUBLISHING", "STATUSES", "AuditEntry", "NewPost", "Post", "Store", "new_post_id", "utcnow",
]


def __getattr__(name: str) -> Any:
    """`Store`, `new_post_id` and `utcnow`, from `toolkit.store.store` when first asked for."""
    if name in ("Store", "new_post_id", "utcnow"):
        from toolkit.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'toolkit.store' has no attribute {name!r}")
