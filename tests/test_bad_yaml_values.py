"""Hostile YAML: alias bombs are refused at once, and no error ever prints a whole value."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import line_of

from toolkit.core.errors import ToolkitError
from toolkit.core.problems import shown
from toolkit.core.yamlload import MAX_ALIAS_EXPANSION, YamlError, load_yaml_text


def bomb(levels: int, indent: str = "") -> str:
    """A 'billion laughs' flow list: 9 ** levels values in a few hundred bytes."""
    lines = [f"{indent}- &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        lines.append(f"{indent}- &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_a_typed_config_field_is_one_line(run_cli, project: Path) -> None:
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("  statistic_max_age_days: 3650",
                                    "  statistic_max_age_days:\n" + bomb(9, "    ")),
                       encoding="utf-8")
    first_alias = line_of(project, "*l0")
    result = run_cli("check")
    assert result.exit_code == 1 and len(result.output) < 400
    (problem,) = [line for line in result.output.splitlines() if ": error: " in line]
    assert problem.startswith(f"config/campaign.yaml:{first_alias}: error: ")
    listed = run_cli("library")  # any command: one short error, nothing built
    assert listed.exit_code == 1 and len(listed.output) < 400 and "Traceback" not in \
        listed.output
    assert f"aliases (*name) would expand this file by more than {MAX_ALIAS_EXPANSION:,}" \
        in result.output


def test_a_six_level_bomb_in_posts_is_one_short_line(run_cli, project: Path) -> None:
    posts = project.parent.parent / "posts"
    (posts / "bomb.yaml").write_text("statistics:\n" + bomb(6, "  "), encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1
    assert len(result.output) < 3000, result.output[:500]  # (the shipped library's warnings)
    (problem,) = [line for line in result.output.splitlines() if ": error: " in line]
    assert problem.startswith("posts/bomb.yaml:3: error: aliases (*name) would expand")


def test_aliases_of_ordinary_size_still_load() -> None:
    data = load_yaml_text("base: &b {a: 1, b: [1, 2, 3]}\ncopy: *b\nmore: [*b, *b, *b]\n")
    assert data["copy"] == data["base"] and len(data["more"]) == 3


def test_a_huge_value_in_a_typed_field_is_cut_in_the_error(run_cli, project: Path) -> None:
    text = project.read_text(encoding="utf-8")
    long_list = "[" + ", ".join(str(n) for n in range(50_000)) + "]"
    project.write_text(text.replace("statistic_max_age_days: 3650",
                                    f"statistic_max_age_days: {long_list}")
                       .replace("timezone: America/Chicago", "timezone: " + "Z" * 20_000),
                       encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1
    assert len(result.output) < 1000, result.output[:500]
    assert "'library.statistic_max_age_days' must be a whole number, not [0, 1, 2, 3," \
        in result.output
    assert "unknown timezone 'ZZZZ" in result.output and "ZZZ...ZZZ" in result.output


@pytest.mark.parametrize("value", ["x" * 10_000, list(range(10_000)), {"k": ["v" * 500] * 500}])
def test_shown_never_prints_a_whole_value(value: object) -> None:
    text = shown(value)
    assert len(text) <= 80 and text.endswith(("…", "]", "}", "'"))


def test_an_error_line_never_carries_a_whole_value() -> None:
    message = ToolkitError("bad value " + "y" * 100_000 + "\nsecond line").format_message()
    first, second = message.split("\n")
    assert len(first) <= 400 and first.endswith("…") and second == "second line"


def test_the_loader_error_for_a_bomb_names_the_first_alias() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml_text("ok: 1\n" + "items:\n" + bomb(5, "  "), "b.yaml")
    assert caught.value.line == 4  # the first line with `*l0`
