"""`make run`: check the library, build the graphics, fill an empty store with a demo queue,
start the review web app, then run the scheduler in the foreground, publishing to the outbox
until Ctrl-C."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click

from toolkit.core import clock
from toolkit.core.config import Config, config_path, load_config
from toolkit.core.errors import ToolkitError
from toolkit.surfaces.web.demo import DEMO_LEAD, DEMO_STAFF

#: (message id, platform, language, seconds from now) of the demo queue
DEMO = [
    ("violence-attacks", "x", "en", 20),
    ("violence-attacks", "x", "es", 35),
    ("call-switchboard", "x", "en", 50),
    ("asylum-human-right", "mastodon", "es", 65),
    ("violence-children-kidnapped", "bluesky", "en", 80),
    ("support-donate", "outbox", "en", 95),
]

#: (message id, platform, language) of the drafts `make run` leaves waiting for approval, in
#: the next free posting slots; the first carries a comment thread
WAITING = [
    ("courts-suspended", "x", "en"),
    ("call-switchboard", "mastodon", "en"),
    ("asylum-human-right", "bluesky", "es"),
]
THREAD = [
    (DEMO_LEAD, "Can we name the court that ordered the restart?"),
    (DEMO_STAFF, "The message links to the ruling; naming it would go over the limit on X."),
]


def run_step(title: str, args: list[str], may_fail: bool = False) -> int:
    """Run one `toolkit` command in-process, stopping the demo if it fails (unless `may_fail`:
    then its exit code is returned)."""
    from toolkit.surfaces.cli import cli

    click.secho(f"\n== {title}: toolkit {' '.join(args)}", bold=True)
    try:
        code = cli.main(args, prog_name="toolkit", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    code = code if isinstance(code, int) else 0  # a command's return value is not a code
    if code and not may_fail:
        sys.exit(code)
    return code


def check_step(path: Path) -> bool:
    """`toolkit check`; stops the demo on an error, except dated data past its review date
    (member data, say), which it names in one line with what to run. Returns whether there
    was such outdated data, so that the share kit is built marked as possibly out of date."""
    if not run_step("Checking config and post library", ["check"], may_fail=True):
        return False
    from toolkit.surfaces.validate import run_checks

    problems = run_checks(path)
    if any(p not in problems.outdated for p in problems.errors):
        sys.exit(1)
    for p in problems.outdated:
        click.secho(f"stale data, make run goes on: {p.path}:{p.line}: {p.message}", fg="yellow",
                    err=True)
    return bool(problems.outdated)


def seed_demo(config: Config, now: datetime) -> list[str]:
    """Queue and approve the demo posts if the store is empty; return their ids."""
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner
    from toolkit.store import Store

    store = Store(config.store_url)
    try:
        if store.count():
            click.echo(f"the store already holds {store.count()} posts: no demo queue added")
            return []
        planner = Planner(config, load_library(config), store)
        library_ids = planner.library.messages
        ids = [planner.add(mid, platform, lang, now + timedelta(seconds=s), now, "make-run")
               for mid, platform, lang, s in DEMO if mid in library_ids]
        result = planner.approve(ids, "make-run", now)
        for pid, why in result.refused.items():
            click.echo(f"demo post {pid} not approved: {why}")
        drafts = [planner.add(mid, platform, lang, None, now, DEMO_STAFF)
                  for mid, platform, lang in WAITING if mid in library_ids]
        if drafts:
            from toolkit.store.web import WebStore

            web = WebStore(store)
            for author, text in THREAD:
                web.add_comment(drafts[0], author, text, now)
        return result.approved
    finally:
        store.close()


def main() -> None:
    """The `make run` flow; Ctrl-C before the scheduler runs (which stops cleanly by itself)
    ends it with one line, as click does, not a traceback."""
    try:
        _run()
    except (KeyboardInterrupt, click.Abort):
        click.echo("\nAborted!", err=True)
        sys.exit(130)


def _run() -> None:
    path = config_path()
    outdated = check_step(path)
    run_step("The composed library", ["library"])
    run_step("Building share graphics", ["graphics", "build"])
    run_step("Building the supporters' share kit",
             ["site", "build", *(["--allow-stale-members"] if outdated else [])])
    try:
        config = load_config(path)
        ids = seed_demo(config, clock.now())
    except ToolkitError as exc:
        exc.show()
        sys.exit(1)
    if ids:
        click.echo(f"\nqueued and approved {len(ids)} demo posts due in the next two minutes, "
                   f"and {len(WAITING)} drafts waiting for a lead's approval")
    run_step("The schedule", ["schedule", "--days", "2"])
    from toolkit.surfaces.web.demo import start_review_app

    _, sign_in = start_review_app(config)
    click.secho("\n== Running the scheduler (Ctrl-C stops it cleanly)", bold=True)
    click.echo(f"Published posts appear as JSON files in {config.outbox_dir}")
    click.echo(f"The supporters' share kit: open {config.site_dir / 'index.html'} in a browser")
    click.echo("To publish to a real X account, set X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN "
               "and X_ACCESS_TOKEN_SECRET (environment or .env), then `toolkit accounts test`;"
               " see docs/guide/connecting-accounts.md.\n")
    from toolkit.scheduler.daemon import SchedulerService
    from toolkit.scheduler.runner import build_dispatcher, setup_logging

    setup_logging(verbose=bool(os.environ.get("TOOLKIT_VERBOSE")))
    try:
        dispatcher = build_dispatcher(config=config)
    except ToolkitError as exc:
        exc.show()
        sys.exit(1)
    SchedulerService(dispatcher, on_start=lambda: show_last(sign_in)).run()


def show_last(lines: list[str]) -> None:
    """The review app's address and the demo sign-ins, after the noisy start-up output."""
    if lines:
        click.secho("\n" + "\n".join(lines) + "\n", bold=True)


if __name__ == "__main__":
    main()
