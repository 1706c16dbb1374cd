"""Bluesky record keys: one per post, so a retry can never write a second record.

A key is a TID (13 base32-sortable characters). `record_key` derives it from the post's id and
scheduled time; the first attempt remembers it in the store, and `record_keys` lists every key
a post's record may be under (the remembered one first).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from toolkit.publishers.base import OutgoingPost

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
#: the keys of posts claimed before keys followed the scheduled time (see `legacy_record_key`)
TID_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _tid(micros: int, clock_id: int) -> str:
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (60 - 5 * i)) & 31] for i in range(13))


def _digest(post_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"saveasylum:{post_id}".encode()).digest()[:8], "big")


def record_key(post_id: str, scheduled_at: datetime) -> str:
    """The post's record key: a valid TID (13 base32-sortable characters), the same for the same
    post. Its timestamp is the post's scheduled time plus under a second, so it sits near the
    record's `createdAt`; those microseconds and the 10-bit clock id come from the SHA-256 of the
    id, so two posts scheduled at the same second still get different keys."""
    digest = _digest(post_id)
    seconds = int(scheduled_at.astimezone(UTC).timestamp())
    return _tid(seconds * 1_000_000 + (digest >> 10) % 1_000_000, digest)


def legacy_record_key(post_id: str) -> str:
    """The key an earlier version derived from the id alone (a time in 2024-2025): `reconcile`
    still looks there, so a post claimed before an upgrade is never posted twice."""
    digest = _digest(post_id)
    epoch_us = int(TID_EPOCH.timestamp() * 1_000_000)
    return _tid(epoch_us + (digest >> 10) % (1 << 45), digest)


def record_keys(post: OutgoingPost) -> list[str]:
    """Every key the post's record may be under: the one remembered in the store first, then the
    one derived from its current scheduled time, then the legacy one."""
    keys = [str(post.publish_ref["rkey"])] if (post.publish_ref or {}).get("rkey") else []
    for key in (record_key(post.id, post.scheduled_at), legacy_record_key(post.id)):
        if key not in keys:
            keys.append(key)
    return keys
