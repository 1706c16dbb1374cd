"""Web and input edge cases of issue 29, one test each: every one answered with one clear line
or status, never a 500 or a traceback, and nothing stored lost."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit
from test_signoff import make_link
from webapp import queue_draft, session_csrf, sign_in, site_fixture

from toolkit.core.errors import InputError
from toolkit.store import MISSED

site = site_fixture()
MSG = "courts-suspended"


def test_queue_approve_all_exits_1_when_a_post_was_refused(run_cli, project: Path) -> None:
    edit(project, "  second_person: false", "  second_person: true")
    mine = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00", "--by", "maria")
    theirs = run_cli("queue", "add", MSG, "--at", "2099-01-06T09:00", "--by", "ana")
    out = run_cli("queue", "approve", "--all", "--by", "maria")
    assert f"approved {theirs.stdout.strip()} at revision 1" in out.output
    assert f"refused {mine.stdout.strip()}: four-eyes rule" in out.output
    assert out.exit_code == 1  # scripts can tell that not everything was approved


@pytest.mark.parametrize("target", ["/posts\r\nSet-Cookie: x=1", "/\nx", "/\\evil.example"])
def test_sign_in_ignores_a_next_with_control_characters_or_backslashes(site, target: str
                                                                       ) -> None:
    client = site.client()
    page = client.get("/login").data.decode()
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    answer = client.post("/login", data={"username": "maria", "password": "maria-lead-pass-1",
                                         "csrf_token": token, "next": target})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in


@pytest.mark.parametrize("seen", [
    {"text": "old", "media": [1, {"a": 2}], "when": 5, "account": ["x"]},
    "[" * 30_000,
    {"text": "x " * 20_000},
    "not base64 at all!",
])
def test_a_crafted_seen_field_is_never_a_500(site, seen) -> None:
    pid = queue_draft(site)
    client = site.client()
    sign_in(client, "maria")
    token = session_csrf(client)
    raw = seen if isinstance(seen, str) else json.dumps(seen)
    value = raw if raw.startswith("not") else base64.urlsafe_b64encode(raw.encode()).decode()
    stale = site.toolkit.store.get(pid).version
    site.toolkit.planner().reschedule(pid, site.clock.now + timedelta(days=5), "ana",
                                      site.clock.now)
    answer = client.post(f"/posts/{pid}/approve", data={"csrf_token": token, "revision": stale,
                                                        "seen": value})
    assert answer.status_code in (400, 409)
    assert site.toolkit.store.get(pid).status == "draft"
    _, link = make_link(site, pid)
    page = client.get(f"/review/{link}").data.decode()
    form = page.split(f'/review/{link}/posts/{pid}"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    site.toolkit.planner().reschedule(pid, site.clock.now + timedelta(days=6), "ana",
                                      site.clock.now)
    answer = client.post(f"/review/{link}/posts/{pid}", data={
        **fields, "seen": value, "reviewer": "Lee", "decision": "approved", "comment": ""})
    assert answer.status_code in (400, 409)


def test_a_link_opened_300_times_adds_one_audit_row_a_day(site) -> None:
    pid = queue_draft(site)
    _, token = make_link(site, pid)
    client = site.client()
    before = len(site.toolkit.store.audit_log(pid))
    for _ in range(300):
        assert client.get(f"/review/{token}").status_code == 200
    assert len(site.toolkit.store.audit_log(pid)) == before + 1
    site.clock.advance(days=1)
    client.get(f"/review/{token}")
    assert len(site.toolkit.store.audit_log(pid)) == before + 2


def test_resolve_reads_urls_as_browsers_do(planner) -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    pid = planner.add(MSG, "x", "en", at + timedelta(days=1), at, "comms")
    planner.store.transition(pid, ("draft",), MISSED, "test", at, "simulated outage")
    for bad in ("https://evil.example\\.x.com/a/status/1", "https://evil.example%2F.x.com/a"):
        with pytest.raises(InputError):
            planner.resolve(pid, bad, "lead", at)
    assert planner.store.get(pid).status == MISSED


@pytest.mark.parametrize(("content", "said"), [
    ("message_id,at,at\ncourts-suspended,2099-01-05T09:00,2099-01-05T10:00\n",
     "column(s) at given twice"),
    ("message_id,at\ncourts-suspended," + "9" * 200_000 + "\n", "not a readable CSV row"),
])
def test_bad_csv_is_one_line(run_cli, project: Path, content: str, said: str) -> None:
    rows = project.parent / "rows.csv"
    rows.write_text(content, encoding="utf-8")
    result = run_cli("queue", "import", str(rows))
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and said in last and len(last) < 400


def test_a_read_only_command_never_creates_a_mistyped_store(run_cli, project: Path,
                                                            monkeypatch) -> None:
    typo = project.parent.parent / "data" / "toolkt.db"
    typo.parent.mkdir(exist_ok=True)
    monkeypatch.setenv("TOOLKIT_STORE_URL", f"sqlite:///{typo}")
    for args in (("queue", "list"), ("schedule",), ("status",), ("queue", "show", "abc")):
        result = run_cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.strip().splitlines()[-1].startswith(f"Error: no store at {typo}")
    assert not typo.exists()


def _login_form(client) -> str:
    return re.findall(r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode())[-1]


def _try(client, token: str, name: str, password: str, address: str):
    return client.post("/login", data={"username": name, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_parallel_wrong_passwords_get_at_most_five_checks(site, monkeypatch) -> None:
    import threading

    import toolkit.surfaces.web.auth as auth

    checks = []
    real = auth.authenticate

    def counted(*args, **kwargs):
        checks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "authenticate", counted)
    clients = [site.client() for _ in range(40)]
    tokens = [_login_form(c) for c in clients]
    start = threading.Barrier(40)
    answers: list[int] = []

    def attempt(client, token) -> None:
        start.wait()
        answers.append(_try(client, token, "maria", "wrong-wrong-wrong", "10.1.1.1").status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens,
                                                                           strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) == 5
    assert sorted(answers) == [401] * 5 + [429] * 35


def test_an_outsider_cannot_lock_a_lead_out(site) -> None:
    outsider, lead = site.client(), site.client()
    for _ in range(5):
        assert _try(outsider, _login_form(outsider), "maria", "guess-guess-1",
                    "203.0.113.7").status_code == 401
    assert _try(outsider, _login_form(outsider), "maria", "guess-guess-1",
                "203.0.113.7").status_code == 429
    answer = _try(lead, _login_form(lead), "maria", "maria-lead-pass-1", "10.0.0.2")
    assert answer.status_code == 303  # the lead's own address is not locked


def test_a_name_under_attack_from_many_addresses_is_slowed(site) -> None:
    client = site.client()
    for n in range(20):
        assert _try(client, _login_form(client), "ana", "guess-guess-1",
                    f"198.51.100.{n}").status_code == 401
    assert _try(client, _login_form(client), "ana", "ana-lead-pass-22",
                "10.0.0.3").status_code == 429
    site.clock.advance(seconds=31)
    assert _try(client, _login_form(client), "ana", "ana-lead-pass-22",
                "10.0.0.3").status_code == 303


def bomb_png(path: Path, width: int, height: int) -> Path:
    """A PNG file of a few bytes whose header claims `width` × `height` pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                                       8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    return path


