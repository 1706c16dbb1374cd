"""The schedule page keeps the fact gate's verdicts between loads (issue 30: the load test found
it judging every approved post on every load); a changed library or a new day judges again."""

from __future__ import annotations

import os
import time
from pathlib import Path

from test_fact_record import NOW, _approve, _posts
from webapp import make_webapp, sign_in

from toolkit.planning import attention

HOLD = "the fact gate will hold it"


def test_verdicts_are_kept_and_judged_again_when_the_library_or_the_day_changes(
        project: Path, pin_clock) -> None:
    pin_clock(NOW)
    store, pid = _approve(project, "violence-children-kidnapped")
    store.close()
    site = make_webapp(project, NOW)
    client = site.client()
    sign_in(client, "maria")
    assert HOLD not in client.get("/").data.decode()
    memo = attention._last
    assert memo is not None and memo.verdicts  # judged once ...
    client.get("/")
    assert attention._last is memo  # ... and kept for the next load

    stats = _posts(project) / "statistics.yaml"  # the statistic is withdrawn on disk
    body = stats.read_text(encoding="utf-8")
    start = body.index("  - id: hrf-children-kidnapped")
    stats.write_text(body[:start] + body[body.index("  - id: ", start + 5):], encoding="utf-8")
    later = time.time() + 5  # a new modification time, whatever the file system's resolution
    os.utime(stats, (later, later))
    page = client.get("/").data.decode()
    assert pid in page and HOLD in page  # the reloaded library is judged again
    assert attention._last is not memo

    memo = attention._last
    site.clock.advance(days=1)  # the next day in the campaign's timezone
    sign_in(client, "maria")  # (a session may not last that long)
    assert HOLD in client.get("/").data.decode()
    tz = site.toolkit.config.timezone
    assert site.clock.now.astimezone(tz).date() != NOW.astimezone(tz).date()
    assert attention._last is not memo
    assert attention._last.today == site.clock.now.astimezone(tz).date()
    site.toolkit.close()
