"""The `toolkit` command line: a thin layer over the library, one module per command.

Subcommands are imported only when run, so `toolkit --help` stays fast (no Pillow, SQLAlchemy or
twitter-text at start-up). Every user error is a `ToolkitError` (a `click.ClickException`), shown
as one `Error: …` line with exit code 1.
"""

from __future__ import annotations

import importlib

import click

from toolkit import __version__

#: command name -> (module:attribute in this package, one-line help shown by `toolkit --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check:check", "Validate the config and post library."),
    "library": ("library:library", "List messages and statistics."),
    "compose": ("compose:compose", "Print the exact text that would be published."),
    "graphics": ("graphics:graphics", "Render share graphics (build, sheet)."),
    "queue": ("queue:queue", "Queue, show, approve, cancel, resolve posts."),
    "schedule": ("schedule:schedule", "Show the schedule for review (ICS, HTML)."),
    "accounts": ("accounts:accounts", "Check the configured platform accounts."),
    "site": ("site:site", "Build the supporters' share kit (static site)."),
    "stats": ("stats:stats", "Engagement of published posts: collect, report."),
    "status": ("status:status", "Scheduler health and posts waiting for a person."),
    "notify": ("notify:notify", "Test and run the notification channels."),
    "store": ("store:store", "Upgrade the store or copy it (e.g. to PostgreSQL)."),
    "users": ("users:users", "Add, list and remove the review app's users."),
    "feed": ("feed:feed", "The review app's calendar feed (rotate-token)."),
    "serve": ("serve:serve", "Run the review web app."),
    "review": ("review:review", "Sign-off links for outside reviewers."),
    "congress": ("congress:congress", "Refresh the members of Congress (update)."),
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name][0].split(":")
        return getattr(importlib.import_module(f"{__name__}.{module_name}"), attr)

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; a database error, or a file or folder that cannot be read or
        written, escaping it becomes one `Error:` line."""
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except OSError as exc:
            if exc.filename is None:
                raise
            from toolkit.core.errors import ToolkitError

            raise ToolkitError(f"{exc.filename}: {exc.strerror or exc}") from None
        except Exception as exc:
            from toolkit.store.failures import describe

            error = describe(exc)
            if error is None:
                raise
            raise error from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: $TOOLKIT_CONFIG or config/campaign.yaml).")
@click.version_option(__version__, prog_name="toolkit")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """The #SaveAsylum toolkit: sourced posts, share graphics and a scheduler."""
    ctx.obj = {"config_path": config_path}


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="toolkit")
