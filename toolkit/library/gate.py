"""The fact gate: the one place that says which facts keep a message from going out.

Approval (`queue approve`, the web app, review links) and the dispatcher's last check before
publishing all ask `blocking_facts`; nothing else decides whether a post's facts are fit to publish.
"""

from __future__ import annotations

from datetime import date

from toolkit.library.models import Library, Message


def blocking_facts(library: Library, message: Message, today: date) -> list[str]:
    """Reasons (one per fact) why `message` may not be published on `today`; empty when none.

    Today: every statistic it uses must be `verified: true`. `today` is there for facts with a
    review date (claims) so that a stale fact blocks exactly like an unverified one.
    """
    unverified = library.unverified_of(message)
    if not unverified:
        return []
    return [f"uses unverified statistic(s) {', '.join(unverified)}: confirm the figure and set "
            "verified: true first (fact gate)"]
