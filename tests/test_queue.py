"""Queueing: slots across DST, CSV import all-or-nothing, approval freezing, state changes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import edit

from toolkit.core.config import Slot, load_config
from toolkit.core.errors import InputError, InvalidTransition
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.planning.slots import localize, next_free_slot, parse_time, slot_times
from toolkit.store import Store
from toolkit.store.migrations import MIGRATIONS

CHICAGO = ZoneInfo("America/Chicago")
NO_CARD = "courts-suspended"  # a verified message without a graphic card


def test_spring_forward_slot_is_skipped() -> None:
    slots = (Slot(6, time(2, 30)), Slot(6, time(9, 0)))  # Sundays
    after = datetime(2026, 3, 7, 12, tzinfo=UTC)  # Saturday before the change (Mar 8)
    got = [t.astimezone(CHICAGO) for t in slot_times(slots, CHICAGO, after, days=8)]
    assert localize(date(2026, 3, 8), time(2, 30), CHICAGO) is None
    assert [t.isoformat() for t in got] == [
        "2026-03-08T09:00:00-05:00", "2026-03-15T02:30:00-05:00", "2026-03-15T09:00:00-05:00"]


def test_fall_back_ambiguous_slot_takes_first_occurrence() -> None:
    slots = (Slot(6, time(1, 30)),)
    after = datetime(2026, 10, 31, 12, tzinfo=UTC)
    first = next(slot_times(slots, CHICAGO, after))
    assert first == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT, not 01:30 CST
    assert first.astimezone(CHICAGO).utcoffset() == timedelta(hours=-5)


def test_next_free_slot_skips_taken() -> None:
    slots = (Slot(0, time(9)), Slot(0, time(13)))
    after = datetime(2026, 11, 29, 12, tzinfo=UTC)  # a Sunday
    taken = {datetime(2026, 11, 30, 15, tzinfo=UTC)}
    got = next_free_slot(slots, CHICAGO, after, taken.__contains__)
    assert got == datetime(2026, 11, 30, 19, tzinfo=UTC)


def test_parse_time_reads_naive_times_in_campaign_timezone() -> None:
    assert parse_time("2026-07-04T09:00", CHICAGO) == datetime(2026, 7, 4, 14, tzinfo=UTC)
    assert parse_time("2026-07-04T09:00Z", CHICAGO) == datetime(2026, 7, 4, 9, tzinfo=UTC)
    with pytest.raises(InputError, match="does not exist"):
        parse_time("2026-03-08T02:30", CHICAGO)
    with pytest.raises(InputError, match="not ISO 8601"):
        parse_time("next tuesday", CHICAGO)



NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)


def test_add_without_time_takes_next_free_slot(planner: Planner) -> None:
    a = planner.add(NO_CARD, "x", "en", None, NOW, "comms")
    b = planner.add(NO_CARD, "x", "es", None, NOW, "comms")
    times = [planner.store.get(i).scheduled_at.astimezone(CHICAGO) for i in (a, b)]
    assert [t.strftime("%a %H:%M") for t in times] == ["Tue 09:00", "Tue 13:00"]


def test_time_in_the_past_is_refused(planner: Planner) -> None:
    with pytest.raises(InputError, match="in the past"):
        planner.add(NO_CARD, "x", "en", NOW - timedelta(minutes=1), NOW, "comms")
    assert planner.store.count() == 0


def test_csv_import_is_all_or_nothing(planner: Planner, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("message_id,at,platform,lang\n"
                    f"{NO_CARD},2026-12-02T09:00,x,en\n"
                    f"{NO_CARD},2026-12-02T10:00,mastodon,es\n", encoding="utf-8")
    assert len(planner.import_csv(good, NOW, "comms")) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("message_id,at,platform,lang\n"
                   f"{NO_CARD},2026-12-03T09:00,x,en\n"
                   "no-such-message,2026-12-03T09:00,x,en\n"
                   f"{NO_CARD},yesterday,x,en\n"
                   f"{NO_CARD},2026-11-01T09:00,x,en\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        planner.import_csv(bad, NOW, "comms")
    msg = err.value.message
    assert f"{bad}:3: unknown message 'no-such-message'" in msg
    assert f"{bad}:4: time 'yesterday' is not ISO 8601" in msg
    assert f"{bad}:5: " in msg and "in the past" in msg
    assert planner.store.count() == 2  # nothing of the bad file was added


def test_approval_freezes_text(planner: Planner, project: Path) -> None:
    pid = planner.add(NO_CARD, "x", "en", NOW + timedelta(days=1), NOW, "comms")
    result = planner.approve([pid], "lead", NOW)
    assert result.approved == [pid] and not result.refused
    frozen = planner.store.get(pid)
    assert frozen.status == "approved" and frozen.approved_by == "lead"
    assert frozen.text.endswith(f"#SaveAsylum https://www.cvt.org/EndMPP?utm_source=x"
                                f"&utm_medium=social&utm_campaign=saveasylum&utm_content={NO_CARD}-en")
    # the library changes after approval: what the lead reviewed is what gets published
    posts = project.parent.parent / "posts" / "statistics.yaml"
    edit(posts, 'display: {en: "January 20, 2021"', 'display: {en: "Jan 20 2021"')
    fresh = Planner(planner.config, load_library(planner.config), planner.store)
    assert fresh.store.get(pid).text == frozen.text


def test_fact_gate_refuses_unverified_statistics(planner: Planner) -> None:
    pid = planner.add("violence-first-year", "x", "en", NOW + timedelta(days=1), NOW, "comms")
    result = planner.approve([pid], "lead", NOW)
    assert result.approved == []
    assert "unverified statistic(s) violence-first-year" in result.refused[pid]
    assert planner.store.get(pid).status == "draft"


def test_reschedule_sends_approved_back_to_draft(planner: Planner) -> None:
    pid = planner.add(NO_CARD, "x", "en", NOW + timedelta(days=1), NOW, "comms")
    planner.approve([pid], "lead", NOW)
    post = planner.reschedule(pid, NOW + timedelta(days=2), "comms", NOW)
    assert post.status == "draft" and post.scheduled_at == NOW + timedelta(days=2)
    planner.cancel(pid, "comms", NOW)
    with pytest.raises(InvalidTransition):
        planner.reschedule(pid, NOW + timedelta(days=3), "comms", NOW)


def test_quota_warning_when_schedule_passes_daily_cap(planner: Planner) -> None:
    ids = [planner.add(NO_CARD, "x", "en", NOW + timedelta(days=1, minutes=i), NOW, "c")
           for i in range(18)]
    result = planner.approve(ids, "lead", NOW)
    assert len(result.approved) == 18
    assert result.warnings == ["account x-campaign: 18 posts on 2026-12-02, over its daily cap "
                               "of 17"]


def test_queue_cli_round_trip(run_cli) -> None:
    added = run_cli("queue", "add", NO_CARD, "--at", "2099-01-05T09:00", "--platform",
                    "outbox")
    assert added.exit_code == 0, added.output
    pid = added.stdout.strip()
    assert run_cli("queue", "approve", pid, "--by", "lead").exit_code == 0
    listed = json.loads(run_cli("queue", "list", "--json").stdout)
    (post,) = listed
    for key in ("id", "message_id", "platform", "account", "lang", "status", "scheduled_at",
                "text", "url"):
        assert key in post
    assert post["id"] == pid and post["status"] == "approved" and post["url"] is None
    assert post["scheduled_at"] == "2099-01-05T15:00:00Z"
    bad = run_cli("queue", "cancel", "nope")
    assert bad.exit_code == 1 and "no post with id 'nope'" in bad.output
    assert "Traceback" not in bad.output


def test_migrations_upgrade_an_old_database(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE migrations (name VARCHAR(100) PRIMARY KEY, applied_at TIMESTAMP NOT NULL);
        INSERT INTO migrations VALUES ('001_initial', '2026-01-01 00:00:00');
        CREATE TABLE posts (id VARCHAR(16) PRIMARY KEY, message_id VARCHAR(100) NOT NULL,
            lang VARCHAR(8) NOT NULL, platform VARCHAR(32) NOT NULL, account VARCHAR(64) NOT NULL,
            text TEXT NOT NULL, media TEXT NOT NULL, scheduled_at TIMESTAMP NOT NULL,
            status VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL, not_before TIMESTAMP,
            claim_owner VARCHAR(120), claim_expires_at TIMESTAMP, platform_post_id VARCHAR(64),
            url TEXT, last_error TEXT, approved_by VARCHAR(64), approved_at TIMESTAMP,
            version INTEGER NOT NULL, created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL);
        CREATE TABLE audit (id INTEGER PRIMARY KEY, post_id VARCHAR(16) NOT NULL,
            from_status VARCHAR(16), to_status VARCHAR(16) NOT NULL, actor VARCHAR(120) NOT NULL,
            at TIMESTAMP NOT NULL, detail TEXT);
        INSERT INTO posts VALUES ('old1', 'm', 'en', 'x', 'x-campaign', 'kept #SaveAsylum', '[]',
            '2027-01-01 15:00:00.000000', 'approved', 0, NULL, NULL, NULL, NULL, NULL, NULL,
            'lead', NULL, 2, '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000');
    """)
    con.commit()
    con.close()
    store = Store(f"sqlite:///{db}")

    # every migration after the first, whoever added it
    assert store.applied_migrations == [name for name, _ in MIGRATIONS[1:]]
    assert store.applied_migrations[:2] == ["002_account_holds", "003_published_at"]
    post = store.get("old1")
    assert post.text == "kept #SaveAsylum" and post.status == "approved"
    assert post.published_at is None
    assert Store(f"sqlite:///{db}").applied_migrations == []


