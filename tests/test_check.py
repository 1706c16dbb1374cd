"""`toolkit check`: one broken-library fixture per rule, asserting the exact path:line."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import edit, line_of


def posts(project: Path, name: str) -> Path:
    return project.parent.parent / "posts" / name


def test_shipped_library_passes(run_cli) -> None:
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "error" not in result.stdout


def test_strict_reports_only_unverified_or_stale_facts(run_cli, project: Path) -> None:
    # real addresses instead of the shipped placeholders (tests/test_placeholders.py)
    edit(project, "  donate_url: https://www.cvt.org/EndMPP", "  donate_url: https://give.cvt.org/")
    edit(project, "  base_url: https://example.org/saveasylum/",
         "  base_url: https://saveasylum.cvt.org/")
    result = run_cli("check", "--strict", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems, "strict mode must report the unverified statistics and claims"
    statistics, claims = set(), set()
    for p in problems:
        assert p["level"] == "error"
        message = p["message"]
        if "unverified statistic '" in message:
            statistics.add(message.split("unverified statistic '")[1].split("'")[0])
        else:
            assert "claim 'mpp-status-now'" in message, p
            assert "unverified claim" in message or "past its review date" in message \
                or "stale claim" in message, p
            claims.add(message.split("claim '")[1].split("'")[0])
    assert statistics == {"violence-first-year", "mpp2-scope", "children-returned",
                          "mpp-reimplemented-2021"}
    assert claims == {"mpp-status-now"}


def test_yaml_syntax_error_names_its_line(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(20, "  - id: broken: here")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "posts/messages.yaml:21: error: YAML syntax: mapping values are not allowed here" \
        in result.stdout


def test_wrong_field_type(project: Path, run_cli) -> None:
    path = posts(project, "statistics.yaml")
    edit(path, "    verified: true\n", "    verified: yes-ish\n")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "verified: yes-ish")
    assert f"posts/statistics.yaml:{line}: error: 'hrf-attacks-2021.verified' must be true or " \
           "false" in result.stdout


def test_missing_field(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "    theme: violence\n", "")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "missing required field 'violence-attacks.theme'" in result.stdout


def test_duplicate_id(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "  - id: violence-over-1500\n", "  - id: violence-attacks\n")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "  - id: violence-attacks") + 0
    second = [n for n, t in enumerate(path.read_text().splitlines(), 1)
              if t == "  - id: violence-attacks"][1]
    assert f"posts/messages.yaml:{second}: error: duplicate id 'violence-attacks' (first " \
           f"defined at posts/messages.yaml:{line})" in result.stdout


def test_unknown_statistic_in_template(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "at least {hrf-attacks-2021} publicly", "at least {hrf-attacks-2099} publicly")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "id: violence-attacks") + 2  # the `text:` key
    assert f"posts/messages.yaml:{line}: error: message 'violence-attacks' (en) names unknown " \
           "statistic '{hrf-attacks-2099}'" in result.stdout


def test_message_missing_a_language(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: violence-attacks")
    es = text.index("      es:", start)
    end = text.index("    card:", es)
    path.write_text(text[:es] + text[end:], encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "id: violence-attacks") + 2
    assert f"posts/messages.yaml:{line}: error: 'violence-attacks.text' has no 'es' text" \
        in result.stdout


def test_text_over_the_platform_limit_after_tagging(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    long_words = " ".join(["asylum"] * 40)
    edit(path, "This policy has to end.", f"This policy has to end. {long_words}")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "id: violence-attacks") + 2
    assert f"posts/messages.yaml:{line}: error: message 'violence-attacks' (en) is " in \
        result.stdout
    assert "long on x after tagging, over the limit of 280" in result.stdout


def test_digits_not_from_a_statistic(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "This policy has to end.", "This policy has to end after 2,000 days.")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "id: violence-attacks") + 2
    assert f"posts/messages.yaml:{line}: error: message 'violence-attacks' (en) has the number " \
           "'2,000', which comes from no statistic" in result.stdout


def test_allowlisted_number_passes(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "This policy has to end.", "End MPP 2.0 too.")
    assert run_cli("check").exit_code == 0


def test_stale_statistic_is_a_warning(project: Path, run_cli) -> None:
    edit(project, "statistic_max_age_days: 3650", "statistic_max_age_days: 365")
    result = run_cli("check")
    assert result.exit_code == 0  # a warning only
    path = posts(project, "statistics.yaml")
    line = line_of(path, "as_of: 2021-02-19")
    assert f"posts/statistics.yaml:{line}: warning: statistic 'hrf-attacks-2021' is " in \
        result.stdout
    assert run_cli("check", "--strict").exit_code == 1


def test_unverified_statistic_warning_and_strict_error(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    result = run_cli("check")
    line = line_of(path, "id: violence-first-year") + 2
    assert f"posts/messages.yaml:{line}: warning: message 'violence-first-year' uses " \
           "unverified statistic 'violence-first-year'" in result.stdout
    strict = run_cli("check", "--strict")
    assert strict.exit_code == 1
    assert f"posts/messages.yaml:{line}: error: message 'violence-first-year' uses" in \
        strict.stdout


def test_scope_words_must_stay_in_the_label(project: Path, run_cli) -> None:
    path = posts(project, "statistics.yaml")
    edit(path, 'en: "at least 1,544 publicly reported cases', 'en: "1,544 cases')
    result = run_cli("check")
    assert result.exit_code == 1
    assert "label (en) drops the source's scope words 'at least'" in result.stdout


def test_config_problems_are_all_collected(project: Path, run_cli) -> None:
    edit(project, "timezone: America/Chicago", "timezone: Mars/Olympus")
    edit(project, 'hashtags: ["#SaveAsylum"]', 'hashtags: ["#EndMPP"]')
    edit(project, '    background: "#13294b"', '    background: "navy"')
    result = run_cli("check")
    assert result.exit_code == 1
    out = result.stdout
    assert f"config/campaign.yaml:{line_of(project, 'timezone:')}: error: unknown timezone" in out
    assert f"config/campaign.yaml:{line_of(project, 'hashtags:')}: error: #SaveAsylum must be" \
        in out
    assert f"config/campaign.yaml:{line_of(project, 'background:')}: error: " \
           "'brand.colors.background' must be a hex colour" in out


def test_secret_in_config_is_refused(project: Path, run_cli) -> None:
    edit(project, "api_key: X_API_KEY", "api_key: xoxb-1234-secret")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "must name an environment variable" in result.stdout
    assert "xoxb-1234-secret" not in result.stdout + result.stderr


def test_missing_config_is_one_clear_line(tmp_path: Path, run_cli) -> None:
    result = run_cli("check", config=tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert "nope.yaml:1: error: config file not found" in result.stdout
    assert "Traceback" not in result.output
