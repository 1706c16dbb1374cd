"""The dispatcher: `dispatch_due(now)` claims due posts, publishes them, records the result.

Publishing is at most once, and exactly once wherever the platform lets us prove it:
claim (commit) → call the platform → record the result (commit). A post found in `publishing`
with an expired claim (or one held by a process on this host that no longer runs) is reconciled
through its publisher before anything is retried. A failure that cannot have created the post
(`PublishError.reconcile` false: an upload before the post, a refused connection) is retried after
a backoff at once. When the platform cannot be asked (the reconcile itself fails, e.g. the server
is down) the post stays `publishing` and is asked again after `RECONCILE_BACKOFF` (its record key
or id decides); only after those, or when the platform cannot tell, does it become `needs_check`
and wait for a person, with `last_error` saying why. A rate limit holds back only the affected
account, until its reset time.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from toolkit.core.errors import (
    DuplicateError,
    NotCreatedError,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
)
from toolkit.publishers.base import MediaItem, OutgoingPost, Publisher, PublishResult
from toolkit.store import (
    APPROVED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    PUBLISHED,
    PUBLISHING,
    Post,
    Store,
)
from toolkit.store.ops import signed_out_at

log = logging.getLogger("toolkit.scheduler.dispatch")

DEFAULT_LEASE = timedelta(minutes=5)
RETRY_BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
MAX_ATTEMPTS = 4
#: when the platform could not be asked whether a post went out: ask again after these waits
RECONCILE_BACKOFF = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5),
                     timedelta(minutes=10), timedelta(minutes=20))
#: the audit detail of a reconcile that got no answer (counted per claim)
UNANSWERED = "reconcile unanswered"
#: a rate limit holds an account at least this long (a reset time already past must not spin)
MIN_HOLD = timedelta(seconds=30)
BATCH = 25
#: outcome of a post the fact gate held back just before publishing (it goes back to draft)
HELD_BY_FACTS = "held_by_facts"

#: `fact_check(post, now) -> reason | None`: why a post's facts no longer allow publishing; it
#: raises `FactsUnavailable` when the facts cannot be read at all (then nothing is published),
#: and may have `unavailable(now) -> reason | None` to say so before anything is claimed
FactCheck = Callable[[Post, datetime], str | None]


class FactsUnavailable(Exception):
    """The facts cannot be checked (e.g. the post library does not load): publish nothing."""


def process_owner() -> str:
    """A claim owner name for this process: host, pid, process start time and a random token."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}:{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str) -> bool:
    """Whether a claim owner is a process on this host that no longer runs.

    A claim made on another host is never judged here (its lease decides), and a pid now used by
    a different process (another start time) counts as dead."""
    parts = owner.split(":")
    try:
        host, pid_n = parts[0], int(parts[1])
    except (IndexError, ValueError):
        return False
    if len(parts) not in (3, 4) or host != socket.gethostname() or pid_n == os.getpid():
        return False
    try:
        os.kill(pid_n, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    started = parts[2] if len(parts) == 4 else ""
    if started not in ("", "0") and _start_time(pid_n) not in (started, "0"):
        return True  # the pid was reused by another process
    return _is_zombie(pid_n)


def _proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name ([] where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(pid: int) -> str:
    """When a process started (clock ticks since boot, from /proc), or "0" when unknown."""
    fields = _proc_stat(pid)
    return fields[19] if len(fields) > 19 else "0"


def _is_zombie(pid: int) -> bool:
    fields = _proc_stat(pid)
    return bool(fields) and fields[0] == "Z"


def outgoing(post: Post, store: Store | None = None, owner: str | None = None
             ) -> OutgoingPost:
    """What a publisher sees of a stored post: its frozen images' bytes read from `store`, what
    its publisher remembered on an earlier attempt, when its account was last disconnected, and
    (with the claim's `owner`) a `remember` that writes a new reference under that claim."""
    if store is None:
        return OutgoingPost(post.id, post.platform, post.account, post.text,
                            post.scheduled_at, _media(post, {}), post.lang)
    stored = store.frozen_images([m["sha256"] for m in post.media if m.get("sha256")]) \
        if post.media else {}
    return OutgoingPost(post.id, post.platform, post.account, post.text, post.scheduled_at,
                        _media(post, stored), post.lang, publish_ref=store.publish_ref(post.id),
                        remember=_rememberer(store, post.id, owner) if owner else None,
                        signed_out_at=signed_out_at(store, post.account))


def _media(post: Post, stored: dict[str, bytes]) -> tuple[MediaItem, ...]:
    return tuple(MediaItem(m["path"], m.get("alt", ""), m.get("sha256"),
                           stored.get(m.get("sha256") or ""))
                 for m in post.media)


def _rememberer(store: Store, post_id: str, owner: str) -> Callable[[dict], None]:
    """`remember(ref)` for a post `owner` has claimed: written and committed before the
    platform call; a lost claim stops the publish before anything is sent."""
    def remember(ref: dict) -> None:
        if not store.remember_publish_ref(post_id, owner, ref):
            raise NotCreatedError(f"post {post_id}: the claim was taken over by another "
                                  "scheduler; nothing was sent")
    return remember


@dataclass
class Outcome:
    """What happened to one post in one dispatch run."""

    post_id: str
    status: str
    held: bool = False


def outcome_summary(outcomes: list[Outcome]) -> str:
    """Counts per outcome, e.g. `published 2, missed 1, failed 0, needs_check 0, held by rate
    limit 0` (plus posts held by the fact gate or retried later, when there are any). A post
    counts once, by where it ended: one whose stale claim was found absent and which then went
    out in the same run is published, not also left to retry."""
    counts = dict.fromkeys(("published", "missed", "failed", "needs_check",
                            "held by rate limit"), 0)
    for o in {o.post_id: o for o in outcomes}.values():
        key = ("held by rate limit" if o.held else
               "held by the fact gate (back to draft)" if o.status == HELD_BY_FACTS else
               "to retry later" if o.status == APPROVED else
               "to reconcile later" if o.status == PUBLISHING else
               o.status.replace("_lost", " lost"))
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key} {n}" for key, n in counts.items())


@dataclass
class Dispatcher:
    """Moves due posts from the store to their publishers."""

    store: Store
    publishers: dict[str, Publisher]
    max_lateness: timedelta = timedelta(hours=1)
    owner: str = field(default_factory=process_owner)
    lease: timedelta = DEFAULT_LEASE
    stop_requested: object = None  # an object with is_set(), e.g. threading.Event
    dry_run: bool = False  # hand due posts to the publishers, change nothing in the store
    #: asked just before each publish; a reason sends the post back to draft (built by runner)
    fact_check: FactCheck | None = None
    #: why the last run published nothing because the facts could not be read (None: they could)
    facts_unavailable: str | None = None

    def _dry_run(self, now: datetime) -> list[Outcome]:
        due = [p for p in self.store.list([APPROVED], start=now - self.max_lateness, end=now)
               if p.account in self.publishers]
        for post in due:
            self.publishers[post.account].publish(outgoing(post, self.store))
        return [Outcome(p.id, "dry_run") for p in due]

    def dispatch_due(self, now: datetime) -> list[Outcome]:
        """Reconcile stale claims, mark late posts missed, then publish what is due at `now`."""
        if self.dry_run:
            return self._dry_run(now)
        outcomes = self.reconcile_stale(now)
        outcomes += self.mark_missed(now)
        probe = getattr(self.fact_check, "unavailable", None)
        self.facts_unavailable = probe(now) if probe is not None else None
        if self.facts_unavailable:  # fail closed: due posts stay approved, unclaimed
            return outcomes
        while not self._stopping():
            held = list(self.store.holds(now))
            # the lease runs on the real clock, so a long run never claims already-expired posts
            lease_end = max(now, datetime.now(UTC)) + self.lease - now
            batch = self.store.claim_due(now, self.owner, lease_end, BATCH, held)
            if not batch:
                break
            for i, post in enumerate(batch):
                if self._stopping():  # finish the in-flight publish, release the rest
                    self._release(batch[i:], now)
                    return outcomes
                if post.account in held:  # rate limited earlier in this batch
                    self._release([post], now, "released: account rate limited")
                    continue
                try:
                    outcome = self._publish(post, now)
                except FactsUnavailable as exc:  # the library broke during this run
                    self.facts_unavailable = str(exc)
                    self._release(batch[i:], now, f"released: {exc}")
                    return outcomes
                if outcome.held:
                    held.append(post.account)
                outcomes.append(outcome)
        return outcomes

    def _stopping(self) -> bool:
        return bool(self.stop_requested is not None and self.stop_requested.is_set())

    def _release(self, posts: list[Post], now: datetime,
                 why: str = "released before publishing (stopping)") -> None:
        for post in posts:
            self._move(post, APPROVED, now, why,
                       attempts=max(post.attempts - 1, 0), claim_owner=None,
                       claim_expires_at=None)

    def mark_missed(self, now: datetime) -> list[Outcome]:
        """Approved posts later than `max_lateness` become `missed` and wait for a person."""
        late = [p for p in self.store.list([APPROVED], end=now - self.max_lateness)]
        moved = self.store.transition_many(
            [(p.id, APPROVED, {"last_error": "too late to publish (after an outage?)"})
             for p in late], MISSED, self.owner, now, "later than max_lateness")
        for pid in moved:
            log.warning("post %s missed its time; it waits for a person", pid)
        return [Outcome(pid, MISSED) for pid in moved]

    def reconcile_stale(self, now: datetime) -> list[Outcome]:
        """Decide posts left in `publishing` by a crash before anything is retried."""
        outcomes = []
        for post in self.store.stale_claims(now, owner_is_dead):
            if not self.store.take_over_claim(post, self.owner, now, self.lease):
                continue
            outcomes.append(self._reconcile(post, now, "stale claim"))
        return outcomes

    def _reconcile(self, post: Post, now: datetime, why: str) -> Outcome:
        publisher = self.publishers.get(post.account)
        if publisher is None:
            return self._move(post, NEEDS_CHECK, now, f"{why}: no publisher for account")
        try:
            answer = publisher.reconcile(outgoing(post, self.store, self.owner))
        except RateLimited as exc:  # ask again once the account's limit resets
            until = self._hold(post.account, exc, now)
            out = self._move(post, PUBLISHING, now, f"{why}: reconcile rate limited; asking "
                             f"again after {until.isoformat()}", claim_expires_at=until)
            out.held = True
            return out
        except PermanentError as exc:  # e.g. the keys were revoked: a person must act
            detail = f"{why}: reconcile failed: {exc.message}"
            return self._move(post, NEEDS_CHECK, now, detail, last_error=detail)
        except PublishError as exc:
            return self._reconcile_later(post, now, why, exc)
        except Exception as exc:  # a bug or an odd answer: never stop the run, ask again
            log.exception("post %s: unexpected error while reconciling", post.id)
            return self._reconcile_later(post, now, why, TransientError(
                f"unexpected {exc.__class__.__name__} while asking the platform"))
        if answer.status == "published":
            return self._published(post, answer.result or PublishResult(), now, f"{why}: found")
        if answer.status == "absent":
            return self._retry(post, now, f"{why}: not on the platform, retrying",
                               stale=why == "stale claim")
        detail = f"{why}: the platform cannot tell"
        return self._move(post, NEEDS_CHECK, now, detail, last_error=detail)

    def _reconcile_later(self, post: Post, now: datetime, why: str, exc: PublishError
                         ) -> Outcome:
        """The platform could not be asked: keep the claim and ask again after a backoff (the
        claim's expiry brings it back to `reconcile_stale`); after the last wait, a person."""
        tries = self._unanswered(post.id)
        if tries >= len(RECONCILE_BACKOFF):
            detail = (f"{why}: the platform could not be asked {tries + 1} times "
                      f"({exc.message}); check the platform, then resolve the post")
            return self._move(post, NEEDS_CHECK, now, detail, last_error=detail)
        until = now + RECONCILE_BACKOFF[tries]
        detail = (f"{UNANSWERED} ({tries + 1} of {len(RECONCILE_BACKOFF)}): {why}: "
                  f"{exc.message}; asking again after {until.isoformat()}")
        log.warning("post %s: %s", post.id, detail)
        return self._move(post, PUBLISHING, now, detail, claim_expires_at=until,
                          last_error=detail)

    def _unanswered(self, post_id: str) -> int:
        """Reconciles of the post's current claim that got no answer."""
        tries = 0
        for entry in self.store.audit_log(post_id):
            if entry.to_status == PUBLISHING and entry.from_status == APPROVED:
                tries = 0  # a new claim
            elif (entry.detail or "").startswith(UNANSWERED):
                tries += 1
        return tries

    def _facts_hold(self, post: Post, now: datetime) -> Outcome | None:
        """Back to draft, reason kept, when a fact the post rests on is no longer fit."""
        reason = self.fact_check(post, now) if self.fact_check is not None else None
        if not reason:
            return None
        detail = f"held by the fact gate: {reason}; approve it again once confirmed"
        log.warning("post %s %s", post.id, detail)
        out = self._move(post, DRAFT, now, detail, last_error=detail, claim_owner=None,
                         claim_expires_at=None, attempts=max(post.attempts - 1, 0))
        if out.status == DRAFT:
            out.status = HELD_BY_FACTS
        return out

    def _publish(self, post: Post, now: datetime) -> Outcome:
        held = self._facts_hold(post, now)
        if held is not None:
            return held
        publisher = self.publishers.get(post.account)
        if publisher is None:
            return self._move(post, FAILED, now, "no publisher for this account",
                              last_error=f"no publisher configured for account {post.account}")
        called = datetime.now(now.tzinfo)
        try:
            result = publisher.publish(outgoing(post, self.store, self.owner))
        except RateLimited as exc:
            self._hold(post.account, exc, now)
            out = self._move(post, APPROVED, now, f"rate limited: {exc.message}",
                             claim_owner=None, claim_expires_at=None,
                             attempts=max(post.attempts - 1, 0), last_error=exc.message)
            out.held = True
            return out
        except DuplicateError as exc:
            out = self._reconcile(post, now, f"duplicate reported ({exc.message})")
            if out.status not in (PUBLISHED, PUBLISHING):
                return self._move(self.store.get(post.id), NEEDS_CHECK, now,
                                  "platform says duplicate but reconcile could not find it")
            return out
        except PermanentError as exc:
            return self._move(post, FAILED, now, exc.message, last_error=exc.message)
        except PublishError as exc:
            if not exc.reconcile:  # it cannot have created the post: retry after a backoff
                log.warning("post %s: %s; retrying later", post.id, exc.message)
                return self._retry(post, now, f"not created: {exc.message}")
            # transient: outcome unknown, ask the platform first
            log.warning("post %s: %s; reconciling before any retry", post.id, exc.message)
            return self._reconcile(post, now, f"after error ({exc.message})")
        except Exception as exc:  # a bug or an OS error: outcome unknown, same as transient
            log.exception("post %s: unexpected error while publishing", post.id)
            return self._reconcile(post, now, f"after unexpected {exc.__class__.__name__}")
        lateness = called - post.scheduled_at
        return self._published(post, result, now, "published", lateness)

    def _published(self, post: Post, result: PublishResult, now: datetime, detail: str,
                   lateness: timedelta | None = None) -> Outcome:
        out = self._move(post, PUBLISHED, now, detail, platform_post_id=result.platform_id,
                         url=result.url, published_at=now, claim_owner=None,
                         claim_expires_at=None, last_error=None)
        late_ms = f"{lateness.total_seconds() * 1000:.0f} ms" if lateness is not None else "-"
        log.info("published post %s to %s (%s) -> %s, late %s", post.id, post.platform,
                 post.account, result.url or "(no url)", late_ms)
        return out

    def _retry(self, post: Post, now: datetime, detail: str, stale: bool = False) -> Outcome:
        """Back to approved: at once after a crash (the platform never saw it, so the attempt
        does not count), or after a backoff when the platform failed."""
        if stale:
            return self._move(post, APPROVED, now, detail, attempts=max(post.attempts - 1, 0),
                              not_before=None, claim_owner=None, claim_expires_at=None)
        if post.attempts >= MAX_ATTEMPTS:
            return self._move(post, FAILED, now, f"{detail}; gave up after {post.attempts}",
                              last_error=detail)
        delay = RETRY_BACKOFF[min(max(post.attempts - 1, 0), len(RETRY_BACKOFF) - 1)]
        return self._move(post, APPROVED, now, detail, not_before=now + delay,
                          claim_owner=None, claim_expires_at=None, last_error=detail)

    def _hold(self, account: str, exc: RateLimited, now: datetime) -> datetime:
        until = max(exc.retry_after or now + timedelta(minutes=15), now + MIN_HOLD)
        self.store.hold_account(account, until, exc.message)
        log.warning("account %s is rate limited until %s", account, until.isoformat())
        return until

    def _move(self, post: Post, to: str, now: datetime, detail: str, **values: object
              ) -> Outcome:
        owned = self.owner if post.status == PUBLISHING else None
        moved = self.store.transition_many([(post.id, post.status, values)], to, self.owner,
                                           now, detail, owner=owned)
        if not moved:
            log.warning("post %s: claim lost to another dispatcher; left as it is", post.id)
            return Outcome(post.id, "claim_lost")
        if to in (FAILED, NEEDS_CHECK):
            log.error("post %s -> %s: %s", post.id, to, detail)
        return Outcome(post.id, to)
