"""The store: SQLAlchemy tables and named migrations, the `Store` with its reads,
state changes, claims and frozen media, the quick SQLite paths without SQLAlchemy, the review
app's and sign-off tables, and the app's users. It may import the layers below it (`core`,
`library`, `compose`, `graphics`).

The durable queue (SQLAlchemy): posts, audit log, account holds and schema migrations.

`Store` is imported on first use: importing this package for its statuses or records does not
import SQLAlchemy (~0.13 s).
"""

from typing import Any

from toolkit.store.models import (
    APPROVED,
    CANCELLED,
    CHANGES_REQUESTED,
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
    new_post_ids,
)

__all__ = [
    "APPROVED", "CANCELLED", "CHANGES_REQUESTED", "DRAFT", "FAILED", "MISSED", "NEEDS_CHECK",
    "PUBLISHED", "PUBLISHING", "STATUSES", "AuditEntry", "NewPost", "Post", "Store",
    "new_post_ids",
]


def __getattr__(name: str) -> Any:
    """`Store`, from `toolkit.store.store` when first asked for."""
    if name == "Store":
        from toolkit.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'toolkit.store' has no attribute {name!r}")
