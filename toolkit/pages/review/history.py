"""A post's history in people's words: who (the scheduler as "scheduler on HOST"), when (in
the campaign's timezone, zone shown), what changed (no "draft → draft" rows) and at most one
row per sign-off link per day for its visits."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from toolkit.store.models import AuditEntry

VISIT = "opened through sign-off link"


def actor_words(actor: str) -> str:
    """Who did it, as a person reads it: a scheduler's claim owner (`HOST:PID:START[:TAG]`)
    becomes "scheduler on HOST", a sign-off link "sign-off link ID"."""
    parts = actor.split(":")
    if len(parts) in (3, 4) and parts[1].isdigit():
        return f"scheduler on {parts[0]}"
    if actor.startswith("link "):
        return "sign-off link " + actor[5:]
    return actor


def history_rows(entries: Iterable[AuditEntry], tz: ZoneInfo) -> list[dict[str, str]]:
    """The rows of a post's history table, oldest first."""
    rows, visits = [], set()
    for entry in entries:
        local = entry.at.astimezone(tz)
        if (entry.detail or "").startswith(VISIT):
            key = (entry.actor, local.date())
            if key in visits:
                continue
            visits.add(key)
        if not entry.from_status:
            change = entry.to_status
        elif entry.from_status != entry.to_status:
            change = f"{entry.from_status} → {entry.to_status}"
        else:
            change = ""
        rows.append({"when": local.strftime("%Y-%m-%d %H:%M %Z"),
                     "datetime": local.isoformat(timespec="seconds"),
                     "who": actor_words(entry.actor), "change": change,
                     "what": entry.detail or ""})
    return rows
