"""Secrets masked everywhere: store URL passwords in every form, and a platform that echoes the
token back (a misbehaving instance) never gets it into errors, `last_error`, the audit log,
`accounts test`, the log or the post page (issue 29)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy import insert
from test_publish_mastodon import BASE, INSTANCE, post, publisher
from webapp import make_webapp, queue_draft, sign_in

from toolkit.core.errors import PermanentError, StoreError
from toolkit.core.redact import RedactingFilter, redact, register
from toolkit.store import Store
from toolkit.store.tables import audit

SECRET = "s3cret-pw"
TOKEN = "tok-echo-hunter2-77"
ECHO = {"error": f"Invalid token {TOKEN} for https://social.example.org/?access_token={TOKEN}"}


@pytest.mark.parametrize("url", [
    f"postgresql://u:x@{SECRET}@127.0.0.1:1/campaign",  # the password holds an @
    f"postgresql://u@127.0.0.1:1/campaign?password={SECRET}",
    f"postgresql://u:{SECRET}@127.0.0.1:1/campaign?sslmode=require",
])
def test_a_store_url_password_never_shows(run_cli, monkeypatch, url: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store(url)
    assert SECRET not in caught.value.message
    monkeypatch.setenv("TOOLKIT_STORE_URL", url)
    for args in (("status",), ("queue", "list")):
        result = run_cli(*args)
        assert result.exit_code == 1 and SECRET not in result.output, result.output


def test_redact_masks_registered_values_and_url_passwords() -> None:
    register([TOKEN])
    assert redact(f"a {TOKEN} b") == "a *** b"
    assert redact("mailto://me:p@ss@gmail.com?to=x") == "mailto://me:***@gmail.com?to=x"
    assert redact("https://h/x?a=1&token=abc123&b=2") == "https://h/x?a=1&token=***&b=2"


def test_an_echoed_token_is_masked_in_the_publisher_error(tmp_path: Path) -> None:
    register([TOKEN])  # as `connect` does for every key the config names
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.POST, f"{BASE}/api/v1/statuses", status=422, json=ECHO)
        with pytest.raises(PermanentError) as info:
            publisher(tmp_path, token=TOKEN).publish(post())
    assert "Invalid token ***" in info.value.message and TOKEN not in info.value.message


def test_accounts_test_never_prints_an_echoed_token(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("MASTODON_BASE_URL", BASE)
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", TOKEN + "-acct")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, f"{BASE}/api/v2/instance/", json=INSTANCE)
        rsps.add(responses.GET, f"{BASE}/api/v1/accounts/verify_credentials", status=403,
                 json={"error": f"token {TOKEN}-acct is not allowed"})
        result = run_cli("accounts", "test")
    assert "mastodon-campaign (mastodon): error:" in result.output
    assert TOKEN not in result.output


def test_stored_errors_audit_rows_logs_and_pages_are_masked(project: Path) -> None:
    register([TOKEN])
    site = make_webapp(project)
    store = site.toolkit.store
    pid = queue_draft(site)
    now = site.clock.now
    store.transition(pid, ["draft"], "failed", "scheduler", now,
                     f"failed: platform said {ECHO['error']}", last_error=ECHO["error"])
    post_now = store.get(pid)
    assert TOKEN not in post_now.last_error and "***" in post_now.last_error
    assert all(TOKEN not in (a.detail or "") for a in store.audit_log(pid))
    # a row written before masking existed (or by other code) is masked on the page
    with store.engine.begin() as conn:
        conn.execute(insert(audit).values(post_id=pid, from_status="failed", to_status="failed",
                                          actor="old", at=now + timedelta(seconds=1),
                                          detail=f"old leak {TOKEN}"))
    client = site.client()
    sign_in(client, "maria")
    page = client.get(f"/posts/{pid}").data.decode()
    assert "old leak ***" in page and TOKEN not in page
    record = logging.LogRecord("toolkit", logging.WARNING, __file__, 1, "post %s: %s",
                               (pid, ECHO["error"]), None)
    RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage() and pid in record.getMessage()


def test_a_queued_notification_never_holds_a_secret(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from toolkit.store.ops import enqueue, pending

    register([TOKEN])
    store = Store(f"sqlite:///{tmp_path}/t.db")
    now = datetime.now(UTC)
    assert enqueue(store, "leads", ["k1"], f"failed {TOKEN}", f"said: {ECHO['error']}", now)
    (item,) = pending(store, now)
    assert TOKEN not in item.title + item.body and "***" in item.body
