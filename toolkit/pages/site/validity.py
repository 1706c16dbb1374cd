"""How long a built share kit stays true: the date after which a rebuild would change it.

The page shows only messages whose claims are within their review date, and the members section
only member data within its `review_by`. The earliest of those dates is the site's valid-until
date: `toolkit site build` prints it and writes it into the site (`valid-until.json` and a
`<meta name="saveasylum:valid-until">` tag); `toolkit status` and the notifier warn once the
built folder is past it. Rebuild the site daily (e.g. cron `toolkit site build`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from toolkit.library.models import Library

#: the site's valid-until record, at the root of the built folder
VALID_FILE = "valid-until.json"


def valid_until(library: Library, message_ids: Iterable[str],
                members_review_by: date | None) -> tuple[date | None, str]:
    """The last day the page built from these shown messages (and member data) stays true, and
    what sets it ("claim ID", "member data"); (None, "") when nothing on it expires."""
    dates = []
    for mid in dict.fromkeys(message_ids):
        message = library.messages.get(mid)
        for cid in message.claims if message is not None else ():
            claim = library.claims.get(cid)
            if claim is not None:
                dates.append((claim.review_by, f"claim {cid}"))
    if members_review_by is not None:
        dates.append((members_review_by, "member data"))
    if not dates:
        return None, ""
    return min(dates)


def valid_until_json(until: date | None, why: str) -> bytes:
    """The contents of `valid-until.json`."""
    doc = {"valid_until": until.isoformat() if until else None, "set_by": why or None}
    return (json.dumps(doc, indent=1) + "\n").encode("utf-8")


def read_valid_until(site_dir: Path) -> tuple[date | None, str]:
    """The built folder's valid-until date and what sets it ((None, "") when none or not built)."""
    try:
        doc = json.loads((Path(site_dir) / VALID_FILE).read_text(encoding="utf-8"))
        return date.fromisoformat(doc["valid_until"]), str(doc.get("set_by") or "")
    except (OSError, ValueError, TypeError, KeyError):
        return None, ""


def site_expired(site_dir: Path, today: date) -> tuple[date, str] | None:
    """(valid-until date, what sets it) when the built site is past it on `today`, else None."""
    until, why = read_valid_until(site_dir)
    if until is None or today <= until:
        return None
    return until, why
