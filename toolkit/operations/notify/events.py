"""Events worth a person's attention, derived from the store (never hooked into dispatch).

Post events come from the audit log, scanned from a mark kept in the store: a post that became
`failed`, `missed`, `needs_check` or `changes_requested` (a failure whose reason says the
platform rejected the account's keys is an `auth` event for the account), or a draft that
waits for approval (`review_requested`). Account events come from the rate-limit holds and
the daily and monthly caps; a `library` event from a post library that does not load, a `site`
event from a built share kit past its valid-until date, a `token_expiry` event from an
account's token that expires within 7 days. Each event has a key; a key is
notified once per channel.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from toolkit.core.config import Config
from toolkit.library.loader import library_error
from toolkit.operations.insights.report import PostStats
from toolkit.pages.site.validity import site_expired
from toolkit.store import CHANGES_REQUESTED, DRAFT, FAILED, MISSED, NEEDS_CHECK, Post, Store
from toolkit.store.models import APPROVED, COUNTED
from toolkit.store.ops import audit_since, status_counts

#: the statuses in which a post waits for a person
WAITING = (FAILED, MISSED, NEEDS_CHECK)
#: the statuses a post event is told for: waiting for a person, or sent back to its author
TOLD = (*WAITING, CHANGES_REQUESTED)
#: a post that became a draft (queued, resubmitted, sent back to draft) and still is one
#: waits for a lead's approval: `review_requested`, told in one message per run
REVIEW = "review_requested"
#: a rate limit held longer than this is worth telling
LONG_HOLD = timedelta(hours=1)
#: a token that expires within this is told (Meta's and LinkedIn's tokens last about 60 days)
TOKEN_WARNING = timedelta(days=7)
#: how the publishers word a rejected key (X: 401 "reconnect the account")
AUTH_HINT = re.compile(r"reconnect|rejected the account's keys|\b401\b|unauthori[sz]ed",
                       re.IGNORECASE)


@dataclass(frozen=True)
class QuotaPass:
    """A daily or monthly cap that tomorrow's posts pass."""

    scope: str  # "day" or "month"
    count: int
    cap: int
    day: date


@dataclass(frozen=True)
class Event:
    """One thing a person should hear about; `key` makes it once-only per channel."""

    kind: str
    key: str
    post: Post | None = None
    account: str | None = None
    detail: str | None = None
    until: datetime | None = None
    quota: QuotaPass | None = None


@dataclass
class Digest:
    """The daily summary: tomorrow's posts and whatever waits for a person."""

    today: date
    tomorrow: date
    tomorrow_posts: list[Post] = field(default_factory=list)
    waiting: list[Post] = field(default_factory=list)
    held: dict[str, datetime] = field(default_factory=dict)
    #: drafts waiting for a lead's approval (any day)
    drafts: int = 0
    #: yesterday's post with the most engagements at its latest sample (issue 26), if any
    best: PostStats | None = None


def post_events(store: Store, after_id: int) -> tuple[list[Event], int]:
    """Events for posts that entered a waiting status after audit id `after_id`, and the new
    mark."""
    rows, last = audit_since(store, after_id, (*TOLD, DRAFT))
    if not rows:
        return [], last
    ids = sorted({r.post_id for r in rows})
    found = {p.id: p for i in range(0, len(ids), 500) for p in store.list(ids=ids[i:i + 500])}
    events = []
    for r in rows:
        post = found.get(r.post_id)
        if post is None:
            continue
        if r.to_status == DRAFT:
            if post.status == DRAFT:  # approved (or gone) meanwhile: nobody need look
                events.append(Event(REVIEW, f"{REVIEW}:{post.id}:{r.id}", post, post.account,
                                    r.detail))
        elif r.to_status == FAILED and AUTH_HINT.search(r.detail or ""):
            day = r.at.date().isoformat()
            events.append(Event("auth", f"auth:{post.account}:{day}", post, post.account,
                                r.detail))
        else:
            events.append(Event(r.to_status, f"{r.to_status}:{post.id}:{r.id}", post,
                                post.account, r.detail))
    return events, last


def hold_events(store: Store, now: datetime) -> list[Event]:
    """Accounts a platform holds back for more than an hour from `now`."""
    return [Event("rate_limited", f"rate_limited:{account}:{until:%Y%m%d%H}", None, account,
                  until=until)
            for account, until in sorted(store.holds(now).items()) if until - now > LONG_HOLD]