def test_a_900_megapixel_card_is_no_500_on_the_thumbs(site, tmp_path: Path) -> None:
    from toolkit.store import NewPost

    image = bomb_png(tmp_path / "bomb.png", 30_000, 30_000)
    at = site.clock.now + timedelta(days=2)
    [pid] = site.toolkit.store.add([NewPost(MSG, "en", "x", "x-campaign", "t #SaveAsylum", at,
                                            ({"path": str(image), "alt": "a card"},))],
                                   "sam", site.clock.now)
    # approved: the schedule shows its frozen image (a draft shows the card approval would take)
    site.toolkit.store.transition(pid, ("draft",), "approved", "ana", site.clock.now)
    client = site.client()
    sign_in(client, "maria")
    week = at.astimezone(site.toolkit.config.timezone).date().isoformat()
    page = client.get(f"/?week={week}").data.decode()
    [thumb] = set(re.findall(r'src="(/thumbs/\w+\.webp)"', page))
    answer = client.get(thumb)
    assert answer.status_code == 422 and b"megapixel" in answer.data


def test_a_400_megapixel_card_is_refused_at_approval_in_one_line(run_cli, project: Path) -> None:
    graphics = project.parent.parent / "graphics"
    graphics.mkdir()
    bomb_png(graphics / "stat-attacks-x-en.png", 20_000, 20_000)
    (graphics / "manifest.json").write_text(json.dumps([{
        "file": "stat-attacks-x-en.png", "card": "stat-attacks", "format": "x", "lang": "en",
        "width": 20_000, "height": 20_000, "alt": "a card", "sha256": "0" * 64}]))
    pid = run_cli("queue", "add", "violence-attacks", "--at", "2099-01-05T09:00").stdout.strip()
    for platform_limited in (False, True):
        if platform_limited:  # over Bluesky's 1 MB: approval would re-encode it
            edit(project, "card_format: link", "card_format: x")
            pid = run_cli("queue", "add", "violence-attacks", "--at", "2099-01-06T09:00",
                          "--platform", "bluesky").stdout.strip()
        result = run_cli("queue", "approve", pid, "--by", "maria")
        assert result.exit_code == 1 and "Traceback" not in result.output
        line = result.output.splitlines()[0]
        assert line.startswith(f"refused {pid}: card 'stat-attacks' (x, en) ")
        assert "megapixels" in line


