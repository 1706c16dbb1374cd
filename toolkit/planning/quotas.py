"""Per-account daily and monthly caps (X's free tier: about 17 a day, 500 a month).

Only warnings for people (`queue approve`, `schedule`): the dispatcher never checks quotas, the
platform's own rate-limit answer is what holds an account back.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from toolkit.core.config import Config
from toolkit.store import APPROVED, PUBLISHED, PUBLISHING

if TYPE_CHECKING:  # the store is imported lazily (SQLAlchemy) or is the SQLAlchemy-free one
    from toolkit.store import Store
    from toolkit.store.lite import LiteStore


def quota_warnings(config: Config, store: Store | LiteStore, now: datetime) -> list[str]:
    """One line per account-day or account-month over its cap, from `now` on."""
    capped = {a.name: a for a in config.accounts.values() if a.daily_cap or a.monthly_cap}
    if not capped:
        return []
    tz = config.timezone
    start = (now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    daily: Counter = Counter()
    monthly: Counter = Counter()
    for account, at in store.account_times([APPROVED, PUBLISHING, PUBLISHED], start,
                                           list(capped)):
        local = at.astimezone(tz)
        daily[(account, local.date())] += 1
        monthly[(account, (local.year, local.month))] += 1
    out = []
    today = now.astimezone(tz).date()
    for (account, day), n in sorted(daily.items()):
        cap = capped[account].daily_cap
        if cap and n > cap and day >= today:
            out.append(f"account {account}: {n} posts on {day.isoformat()}, over its daily cap "
                       f"of {cap}")
    for (account, (year, month)), n in sorted(monthly.items()):
        cap = capped[account].monthly_cap
        if cap and n > cap:
            out.append(f"account {account}: {n} posts in {year}-{month:02d}, over its monthly "
                       f"cap of {cap}")
    return out
