"""The fact gate: the one place that says which facts keep a message from going out.

Approval (`queue approve`, the web app, review links) and the dispatcher's last check before
publishing all ask `blocking_facts`; nothing else decides whether a post's facts are fit to publish.
"""

from __future__ import annotations

from datetime import date

from toolkit.library.models import PLACEHOLDER, Library, Message


def blocking_facts(library: Library, message: Message, today: date) -> list[str]:
    """Reasons (one per kind of fact) why `message` may not be published on `today`; empty
    when none.

    Every statistic it uses must be `verified: true`; every claim it rests on must be verified
    and not past its review date on `today` (a stale claim blocks exactly like an unverified one).
    """
    reasons = []
    unverified = library.unverified_of(message)
    if unverified:
        reasons.append(f"uses unverified statistic(s) {', '.join(unverified)}: confirm the figure "
                       "and set verified: true first (fact gate)")
    claims = library.unverified_claims_of(message)
    if claims:
        reasons.append(f"rests on unverified claim(s) {', '.join(claims)}: confirm the statement "
                       "and set verified: true first (fact gate)")
    stale = library.stale_claims_of(message, today)
    if stale:
        dates = ", ".join(f"{c} (review by {library.claims[c].review_by.isoformat()})"
                          for c in stale)
        reasons.append(f"rests on claim(s) past their review date: {dates}: check that it still "
                       "holds and move as_of and review_by on first (fact gate)")
    return reasons


def changed_figures(library: Library, message: Message, lang: str, text: str) -> str | None:
    """Why an approved `text` (frozen from `message` in `lang`) may no longer be published: a
    statistic it shows has since been corrected, so its current display form is not in the text.
    None when every figure still reads as its source gives it (rewording is not a correction)."""
    changed = []
    for sid in dict.fromkeys(m[1] for m in PLACEHOLDER.finditer(message.text.get(lang, ""))):
        stat = library.statistics.get(sid)
        shown = stat.display.get(lang) if stat is not None else None
        if shown and shown not in text:
            changed.append(f"{sid} (now {shown!r})")
    if not changed:
        return None
    return (f"statistic(s) corrected since approval: {', '.join(changed)}: the approved text "
            "shows the old figure; approve the post again (fact gate)")