def test_scheduler_once_counts_a_post_once_by_where_it_ended(tmp_path: Path) -> None:
    from toolkit.publishers.outbox import OutboxPublisher
    from toolkit.scheduler.dispatch import Dispatcher, outcome_summary
    from toolkit.store import NewPost, Store

    store = Store(f"sqlite:///{tmp_path}/t.db")
    now = datetime.now(UTC).replace(microsecond=0)
    (pid,) = store.add([NewPost(MSG, "en", "outbox", "outbox", "t #SaveAsylum", now)], "c",
                       now - timedelta(hours=1))
    store.transition(pid, ("draft",), "approved", "lead", now - timedelta(hours=1))
    outbox = OutboxPublisher(tmp_path / "outbox")
    crashed = Dispatcher(store, {"outbox": outbox}, owner="elsewhere:1:dead")
    assert store.claim_due(now, crashed.owner, crashed.lease, 10)  # then it "crashed"
    later = now + crashed.lease + timedelta(seconds=1)
    outcomes = Dispatcher(store, {"outbox": outbox}).dispatch_due(later)
    assert store.get(pid).status == "published"
    assert outcome_summary(outcomes) == (
        "published 1, missed 0, failed 0, needs_check 0, held by rate limit 0")


def test_a_lead_cannot_sign_off_through_a_link_of_their_own(project: Path, run_cli) -> None:
    from test_signoff import decide
    from webapp import make_webapp

    edit(project, "  second_person: false", "  second_person: false\n  require_signoff: [Legal]")
    pid = run_cli("queue", "add", MSG, "--at", "2099-03-02T10:00").stdout.strip()
    web = make_webapp(project)
    _, token = make_link(web, pid, name="Legal")  # made by maria
    assert decide(web.client(), token, pid, "approved").status_code == 303
    refused = run_cli("queue", "approve", pid, "--by", "maria")
    assert refused.exit_code == 1 and "needs the sign-off of Legal" in refused.output
    web.toolkit.close()
    edit(project, "  require_signoff: [Legal]", "  require_signoff: [Legal]\n  "
         "own_link_signoff: true")
    assert run_cli("queue", "approve", pid, "--by", "maria").exit_code == 0


def test_the_cli_records_the_os_user_beside_by(run_cli) -> None:
    import getpass

    pid = run_cli("queue", "add", MSG, "--at", "2099-03-02T10:00", "--by",
                  "someone-else").stdout.strip()
    shown = json.loads(run_cli("queue", "show", pid, "--json").stdout)
    actors = [entry["actor"] for entry in shown["history"]]
    assert actors == [f"someone-else (OS user {getpass.getuser()})"]


def test_yaml_aliases_are_bounded_by_size_not_only_by_count(run_cli, project: Path) -> None:
    import time

    text = "x " * 10_000
    bomb = project.parent.parent / "posts" / "bomb.yaml"
    bomb.write_text("statistics: []\nnotes:\n  - &t \"" + text + "\"\n  - ["
                    + ", ".join(["*t"] * 5_000) + "]\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("check")
    assert time.perf_counter() - started < 30
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "posts/bomb.yaml:4: error: aliases (*name) would expand this file by more than " \
           "1,000,000 characters; refused" in result.output


def test_no_log_line_shows_a_sign_off_token(site, caplog) -> None:
    import logging

    pid = queue_draft(site)
    _, token = make_link(site, pid)
    with caplog.at_level(logging.ERROR):
        site.app.logger.error("Exception on /review/%s/posts/%s [POST]", token, pid)
        site.app.logger.error("Exception on /calendar.ics?token=%s [GET]", token)
    assert caplog.records and token not in caplog.text and "/review/***/posts/" in caplog.text


def test_the_sign_in_throttle_and_the_fact_backfill_run_on_postgresql(pg_url: str) -> None:
    from toolkit.store import Store
    from toolkit.store.web import LoginRules, WebStore

    store = Store(pg_url)
    web = WebStore(store)
    rules = LoginRules(2, timedelta(minutes=15), 5, timedelta(seconds=30))
    now = datetime.now(UTC)
    first = web.begin_attempt("n", "10.0.0.1", now, rules)
    assert first is not None
    web.finish_attempt(first, False)
    assert web.begin_attempt("n", "10.0.0.1", now, rules) is not None
    assert web.begin_attempt("n", "10.0.0.1", now, rules) is None  # two failures: locked
    assert web.begin_attempt("n", "10.0.0.2", now, rules) is not None  # not from elsewhere
    assert store.approved_facts(missing_only=True) == []
    store.close()
