"""The optional four-eyes rule (`review.second_person: true`): nobody approves a post they
queued themselves. Who queued a post is read from its audit log."""

from __future__ import annotations

from toolkit.config import Config
from toolkit.store import Store


def queued_by(store: Store, post_id: str) -> str | None:
    """The actor of the post's first audit entry (the one that queued it)."""
    log = store.audit_log(post_id)
    return log[0].actor if log else None


def four_eyes_refusal(config: Config, store: Store, post_id: str, approver: str) -> str | None:
    """Why `approver` may not approve the post under the four-eyes rule, or None."""
    if not config.second_person:
        return None
    if queued_by(store, post_id) == approver:
        return ("four-eyes rule: you queued this post yourself, so another lead must approve it "
                "(review.second_person)")
    return None