def test_approval_freezes_the_card_and_the_outbox_carries_it(run_cli, project: Path) -> None:
    assert run_cli("graphics", "build", "--jobs", "1").exit_code == 0
    added = run_cli("queue", "add", "violence-attacks", "--at", "2099-01-05T09:00",
                    "--platform", "x", "--lang", "es")
    pid = added.stdout.strip()
    assert run_cli("queue", "approve", pid, "--by", "lead").exit_code == 0
    config = load_config(project)
    store = Store(config.store_url)
    post = store.get(pid)
    (media,) = post.media
    assert media["path"] == f"{media['sha256']}.png"  # the image is in the store itself
    assert store.frozen_images([media["sha256"]])
    assert media["alt"].startswith("Gráfico publicado por el Center for Victims of Torture: "
                                   "Al menos 1,544")
    assert "Fuente: Human Rights First" in media["alt"]
    from toolkit.publishers.outbox import OutboxPublisher
    from toolkit.scheduler.dispatch import Dispatcher

    Dispatcher(store, {"x-campaign": OutboxPublisher(config.outbox_dir, "x")}).dispatch_due(
        post.scheduled_at)
    doc = json.loads((config.outbox_dir / f"{pid}.json").read_text(encoding="utf-8"))
    copy = (config.outbox_dir / "media" / media["path"]).resolve()  # a file it names
    assert doc["media"] == [{"path": str(copy), "alt": media["alt"], "sha256": media["sha256"]}]
    assert copy.read_bytes() == store.frozen_images([media["sha256"]])[media["sha256"]]
    assert doc["text"] == post.text and "al menos 1,544" in doc["text"]
    store.close()


