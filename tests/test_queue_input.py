"""Bad queue input gets one clear line (never a traceback) and changes nothing; honest output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit, line_of

from toolkit.core.config import load_config
from toolkit.core.errors import InputError
from toolkit.library import load_library
from toolkit.planning.queue import Planner
from toolkit.store import CANCELLED, Store

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
MSG = "courts-suspended"
HEADER = "message_id,at,platform,lang\n"
OUTBOX_ACCOUNT = "  outbox:\n    platform: outbox\n"
SECOND_X = "  x-es:\n    platform: x\n    env: {api_key: XES_API_KEY}\n" + OUTBOX_ACCOUNT



def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_identical_rows_are_refused_with_both_lines(planner: Planner, tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + f"{MSG},2026-12-02T09:00,x,en\n{MSG},2026-12-02T10:00,x,en\n"
                f"{MSG},2026-12-02T09:00,x,en\n")
    with pytest.raises(InputError) as err:
        planner.import_csv(path, NOW, "comms")
    assert f"{path}:4: the same post as line 2" in err.value.message
    assert planner.store.count() == 0


def test_unknown_column_is_refused(planner: Planner, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"message_id,at,plat,lang\n{MSG},2026-12-02T09:00,mastodon,en\n")
    with pytest.raises(InputError, match=r"rows.csv:1: unknown column\(s\) plat"):
        planner.import_csv(path, NOW, "comms")
    assert planner.store.count() == 0


def test_semicolon_separated_file_is_read(planner: Planner, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"message_id;at;platform;lang\n{MSG};2026-12-02T09:00;mastodon;es\n")
    (pid,) = planner.import_csv(path, NOW, "comms")
    post = planner.store.get(pid)
    assert (post.platform, post.lang, post.account) == ("mastodon", "es", "mastodon-campaign")


def test_semicolon_file_with_wrong_header_names_the_separator(planner: Planner,
                                                              tmp_path: Path) -> None:
    path = _csv(tmp_path, f"message;when\n{MSG};2026-12-02T09:00\n")
    with pytest.raises(InputError, match="the file uses ';' as separator"):
        planner.import_csv(path, NOW, "comms")


def test_account_column_and_option(project: Path, tmp_path: Path, run_cli) -> None:
    edit(project, OUTBOX_ACCOUNT, SECOND_X)
    config = load_config(project)
    planner = Planner(config, load_library(config), Store(config.store_url))
    path = _csv(tmp_path, "message_id,at,platform,lang,account\n"
                f"{MSG},2026-12-02T09:00,x,es,x-es\n{MSG},2026-12-02T09:00,x,es,\n")
    a, b = planner.import_csv(path, NOW, "comms")
    assert planner.store.get(a).account == "x-es" and planner.store.get(b).account == "x-campaign"
    bad = _csv(tmp_path, "message_id,at,platform,lang,account\n"
               f"{MSG},2026-12-03T09:00,x,en,mastodon-campaign\n"
               f"{MSG},2026-12-03T09:00,x,en,nobody\n")
    with pytest.raises(InputError) as err:
        planner.import_csv(bad, NOW, "comms")
    assert "rows.csv:2: account 'mastodon-campaign' is a mastodon account, not x" in \
        err.value.message
    assert "rows.csv:3: unknown account 'nobody'" in err.value.message
    out = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00", "--account", "x-es")
    assert out.exit_code == 0, out.output
    assert planner.store.get(out.stdout.strip()).account == "x-es"


def test_queue_add_warns_about_an_identical_post(run_cli) -> None:
    first = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00")
    again = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00")
    assert again.exit_code == 0
    assert f"warning: post {first.stdout.strip()} (draft) is already queued" in again.output


@pytest.mark.parametrize("args", [
    ("--at", "9999-12-31T23:00"),
    ("--at", "9999-12-31T23:00Z"),
    ("--at", "0001-01-01T00:00Z"),
])
def test_extreme_times_give_one_line(run_cli, args: tuple[str, ...]) -> None:
    out = run_cli("queue", "add", MSG, *args)
    assert out.exit_code == 1 and out.output.startswith("Error: ")
    assert len(out.output.strip().splitlines()) == 1 and "Traceback" not in out.output


def test_extreme_time_in_csv_is_a_row_error(planner: Planner, tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + f"{MSG},9999-12-31T23:00,x,en\n")
    with pytest.raises(InputError, match=r"rows.csv:2: time '9999-12-31T23:00' is out of range"):
        planner.import_csv(path, NOW, "comms")


def test_empty_languages_is_a_config_error(project: Path, run_cli) -> None:
    edit(project, "languages: [en, es]", "languages: []")
    out = run_cli("queue", "add", MSG)
    assert out.exit_code == 1 and "Traceback" not in out.output
    line = line_of(project, "languages: []")
    assert f"config/campaign.yaml:{line}: error: 'languages' must list at least one" in out.output


def test_times_are_echoed_in_the_campaign_timezone(planner: Planner, run_cli) -> None:
    with pytest.raises(InputError) as err:
        planner.add(MSG, "x", "en", datetime(2026, 11, 1, 15, tzinfo=UTC), NOW, "comms")
    assert err.value.message.startswith("2026-11-01T09:00-06:00 is in the past")
    out = run_cli("queue", "add", MSG, "--at", "2026-11-01T09:00")
    assert "Error: 2026-11-01T09:00-06:00 is in the past" in out.output
    added = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00")
    assert "at 2099-01-05T09:00-06:00 as draft" in added.output
    moved = run_cli("queue", "reschedule", added.stdout.strip(), "--at", "2099-07-05T09:00")
    assert moved.output.strip().endswith("is now draft at 2099-07-05T09:00-05:00")


def test_date_without_time_is_refused(run_cli, planner: Planner) -> None:
    out = run_cli("queue", "add", MSG, "--at", "2026-12-21")
    assert out.exit_code == 1 and "has no time of day" in out.output
    assert planner.store.count() == 0


class RacingStore(Store):
    """A store where other people cancel some posts between approve's read and its write."""

    cancel_first: list[str] = []

    def transition_many(self, changes, to, actor, now, detail=None, owner=None, **more):
        if to == "approved" and self.cancel_first:
            for pid in self.cancel_first:
                Store.transition(self, pid, ("draft",), CANCELLED, "someone", now, "cancelled")
            self.cancel_first = []
        return super().transition_many(changes, to, actor, now, detail, owner, **more)


