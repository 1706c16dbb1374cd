"""The #SaveAsylum scheduler daemon: `python scheduler.py [--config PATH] [--once]`.

Publishes approved posts at their time, each at most once, surviving crashes and restarts.
"""

from __future__ import annotations

import sys

import click

from toolkit.core import clock


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: $TOOLKIT_CONFIG or config/campaign.yaml).")
@click.option("--once", is_flag=True, help="Dispatch what is due now, then exit.")
@click.option("--dry-run", is_flag=True, help="Log what is due now and would be published; "
              "publish and change nothing (implies --once).")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def main(config_path: str | None, once: bool, dry_run: bool, verbose: bool) -> None:
    """Run the scheduler: publish approved posts at their time."""
    from toolkit.core.config import load_config
    from toolkit.scheduler.runner import build_dispatcher, setup_logging

    setup_logging(verbose)
    config = load_config(config_path)
    dispatcher = build_dispatcher(config_path, dry_run=dry_run, config=config)
    if once or dry_run:
        from toolkit.scheduler.dispatch import outcome_summary

        outcomes = dispatcher.dispatch_due(clock.now())
        if dry_run:
            click.echo(f"dry run: {len(outcomes)} post(s) due, nothing changed", err=True)
        else:
            click.echo(outcome_summary(outcomes), err=True)
        if dispatcher.facts_unavailable:  # fail closed: say so to cron with exit 1
            from toolkit.core.errors import LibraryError

            raise LibraryError(f"{dispatcher.facts_unavailable}; nothing was published")
        return
    from toolkit.operations.notify.notifier import build_notifier
    from toolkit.scheduler.daemon import SchedulerService

    SchedulerService(dispatcher, notifier=build_notifier(config_path, dispatcher.store),
                     **collection(config, dispatcher.store)).run()


def collection(config, store) -> dict:  # SchedulerService's collector keywords
    """The engagement collector for the daemon, when `stats.collect` is on (the default)."""
    if not config.stats.collect:
        return {}
    from datetime import timedelta

    from toolkit.operations.insights.collect import Collector

    return {"collector": Collector(config, store),
            "collect_every": timedelta(minutes=config.stats.every_minutes)}


if __name__ == "__main__":
    from toolkit.store.failures import exit_on_store_failure

    exit_on_store_failure(lambda: main(prog_name="scheduler.py"))
    sys.exit(0)
