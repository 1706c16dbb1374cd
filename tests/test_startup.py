"""Issue 9's start-up work: the length cache and what a command imports (the layering is
tests/test_layers.py).

Speed itself is measured by `bench/commands.py`, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_conformance import CASES

from toolkit.compose import lengths
from toolkit.compose.lengths import LengthCache, count, save_cache, use_cache, x_length

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_file(tmp_path: Path):  # yields the cache file's path
    """A length cache in tmp_path for the test, detached afterwards."""
    path = tmp_path / ".cache" / "lengths.json"
    use_cache(path)
    yield path
    use_cache(None)


@pytest.mark.parametrize("case", CASES)
def test_conformance_through_the_cache_miss_then_hit(case: dict, cache_file: Path) -> None:
    text, expected = case["text"], case["expected"]["weightedLength"]
    assert count(text, "x") == expected  # measured by twitter-text
    save_cache()
    use_cache(cache_file)
    assert lengths._cache.lengths["x"][text] == expected  # read back from the file
    assert count(text, "x") == expected


@pytest.mark.slow  # real toolkit processes: `make test-fast` skips it
def test_a_second_command_reads_lengths_without_twitter_text(project: Path) -> None:
    cfg = project
    command = ("import sys; from toolkit.surfaces.cli import cli\n"
               "try:\n cli(['--config', sys.argv[1], 'compose', 'violence-attacks'])\n"
               "except SystemExit as e:\n assert not e.code, e.code\n"
               "print('twitter_text' in sys.modules, file=sys.stderr)")
    runs = [subprocess.run([sys.executable, "-c", command, str(cfg)], capture_output=True,
                           text=True, cwd=project.parent.parent) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout  # the same text
    assert [r.stderr.splitlines()[-1] for r in runs] == ["True", "False"]
    saved = json.loads((cfg.parent / ".cache" / "lengths.json").read_text(encoding="utf-8"))
    text = runs[0].stdout.rstrip("\n")
    assert saved["lengths"]["x"][text] == x_length(text)


def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lengths.json"
    for content in ("{not json", "[]", json.dumps({"version": "old", "lengths": {"x": {"a": 9}}}),
                    json.dumps({"version": lengths.counter_version(),
                                "lengths": {"x": {"a": "9", "b": True}, "nope": {"c": 1}}})):
        path.write_text(content, encoding="utf-8")
        assert LengthCache(path).lengths in ({}, {"x": {}})


def test_the_cache_is_written_atomically_and_bounded(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "sub" / "lengths.json"
    monkeypatch.setattr(LengthCache, "MAX_TEXTS", 3)
    cache = use_cache(path)
    try:
        for text in ("a", "bb", "ccc", "dddd"):
            count(text, "graphemes")
        save_cache()
    finally:
        use_cache(None)
    assert sorted(p.name for p in path.parent.iterdir()) == ["lengths.json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"version": cache.version,
                    "lengths": {"graphemes": {"bb": 2, "ccc": 3, "dddd": 4}}}
    assert list(cache.lengths["graphemes"]) == ["bb", "ccc", "dddd"]  # in memory too


def test_check_leaves_the_cache_beside_the_config_and_says_the_same_from_it(
        run_cli, project: Path) -> None:
    first = run_cli("check", "--json")
    assert first.exit_code == 0
    saved = json.loads((project.parent / ".cache" / "lengths.json").read_text(encoding="utf-8"))
    assert set(saved["lengths"]) == {"x", "graphemes", "mastodon", "threads"}
    assert lengths._cache.path is None  # detached when the command ended
    second = run_cli("check", "--json")  # every length from the file
    assert (second.exit_code, second.stdout) == (0, first.stdout)


def test_gitignore_keeps_the_cache_out_of_the_repository() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".cache/" in ignored
