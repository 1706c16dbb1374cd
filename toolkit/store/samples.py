"""Engagement samples in the store: which are due, writing them once, reading them for reports.

A sample is one row per post and sample time after publishing (`offset_s`); its primary key
makes writing the same sample twice (a collection interrupted after the write, then run again)
a no-op, so nothing is lost and nothing counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from toolkit.store.models import PUBLISHED, SAMPLE_DELETED, SAMPLE_MISSED, SAMPLE_OK
from toolkit.store.reportrows import REPORT_COLUMNS
from toolkit.store.store import Store
from toolkit.store.tables import posts, samples

OK, DELETED, MISSED = SAMPLE_OK, SAMPLE_DELETED, SAMPLE_MISSED
#: platforms whose public counts can be read
COUNTED_PLATFORMS = ("bluesky", "mastodon", "x")


@dataclass(frozen=True)
class DueSample:
    """A sample to take: the post, where it lives, and which sample time it is for."""

    post_id: str
    platform: str
    account: str
    platform_post_id: str
    offset: timedelta
    due_at: datetime


@dataclass(frozen=True)
class Sample:
    """One sample as written: counts (None where the platform has none) or a state."""

    post_id: str
    offset: timedelta
    taken_at: datetime
    state: str = OK
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None

    def row(self) -> dict:
        """The `samples` row."""
        return {"post_id": self.post_id, "offset_s": int(self.offset.total_seconds()),
                "taken_at": self.taken_at, "state": self.state, "likes": self.likes,
                "reposts": self.reposts, "replies": self.replies, "quotes": self.quotes}


def late_after(offset: timedelta) -> timedelta:
    """How long after its time a sample may still be taken (half the offset, at least an
    hour): a +1 h sample read three days later would say something else."""
    return max(offset / 2, timedelta(hours=1))


def due_samples(store: Store, now: datetime, offsets: Sequence[timedelta]
                ) -> tuple[list[DueSample], list[DueSample]]:
    """(due, too late): the samples of published posts whose time has come and that are not
    written yet, and those whose time passed more than `late_after` ago. A post recorded as
    deleted is never due again; one the outbox took in its platform's stead never is."""
    if not offsets:
        return [], []
    oldest = now - max(o + late_after(o) for o in offsets) - timedelta(days=1)
    with store.engine.connect() as conn:
        rows = conn.execute(select(
            posts.c.id, posts.c.platform, posts.c.account, posts.c.platform_post_id,
            posts.c.published_at).where(
            posts.c.status == PUBLISHED, posts.c.published_at.is_not(None),
            posts.c.published_at <= now - min(offsets), posts.c.published_at >= oldest,
            posts.c.platform.in_(COUNTED_PLATFORMS), posts.c.platform_post_id.is_not(None),
            # a post that went to the outbox (an account without keys) is not on the platform
            or_(posts.c.url.is_(None), ~posts.c.url.like("file:%")),
        )).all()
        taken: dict[str, dict[int, str]] = {}
        ids = [r.id for r in rows]
        for i in range(0, len(ids), 500):
            for s in conn.execute(select(samples.c.post_id, samples.c.offset_s, samples.c.state)
                                  .where(samples.c.post_id.in_(ids[i:i + 500]))):
                taken.setdefault(s.post_id, {})[s.offset_s] = s.state
    due, late = [], []
    for r in rows:
        have = taken.get(r.id, {})
        if DELETED in have.values():
            continue
        for o in offsets:
            at = r.published_at + o
            if int(o.total_seconds()) in have or at > now:
                continue
            item = DueSample(r.id, r.platform, r.account, r.platform_post_id, o, at)
            (late if now - at > late_after(o) else due).append(item)
    return due, late


def write_samples(store: Store, items: Iterable[Sample]) -> int:
    """Write samples in one transaction, skipping any already written; the number written."""
    rows = [s.row() for s in items]
    if not rows:
        return 0
    if store.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(samples).on_conflict_do_nothing(
        index_elements=["post_id", "offset_s"]).returning(samples.c.post_id)
    with store._write() as conn:  # the rows returned are the ones written
        return len(conn.execute(stmt, rows).all())


def published_with_samples(store: Store, since: datetime | None = None
                           ) -> tuple[list[dict], list[dict]]:
    """(posts, samples) for reports, as dicts: every published post (published since
    `since`, when given) and every sample of those posts."""
    cond = [posts.c.status == PUBLISHED]
    if since is not None:
        cond.append(posts.c.published_at >= since)
    cols = [posts.c[name] for name in REPORT_COLUMNS]
    with store.engine.connect() as conn:
        post_rows = [dict(r._mapping) for r in conn.execute(select(*cols).where(*cond))]
        sample_rows = [dict(r._mapping) for r in conn.execute(
            select(samples).join(posts, and_(posts.c.id == samples.c.post_id, *cond)))]
    return post_rows, sample_rows
