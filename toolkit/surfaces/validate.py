"""Everything `toolkit check` verifies, in one call that collects every problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from toolkit.compose.text import check_lengths
from toolkit.core.config import Config, read_config
from toolkit.core.problems import Problems
from toolkit.library.checks import check_library
from toolkit.library.loader import read_library
from toolkit.pages.congress.checks import check_members

#: extra checks registered by other layers (graphics contrast, account keys), run in order
EXTRA_CHECKS: list[str] = [
    "toolkit.graphics.checks:check_graphics",
    "toolkit.publishers.checks:check_accounts",
    "toolkit.library.site_words:check_site_words",
    "toolkit.operations.notify.checks:check_channels",
    "toolkit.core.placeholders:check_placeholders",
]


def run_checks(path: Path, strict: bool = False, today: date | None = None) -> Problems:
    """Validate config, library and the other layers' rules; return all problems found."""
    problems = Problems()
    config = read_config(path, problems)
    if config is None:
        return problems
    return check_config(config, problems, strict, today)


def check_config(config: Config, problems: Problems | None = None, strict: bool = False,
                 today: date | None = None) -> Problems:
    """Everything `toolkit check` verifies once the config is read: the library and the other
    layers' rules (the message editor calls it on the files as they would be written)."""
    problems = Problems() if problems is None else problems
    library = read_library(config, problems)
    check_library(config, library, problems, today=today, strict=strict,
                  after_message=check_lengths(config, library))
    check_members(config, library, problems, today=today)
    for spec in EXTRA_CHECKS:
        _run_extra(spec, config, library, problems)
    return problems


def _run_extra(spec: str, config: Config, library: object, problems: Problems) -> None:
    import importlib

    module_name, attr = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return  # that layer is not installed in this build
        raise
    getattr(module, attr)(config, library, problems)
