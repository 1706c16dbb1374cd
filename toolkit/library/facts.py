"""The facts an approval rests on, recorded with the frozen text, and their check before
publishing.

Approval records every statistic the post shows (in its text or on its card) with the exact
display form it showed in the post's language, and every claim it rests on. Just before
publishing, `record_problems` asks whether each recorded fact still exists, is verified, is not
past its review date and shows the same display (compared as tokens: "1,500" is not "500").
The record, not the message as it reads now, is what counts: rewording a message or removing a
placeholder after approval changes nothing about what the frozen text says.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from toolkit.library.models import Claim, Library, Message, Statistic

#: a word or a number with its inner separators ("1,544", "2.5", "20/01/2021")
_TOKEN = re.compile(r"\w+(?:[.,:/'’-]\w+)*|[^\w\s]")


def tokens(text: str) -> tuple[str, ...]:
    """`text` as a sequence of words and numbers, and of every other sign on its own (a sign,
    currency, percent, < or > is part of what a figure says), NFKC, case-folded."""
    return tuple(_TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()))


def shows(text: str, display: str) -> bool:
    """Whether `text` shows `display` as whole tokens ("More than 1,500" does not show "500")."""
    want, have = tokens(display), tokens(text)
    if not want:
        return False
    n = len(want)
    return any(have[i:i + n] == want for i in range(len(have) - n + 1))


def fact_record(library: Library, message: Message, lang: str) -> dict[str, Any]:
    """What an approval of `message` in `lang` rests on: `{"lang", "statistics": {id:
    display shown}, "claims": [id, …]}` (JSON-ready, stored with the frozen text)."""
    shown = {}
    for sid in library.statistic_ids_of(message):
        stat = library.statistics.get(sid)
        shown[sid] = stat.display.get(lang, "") if stat is not None else ""
    return {"lang": lang, "statistics": shown, "claims": list(message.claims)}


def derived_record(library: Library, message: Message, lang: str, text: str,
                   media: Iterable[Any] = ()) -> dict[str, Any]:
    """A record for a post approved before approvals recorded their facts, derived from what
    it froze: the statistics its message names and every statistic whose display the text
    shows, each with the display the text shows (None when it shows none); its card's
    statistic likewise from the frozen image's alt text, which shows it (no image, no card)."""
    if isinstance(media, str):  # a light row's JSON text
        media = json.loads(media or "[]")
    alts = " ".join(str(m.get("alt", "")) for m in media if isinstance(m, dict))
    shown: dict[str, str | None] = {}
    for sid in library.statistic_ids_of(message):
        stat = library.statistics.get(sid)
        display = stat.display.get(lang, "") if stat is not None else ""
        if sid in message.statistic_ids():
            shown[sid] = display if shows(text, display) else None
        elif alts:  # on the card only
            shown[sid] = display if shows(alts, display) else None
    for sid, stat in library.statistics.items():
        display = stat.display.get(lang, "")
        if sid not in shown and display and shows(text, display):
            shown[sid] = display
    return {"lang": lang, "statistics": shown, "claims": list(message.claims)}


def _named(fact_id: str, errors: list[str]) -> bool:
    """Whether an error text names `fact_id` (as `'id'` or `'{id}'`)."""
    pattern = re.compile(rf"'\{{?{re.escape(fact_id)}\}}?'")
    return any(pattern.search(e) for e in errors)


def record_problems(library: Library, record: dict[str, Any], today: date,
                    check_errors: Iterable[str] = ()) -> list[str]:
    """Why the facts of `record` no longer allow publishing on `today` (empty when they do).

    Fails closed: a recorded fact no longer in the library, or named by a `toolkit check`
    error (`check_errors`, the error texts), holds the post."""
    lang = record.get("lang", "")
    gone, unverified, changed, stale, unsound = [], [], [], [], []
    errors = list(check_errors)
    shown = record.get("statistics") or {}
    facts = [("statistic", sid, library.statistics.get(sid)) for sid in shown]
    facts += [("claim", cid, library.claims.get(cid)) for cid in record.get("claims") or ()]
    for kind, fid, fact in facts:
        if fact is None:
            gone.append(f"{kind} '{fid}'")
            continue
        if not fact.verified:
            unverified.append(fid)
        elif isinstance(fact, Claim) and fact.stale(today):
            stale.append(f"{fid} (review by {fact.review_by.isoformat()})")
        if isinstance(fact, Statistic):
            was, now = shown[fid], fact.display.get(lang, "")
            if was is None:
                changed.append(f"{fid} (now {now!r}, not in the approved text)")
            elif tokens(now) != tokens(was):
                changed.append(f"{fid} (approved {was!r}, now {now!r})")
        if _named(fid, errors):
            unsound.append(fid)
    reasons = []
    if gone:
        reasons.append(f"rests on {', '.join(gone)}, no longer in the library")
    if unverified:
        reasons.append(f"rests on unverified fact(s) {', '.join(unverified)}: confirm and set "
                       "verified: true first")
    if stale:
        reasons.append(f"rests on claim(s) past their review date: {', '.join(stale)}")
    if changed:
        reasons.append(f"statistic(s) corrected since approval: {', '.join(changed)}: the "
                       "approved text shows the old figure")
    if unsound:
        reasons.append(f"`toolkit check` reports errors about {', '.join(unsound)}")
    return [f"{r} (fact gate)" for r in reasons]


def post_problems(library: Library, post: Any, today: date,
                  check_errors: Iterable[str] = ()) -> list[str]:
    """Why an approved `post` (a store Post: message_id, lang, text, facts) may not be
    published on `today`: its recorded facts checked by `record_problems` (for a post approved
    before approvals recorded them, a record derived from its frozen text)."""
    message = library.messages.get(post.message_id)
    if message is None:
        return [f"its message '{post.message_id}' is no longer in the library"]
    record = post.facts
    if record is None:
        record = derived_record(library, message, post.lang, post.text,
                                getattr(post, "media", ()))
    return record_problems(library, record, today, check_errors)
