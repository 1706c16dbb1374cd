"""The fact gate: the one place that says which facts keep a message from going out.

Approval (`queue approve`, the web app, review links) asks `blocking_facts`; what an approval
rested on is recorded with the frozen text, and the dispatcher's last check before publishing asks
`toolkit.library.facts.post_problems` about that record.
"""

from __future__ import annotations

from datetime import date

from toolkit.library.models import Library, Message


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

