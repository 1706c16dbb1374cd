"""Notifications: events from the real dispatcher's outcomes, sent through apprise to a local
SMTP server and a local webhook; once per event, bursts grouped, retried when a channel is
down, the digest at its time (injected clock), the store alert, `toolkit notify test`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from receivers import SmtpReceiver, WebhookReceiver

from toolkit.core.config import Config, load_config
from toolkit.core.errors import AuthError, PermanentError, RateLimited, TransientError
from toolkit.operations.notify.events import library_events
from toolkit.operations.notify.messages import render
from toolkit.operations.notify.notifier import Notifier
from toolkit.scheduler.dispatch import Dispatcher
from toolkit.store import NewPost, Store
from toolkit.store.ops import unsent_count

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 09:00 in Chicago

NOTIFY = """
notify:
  digest_at: "18:00"
  web_url: https://review.example.org
  channels:
    leads-email:
      url_env: TEST_NOTIFY_EMAIL
    hook:
      url_env: TEST_NOTIFY_HOOK
      lang: es
      events: [failed, missed, needs_check, auth, rate_limited, quota, store]
"""


class Platform:
    """A fake platform: raises the scripted errors in turn, else publishes."""

    platform = "x"

    def __init__(self, *script: Exception, reconcile: str = "absent") -> None:
        self.script = list(script)
        self.answer = reconcile
        self.published: list[str] = []

    def publish(self, post):
        from toolkit.publishers.base import PublishResult

        if self.script:
            raise self.script.pop(0)
        self.published.append(post.id)
        return PublishResult("1", f"https://x.com/d/status/{post.id}")

    def reconcile(self, post):
        from toolkit.publishers.base import Reconciliation

        return Reconciliation(self.answer)


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    s = SmtpReceiver()
    yield s
    s.stop()


@pytest.fixture
def config(project: Path, smtp: SmtpReceiver, hook: WebhookReceiver,
           monkeypatch: pytest.MonkeyPatch) -> Config:
    with project.open("a", encoding="utf-8") as f:
        f.write(NOTIFY)
    monkeypatch.setenv("TEST_NOTIFY_EMAIL", smtp.url)
    monkeypatch.setenv("TEST_NOTIFY_HOOK", hook.url)
    return load_config(project)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    s = Store(config.store_url, now=T0 - timedelta(days=2))
    yield s
    s.close()


def queue(store: Store, *offsets_s: float, text: str = "Call Congress today #SaveAsylum",
          status: str = "approved") -> list[str]:
    ids = store.add([NewPost("call-switchboard", "en", "x", "x-campaign", f"{text} {i}",
                             T0 + timedelta(seconds=o)) for i, o in enumerate(offsets_s)],
                    "test", T0 - timedelta(days=1))
    if status == "approved":
        store.transition_many([(i, "draft", {}) for i in ids], "approved", "lead",
                              T0 - timedelta(days=1))
    return ids


def test_each_event_is_one_message_with_what_which_and_what_to_do(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    failed, auth, check, ok = queue(store, 0, 1, 2, 3)
    (late,) = queue(store, -7200)
    x = Platform(PermanentError("X refused the post: text is invalid"),
                 AuthError("X rejected the account's keys: reconnect the account (401)"),
                 TransientError("503 from X"), reconcile="unknown")
    Dispatcher(store, {"x-campaign": x}, max_lateness=config.max_lateness).dispatch_due(
        T0 + timedelta(seconds=5))
    assert x.published == [ok]

    report = Notifier(config, store).tick(T0 + timedelta(seconds=10))

    assert report.sent == 8 and report.failed == []
    subjects = sorted(s for s, _ in smtp.messages)
    assert subjects == sorted([
        "#SaveAsylum: A post failed", "#SaveAsylum: A post missed its time",
        "#SaveAsylum: A post needs checking", "#SaveAsylum: Account x-campaign: keys rejected"])
    body = dict(smtp.messages)
    failed_body = body["#SaveAsylum: A post failed"]
    assert f"Post {failed}: \"Call Congress today #SaveAsylum 0\" on x (x-campaign), due " \
           "2026-12-01 09:00 CST" in failed_body
    assert "Reason: X refused the post: text is invalid" in failed_body
    assert f"To do: fix the cause, then `toolkit queue reschedule {failed} --at TIME`" \
           in failed_body
    assert f"Or open https://review.example.org/posts/{failed}" in failed_body
    missed_body = body["#SaveAsylum: A post missed its time"]
    assert late in missed_body and "2026-12-01 07:00 CST" in missed_body
    assert f"`toolkit queue cancel {late}`" in missed_body
    assert f"`toolkit queue resolve {check} --published URL`" in \
        body["#SaveAsylum: A post needs checking"]
    assert "`toolkit accounts test`" in body["#SaveAsylum: Account x-campaign: keys rejected"]
    assert auth in body["#SaveAsylum: Account x-campaign: keys rejected"]
    # the Spanish channel got the same four events in Spanish
    titles = sorted(m["title"] for m in hook.messages)
    assert titles == sorted([
        "#SaveAsylum: Una publicación falló", "#SaveAsylum: Una publicación no salió a su hora",
        "#SaveAsylum: Una publicación necesita revisión",
        "#SaveAsylum: Cuenta x-campaign: claves rechazadas"])
    es = {m["title"]: m["message"] for m in hook.messages}
    assert "Qué hacer: corrige la causa" in es["#SaveAsylum: Una publicación falló"]
    assert "prevista para 2026-12-01 09:00 CST" in es["#SaveAsylum: Una publicación falló"]

    # nothing new: nothing more is sent, however often the notifier runs
    Notifier(config, store).tick(T0 + timedelta(minutes=5))
    assert len(smtp.messages) == 4 and len(hook.messages) == 4


def test_long_rate_limit_and_tomorrows_quota_are_told_once(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    queue(store, 0)
    # 18 approved posts tomorrow (Chicago) for an account capped at 17 a day
    tomorrow = [86400 + 60 * i for i in range(18)]
    queue(store, *tomorrow)
    x = Platform(RateLimited("429 Too Many Requests", retry_after=T0 + timedelta(hours=3)))
    Dispatcher(store, {"x-campaign": x}).dispatch_due(T0)
    notifier = Notifier(config, store)
    notifier.tick(T0 + timedelta(minutes=1))
    notifier.tick(T0 + timedelta(minutes=2))
    body = dict(smtp.messages)
    assert sorted(body) == ["#SaveAsylum: A quota will be passed tomorrow",
                            "#SaveAsylum: Account x-campaign: rate limited until "
                            "2026-12-01 12:00 CST"]
    assert "Account x-campaign has 18 posts scheduled on 2026-12-02, over its daily cap of " \
           "17." in body["#SaveAsylum: A quota will be passed tomorrow"]
    assert any("La cuenta x-campaign tiene 18 publicaciones programadas el 2026-12-02"
               in m["message"] for m in hook.messages)


def test_a_burst_of_missed_posts_is_one_message_with_count_and_list(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    ids = queue(store, *[-7200 + i for i in range(50)])
    Dispatcher(store, {"x-campaign": Platform()}).dispatch_due(T0)
    Notifier(config, store).tick(T0 + timedelta(seconds=30))
    assert len(smtp.messages) == 1 and len(hook.messages) == 1
    subject, body = smtp.messages[0]
    assert subject == "#SaveAsylum: 50 posts missed their time"
    assert sum(pid in body for pid in ids) == 30
    assert "… and 20 more (`toolkit status`)" in body
    assert hook.messages[0]["title"] == "#SaveAsylum: 50 publicaciones no salieron a su hora"


def test_a_down_channel_is_retried_later_and_others_are_not_held_up(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver,
        caplog: pytest.LogCaptureFixture) -> None:
    queue(store, -7200)
    Dispatcher(store, {"x-campaign": Platform()}).dispatch_due(T0)
    hook.up = False
    notifier = Notifier(config, store)
    report = notifier.tick(T0)
    assert report.failed == ["hook"] and len(smtp.messages) == 1 and hook.messages == []
    assert unsent_count(store) == 1
    assert "notification 2 to channel hook failed (attempt 1)" in caplog.text
    assert hook.token not in caplog.text  # the URL's secret never reaches the log
    hook.up = True
    assert notifier.tick(T0 + timedelta(seconds=30)).sent == 0  # waits for its retry time
    assert notifier.tick(T0 + timedelta(minutes=1)).sent == 1
    assert [m["title"] for m in hook.messages] == [
        "#SaveAsylum: Una publicación no salió a su hora"]
    assert unsent_count(store) == 0 and len(smtp.messages) == 1


def test_the_digest_goes_out_once_a_day_at_its_time(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    (tomorrow_post,) = queue(store, 86400 + 3600, text="Tomorrow's call #SaveAsylum")
    (draft,) = queue(store, 86400 + 7200, status="draft")
    (late,) = queue(store, -7200)
    Dispatcher(store, {"x-campaign": Platform()}).dispatch_due(T0)
    notifier = Notifier(config, store)
    evening = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 18:00 in Chicago
    notifier.tick(evening - timedelta(minutes=1))
    assert sorted(s for s, _ in smtp.messages) == ["#SaveAsylum: A draft waits for approval",
                                                   "#SaveAsylum: A post missed its time"]
    notifier.tick(evening)
    notifier.tick(evening + timedelta(minutes=30))
    digests = [(s, b) for s, b in smtp.messages if "digest" in s]
    assert len(digests) == 1
    subject, body = digests[0]
    assert subject == "#SaveAsylum: Daily digest, 2026-12-01"
    assert "Tomorrow (2026-12-02): 2 post(s)" in body
    assert f"10:00 x (x-campaign) {tomorrow_post}, approved: \"Tomorrow's call" in body
    assert f"{draft}, draft, not approved yet" in body
    assert "Waiting for a person: 1" in body and f"- {late}, missed" in body
    assert "Drafts waiting for approval: 1" in body
    assert not any("Resumen" in m["title"] for m in hook.messages)  # not one of its events
    notifier.tick(evening + timedelta(days=1))
    assert [s for s, _ in smtp.messages if "digest" in s][-1] == \
        "#SaveAsylum: Daily digest, 2026-12-02"


def test_a_store_that_cannot_be_used_is_told_directly_once(
        config: Config, store: Store, smtp: SmtpReceiver, tmp_path: Path) -> None:
    notifier = Notifier(config, store)
    store.close()
    db = Path(config.store_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.mkdir()  # a folder where the database file was: nothing can open it
    report = notifier.tick(T0)
    assert report.store_error
    notifier.tick(T0 + timedelta(seconds=30))
    assert [s for s, _ in smtp.messages] == ["#SaveAsylum: The store cannot be opened"]
    assert "nothing is published" in smtp.messages[0][1]


def test_notify_test_command_reaches_every_channel(
        config: Config, run_cli, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    result = run_cli("notify", "test")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["leads-email: sent", "hook: sent"]
    assert smtp.messages[0][0] == "Test message from the #SaveAsylum toolkit"
    assert hook.messages[0]["title"] == "Mensaje de prueba del kit #SaveAsylum"
    hook.up = False
    result = run_cli("notify", "test")
    assert result.exit_code == 1
    assert "hook: not delivered" in result.output and hook.token not in result.output


def test_notify_down_tells_that_a_unit_stopped(
        config: Config, run_cli, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    result = run_cli("notify", "down", "saveasylum-scheduler.service")
    assert result.exit_code == 0, result.output
    subject, body = smtp.messages[0]
    assert subject == "#SaveAsylum: saveasylum-scheduler.service has stopped"
    assert "`journalctl -u saveasylum-scheduler.service -n 50`" in body
    assert "review.example.org" not in body
    assert hook.messages == []  # not one of its events


def test_an_upgraded_store_does_not_announce_its_old_history(
        config: Config, store: Store, smtp: SmtpReceiver) -> None:
    from sqlalchemy import text

    queue(store, -7200)
    Dispatcher(store, {"x-campaign": Platform()}).dispatch_due(T0)  # missed, before 006_ops
    with store._write() as conn:
        for table in ("heartbeats", "ops_marks", "notify_events", "notify_outbox"):
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("DELETE FROM migrations WHERE name = '006_ops'"))
    store.close()
    upgraded = Store(config.store_url, now=T0)
    assert "006_ops" in upgraded.applied_migrations
    assert Notifier(config, upgraded).tick(T0).sent == 0 and smtp.messages == []
    (late,) = queue(upgraded, -3600 * 3)
    Dispatcher(upgraded, {"x-campaign": Platform()}).dispatch_due(T0)
    assert Notifier(config, upgraded).tick(T0).sent == 2  # one message on each channel
    assert len(smtp.messages) == 1 and late in smtp.messages[0][1]
    upgraded.close()


def test_check_names_unset_or_invalid_channel_variables(
        config: Config, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_NOTIFY_HOOK")
    monkeypatch.setenv("TEST_NOTIFY_EMAIL", "nosuchscheme://secret-value")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "notification channel 'leads-email': TEST_NOTIFY_EMAIL does not hold a valid " \
           "apprise URL" in result.output
    assert "notification channel 'hook': TEST_NOTIFY_HOOK is not set" in result.output
    assert "secret-value" not in result.output


def test_channel_config_problems_have_their_line(project: Path, run_cli) -> None:
    with project.open("a", encoding="utf-8") as f:
        f.write("notify:\n  digest_at: 18:00\n  channels:\n    a:\n"
                "      url_env: mailto://user:pw@example.org\n      events: [failed, typo]\n")
    result = run_cli("check")
    assert result.exit_code == 1
    lines = project.read_text(encoding="utf-8").splitlines()
    n = len(lines)
    assert f"campaign.yaml:{n - 4}: error: 'notify.digest_at' must be a quoted time" \
        in result.output
    assert f"campaign.yaml:{n - 1}: error: 'notify.channels.a.url_env' must name an " \
           "environment variable" in result.output
    assert f"campaign.yaml:{n}: error: unknown event 'typo'" in result.output


def test_a_library_that_cannot_be_read_is_told_once(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    notifier = Notifier(config, store)
    assert notifier.tick(T0).sent == 0
    (config.posts_dir / "broken.yaml").write_text("statistics: [oops\n", encoding="utf-8")
    notifier.tick(T0 + timedelta(seconds=30))
    notifier.tick(T0 + timedelta(seconds=60))
    assert [s for s, _ in smtp.messages] == ["#SaveAsylum: The post library cannot be loaded"]
    body = smtp.messages[0][1]
    assert "Nothing is published until the post library loads again" in body
    assert "broken.yaml" in body and "`toolkit check`" in body
    assert hook.messages == []  # that channel did not ask for `library` events
    title, es = render("library", library_events(config, T0), "es", config.timezone)
    assert title == "#SaveAsylum: No se puede cargar la biblioteca de publicaciones"
    assert "No se publica nada hasta que la biblioteca vuelva a cargarse" in es


def test_a_site_past_its_valid_until_date_is_told_once(
        config: Config, store: Store, smtp: SmtpReceiver) -> None:
    config.site_dir.mkdir(parents=True, exist_ok=True)
    (config.site_dir / "valid-until.json").write_text(
        '{"valid_until": "2026-11-30", "set_by": "member data"}\n', encoding="utf-8")
    notifier = Notifier(config, store)
    notifier.tick(T0)
    notifier.tick(T0 + timedelta(seconds=30))
    assert [s for s, _ in smtp.messages] == ["#SaveAsylum: The share kit is out of date"]
    assert "past its valid-until date 2026-11-30 (member data)" in smtp.messages[0][1]
    assert "`toolkit site build`" in smtp.messages[0][1]


def test_changes_requested_is_told_to_the_channels_and_in_the_digest(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner

    (pid,) = queue(store, 86400 + 3600, status="draft")
    Planner(config, load_library(config), store).send_back(pid, "Name the court.", "maria", T0)
    Notifier(config, store).tick(T0 + timedelta(seconds=10))
    body = dict(smtp.messages)["#SaveAsylum: Changes requested on a post"]
    assert f"Post {pid}: \"Call Congress today #SaveAsylum 0\"" in body
    assert "Reason: changes requested: Name the court." in body
    assert f"`toolkit queue resubmit {pid} --reply TEXT`" in body
    assert f"Or open https://review.example.org/posts/{pid}" in body
    assert not hook.messages  # the hook channel did not ask for this event
    evening = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 18:00 in Chicago: the digest
    Notifier(config, store).tick(evening)
    digest = [b for s, b in smtp.messages if "digest" in s][0]
    assert "Waiting for a person: 1" in digest
    assert f"- {pid}, changes requested: \"Call Congress" in digest


def test_drafts_waiting_for_approval_are_told_in_one_message_per_run(
        config: Config, store: Store, smtp: SmtpReceiver, hook: WebhookReceiver) -> None:
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner

    first, second, approved = queue(store, 3600, 7200, 10800, status="draft")
    store.transition(approved, ("draft",), "approved", "maria", T0)  # nobody need look
    Notifier(config, store).tick(T0 + timedelta(seconds=10))
    assert [s for s, _ in smtp.messages] == ["#SaveAsylum: 2 drafts wait for approval"]
    body = smtp.messages[0][1]
    assert f"Post {first}:" in body and f"Post {second}:" in body and approved not in body
    assert "Or open https://review.example.org/" in body
    assert not hook.messages  # not one of the hook channel's events
    planner = Planner(config, load_library(config), store)
    planner.send_back(first, "Shorter.", "maria", T0 + timedelta(minutes=1))
    planner.resubmit(first, "sam", T0 + timedelta(minutes=2), "Shortened.")
    Notifier(config, store).tick(T0 + timedelta(minutes=3))
    subjects = [s for s, _ in smtp.messages[1:]]
    assert sorted(subjects) == ["#SaveAsylum: A draft waits for approval",
                                "#SaveAsylum: Changes requested on a post"]
    resubmitted = dict(smtp.messages)["#SaveAsylum: A draft waits for approval"]
    assert f"Post {first}:" in resubmitted and "Reason: resubmitted: Shortened." in resubmitted
    assert f"Or open https://review.example.org/posts/{first}" in resubmitted
