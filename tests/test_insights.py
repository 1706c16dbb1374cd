"""Engagement collection and the `stats report` roll-up (issue 26): the platforms' read APIs
faked at the HTTP level (`responses`: the real client code runs), the real store on SQLite and
PostgreSQL, and the real scheduler with collection on."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from conftest import edit
from sqlalchemy import text, update

from toolkit.core.config import load_config
from toolkit.operations.insights.collect import Collector, backoff_mark
from toolkit.store import NewPost, Store
from toolkit.store.ops import get_mark
from toolkit.store.samples import Sample, write_samples
from toolkit.store.tables import posts, samples

T0 = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # a Monday, 09:00 in Chicago
APPVIEW = "https://public.api.bsky.app/xrpc/app.bsky.feed.getPosts"
INSTANCE = "https://social.example.org"
X_LOOKUP = "https://api.twitter.com/2/tweets"
X_KEYS = {"X_API_KEY": "k", "X_API_SECRET": "s", "X_ACCESS_TOKEN": "t",
          "X_ACCESS_TOKEN_SECRET": "ts"}
FACTS = {"lang": "en", "statistics": {"hrf-attacks-2021": "1,544"}, "claims": []}


def published(store: Store, rows: list[tuple[str, str, str]], at: datetime = T0,
              message: str = "violence-attacks", facts: dict | None = None) -> list[str]:
    """Posts published at `at`: (platform, account, platform post id) each; their ids."""
    ids = store.add([NewPost(message, "en", p, a, f"text {i}", at)
                     for i, (p, a, _) in enumerate(rows)], "test", at)
    with store.engine.begin() as conn:
        for pid, (_, _, ppid) in zip(ids, rows, strict=True):
            conn.execute(update(posts).where(posts.c.id == pid).values(
                status="published", published_at=at, platform_post_id=ppid,
                facts=json.dumps(facts or FACTS)))
    return ids


def stored(store: Store) -> dict[tuple[str, int], tuple]:
    with store.engine.connect() as conn:
        return {(r.post_id, r.offset_s): (r.state, r.likes, r.reposts, r.replies, r.quotes)
                for r in conn.execute(samples.select())}


def bsky_post(uri: str, likes: int, reposts: int = 0, replies: int = 0, quotes: int = 0) -> dict:
    """A post view as `app.bsky.feed.getPosts` answers it (the fields that matter here)."""
    return {"uri": uri, "cid": "bafyreid", "author": {"did": "did:plc:abc", "handle": "a.b"},
            "record": {"$type": "app.bsky.feed.post", "text": "t", "createdAt": "2026-11-30"},
            "likeCount": likes, "repostCount": reposts, "replyCount": replies,
            "quoteCount": quotes, "indexedAt": "2026-11-30T15:00:00.000Z"}


@pytest.fixture
def config(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MASTODON_BASE_URL", INSTANCE)
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "tok")
    for name in X_KEYS:
        monkeypatch.delenv(name, raising=False)
    return load_config(project)


@pytest.fixture
def store(config):
    s = Store(config.store_url)
    yield s
    s.close()


@responses.activate
def test_counts_from_bluesky_and_mastodon_deleted_posts_recorded_once(config, store) -> None:
    a, b, c, d = published(store, [
        ("bluesky", "bluesky-campaign", "at://did:plc:abc/app.bsky.feed.post/1"),
        ("bluesky", "bluesky-campaign", "at://did:plc:abc/app.bsky.feed.post/2"),
        ("mastodon", "mastodon-campaign", "111"),
        ("mastodon", "mastodon-campaign", "222")])
    # the AppView leaves a deleted post out of its answer; Mastodon answers 404
    bsky = responses.get(APPVIEW, json={"posts": [
        bsky_post("at://did:plc:abc/app.bsky.feed.post/1", 7, 3, 2, 1)]})
    responses.get(f"{INSTANCE}/api/v1/statuses/111", json={
        "id": "111", "favourites_count": 4, "reblogs_count": 2, "replies_count": 1})
    gone = responses.get(f"{INSTANCE}/api/v1/statuses/222", status=404,
                         json={"error": "Record not found"})
    done = Collector(config, store).run(T0 + timedelta(hours=1, minutes=5))
    assert (done.written, done.deleted) == (4, 2)
    assert "uris=at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F1" in bsky.calls[0].request.url
    assert responses.calls[1].request.headers["Authorization"] == "Bearer tok"
    assert stored(store) == {(a, 3600): ("ok", 7, 3, 2, 1), (b, 3600): ("deleted",) + (None,) * 4,
                             (c, 3600): ("ok", 4, 2, 1, None),
                             (d, 3600): ("deleted",) + (None,) * 4}
    # +24 h: the deleted posts are never asked for again
    Collector(config, store).run(T0 + timedelta(hours=24, minutes=5))
    assert gone.call_count == 1 and bsky.call_count == 2
    assert "post%2F2" not in bsky.calls[1].request.url
    assert stored(store)[(a, 86400)][0] == "ok"


@responses.activate
def test_a_429_holds_that_platform_only_until_its_reset(project, config, store) -> None:
    (a,) = published(store, [("bluesky", "bluesky-campaign", "at://did:plc:abc/p/1")])
    (m,) = published(store, [("mastodon", "mastodon-campaign", "111")])
    reset = T0 + timedelta(hours=1, minutes=30)
    limited = responses.get(APPVIEW, status=429, json={"error": "RateLimitExceeded"},
                            headers={"ratelimit-reset": str(int(reset.timestamp()))})
    responses.get(f"{INSTANCE}/api/v1/statuses/111", json={
        "id": "111", "favourites_count": 1, "reblogs_count": 0, "replies_count": 0})
    first = Collector(config, store).run(T0 + timedelta(hours=1, minutes=1))
    assert first.written == 1 and "bluesky" in first.skipped  # Mastodon went on
    assert datetime.fromisoformat(get_mark(store, backoff_mark("bluesky"))) == reset
    # before the reset nothing is asked of Bluesky, not even by another process (cron)
    again = Collector(config, store).run(T0 + timedelta(hours=1, minutes=20))
    assert limited.call_count == 1 and again.skipped["bluesky"].startswith("rate limited")
    # the platform's own AppView (config `appview:`), asked once the reset has passed
    edit(project, "bluesky:  {limit: 300,", "bluesky:  {appview: 'https://appview.example.org', "
         "limit: 300,")
    own = responses.get("https://appview.example.org/xrpc/app.bsky.feed.getPosts",
                        json={"posts": [bsky_post("at://did:plc:abc/p/1", 5)]})
    assert Collector(load_config(project), store).run(reset + timedelta(minutes=1)).written == 1
    assert own.call_count == 1 and limited.call_count == 1
    assert stored(store)[(a, 3600)] == ("ok", 5, 0, 0, 0) and (m, 3600) in stored(store)


@responses.activate
def test_x_is_skipped_without_read_access_and_kept_within_its_budget(project, config,
                                                                      store, monkeypatch) -> None:
    ids = published(store, [("x", "x-campaign", str(1000 + i)) for i in range(3)])
    lookup = responses.get(X_LOOKUP, json={})
    done = Collector(config, store).run(T0 + timedelta(hours=1, minutes=1))
    assert "no read access" in done.skipped["x"] and lookup.call_count == 0
    assert stored(store) == {}
    # the account's tier allows reads: two tweet reads a month
    edit(project, "    monthly_cap: 500", "    monthly_cap: 500\n    reads: true\n"
         "    monthly_reads: 2")
    for name, value in X_KEYS.items():
        monkeypatch.setenv(name, value)
    responses.replace(responses.GET, X_LOOKUP, json={
        "data": [{"id": "1000", "text": "t", "public_metrics": {
            "retweet_count": 2, "reply_count": 1, "like_count": 9, "quote_count": 1,
            "bookmark_count": 0, "impression_count": 300}}],
        "errors": [{"value": "1001", "detail": "Could not find tweet with ids: [1001].",
                    "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                    "resource_id": "1001",
                    "type": "https://api.twitter.com/2/problems/resource-not-found"}]})
    done = Collector(load_config(project), store).run(T0 + timedelta(hours=1, minutes=2))
    call = responses.calls[-1].request
    assert "ids=1000%2C1001&tweet.fields=public_metrics" in call.url
    auth = call.headers["Authorization"]
    assert (auth.decode() if isinstance(auth, bytes) else auth).startswith("OAuth ")
    assert done.written == 2 and "budget" in done.skipped["x"]
    assert stored(store) == {(ids[0], 3600): ("ok", 9, 2, 1, 1),
                             (ids[1], 3600): ("deleted",) + (None,) * 4}
    assert get_mark(store, "stats_x_reads:x-campaign:2026-11") == "2"


@responses.activate
def test_an_interrupted_run_neither_loses_nor_double_counts(config, store,
                                                              monkeypatch) -> None:
    uris = [f"at://did:plc:abc/p/{i}" for i in range(30)]  # two getPosts calls: 25 + 5
    ids = published(store, [("bluesky", "bluesky-campaign", u) for u in uris])
    responses.get(APPVIEW, json={"posts": [bsky_post(u, 1) for u in uris]})
    import toolkit.operations.insights.collect as collect

    real, calls = collect.write_samples, []

    def crash_after_first(st, rows):  # the process dies right after the first batch's commit
        rows = list(rows)
        if not rows:
            return 0
        calls.append(real(st, rows))
        if len(calls) == 1:
            raise KeyboardInterrupt
        return calls[-1]

    monkeypatch.setattr(collect, "write_samples", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        Collector(config, store).run(T0 + timedelta(hours=1, minutes=1))
    assert len(stored(store)) == 25
    monkeypatch.setattr(collect, "write_samples", real)
    done = Collector(config, store).run(T0 + timedelta(hours=1, minutes=2))
    assert done.written == 5 and len(stored(store)) == 30
    assert len(responses.calls[-1].request.url.split("uris=")) == 6  # only the 5 left
    # the same sample written twice counts once
    assert write_samples(store, [Sample(ids[0], timedelta(hours=1), T0, "ok", 99)]) == 0
    assert stored(store)[(ids[0], 3600)][1] == 1


def test_a_sample_long_past_its_time_is_recorded_as_missed(config, store) -> None:
    (pid,) = published(store, [("bluesky", "bluesky-campaign", "at://x/p/1")])
    done = Collector(config, store).run(T0 + timedelta(days=3))  # +1 h and +24 h long gone
    assert done.missed == 2 and done.written == 0
    assert {k: v[0] for k, v in stored(store).items()} == {(pid, 3600): "missed",
                                                           (pid, 86400): "missed"}


def test_report_by_statistic_json_and_csv(run_cli, project, config, store) -> None:
    other = {"lang": "en", "statistic": {}, "statistics": {"mpp-returned-total": "71,071"},
             "claims": ["mpp-suspended"]}
    a, b = published(store, [("bluesky", "bluesky-campaign", "1"),
                             ("mastodon", "mastodon-campaign", "2")])
    (c,) = published(store, [("bluesky", "bluesky-campaign", "3")], facts=other)
    day = timedelta(hours=24)
    write_samples(store, [Sample(a, timedelta(hours=1), T0, "ok", 1, 0, 0, 0),
                          Sample(a, day, T0, "ok", 10, 2, 1, 1),
                          Sample(b, day, T0, "ok", 4, 1, 1, None),
                          Sample(c, day, T0, "ok", 3, 0, 0, 0),
                          Sample(c, timedelta(days=7), T0, "ok", 6, 1, 0, 0)])
    rows = {r["group"]: r for r in json.loads(
        run_cli("stats", "report", "--by", "statistic", "--json").stdout)}
    assert rows["hrf-attacks-2021"] == {
        "group": "hrf-attacks-2021", "posts": 2, "likes": 14, "reposts": 3, "replies": 2,
        "quotes": 1, "sampled": 2, "median_per_post": 10.0, "per_post_24h": 10.0}
    assert rows["mpp-returned-total"]["likes"] == 6  # the latest sample: +7 days
    assert rows["mpp-returned-total"]["per_post_24h"] == 3.0
    by_platform = {r["group"]: r for r in json.loads(
        run_cli("stats", "report", "--by", "platform", "--json").stdout)}
    assert by_platform["mastodon"]["quotes"] is None  # Mastodon has no quotes
    csv = run_cli("stats", "report", "--by", "claim", "--csv").stdout.splitlines()
    assert csv[0] == ("claim,posts,likes,reposts,replies,quotes,sampled,median_per_post,"
                      "per_post_24h")
    assert "mpp-suspended,1,6,1,0,0,1,7,3.0" in csv
    with store.engine.begin() as conn:  # approved before approvals recorded their facts
        conn.execute(update(posts).where(posts.c.id == b).values(facts=None))
    rows = {r["group"]: r for r in json.loads(
        run_cli("stats", "report", "--by", "statistic", "--json").stdout)}
    assert rows["hrf-attacks-2021"]["posts"] == 2  # from the message (it names the figure)
    later = json.loads(run_cli("stats", "report", "--by", "lang", "--since", "2026-12-01",
                               "--json").stdout)
    assert later == []
    bad = run_cli("stats", "report", "--since", "yesterday")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output and "Traceback" not in bad.output
    table = run_cli("stats", "report", "--by", "weekday").stdout
    assert re.search(r"^mon\s+3\s+20\s+4\s+2", table, re.M) and "public counts" in table


def test_stats_collect_lists_without_now(run_cli, config, store, pin_clock) -> None:
    published(store, [("bluesky", "bluesky-campaign", "1")])
    pin_clock(T0 + timedelta(hours=1, minutes=5))
    out = run_cli("stats", "collect").stdout
    assert out.startswith("1 sample(s) due: bluesky +1h: 1") and "--now" in out
    assert stored(store) == {}


def test_the_migration_adds_samples_to_an_older_store(config) -> None:
    path = Path(config.store_url.removeprefix("sqlite:///"))
    Store(config.store_url).close()
    with sqlite3.connect(path) as db:  # as an older toolkit left it
        db.execute("DROP TABLE samples")
        db.execute("DELETE FROM migrations WHERE name = '013_samples'")
    store = Store(config.store_url)
    assert store.applied_migrations == ["013_samples"]
    assert write_samples(store, [Sample("p1", timedelta(hours=1), T0, "ok", 1)]) == 1
    store.close()


@pytest.mark.slow
def test_samples_on_postgresql_once_per_key(pg_url: str) -> None:
    store = Store(pg_url)
    with store.engine.begin() as conn:  # as a store migrated before issue 26
        conn.execute(text("DROP TABLE samples"))
        conn.execute(text("DELETE FROM migrations WHERE name = '013_samples'"))
    store.close()
    store = Store(pg_url)
    assert store.applied_migrations == ["013_samples"]
    (pid,) = published(store, [("bluesky", "bluesky-campaign", "1")])
    one = Sample(pid, timedelta(hours=24), T0, "ok", 3, 1, 0, 0)
    assert write_samples(store, [one]) == 1 and write_samples(store, [one]) == 0
    with store.engine.connect() as conn:
        row = conn.execute(samples.select()).one()
    assert row.taken_at == T0 and row.likes == 3
    store.close()


@responses.activate
def test_the_scheduler_collects_on_its_own_job(project: Path, run_cli, pin_clock,
                                               tmp_path: Path) -> None:
    """The real scheduler: three posts go out at their time through the real Bluesky publisher
    (a fake PDS, `respx`); the collection job then takes the +1 h and +24 h samples from the
    fake AppView (`responses`) as the injected clock moves; `stats report --by statistic
    --json` sums them. A post the outbox took instead (no keys) is never asked for."""
    import respx
    from test_publish_bluesky import FakePds, publisher

    from toolkit.library import load_library
    from toolkit.operations.insights.collect import Collector
    from toolkit.planning.queue import Planner
    from toolkit.scheduler.daemon import SchedulerService
    from toolkit.scheduler.dispatch import Dispatcher
    from toolkit.scheduler.runner import LibraryFactCheck, build_dispatcher

    pin_clock(T0)  # the day the library's facts are checked against
    config = load_config(project)
    store = Store(config.store_url)
    planner = Planner(config, load_library(config), store)
    ids = [planner.add("courts-suspended", "bluesky", lang, T0, T0 - timedelta(days=1),
                       "comms") for lang in ("en", "es", "en")]  # the message without a card
    outboxed = planner.add("courts-suspended", "mastodon", "en", T0, T0 - timedelta(days=1),
                           "comms")
    assert planner.approve([*ids, outboxed], "lead", T0 - timedelta(days=1)).approved
    hour = {"n": 1}
    likes: dict[str, int] = {}

    def appview(request):  # counts grow: +1 h answers n=1, +24 h answers n=2
        uris = [u.replace("%3A", ":").replace("%2F", "/")
                for u in re.findall(r"uris=([^&]+)", request.url)]
        return 200, {}, json.dumps({"posts": [
            bsky_post(u, likes[u] * hour["n"], hour["n"]) for u in uris]})

    responses.add_callback(responses.GET, APPVIEW, callback=appview)
    now = {"at": T0 + timedelta(seconds=1)}
    with respx.mock(assert_all_called=False) as router:
        FakePds(router)
        fallback = build_dispatcher(config=config).publishers  # the outbox for the others
        dispatcher = Dispatcher(store, {**fallback, "bluesky-campaign": publisher(tmp_path)},
                                max_lateness=config.max_lateness,
                                fact_check=LibraryFactCheck(config))
        service = SchedulerService(dispatcher, clock=lambda: now["at"],
                                   collector=Collector(config, store),
                                   collect_every=timedelta(seconds=0.05))

        def until(check, what: str) -> None:
            deadline = time.monotonic() + 30
            while not check():
                assert time.monotonic() < deadline, what
                time.sleep(0.02)

        def drive() -> None:
            try:
                until(lambda: all(store.get(p).status == "published"
                                  for p in [*ids, outboxed]), "publish")
                for i, pid in enumerate(ids):  # 10, 20, 30 likes at +1 h
                    likes[store.get(pid).platform_post_id] = 10 * (i + 1)
                now["at"] = T0 + timedelta(hours=1, minutes=3)
                until(lambda: len(stored(store)) == 3, "+1 h samples")
                hour["n"] = 2
                now["at"] = T0 + timedelta(hours=24, minutes=3)
                until(lambda: len(stored(store)) == 6, "+24 h samples")
            finally:
                service.stop()

        driver = threading.Thread(target=drive)
        driver.start()
        service.run()
        driver.join()
    assert store.get(ids[0]).platform_post_id.startswith("at://did:plc:")
    assert store.get(outboxed).url.startswith("file:")  # published to the outbox: no samples
    assert {k[0] for k in stored(store)} == set(ids)
    assert {s[0] for s in stored(store).values()} == {"ok"}
    rows = {r["group"]: r for r in json.loads(
        run_cli("stats", "report", "--by", "statistic", "--json").stdout)}
    assert set(rows) == {"mpp-suspended", "mpp-terminated"}  # what the message rests on
    for row in rows.values():  # +24 h: likes 20, 40, 60 and 2 reposts each; the outboxed post
        assert (row["posts"], row["likes"], row["reposts"], row["replies"], row["quotes"]) \
            == (4, 120, 6, 0, 0)  # counts as published but has no counts
        assert row["sampled"] == 3
        assert row["per_post_24h"] == 42.0 and row["median_per_post"] == 42
    by_lang = {r["group"]: r for r in json.loads(
        run_cli("stats", "report", "--by", "lang", "--json").stdout)}
    assert by_lang["en"]["likes"] == 80 and by_lang["es"]["likes"] == 40
    store.close()


def test_the_digest_names_yesterdays_best_post(config, store) -> None:
    from toolkit.operations.notify.events import build_digest
    from toolkit.operations.notify.messages import render_digest

    yesterday = T0 - timedelta(days=1)  # Sunday 09:00 in Chicago
    low, best = published(store, [("bluesky", "bluesky-campaign", "1"),
                                  ("mastodon", "mastodon-campaign", "2")], at=yesterday)
    (today,) = published(store, [("bluesky", "bluesky-campaign", "3")], at=T0)
    write_samples(store, [Sample(low, timedelta(hours=1), T0, "ok", 2, 0, 0, 0),
                          Sample(best, timedelta(hours=24), T0, "ok", 9, 3, 1, None),
                          Sample(today, timedelta(hours=1), T0, "ok", 99, 0, 0, 0)])
    digest = build_digest(store, config.timezone, T0 + timedelta(hours=9))
    assert digest.best is not None and digest.best.id == best
    _, body = render_digest(digest, "en", config.timezone)
    assert (f"Yesterday's best post: {best} on mastodon (mastodon-campaign), 13 engagement(s) "
            'at the latest count: "text 1"') in body
    _, cuerpo = render_digest(digest, "es", config.timezone)
    assert f"La publicación de ayer con más interacciones: {best} en mastodon" in cuerpo
    assert build_digest(store, config.timezone, T0 + timedelta(days=3)).best is None


def test_insights_page_for_staff_with_charts_posts_caveat_and_csv(project, config,
                                                                  store) -> None:
    from webapp import make_webapp, sign_in

    from toolkit.surfaces.web.security import CSP

    a, b = published(store, [("bluesky", "bluesky-campaign", "1"),
                             ("mastodon", "mastodon-campaign", "2")])
    with store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.id == a).values(
            text="Best <b>post</b> #SaveAsylum"))
    write_samples(store, [Sample(a, timedelta(hours=24), T0, "ok", 30, 5, 2, 1),
                          Sample(b, timedelta(hours=24), T0, "ok", 1, 0, 0, None)])
    site = make_webapp(project, now=T0 + timedelta(days=2))
    try:
        client = site.client()
        assert "/login" in client.get("/insights").headers["Location"]  # a session first
        sign_in(client, "sam")  # staff may look
        page = client.get("/insights")
        html = page.data.decode()
        assert page.status_code == 200 and page.headers["Content-Security-Policy"] == CSP
        assert "public counts" in html and "at the times sampled" in html
        assert html.count("<svg") == 9 and 'role="img"' in html
        assert "<script>" not in html and " style=" not in html
        top = html[html.index(">Top posts<"):html.index('<h2 id="h-statistic">')]
        assert top.index("Best &lt;b&gt;post&lt;/b&gt;") < top.index("text 1")
        assert "Bottom posts" not in html
        assert "card stat-attacks" in html  # the message's card
        assert '<th scope="row">hrf-attacks-2021</th><td>2</td><td>31</td>' in html
        csv = client.get("/insights.csv?by=platform")
        assert csv.headers["Content-Type"].startswith("text/csv")
        assert csv.data.decode().splitlines()[1:] == ["bluesky,1,30,5,2,1,1,38,38.0",
                                                      "mastodon,1,1,0,0,,1,1,1.0"]
        assert client.get("/insights.csv?by=nothing").status_code == 400
        assert client.get("/insights?since=never").status_code == 400
        assert client.get("/insights?since=2026-12-31").status_code == 200
    finally:
        site.toolkit.close()


@responses.activate
def test_an_odd_answer_skips_that_platform_only(config, store) -> None:
    """A 200 that is not the API's JSON (a proxy's HTML page, a changed shape) skips that
    platform for this run, like a server error: the others are still read, no traceback."""
    (a,) = published(store, [("bluesky", "bluesky-campaign", "at://did:plc:abc/p/1")])
    (m,) = published(store, [("mastodon", "mastodon-campaign", "111")])
    responses.get(APPVIEW, body="<html>Service unavailable</html>",
                  content_type="text/html")
    responses.get(f"{INSTANCE}/api/v1/statuses/111", json={
        "id": "111", "favourites_count": 1, "reblogs_count": 0, "replies_count": 0})
    done = Collector(config, store).run(T0 + timedelta(hours=1, minutes=1))
    assert done.written == 1 and "bluesky" in done.skipped
    assert (m, 3600) in stored(store) and (a, 3600) not in stored(store)
    responses.replace(responses.GET, APPVIEW, json={"posts": [{"cid": "no uri"}]})
    assert "bluesky" in Collector(config, store).run(T0 + timedelta(hours=1, minutes=2)).skipped
