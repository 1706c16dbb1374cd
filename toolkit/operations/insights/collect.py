"""Collecting engagement samples: what is due, read from each platform, written once.

Each batch is written in its own transaction right after its answer, so a run stopped midway
keeps what it read and the next run reads only the rest (the samples' key refuses a second
write). A 429 holds that platform alone until its reset time (kept in the store, so `stats
collect` from cron honours it too); a deleted post is written as `deleted` and never asked for
again; a sample whose time passed long ago is written as `missed`. X is read only for accounts
whose config says `reads: true`, within `monthly_reads` tweet reads a calendar month.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import requests

from toolkit.core.config import Config
from toolkit.core.errors import RateLimited, TransientError
from toolkit.operations.insights import fetch
from toolkit.store.ops import get_mark, move_mark
from toolkit.store.samples import DELETED, MISSED, DueSample, Sample, due_samples, write_samples
from toolkit.store.store import Store

log = logging.getLogger("toolkit.operations.insights")


@dataclass
class Collected:
    """What one run did: samples written, posts found deleted, and per platform why it was
    skipped (rate limited until …, no read access, budget spent)."""

    written: int = 0
    deleted: int = 0
    missed: int = 0
    skipped: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for people."""
        line = (f"{self.written} sample(s) written, {self.deleted} post(s) deleted on the "
                f"platform, {self.missed} sample(s) too late to take")
        if self.skipped:
            line += "; skipped: " + "; ".join(f"{k}: {v}" for k, v in self.skipped.items())
        return line


def backoff_mark(platform: str) -> str:
    """The store mark holding until when `platform` is rate limited."""
    return f"stats_backoff:{platform}"


def _set_mark(store: Store, name: str, value: str) -> None:
    for _ in range(3):
        if move_mark(store, name, get_mark(store, name), value):
            return


class Collector:
    """Takes the due samples of one store for one config."""

    def __init__(self, config: Config, store: Store, env: Mapping[str, str] = os.environ,
                 session: requests.Session | None = None) -> None:
        self.config, self.store, self.env = config, store, env
        self.session = session or requests.Session()

    def due(self, now: datetime) -> tuple[list[DueSample], list[DueSample]]:
        """(due, too late) samples at `now`."""
        return due_samples(self.store, now, self.config.stats.after)

    def run(self, now: datetime) -> Collected:
        """Take every due sample the platforms allow now."""
        done = Collected()
        due, late = self.due(now)
        done.missed = write_samples(self.store, [Sample(d.post_id, d.offset, now, MISSED)
                                                 for d in late])
        groups: dict[tuple[str, str], list[DueSample]] = {}
        for d in due:
            groups.setdefault((d.platform, d.account), []).append(d)
        for (platform, account), items in sorted(groups.items()):
            if platform in done.skipped:
                continue
            until = get_mark(self.store, backoff_mark(platform))
            if until and datetime.fromisoformat(until) > now:
                done.skipped[platform] = f"rate limited until {until}"
                continue
            try:
                self._collect(platform, account, items, now, done)
            except RateLimited as exc:
                reset = exc.retry_after or now + fetch.DEFAULT_BACKOFF
                _set_mark(self.store, backoff_mark(platform), reset.isoformat())
                done.skipped[platform] = f"rate limited until {reset.isoformat()}"
                log.warning("%s: %s; %s waits until %s", account, exc.message, platform, reset)
            except TransientError as exc:
                done.skipped.setdefault(platform, exc.message)
                log.warning("%s: %s; trying again at the next run", account, exc.message)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:  # an odd answer
                why = f"unexpected answer ({exc.__class__.__name__})"
                done.skipped.setdefault(platform, why)
                log.warning("%s: %s; trying again at the next run", account, why)
        return done

    def _collect(self, platform: str, account_name: str, items: list[DueSample],
                 now: datetime, done: Collected) -> None:
        account = self.config.accounts.get(account_name)
        by_id: dict[str, list[DueSample]] = {}
        for d in items:
            by_id.setdefault(d.platform_post_id, []).append(d)
        ids = list(by_id)
        if platform == "bluesky":
            spec = self.config.platforms.get(platform)
            appview = ((account.appview if account else None)
                       or (spec.appview if spec else None) or fetch.DEFAULT_APPVIEW)

            def read(batch: list[str]) -> fetch.Fetched:
                return fetch.bluesky_counts(self.session, appview, batch, now)
        elif platform == "mastodon":
            from toolkit.compose.urls import mastodon_host

            host = mastodon_host(self.config, account_name)
            if host is None:
                done.skipped[platform] = f"account '{account_name}' names no instance"
                return
            token_var = account.env.get("access_token", "") if account else ""
            token = self.env.get(token_var) or None

            def read(batch: list[str]) -> fetch.Fetched:
                return fetch.mastodon_counts(self.session, f"https://{host}", batch[0], now,
                                             token)
        else:  # x
            auth = fetch.x_auth(account.env, self.env) if account and account.reads else None
            if auth is None:
                done.skipped[platform] = (f"account '{account_name}' has no read access "
                                          "(set reads: true and its keys)")
                return
            ids = self._within_budget(account_name, account.monthly_reads, ids, now, done)

            def read(batch: list[str]) -> fetch.Fetched:
                return fetch.x_counts(self.session, auth, batch, now)
        size = fetch.BATCH[platform]
        for i in range(0, len(ids), size):
            batch = ids[i:i + size]
            if platform == "x":
                self._spend(account_name, len(batch), now)
            got = read(batch)
            rows = []
            for pid in batch:
                for d in by_id[pid]:
                    if pid in got.deleted:
                        rows.append(Sample(d.post_id, d.offset, now, DELETED))
                    elif pid in got.counts:
                        rows.append(Sample(d.post_id, d.offset, now, "ok", *got.counts[pid]))
            written = write_samples(self.store, rows)
            done.written += written
            done.deleted += len({r.post_id for r in rows if r.state == DELETED})

    # -- X's monthly read budget ------------------------------------------------------------

    def _budget_mark(self, account: str, now: datetime) -> str:
        return f"stats_x_reads:{account}:{now:%Y-%m}"

    def _within_budget(self, account: str, budget: int | None, ids: list[str],
                       now: datetime, done: Collected) -> list[str]:
        if budget is None:
            return ids
        spent = int(get_mark(self.store, self._budget_mark(account, now)) or 0)
        left = max(0, budget - spent)
        if left < len(ids):
            done.skipped["x"] = f"monthly read budget: {spent} of {budget} spent"
        return ids[:left]

    def _spend(self, account: str, n: int, now: datetime) -> None:
        """Count `n` tweet reads before the call (a crash after it never under-counts)."""
        name = self._budget_mark(account, now)
        for _ in range(5):
            old = get_mark(self.store, name)
            if move_mark(self.store, name, old, str(int(old or 0) + n)):
                return
