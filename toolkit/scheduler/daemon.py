"""The scheduler daemon: one class owns APScheduler; the store is the only truth.

APScheduler (3.11, `BlockingScheduler`, in-memory jobs only) just wakes the dispatcher: a `date`
job armed at the next due time, and a watch job every second that re-arms it when other
processes add or change posts (on PostgreSQL, LISTEN/NOTIFY re-arms it at once as well); the
engagement collection runs as its own interval job on its own thread. Job
functions are module-level and take only an id, as in python-telegram-bot's JobQueue.
SIGINT/SIGTERM finish the in-flight publish, then stop.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from toolkit.core import clock
from toolkit.core.errors import StoreError
from toolkit.core.storefile import StoreGone
from toolkit.operations.heartbeat import Heartbeat
from toolkit.operations.sdnotify import sd_notify
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.store.notify import ChangeListener, listens
from toolkit.store.store import safe_url

if TYPE_CHECKING:
    from toolkit.operations.insights.collect import Collector
    from toolkit.operations.notify.notifier import Notifier

log = logging.getLogger("toolkit.scheduler")

WATCH_SECONDS = 1.0
WAKE_JOB = "wake"
WATCH_JOB = "watch"
BEAT_JOB = "beat"
COLLECT_JOB = "collect"
BEAT_SECONDS = 15.0
NOTIFY_SECONDS = 30.0
#: while the facts cannot be read (the post library does not load), look again this often
FACTS_RETRY = timedelta(seconds=5)
_SERVICES: dict[str, SchedulerService] = {}


def wake(service_id: str) -> None:
    """APScheduler job: dispatch what is due, then arm the next wake-up."""
    service = _SERVICES.get(service_id)
    if service is not None:
        service.dispatch()


def watch(service_id: str) -> None:
    """APScheduler job: notice posts added or changed by other processes."""
    service = _SERVICES.get(service_id)
    if service is not None:
        service.rearm()


def beat(service_id: str) -> None:
    """APScheduler job: record the heartbeat and pat systemd's watchdog."""
    service = _SERVICES.get(service_id)
    if service is not None:
        service.heartbeat.next_wake = service._armed
        service.heartbeat.beat(service.clock())


def collect(service_id: str) -> None:
    """APScheduler job (its own thread, never in the dispatcher's way): take the engagement
    samples that are due."""
    service = _SERVICES.get(service_id)
    if service is None or service.collector is None or service.stop_event.is_set():
        return
    try:
        done = service.collector.run(service.clock())
        if done.written or done.deleted or done.missed or done.skipped:
            log.info("engagement: %s", done.summary())
    except Exception:  # a platform or store problem here must never stop publishing
        log.exception("engagement collection failed; trying again at its next run")


def notify(service_id: str) -> None:
    """APScheduler job (its own thread): send what a person should hear about."""
    service = _SERVICES.get(service_id)
    if service is not None and service.notifier is not None:
        try:
            service.notifier.tick(service.clock())
        except Exception:  # never let a notification problem stop the daemon
            log.exception("notifier failed; trying again at its next run")