def quota_events(config: Config, store: Store, now: datetime) -> list[Event]:
    """Daily or monthly caps that the posts scheduled for tomorrow pass."""
    capped = {a.name: a for a in config.accounts.values() if a.daily_cap or a.monthly_cap}
    if not capped:
        return []
    tz = config.timezone
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    month_start = datetime.combine(tomorrow.replace(day=1), time(0), tz)
    counts: dict[str, list[date]] = {name: [] for name in capped}
    for account, at in store.account_times(list(COUNTED), month_start, list(capped)):
        counts[account].append(at.astimezone(tz).date())
    events = []
    for name, account in sorted(capped.items()):
        days = counts[name]
        on_day = sum(1 for d in days if d == tomorrow)
        if account.daily_cap and on_day > account.daily_cap:
            events.append(Event("quota", f"quota:{name}:{tomorrow}:day", account=name,
                                quota=QuotaPass("day", on_day, account.daily_cap, tomorrow)))
        through = sum(1 for d in days if d <= tomorrow)
        before = sum(1 for d in days if d < tomorrow)
        if account.monthly_cap and through > account.monthly_cap >= before:
            events.append(Event("quota", f"quota:{name}:{tomorrow:%Y-%m}:month", account=name,
                                quota=QuotaPass("month", through, account.monthly_cap,
                                                tomorrow)))
    return events


def library_events(config: Config, now: datetime) -> list[Event]:
    """The post library does not load, so nothing is published (once a day per error)."""
    error = library_error(config)
    if error is None:
        return []
    digest = hashlib.sha256(error.encode()).hexdigest()[:12]
    return [Event("library", f"library:{now:%Y-%m-%d}:{digest}", detail=error)]


def site_events(config: Config, now: datetime) -> list[Event]:
    """The built share kit is past its valid-until date (once per date)."""
    expired = site_expired(config.site_dir, now.astimezone(config.timezone).date())
    if expired is None:
        return []
    until, why = expired
    return [Event("site", f"site:{until.isoformat()}", detail=f"{until.isoformat()} ({why})")]


def token_events(config: Config, now: datetime) -> list[Event]:
    """Accounts whose token expires within `TOKEN_WARNING` (as `accounts test` last read it),
    once per account and expiry date."""
    from toolkit.compose.instances import token_expiries

    return [Event("token_expiry", f"token_expiry:{name}:{until:%Y-%m-%d}", account=name,
                  until=until)
            for name, until in sorted(token_expiries(config).items())
            if until - now <= TOKEN_WARNING]


def store_event(detail: str, now: datetime) -> Event:
    """The store cannot be used (sent directly: it cannot go through the store's outbox)."""
    return Event("store", f"store:{now:%Y-%m-%d}", detail=detail)


def digest_day(digest_at: time | None, tz: tzinfo, now: datetime,
               last_sent: str | None) -> date | None:
    """The local day whose digest is due at `now`, or None (sent already, or not yet time)."""
    if digest_at is None:
        return None
    local = now.astimezone(tz)
    if local.time() < digest_at or last_sent == local.date().isoformat():
        return None
    return local.date()


def build_digest(store: Store, tz: tzinfo, now: datetime) -> Digest:
    """Tomorrow's drafts and approved posts, the posts waiting for a person (changes requested
    included), held accounts."""
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tz)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tz)
    return Digest(today, tomorrow, store.list([DRAFT, APPROVED], start=start, end=end),
                  store.list(list(TOLD)), store.holds(now),
                  status_counts(store).get(DRAFT, 0), yesterdays_best(store, tz, today))


def yesterdays_best(store: Store, tz: tzinfo, today: date) -> PostStats | None:
    """The post published yesterday (campaign day) with the most engagements so far."""
    from toolkit.operations.insights.report import best_between, load_posts
    from toolkit.store.samples import published_with_samples

    start = datetime.combine(today - timedelta(days=1), time(0), tz)
    end = datetime.combine(today, time(0), tz)
    posts, samples = published_with_samples(store, start)
    return best_between(load_posts(posts, samples, lambda: None, cards=False), start, end)
