"""What every command needs: the config and library, loaded once per invocation."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from toolkit.config import Config, load_config
from toolkit.library import Library, load_library


def get_config(ctx: click.Context) -> Config:
    """The validated config for this invocation (raises `ConfigError`)."""
    obj = ctx.ensure_object(dict)
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
    return obj["config"]


def get_library(ctx: click.Context) -> Library:
    """The loaded library for this invocation (raises `LibraryError`)."""
    obj = ctx.ensure_object(dict)
    if "library" not in obj:
        obj["library"] = load_library(get_config(ctx))
    return obj["library"]


def get_store(ctx: click.Context):  # noqa: ANN201 - Store, imported lazily
    """The store named by the config (opened and migrated once per invocation)."""
    from toolkit.store import Store

    obj = ctx.ensure_object(dict)
    if "store" not in obj:
        obj["store"] = Store(get_config(ctx).store_url)
        ctx.call_on_close(obj["store"].close)
    return obj["store"]


def actor_name(explicit: str | None = None) -> str:
    """Who is acting: `--by`, else the login name."""
    import getpass

    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
