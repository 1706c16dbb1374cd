"""What every command needs: the config, library and store, built once per invocation by the
plain factory `toolkit.surfaces.app.build` (the web app uses the same one)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from toolkit.core.config import Config
from toolkit.library import Library
from toolkit.library.four_eyes import OS_USER
from toolkit.surfaces.app import Toolkit, build


def get_toolkit(ctx: click.Context) -> Toolkit:
    """The campaign's parts for this invocation (config loaded on first use)."""
    obj = ctx.ensure_object(dict)
    if "toolkit" not in obj:
        obj["toolkit"] = build(obj.get("config_path"))
        ctx.call_on_close(obj["toolkit"].close)
        use_length_cache(ctx, obj["toolkit"].config.path)
    return obj["toolkit"]


def get_config(ctx: click.Context) -> Config:
    """The validated config for this invocation (raises `ConfigError`)."""
    return get_toolkit(ctx).config


def use_length_cache(ctx: click.Context, config_file: Path) -> None:
    """Measure lengths through `.cache/lengths.json` beside the config file for this command
    (a text is counted again only when it or the counter changed); written back at the end."""
    from toolkit.compose import lengths

    lengths.use_cache(Path(config_file).parent / ".cache" / "lengths.json")

    def done() -> None:
        lengths.save_cache()
        lengths.use_cache(None)

    ctx.call_on_close(done)


def get_library(ctx: click.Context) -> Library:
    """The loaded library for this invocation (raises `LibraryError`)."""
    return get_toolkit(ctx).library


def get_store(ctx: click.Context, read_only: bool = False):  # Store, imported lazily
    """The store named by the config (opened and migrated once per invocation); `read_only`
    commands never create a SQLite store that is not there."""
    return get_toolkit(ctx).existing_store() if read_only else get_toolkit(ctx).store


class ConfiguredChoice(click.Choice):
    """A choice among names read from the config when first needed (parse, help, completion),
    e.g. the configured platforms; the config is loaded once per invocation."""

    def __init__(self, names: Callable[[Config], Iterable[str]], metavar: str) -> None:
        super().__init__([])
        self._names, self._metavar = names, metavar

    def _load(self, ctx: click.Context | None, quiet: bool = False) -> None:
        if ctx is None:
            return
        try:
            self.choices = tuple(self._names(get_config(ctx)))
        except click.ClickException:
            if not quiet:
                raise

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        self._load(ctx)
        if ctx is not None and value not in self.choices:
            from toolkit.core.errors import InputError

            raise InputError(f"unknown {self._metavar.lower()} '{value}' (configured: "
                             f"{', '.join(self.choices)})")
        return super().convert(value, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        self._load(ctx, quiet=True)
        return super().get_metavar(param, ctx) if self.choices else self._metavar

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str
                       ) -> list:
        self._load(ctx, quiet=True)
        return super().shell_complete(ctx, param, incomplete)


def platform_choice() -> ConfiguredChoice:
    """`--platform` values: the platforms configured in the campaign file."""
    return ConfiguredChoice(lambda config: config.platforms, "PLATFORM")


def actor_name(explicit: str | None = None) -> str:
    """Who is acting: `--by`, recorded with the OS user who ran the command when that is
    someone else ("maria (OS user deploy)"), else the login name. The four-eyes rule reads
    the person's name (`toolkit.library.four_eyes.person`)."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "cli"
    if explicit and explicit != login:
        return f"{explicit}{OS_USER.format(login)}"
    return explicit or login


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
