"""Shared fixtures: a throw-away copy of the project (config + posts) in a temp folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# Property tests explore new examples on every local run; on CI they replay the same examples,
# so whether a submission lands never depends on the draw (a find is pinned with @example).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of config/ and posts/ in tmp_path; returns the config file's path.

    The store, outbox and graphics all live under tmp_path (relative paths in the config).
    """
    shutil.copytree(ROOT / "config", tmp_path / "config",
                    ignore=shutil.ignore_patterns(".cache"))  # a working tree's length cache
    shutil.copytree(ROOT / "posts", tmp_path / "posts")
    return tmp_path / "config" / "campaign.yaml"


@pytest.fixture
def run_cli(project: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `toolkit --config <project> ARGS…` in-process from the project's folder."""
    from toolkit.surfaces.cli import cli

    monkeypatch.chdir(project.parent.parent)

    def run(*args: str, config: Path | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--config", str(config or project), *args], input=input,
                             catch_exceptions=False)

    return run


@contextmanager
def clock_pinned(when: datetime) -> Iterator[None]:
    """`pin_clock` for a wider scope (a module's fixtures): pinned inside the `with`."""
    from toolkit.core import clock

    assert when.tzinfo is not None, "pin an aware time"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(clock.PIN_VARIABLE, when.isoformat())
        yield


@pytest.fixture
def pin_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], datetime]:
    """Pin `toolkit.core.clock` at an instant, for this process and every process it starts (the
    environment variable `toolkit.core.clock` honours under pytest only): `pin_clock(NOW)`.

    For a test whose times are fixed (a `NOW` in late 2026, a `--at` typed as digits): the
    commands it runs then reason about that instant, whatever today's date is."""
    from toolkit.core import clock

    def pin(when: datetime) -> datetime:
        assert when.tzinfo is not None, "pin an aware time"
        monkeypatch.setenv(clock.PIN_VARIABLE, when.isoformat())
        return when

    return pin


@pytest.fixture
def hook():  # a receivers.WebhookReceiver
    """A local webhook that records the notifications it receives (stopped afterwards)."""
    from receivers import WebhookReceiver

    w = WebhookReceiver()
    yield w
    w.stop()


@pytest.fixture(scope="session")
def pg_server():  # tests/pg.py's TempPostgres
    """A throwaway PostgreSQL server for the session (skips with the reason when impossible)."""
    from pg import TempPostgres, skip_reason

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    server = TempPostgres()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return pg_server.new_url()


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact snippet in a file (fails loudly if absent)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, snippet: str) -> int:
    """1-based line number of the first line containing `snippet`."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if snippet in line:
            return n
    raise AssertionError(f"{snippet!r} not in {path}")


@pytest.fixture
def planner(project: Path):  # yields a toolkit.planning.queue.Planner
    """A `Planner` over the project copy's config, library and store (closed afterwards)."""
    from toolkit.core.config import load_config
    from toolkit.library import load_library
    from toolkit.planning.queue import Planner
    from toolkit.store import Store

    config = load_config(project)
    store = Store(config.store_url)
    yield Planner(config, load_library(config), store)
    store.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts the throwaway PostgreSQL server (a `pg_url` fixture, or a
    `postgresql` parameter) is slow: `make test-fast` skips it."""
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()) or "[postgresql" in item.name:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id hashes, at the lowest cost (as Django's docs advise for test suites): the
    default cost is meant to be slow, and the web tests sign in hundreds of times."""
    from argon2 import PasswordHasher

    import toolkit.store.users

    monkeypatch.setattr(toolkit.store.users, "_hasher",
                        lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
