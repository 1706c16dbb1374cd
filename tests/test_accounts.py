"""`toolkit accounts test` and the table of platforms: every configured account, every platform."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import responses
import respx
from conftest import edit, line_of

from toolkit.core.platforms import PLATFORMS, publisher_class

PDS = "https://pds.example.org"
MASTODON = "https://social.example.org"
SECOND_BLUESKY = """  bluesky-es:
    platform: bluesky
    service: https://pds.example.org
    env:
      handle: BLUESKY_ES_HANDLE
      app_password: BLUESKY_ES_APP_PASSWORD
  mastodon-campaign:"""
SECRETS = {"BLUESKY_ES_HANDLE": "es.example.org", "BLUESKY_ES_APP_PASSWORD": "pw-hunter2-1",
           "MASTODON_BASE_URL": MASTODON, "MASTODON_ACCESS_TOKEN": "tok-hunter2-2"}
INSTANCE = {"configuration": {"statuses": {"max_characters": 1000,
                                           "characters_reserved_per_url": 23,
                                           "max_media_attachments": 4}}}


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_platform_in_the_table_has_a_whole_publisher(name: str) -> None:
    cls = publisher_class(PLATFORMS[name])
    for method in ("from_config", "publish", "reconcile", "who_am_i"):
        assert callable(getattr(cls, method, None)), f"{cls.__name__}.{method}"


def test_accounts_test_covers_every_configured_account(
        run_cli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(project, "  mastodon-campaign:", SECOND_BLUESKY)
    for var in ("X_API_KEY", "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    jwt = "e30.eyJleHAiOiA0MTAyNDQ0ODAwfQ.c2ln"  # {"exp": 2100-01-01}
    with respx.mock(assert_all_called=False) as router, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router.post(f"{PDS}/xrpc/com.atproto.server.createSession").mock(
            return_value=httpx.Response(200, json={"accessJwt": jwt, "refreshJwt": jwt,
                                                   "handle": "es.example.org",
                                                   "did": "did:plc:abc"}))
        router.get(f"{PDS}/xrpc/com.atproto.server.getSession").mock(
            return_value=httpx.Response(200, json={"handle": "es.example.org",
                                                   "did": "did:plc:abc"}))
        rsps.add(responses.GET, f"{MASTODON}/api/v1/accounts/verify_credentials",
                 json={"id": "1", "username": "saveasylum", "acct": "saveasylum"})
        rsps.add(responses.GET, f"{MASTODON}/api/v2/instance/", json=INSTANCE)
        result = run_cli("accounts", "test")
    out = result.stdout
    assert "x-campaign (x): not connected, missing X_API_KEY" in out
    assert "bluesky-campaign (bluesky): not connected, missing BLUESKY_HANDLE" in out
    assert "bluesky-es (bluesky): ok, connected as @es.example.org" in out
    assert "mastodon-campaign (mastodon): ok, connected as @saveasylum@social.example.org" in out
    assert "outbox (outbox): ok, writes posts to" in out
    assert "hunter2" not in out and result.exit_code == 0
    session = project.parent.parent / "data" / "sessions" / "bluesky-es.json"
    assert session.stat().st_mode & 0o777 == 0o600
    # the instance's limits, read by accounts test, are what compose measures against now
    doc = json.loads(run_cli("compose", "--text", "a" * 600, "--platform", "mastodon",
                             "--json").stdout)
    assert doc["limit"] == 1000 and doc["fits"] is True


def test_compose_falls_back_to_the_config_limit(run_cli) -> None:
    doc = json.loads(run_cli("compose", "--text", "Hola", "--platform", "mastodon",
                             "--json").stdout)
    assert doc["limit"] == 500
    doc = json.loads(run_cli("compose", "--text", "Hola", "--platform", "bluesky",
                             "--json").stdout)
    assert doc["limit"] == 300


def test_service_must_be_a_url(run_cli, project: Path) -> None:
    edit(project, "  mastodon-campaign:", SECOND_BLUESKY.replace(
        "https://pds.example.org", "pds.example.org"))
    result = run_cli("check")
    line = line_of(project, "service: pds.example.org")
    assert result.exit_code == 1
    assert f"campaign.yaml:{line}: error: 'accounts.bluesky-es.service' must be an http(s) URL" \
        in result.output


def saved_session(project: Path, account: str) -> Path:
    from atproto_client.client.session import Session

    from toolkit.compose.instances import write_private

    path = project.parent.parent / "data" / "sessions" / f"{account}.json"
    session = Session("es.example.org", "did:plc:abc", "access.jwt.sig", "refresh.jwt-SECRET.sig",
                      PDS)
    write_private(path, {"service": PDS, "identifier": "es.example.org",
                         "session": session.encode()})
    return path


def test_disconnect_ends_the_saved_session_at_once(run_cli, project: Path) -> None:
    path = saved_session(project, "bluesky-campaign")
    with respx.mock() as router:
        ended = router.post(f"{PDS}/xrpc/com.atproto.server.deleteSession").mock(
            return_value=httpx.Response(200))
        result = run_cli("accounts", "disconnect", "bluesky-campaign")
    assert result.exit_code == 0 and not path.exists()
    assert ended.calls.last.request.headers["authorization"] == "Bearer refresh.jwt-SECRET.sig"
    marked = ("bluesky-campaign: disconnect recorded in the store; every scheduler sharing it "
              "signs in anew before its next post\n")
    assert result.stdout == ("bluesky-campaign: saved session removed and ended at Bluesky; it "
                             "publishes nothing until it signs in again with its keys\n"
                             + marked)
    again = run_cli("accounts", "disconnect", "bluesky-campaign")
    assert again.stdout == "bluesky-campaign: no saved session; nothing to end\n" + marked


def test_disconnect_offline_still_removes_the_session(run_cli, project: Path) -> None:
    path = saved_session(project, "bluesky-campaign")
    with respx.mock() as router:
        router.post(f"{PDS}/xrpc/com.atproto.server.deleteSession").mock(
            side_effect=httpx.ConnectError("refused"))
        result = run_cli("accounts", "disconnect", "bluesky-campaign")
    assert not path.exists() and "could not be reached to end it there: ConnectError" \
        in result.stdout and "SECRET" not in result.stdout


def test_disconnect_names_an_unknown_account(run_cli) -> None:
    result = run_cli("accounts", "disconnect", "nope")
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown account 'nope' (configured: x-campaign, ")