def test_csv_row_with_extra_fields_is_a_clear_error(planner: Planner, tmp_path: Path) -> None:
    bad = tmp_path / "extra.csv"
    bad.write_text("message_id,at,platform,lang\n"
                   f"{NO_CARD},2026-12-03T09:00,x,en,oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"extra.csv:2: more fields than the header's 4"):
        planner.import_csv(bad, NOW, "comms")
    assert planner.store.count() == 0


def test_unopenable_store_is_one_clear_error(run_cli, project: Path) -> None:
    edit(project, "url: sqlite:///../data/toolkit.db", "url: sqlite:////proc/nope/toolkit.db")
    result = run_cli("queue", "list")
    assert result.exit_code == 1
    assert "Error: cannot open the store" in result.output and "Traceback" not in result.output


def test_fact_gate_refuses_a_present_tense_claim_past_its_review_date(planner: Planner,
                                                                       project: Path) -> None:
    # a person confirmed mpp-status-now once (verified), but its review date (as_of 2025-01-21
    # + 90 days) has passed: the gate refuses it exactly like an unverified fact
    claims = project.parent.parent / "posts" / "claims.yaml"
    edit(claims, "    verified: false\n", "    verified: true\n")
    fresh = Planner(planner.config, load_library(planner.config), planner.store)
    pid = fresh.add("support-stand-with", "x", "en", NOW + timedelta(days=1), NOW, "comms")
    result = fresh.approve([pid], "lead", NOW)
    assert result.approved == []
    assert "past their review date: mpp-status-now (review by 2025-04-21)" in result.refused[pid]
    assert "unverified" not in result.refused[pid]
    assert fresh.store.get(pid).status == "draft"
    # moved on by a person (checked again, new dates): the same post is approved
    edit(claims, "    as_of: 2025-01-21\n    max_age_days: 90\n",
         f"    as_of: {date.today().isoformat()}\n    max_age_days: 90\n")
    fresh = Planner(planner.config, load_library(planner.config), planner.store)
    assert "claim" not in fresh.approve([pid], "lead", NOW).refused.get(pid, "")