@pytest.mark.parametrize("n", [3, 30])
def test_approve_racing_cancel_gives_every_id_a_line(project: Path, n: int) -> None:
    config = load_config(project)
    store = RacingStore(config.store_url)
    planner = Planner(config, load_library(config), store)
    ids = [planner.add(MSG, "x", "en", NOW + timedelta(days=1, minutes=i), NOW, "comms")
           for i in range(n)]
    store.transition(ids[0], ("draft",), CANCELLED, "someone", NOW, "cancelled early")
    store.cancel_first = ids[1:n:2]
    result = planner.approve([*ids, "no-such-id"], "lead", NOW)
    assert result.refused[ids[0]] == "is cancelled, not a draft"
    assert result.refused["no-such-id"] == "no post with this id"
    assert result.changed == dict.fromkeys(ids[1:n:2], "cancelled")
    assert sorted(result.approved) == sorted(ids[2:n:2])
    assert set(result.approved) | set(result.refused) | set(result.changed) == {
        *ids, "no-such-id"}


def test_approve_cli_prints_a_line_per_id(run_cli) -> None:
    a = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00").stdout.strip()
    b = run_cli("queue", "add", MSG, "--at", "2099-01-06T09:00").stdout.strip()
    run_cli("queue", "cancel", b)
    out = run_cli("queue", "approve", a, b, "nope", "--by", "lead")
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert f"approved {a} at revision 1" in lines
    assert f"refused {b}: is cancelled, not a draft" in lines
    assert "refused nope: no post with this id" in lines


