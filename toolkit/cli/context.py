"""What every command needs: the config, library and store, built once per invocation by the
plain factory `toolkit.app.build` (the web app uses the same one)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from toolkit.app import Toolkit, build
from toolkit.config import Config
from toolkit.library import Library


def get_toolkit(ctx: click.Context) -> Toolkit:
    """The campaign's parts for this invocation (config loaded on first use)."""
    obj = ctx.ensure_object(dict)
    if "toolkit" not in obj:
        obj["toolkit"] = build(obj.get("config_path"))
        ctx.call_on_close(obj["toolkit"].close)
    return obj["toolkit"]


def get_config(ctx: click.Context) -> Config:
    """The validated config for this invocation (raises `ConfigError`)."""
    return get_toolkit(ctx).config


def get_library(ctx: click.Context) -> Library:
    """The loaded library for this invocation (raises `LibraryError`)."""
    return get_toolkit(ctx).library


def get_store(ctx: click.Context):  # noqa: ANN201 - Store, imported lazily
    """The store named by the config (opened and migrated once per invocation)."""
    return get_toolkit(ctx).store


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
