"""What changed in a post since a person saw it: a word diff of its text and the fields that
differ, from a snapshot of the version they were shown (carried in their form)."""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

#: the fields a reviewer judges besides the text, with their labels
FIELDS = {"when": "time", "account": "account", "platform": "platform", "lang": "language",
          "status": "status", "media": "image"}
_WORDS = re.compile(r"\s+|[^\s]+")


def snapshot(post: Any, tz: ZoneInfo) -> dict:
    """What a person is shown of a post: its text, time, account, platform, language,
    status, image hashes and revision."""
    return {"text": post.text,
            "when": post.scheduled_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "account": post.account, "platform": post.platform, "lang": post.lang,
            "status": post.status, "revision": post.version,
            "media": [m.get("sha256", "") for m in post.media if isinstance(m, dict)]}


def encode(snap: dict) -> str:
    """A snapshot as a form field value."""
    return base64.urlsafe_b64encode(json.dumps(snap, sort_keys=True).encode()).decode()


#: a snapshot field longer than this is no snapshot the app made (a post is at most a few KB)
MAX_SNAPSHOT = 64 * 1024


def decode(value: str) -> dict | None:
    """A snapshot from a form field, or None when it is missing or not one. The form comes
    from the browser, so only the snapshot's own fields of their own types are kept: a crafted
    value (deep nesting, numbers where words go, megabytes) can never break the page."""
    if not value or len(value) > MAX_SNAPSHOT:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(value.encode()))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return None
    if not isinstance(found, dict) or not isinstance(found.get("text"), str):
        return None
    snap: dict[str, Any] = {"text": found["text"]}
    for key in FIELDS:
        got = found.get(key)
        if key == "media":
            got = [m for m in got if isinstance(m, str)] if isinstance(got, list) else []
        snap[key] = got if isinstance(got, str | list) else None
    revision = found.get("revision")
    snap["revision"] = revision if isinstance(revision, int) else None
    return snap


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The new text as (kind, words) runs: kind is "same", "del" (only in the old text) or
    "ins" (only in the new)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out


def changes(seen: dict | None, now: dict) -> dict:
    """What differs between the snapshot seen and the current one: `text` (a word diff, or
    None when the text is the same) and `fields` [(label, was, is)]."""
    if seen is None:
        return {"text": None, "fields": [], "unknown": True}
    text = None if seen.get("text") == now["text"] else word_diff(str(seen.get("text")),
                                                                  now["text"])
    fields = [(label, _shown(seen.get(key)), _shown(now[key]))
              for key, label in FIELDS.items() if seen.get(key) != now[key]]
    return {"text": text, "fields": fields, "unknown": False}


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(v[:12] for v in value) or "none"
    return "" if value is None else str(value)