def test_queue_show(run_cli) -> None:
    pid = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00").stdout.strip()
    run_cli("queue", "approve", pid, "--by", "lead")
    out = run_cli("queue", "show", pid)
    assert out.exit_code == 0, out.output
    assert "On January 20, 2021, new enrollments in MPP were suspended." in out.output
    assert "mpp-suspended: January 20, 2021 — U.S. Court of Appeals" in out.output
    assert "draft -> approved  by lead" in out.output
    data = json.loads(run_cli("queue", "show", pid, "--json").stdout)
    assert data["id"] == pid and data["status"] == "approved"
    assert [s["id"] for s in data["statistics"]] == ["mpp-suspended", "mpp-terminated"]
    assert data["statistics"][0]["as_of"] and data["statistics"][0]["source_url"]
    assert [h["to"] for h in data["history"]] == ["draft", "approved"]
    assert data["history"][-1]["detail"] == "approved at revision 1"  # what the lead saw
    missing = run_cli("queue", "show", "nope")
    assert missing.exit_code == 1 and "no post with id 'nope'" in missing.output


def test_help_is_complete(run_cli) -> None:
    from toolkit.surfaces.cli import cli

    out = run_cli("queue", "--help").output
    for name in ("add", "approve", "cancel", "import", "list", "reschedule", "resolve", "show"):
        assert f"  {name} " in out
    assert "..." not in out.split("Commands:")[1]
    assert "[x|bluesky|mastodon|threads|instagram|facebook|linkedin|outbox]" in run_cli(
        "queue", "add", "--help").output
    bad = run_cli("queue", "add", MSG, "--platform", "myspace")
    assert bad.exit_code == 1
    assert "Error: unknown platform 'myspace' (configured: x, bluesky, mastodon, threads, " \
        "instagram, facebook, linkedin, outbox)" in bad.output
    def every(command, path: str):
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from every(sub, f"{path} {name}")

    for name in cli.list_commands(None):  # every command and subcommand there is
        for path, command in every(cli.get_command(None, name), name):
            assert command.help, f"`toolkit {path}` has no help text"
            for param in command.params:
                if param.param_type_name == "option":
                    assert param.help, f"`toolkit {path}` {param.opts} has no help text"
    from toolkit.core.config import SCHEMA
    from toolkit.core.options import walk

    keys = walk(SCHEMA)  # every config key there is, nested and named entries' keys included
    assert {"campaign.name", "platforms.<name>.limit", "notify.channels.<name>.url_env",
            "web.trusted_proxy", "brand.colors.accent"} <= {name for name, _ in keys}
    for name, option in keys:
        assert option.help, f"config key `{name}` has no help text (help= in its schema line)"


def test_four_eyes_holds_on_the_command_line_too(run_cli, project: Path) -> None:
    edit(project, "  second_person: false", "  second_person: true")
    mine = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00", "--by", "maria")
    theirs = run_cli("queue", "add", MSG, "--at", "2099-01-06T09:00", "--by", "ana")
    mine, theirs = mine.stdout.strip(), theirs.stdout.strip()
    out = run_cli("queue", "approve", mine, "--by", "maria")
    assert out.exit_code == 1
    assert f"refused {mine}: four-eyes rule: you queued this post yourself" in out.output
    out = run_cli("queue", "approve", "--all", "--by", "maria")  # the SQLAlchemy-free store
    lines = out.output.splitlines()
    assert f"approved {theirs} at revision 1" in lines
    assert any(line.startswith(f"refused {mine}: four-eyes rule") for line in lines)
    assert run_cli("queue", "approve", mine, "--by", "ana").exit_code == 0
