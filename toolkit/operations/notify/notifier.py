"""The notifier: one `tick(now)` turns new events into queued messages, then sends them.

It runs beside the dispatcher (its own APScheduler job and thread in the daemon, or
`toolkit notify run` from cron) and never inside it: a slow or broken channel cannot delay or
break publishing. Messages wait in the store's notification outbox until a channel accepts them;
a failure is logged and retried with a growing delay, never dropped. Only "the store cannot be
used" is sent directly, since it cannot be queued in the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from toolkit.core.config import Config, load_config
from toolkit.core.errors import StoreError
from toolkit.core.notify_settings import EVENTS, Channel
from toolkit.operations.notify.events import (
    Event,
    build_digest,
    digest_day,
    hold_events,
    library_events,
    post_events,
    quota_events,
    site_events,
    store_event,
    token_events,
)
from toolkit.operations.notify.messages import render, render_digest
from toolkit.operations.notify.sender import AppriseSender
from toolkit.store import Store
from toolkit.store.ops import (
    claim_notification,
    enqueue,
    get_mark,
    move_mark,
    pending,
    prune_notifications,
    record_delivery,
    unsent_keys,
)

log = logging.getLogger("toolkit.operations.notify")

AUDIT_MARK = "notify_audit"
DIGEST_MARK = "notify_digest"
#: delay before the n-th retry of a message a channel did not accept (the last one repeats)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5),
           timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1))
#: a message being sent is skipped by other processes for this long
SENDING = timedelta(minutes=2)
#: sent messages and notified event keys are forgotten after this long (once a day)
KEEP = timedelta(days=30)


@dataclass
class TickReport:
    """What one tick did (for logs, `toolkit notify run` and tests)."""

    queued: int = 0
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    store_error: str | None = None


class Notifier:
    """Turns the store's events into messages on the configured channels."""

    def __init__(self, config: Config, store: Store, sender: AppriseSender | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.store = store
        self.sender = sender or AppriseSender()
        self.clock = clock
        self._store_down_told = False
        self._skipped_logged: set[str] = set()

    def channels(self) -> list[Channel]:
        """The configured channels whose URL variable is set (the others are skipped)."""
        out = []
        for ch in self.config.notify.channels.values():
            if self.sender.url_of(ch) is None:
                if ch.name not in self._skipped_logged:
                    log.warning("notification channel %s: %s is not set; skipped", ch.name,
                                ch.url_env)
                    self._skipped_logged.add(ch.name)
                continue
            out.append(ch)
        return out

    def tick(self, now: datetime) -> TickReport:
        """Queue the messages for new events (and the digest when due), then send them."""
        report = TickReport()
        try:
            channels = self.channels()
            report.queued = self.collect(channels, now)
            self.deliver(channels, now, report)
        except (StoreError, SQLAlchemyError, OSError) as exc:
            detail = getattr(exc, "message", None) or f"{exc.__class__.__name__}"
            report.store_error = detail
            self.store_down(detail, now)
            return report
        self._store_down_told = False
        return report

    # -- events to messages --------------------------------------------------------------------

    def collect(self, channels: Sequence[Channel], now: datetime) -> int:
        """Queue one message per channel and kind of new event; return how many were queued."""
        mark = get_mark(self.store, AUDIT_MARK)
        events, last = post_events(self.store, int(mark or 0))
        events += hold_events(self.store, now)
        events += quota_events(self.config, self.store, now)
        events += library_events(self.config, now)
        events += site_events(self.config, now)
        events += token_events(self.config, now)
        queued = 0
        for ch in channels:
            queued += self._queue_events(ch, events, now)
        if str(last) != mark:
            move_mark(self.store, AUDIT_MARK, mark, str(last))
        queued += self._queue_digest(channels, now)
        return queued

    def _queue_events(self, ch: Channel, events: Sequence[Event], now: datetime) -> int:
        wanted = [e for e in events if e.kind in ch.events]
        fresh = set(unsent_keys(self.store, ch.name, sorted({e.key for e in wanted})))
        by_kind: dict[str, dict[str, Event]] = {}
        for ev in wanted:
            if ev.key in fresh:
                by_kind.setdefault(ev.kind, {}).setdefault(ev.key, ev)
        queued = 0
        for kind in EVENTS:
            group = list(by_kind.get(kind, {}).values())
            if not group:
                continue
            title, body = render(kind, group, ch.lang, self.config.timezone,
                                 self.config.notify.web_url)
            if enqueue(self.store, ch.name, [e.key for e in group], title, body, now):
                queued += 1
        return queued

    def _queue_digest(self, channels: Sequence[Channel], now: datetime) -> int:
        last = get_mark(self.store, DIGEST_MARK)
        day = digest_day(self.config.notify.digest_at, self.config.timezone, now, last)
        if day is None or not move_mark(self.store, DIGEST_MARK, last, day.isoformat()):
            return 0
        prune_notifications(self.store, now - KEEP)
        digest = build_digest(self.store, self.config.timezone, now)
        queued = 0
        for ch in channels:
            if "digest" not in ch.events:
                continue
            title, body = render_digest(digest, ch.lang, self.config.timezone,
                                        self.config.notify.web_url)
            queued += enqueue(self.store, ch.name, [f"digest:{day}"], title, body, now)
        return queued

    # -- sending -------------------------------------------------------------------------------

    def deliver(self, channels: Sequence[Channel], now: datetime,
                report: TickReport | None = None) -> TickReport:
        """Send the queued messages that are due; a channel that fails is tried again later."""
        report = report or TickReport()
        by_name = {ch.name: ch for ch in channels}
        down: set[str] = set()
        for item in pending(self.store, now, limit=50):
            ch = by_name.get(item.channel)
            if ch is None or ch.name in down:
                continue
            if not claim_notification(self.store, item, now + SENDING):
                continue
            error = self.sender.send(ch, item.title, item.body)
            if error is None:
                record_delivery(self.store, item, now)
                report.sent += 1
                continue
            retry_at = now + BACKOFF[min(item.attempts, len(BACKOFF) - 1)]
            record_delivery(self.store, item, now, error, retry_at)
            down.add(ch.name)
            report.failed.append(ch.name)
            log.warning("notification %s to channel %s failed (attempt %d): %s; retrying at "
                        "%s", item.id, ch.name, item.attempts + 1, error, retry_at.isoformat())
        return report

    def store_down(self, detail: str, now: datetime) -> None:
        """Tell the channels that want it, directly, once per outage."""
        log.error("notifier: the store cannot be used: %s", detail)
        if self._store_down_told:
            return
        ok = True
        for ch in self.config.notify.channels.values():
            if "store" not in ch.events or self.sender.url_of(ch) is None:
                continue
            title, body = render("store", [store_event(detail, now)], ch.lang,
                                 self.config.timezone, self.config.notify.web_url)
            error = self.sender.send(ch, title, body)
            if error is not None:
                ok = False
                log.warning("channel %s: store alert not delivered (%s); retrying next time",
                            ch.name, error)
        self._store_down_told = ok


def build_notifier(config_path: str | Path | None, store: Store) -> Notifier:
    """The daemon's notifier for the config at `config_path`, sharing the dispatcher's store."""
    return Notifier(load_config(config_path), store)
