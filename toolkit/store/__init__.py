"""The durable queue (SQLAlchemy): posts, audit log, account holds and schema migrations."""

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
from toolkit.store.store import Store, new_post_id, utcnow

__all__ = [
    "APPROVED", "CANCELLED", "DRAFT", "FAILED", "MISSED", "NEEDS_CHECK", "PUBLISHED",
    "PUBLISHING", "STATUSES", "AuditEntry", "NewPost", "Post", "Store", "new_post_id", "utcnow",
]
