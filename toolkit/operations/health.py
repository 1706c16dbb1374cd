"""Is the scheduler alive, and does anything wait for a person? For `toolkit status` and /healthz.

`health(store, config, now)` gives the public summary (no post texts, hosts or error texts: it
is served without a login) and whether the scheduler is alive: its freshest heartbeat is not
older than `health.heartbeat_max_age_seconds`. `status_report` adds what only the command line
shows. A post library that does not load counts like a scheduler down: nothing is published.
`healthz_response` turns the summary into an HTTP status and body for any web framework;
`healthz_blueprint` does it for Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from toolkit.core import clock
from toolkit.core.config import Config
from toolkit.core.errors import StoreError, ToolkitError
from toolkit.library.loader import library_error, load_library
from toolkit.pages.site.validity import read_valid_until
from toolkit.store import STATUSES, Post, Store
from toolkit.store.models import FAILED, MISSED, NEEDS_CHECK, iso_utc
from toolkit.store.ops import last_audit, next_due, read_heartbeats, status_counts, unsent_count

WAITING = (FAILED, MISSED, NEEDS_CHECK)
#: exit codes of `toolkit status` (1 stays "Error: …", e.g. the store cannot be opened)
EXIT_OK, EXIT_DOWN, EXIT_WAITING = 0, 2, 3


def health(store: Store, config: Config, now: datetime) -> tuple[dict[str, Any], bool]:
    """The public summary and whether the scheduler is alive at `now`."""
    limit = config.heartbeat_max_age.total_seconds()
    beats = read_heartbeats(store)
    schedulers = [_scheduler(b, now, limit) for b in beats
                  if (now - b["beat_at"]).total_seconds() <= 86400]
    alive = any(s["alive"] for s in schedulers)
    counts = dict.fromkeys(STATUSES, 0) | status_counts(store)
    nxt = next_due(store)
    library_ok = library_error(config) is None
    summary = {
        "ok": alive and library_ok,
        "checked_at": iso_utc(now),
        "scheduler": {"alive": alive, "max_heartbeat_age_seconds": limit,
                      "instances": schedulers},
        "next_post": None if nxt is None else {"scheduled_at": iso_utc(nxt[0]),
                                               "platform": nxt[1], "account": nxt[2]},
        "counts": counts,
        "waiting_for_person": sum(counts[s] for s in WAITING),
        "held_accounts": {a: iso_utc(u) for a, u in sorted(store.holds(now).items())},
        "notifications_unsent": unsent_count(store),
        # a library that does not load stops all publishing (the fact gate fails closed)
        "library": {"ok": library_ok},
        "site": site_state(config, now),
    }
    return summary, alive


def site_state(config: Config, now: datetime) -> dict[str, Any]:
    """The built share kit's valid-until date and whether it is past it (rebuild it) at `now`."""
    until, why = read_valid_until(config.site_dir)
    expired = until is not None and now.astimezone(config.timezone).date() > until
    return {"valid_until": until.isoformat() if until else None, "set_by": why or None,
            "expired": expired}


def status_report(store: Store, config: Config, now: datetime) -> tuple[dict[str, Any], int]:
    """`toolkit status`: the summary plus hosts, errors and the waiting posts; the exit code."""
    summary, alive = health(store, config, now)
    beats = {b["id"][:8]: b for b in read_heartbeats(store)}
    for inst in summary["scheduler"]["instances"]:
        b = beats.get(inst["id"], {})
        inst.update(host=b.get("host"), pid=b.get("pid"), last_error=b.get("last_error"))
    summary["waiting"] = [
        {"id": p.id, "status": p.status, "platform": p.platform, "account": p.account,
         "scheduled_at": iso_utc(p.scheduled_at), "text": p.text, "last_error": p.last_error}
        for p in [*store.list(list(WAITING)), *fact_gate_holds(store, config, now)]]
    last = last_audit(store, [FAILED, NEEDS_CHECK])
    summary["last_error"] = None if last is None else {
        "post_id": last.post_id, "status": last.to_status, "at": iso_utc(last.at),
        "detail": last.detail}
    summary["library"]["error"] = library_error(config)
    blocked = summary["library"]["error"] is not None
    code = EXIT_DOWN if not alive or blocked else EXIT_WAITING if summary["waiting"] else EXIT_OK
    return summary, code


def fact_gate_holds(store: Store, config: Config, now: datetime) -> list[Post]:
    """Approved posts the fact gate will hold, with the reason (`review.attention`); none
    while the library does not load (reported on its own)."""
    from toolkit.planning.attention import held_by_facts

    try:
        library = load_library(config)
    except ToolkitError:
        return []
    return held_by_facts(config, library, store, now)


def healthz_response(store: Store, config: Config, now: datetime) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for /healthz: 200 when the scheduler is alive and the post
    library loads, else 503."""
    try:
        summary, alive = health(store, config, now)
    except (StoreError, SQLAlchemyError, OSError):
        return 503, {"ok": False, "error": "the store cannot be read"}
    return (200 if summary["ok"] else 503), summary


def healthz_blueprint(get_store: Callable[[], Store], config: Config,
                      clock: Callable[[], datetime] = clock.now) -> Any:
    """A Flask blueprint serving GET /healthz (needs Flask; register it on the web app)."""
    from flask import Blueprint, jsonify

    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> Any:
        code, body = healthz_response(get_store(), config, clock())
        response = jsonify(body)
        response.status_code = code
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp


def healthz_wsgi(get_store: Callable[[], Store], config: Config,
                 clock: Callable[[], datetime] = clock.now) -> Callable[..., Iterable[bytes]]:
    """The same endpoint as a bare WSGI app (for a server without Flask, or a sub-mount)."""
    import json

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        code, body = healthz_response(get_store(), config, clock())
        data = json.dumps(body).encode()
        reason = "OK" if code == 200 else "Service Unavailable"
        start_response(f"{code} {reason}", [("Content-Type", "application/json"),
                                            ("Cache-Control", "no-store"),
                                            ("Content-Length", str(len(data)))])
        return [data]

    return app


def _scheduler(beat: dict[str, Any], now: datetime, limit: float) -> dict[str, Any]:
    age = (now - beat["beat_at"]).total_seconds()
    return {"id": beat["id"][:8], "alive": age <= limit, "heartbeat_age_seconds": round(age, 1),
            "started_at": iso_utc(beat["started_at"]), "last_wake": iso_utc(beat["last_wake"]),
            "last_dispatch": iso_utc(beat["last_dispatch"]),
            "next_wake": iso_utc(beat["next_wake"]), "version": beat["version"]}
