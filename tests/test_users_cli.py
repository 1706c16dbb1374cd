"""`toolkit users …`, `toolkit feed rotate-token` and `toolkit serve --help`."""

from __future__ import annotations

from pathlib import Path

from toolkit.pages.review.feed import token_ok
from toolkit.store.users import authenticate
from toolkit.store.web import WebStore
from toolkit.surfaces.app import build


def web_of(project: Path) -> WebStore:
    return WebStore(build(project).store)


def test_users_add_list_passwd_remove(run_cli, project: Path) -> None:
    added = run_cli("users", "add", "maria", "--role", "lead", "--password-stdin",
                    input="first-password-1\n")
    assert added.exit_code == 0, added.output
    assert "first-password-1" not in added.output
    assert run_cli("users", "add", "sam", "--role", "staff", "--password-stdin",
                   input="staff-password-2\n").exit_code == 0
    listed = run_cli("users", "list")
    assert "maria" in listed.stdout and "lead" in listed.stdout and "staff" in listed.stdout
    web = web_of(project)
    user = web.user("maria")
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate(web, "maria", "first-password-1") is not None
    changed = run_cli("users", "passwd", "maria", "--password-stdin", input="second-password-3\n")
    assert changed.exit_code == 0, changed.output
    assert authenticate(web, "maria", "first-password-1") is None
    assert authenticate(web, "maria", "second-password-3") is not None
    assert run_cli("users", "remove", "sam").exit_code == 0
    assert "sam" not in run_cli("users", "list").stdout


def test_users_bad_input_is_one_line(run_cli) -> None:
    for args, inp, needle in [
        (("users", "add", "x y", "--role", "lead", "--password-stdin"), "long-enough-pw\n",
         "user name"),
        (("users", "add", "ana", "--role", "lead", "--password-stdin"), "short\n",
         "at least 10 characters"),
        (("users", "remove", "nobody"), None, "no user 'nobody'"),
        (("users", "passwd", "nobody", "--password-stdin"), "long-enough-pw\n", "no user"),
    ]:
        result = run_cli(*args, input=inp)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and needle in result.output
        assert "Traceback" not in result.output
    run_cli("users", "add", "ana", "--role", "lead", "--password-stdin", input="long-enough-1\n")
    again = run_cli("users", "add", "ana", "--role", "staff", "--password-stdin",
                    input="long-enough-2\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_feed_rotate_token_invalidates_the_old_url(run_cli, project: Path) -> None:
    first = run_cli("feed", "rotate-token")
    assert first.exit_code == 0, first.output
    old = first.stdout.strip().split("token=")[1]
    web = web_of(project)
    assert token_ok(web, old)
    new = run_cli("feed", "rotate-token").stdout.strip().split("token=")[1]
    assert not token_ok(web, old) and token_ok(web, new)
    assert new not in (web.setting("feed_token_sha256") or "")  # only its hash is kept


def test_serve_binds_localhost_by_default(run_cli) -> None:
    result = run_cli("serve", "--help")
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output


def test_serve_on_a_taken_port_is_one_line(run_cli) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.exit_code == 1
    assert "Error: cannot serve on 127.0.0.1:" in result.output and "Traceback" not in result.output
    assert "nobody can sign in yet" in result.output


def test_serve_on_an_address_that_is_not_one_is_one_line(run_cli) -> None:
    result = run_cli("serve", "--host", "256.1.1.1", "--port", "8123")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: cannot serve on 256.1.1.1")
