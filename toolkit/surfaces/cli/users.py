"""`toolkit users …`: who may sign in to the review web app, and with which role."""

from __future__ import annotations

import sys

import click

from toolkit.core import clock
from toolkit.core.errors import InputError
from toolkit.store.users import check_email
from toolkit.surfaces.cli.context import get_store
from toolkit.surfaces.cli.table import print_table


def _web(ctx: click.Context):  # WebStore
    from toolkit.store.web import WebStore

    return WebStore(get_store(ctx))


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True,
                                err=True)
    if not password:
        raise InputError("no password given")
    return password


@click.group()
def users() -> None:
    """Add, list and remove the review app's users."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["staff", "lead"]),
              help="staff: queue and edit drafts; lead: also approve, cancel and resolve.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
@click.option("--email", default=None, help="The address their library edits are committed under.")
@click.pass_context
def add(ctx: click.Context, name: str, role: str, password_stdin: bool,
        email: str | None) -> None:
    """Add user NAME (asks for the password unless --password-stdin)."""
    from toolkit.store.users import add_user, check_name

    check_name(name)
    web = _web(ctx)
    if web.user(name):
        raise InputError(f"user '{name}' already exists (use `toolkit users passwd`)")
    add_user(web, name, role, _read_password(password_stdin), clock.now())
    if email:
        web.set_email(name, check_email(email), clock.now())
    click.echo(f"added {role} {name}", err=True)


@users.command("email")
@click.argument("name")
@click.argument("address")
@click.pass_context
def email(ctx: click.Context, name: str, address: str) -> None:
    """Set the e-mail address NAME's library edits are committed under (git author)."""
    if not _web(ctx).set_email(name, check_email(address), clock.now()):
        raise InputError(f"no user '{name[:64]}'")
    click.echo(f"{name}: library edits are committed as {address}", err=True)


@users.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """The users and their roles."""
    print_table(["name", "role", "since"],
                [[u.name, u.role, u.created_at.strftime("%Y-%m-%d")] for u in _web(ctx).users()])


@users.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove user NAME (their sessions end; their history stays)."""
    from toolkit.store.users import remove_user

    remove_user(_web(ctx), name)
    click.echo(f"removed {name}", err=True)


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
@click.pass_context
def passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set NAME's password (their sessions end)."""
    from toolkit.store.users import set_password

    web = _web(ctx)
    if not web.user(name):
        raise InputError(f"no user '{name[:64]}'")
    set_password(web, name, _read_password(password_stdin), clock.now())
    click.echo(f"password of {name} changed", err=True)