class SchedulerService:
    """Owns the APScheduler instance that wakes the dispatcher at each post's time."""

    def __init__(self, dispatcher: Dispatcher,
                 clock: Callable[[], datetime] = clock.now,
                 notifier: Notifier | None = None,
                 on_start: Callable[[], None] | None = None,
                 collector: Collector | None = None,
                 collect_every: timedelta = timedelta(minutes=10)) -> None:
        from apscheduler.events import EVENT_SCHEDULER_START
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.blocking import BlockingScheduler

        self.id = uuid.uuid4().hex
        self.dispatcher = dispatcher
        self.clock = clock
        self.stop_event = threading.Event()
        dispatcher.stop_requested = self.stop_event
        self._armed: datetime | None = None
        self._paused_until: datetime | None = None  # no wake before it (facts unreadable)
        self.failure: StoreError | None = None
        self._lock = threading.Lock()
        self.heartbeat = Heartbeat(dispatcher.store, self.id, clock())
        self.notifier = notifier
        #: engagement samples (`toolkit.operations.insights.collect`), taken on their own thread
        self.collector, self.collect_every = collector, collect_every
        #: called once the scheduler runs (`make run` prints its sign-in lines then)
        self.on_start = on_start
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(1), "dispatch": ThreadPoolExecutor(1),
                       "beat": ThreadPoolExecutor(1), "notify": ThreadPoolExecutor(1),
                       "stats": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        # a signal while the scheduler starts (not yet running, so `stop` cannot shut it down)
        # is honoured the moment it is running
        self.scheduler.add_listener(self._stop_if_asked, EVENT_SCHEDULER_START)
        _SERVICES[self.id] = self

    def _stop_if_asked(self, _event: object) -> None:
        if self.stop_event.is_set():
            self.scheduler.shutdown(wait=False)
        elif self.on_start is not None:
            self.on_start()

    def dispatch(self) -> None:
        """Run the dispatcher once and arm the next wake-up."""
        if self.stop_event.is_set():
            return
        self.heartbeat.woke(self.clock())
        try:
            outcomes = self.dispatcher.dispatch_due(self.clock())
        except StoreGone as exc:
            self._fail(exc)
            return
        except Exception as exc:  # keep the daemon alive; the store is unchanged for what failed
            log.exception("dispatch failed; retrying at the next wake-up")
            self.heartbeat.dispatched(self.clock(), 0, getattr(exc, "message", None)
                                      or f"dispatch failed: {exc.__class__.__name__}")
            self._arm(self.clock() + timedelta(seconds=5))
            return
        blocked = self.dispatcher.facts_unavailable
        changed = blocked != (self.heartbeat.last_error if self._paused_until else None)
        if blocked is None and self._paused_until is not None:
            self.heartbeat.last_error = None  # the library loads again
        self.heartbeat.dispatched(self.clock(), len(outcomes), blocked)
        self._paused_until = self.clock() + FACTS_RETRY if blocked else None
        if outcomes or changed:  # record what was done now, not at the next regular beat
            self._beat_soon()
        with self._lock:
            self._armed = None
        self.rearm()

    def rearm(self) -> None:
        """Arm the wake job at the store's next due time, if that changed."""
        if self.stop_event.is_set():
            return
        try:
            self.dispatcher.store.check_file()
        except StoreGone as exc:
            self._fail(exc)
            return
        now = self.clock()
        next_at = self.dispatcher.store.next_wake(now)
        if next_at is None:
            return
        if self._paused_until is not None:
            next_at = max(next_at, self._paused_until)
        with self._lock:
            job_alive = self.scheduler.get_job(WAKE_JOB) is not None
            if job_alive and self._armed is not None and self._armed <= next_at:
                return
        self._arm(max(next_at, now))

    def _beat_soon(self) -> None:
        from apscheduler.jobstores.base import JobLookupError

        # JobLookupError: not running (tests calling dispatch() directly)
        with contextlib.suppress(JobLookupError):
            self.scheduler.modify_job(BEAT_JOB, next_run_time=self.clock())

    def _arm(self, at: datetime) -> None:
        with self._lock:
            self._armed = at
            self.scheduler.add_job(wake, "date", run_date=at, args=[self.id], id=WAKE_JOB,
                                   executor="dispatch", replace_existing=True)

    def run(self) -> None:
        """Block, publishing posts at their time, until SIGINT/SIGTERM."""
        listener = self._listen()
        self.scheduler.add_job(watch, "interval", seconds=WATCH_SECONDS, args=[self.id],
                               id=WATCH_JOB, replace_existing=True)
        self._arm(self.clock())  # catch up at once on start
        self.scheduler.add_job(beat, "interval", seconds=BEAT_SECONDS, args=[self.id],
                               id=BEAT_JOB, executor="beat", next_run_time=self.clock(),
                               replace_existing=True)
        if self.notifier is not None:
            self.scheduler.add_job(notify, "interval", seconds=NOTIFY_SECONDS, args=[self.id],
                                   id="notify", executor="notify", replace_existing=True,
                                   next_run_time=self.clock() + timedelta(seconds=2))
        if self.collector is not None:
            self.scheduler.add_job(collect, "interval",
                                   seconds=self.collect_every.total_seconds(), args=[self.id],
                                   id=COLLECT_JOB, executor="stats", replace_existing=True,
                                   # APScheduler's own (real) time: an injected clock in
                                   # the past would make it count up every interval since
                                   next_run_time=datetime.now(UTC) + min(
                                       self.collect_every, timedelta(seconds=5)))
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        log.info("scheduler running on %s; Ctrl-C stops it", safe_url(
            self.dispatcher.store.url))
        sd_notify("READY=1")
        try:
            if not self.stop_event.is_set():  # else a signal came during start-up: stop now
                self.scheduler.start()
        finally:
            _SERVICES.pop(self.id, None)
            if listener is not None:
                listener.stop()
        log.info("scheduler stopped")
        if self.failure is not None:
            raise self.failure

    def _listen(self) -> ChangeListener | None:
        """On PostgreSQL, re-arm at once on the store's change notices (LISTEN/NOTIFY); the
        watch job stays as the fallback."""
        url = self.dispatcher.store.url
        if not listens(url):
            return None
        return ChangeListener(url, self.rearm).start()

    def _fail(self, exc: StoreError) -> None:
        """Stop for good on an error the daemon must not outlive (its store file is gone)."""
        if self.failure is None:
            self.failure = exc
            log.error("%s; stopping", exc.message)
            threading.Thread(target=self.stop, daemon=True).start()

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("%s received: finishing the publish in flight, then stopping",
                 signal.Signals(signum).name)
        self.stop()

    def stop(self) -> None:
        """Stop after the in-flight publish (claimed but unstarted posts are released)."""
        self.stop_event.set()
        sd_notify("STOPPING=1")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
