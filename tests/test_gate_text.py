"""The text gate: what fails `toolkit check` is never composed, queued, imported or approved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import edit, line_of

from toolkit.compose.text import add_hashtags, compose_text
from toolkit.core.config import load_config
from toolkit.core.errors import ComposeError, InputError
from toolkit.core.hashtags import extract_hashtags
from toolkit.library import load_library
from toolkit.library.textrules import number_words_in, numbers_in, plain_text, unknown_placeholders
from toolkit.planning.queue import Planner
from toolkit.store import Store

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(pin_clock) -> None:
    """Every command these tests run (in-process or as a process) reasons about NOW."""
    pin_clock(NOW)
MSG = "courts-suspended"
EN_TEXT = 'en: "On {mpp-suspended}, new enrollments in MPP were suspended.'
ES_TEXT = 'es: "El {mpp-suspended} se suspendieron las nuevas inscripciones en el MPP.'


def _messages(project: Path) -> Path:
    return project.parent.parent / "posts" / "messages.yaml"


def _planner(project: Path) -> Planner:
    config = load_config(project)
    return Planner(config, load_library(config), Store(config.store_url))


def _check_errors(run_cli) -> list[str]:
    out = run_cli("check").stdout
    return [line for line in out.splitlines() if ": error: " in line]


@pytest.mark.parametrize(("old", "new", "shown"), [
    (EN_TEXT, 'en: "More than 70,000 people were sent back.', "'70,000'"),
    (EN_TEXT, 'en: "More than seventy thousand people were sent back.', "'seventy thousand'"),
    (ES_TEXT, 'es: "Más de setenta mil personas fueron devueltas.', "'setenta mil'"),
    (EN_TEXT, 'en: "Dozens of families were sent back.', "'Dozens'"),
    (ES_TEXT, 'es: "Cientos de familias fueron devueltas.', "'Cientos'"),
    (EN_TEXT, 'en: "Footnote¹²³ says so.', "'¹²³'"),
    (EN_TEXT, 'en: "Step ① call.', "'①'"),
    (EN_TEXT, 'en: "Call {CONGRESS} today.', "'{CONGRESS}'"),
    (EN_TEXT, 'en: "At least {{hrf-attacks-2021}} cases.', "'{{hrf-attacks-2021}}'"),
])
def test_every_path_refuses_a_message_that_fails_check(run_cli, project: Path, old: str,
                                                       new: str, shown: str) -> None:
    messages = _messages(project)
    draft = _planner(project).add(MSG, "x", "en", NOW + timedelta(days=400), NOW, "comms")
    edit(messages, old, new)
    line = line_of(messages, f"id: {MSG}") + 2  # its `text:` key
    errors = _check_errors(run_cli)
    assert len(errors) == 1 and shown in errors[0], errors
    where = f"posts/messages.yaml:{line}: "
    assert errors[0].startswith(where)
    problem = errors[0].split(": error: ", 1)[1]

    composed = run_cli("compose", MSG)
    assert composed.exit_code == 1 and f"Error: {where}{problem}" in composed.output
    added = run_cli("queue", "add", MSG, "--at", "2099-01-05T09:00")
    assert added.exit_code == 1 and f"Error: {where}{problem}" in added.output
    csv = project.parent.parent / "rows.csv"
    csv.write_text(f"message_id,at,platform,lang\n{MSG},2099-01-05T09:00,x,en\n")
    imported = run_cli("queue", "import", str(csv))
    assert imported.exit_code == 1 and f"{where}{problem}" in imported.output
    approved = run_cli("queue", "approve", draft, "--by", "lead")
    assert approved.exit_code == 1 and f"{where}{problem}" in approved.output
    store = _planner(project).store
    assert store.count() == 1 and store.get(draft).status == "draft"
    assert "Traceback" not in approved.output + imported.output + added.output


def test_articles_are_not_numbers() -> None:
    assert number_words_in("One of them, one family at a time.", "en") == []
    assert number_words_in("Una política, un niño y una niña: con las dos manos.", "es") == []
    assert number_words_in("Seventy-five were sent back; hundreds of others too.", "en") == [
        "Seventy-five", "hundreds"]
    assert number_words_in("Más de setenta mil; también cientos de familias.", "es") == [
        "setenta mil", "cientos"]


def test_any_unicode_numeral_is_a_number() -> None:
    assert numbers_in("a ¹²³ b ① c ７０ d ٣ e 1,544.") == ["¹²³", "①", "７０", "٣", "1,544"]
    assert numbers_in(plain_text("#70000 sent back #SaveAsylum {x}")) == ["70000"]


def test_placeholders_must_name_known_ids() -> None:
    known = {"hrf-attacks-2021"}
    text = "{hrf-attacks-2021} {CONGRESS} {{hrf-attacks-2021}} {claim-x} stray }"
    assert unknown_placeholders(text, known) == [
        "{CONGRESS}", "{{hrf-attacks-2021}}", "{claim-x}", "}"]
    assert unknown_placeholders("{claim-x}", known | {"claim-x"}) == []


def test_hashtags_are_matched_as_twitter_text_extracts_them(project: Path) -> None:
    config = load_config(project)
    fullwidth = "Stand with survivors ＃SaveAsylum"
    assert add_hashtags(fullwidth, ["#SaveAsylum"]) == fullwidth
    assert compose_text(config, fullwidth, "x").text == fullwidth
    joined = "Stand with survivors #SaveAsylum\u200d"
    assert extract_hashtags(joined) == ["SaveAsylum\u200d"]
    assert add_hashtags(joined, ["#SaveAsylum"]) == joined + " #SaveAsylum"
    assert add_hashtags("#saveasylum now", ["#SaveAsylum"]) == "#saveasylum now"
    assert add_hashtags("#SaveAsylumNow", ["#SaveAsylum"]) == "#SaveAsylumNow #SaveAsylum"


def test_planner_refuses_before_storing(project: Path) -> None:
    edit(_messages(project), EN_TEXT, 'en: "More than 70,000 people were sent back.')
    planner = _planner(project)
    with pytest.raises(ComposeError, match=r"posts/messages.yaml:\d+: .*'70,000'"):
        planner.add(MSG, "x", "es", NOW + timedelta(days=1), NOW, "comms")
    csv = project.parent.parent / "rows.csv"
    csv.write_text(f"message_id,at,platform,lang\n{MSG},2026-12-05T09:00,x,es\n")
    with pytest.raises(InputError, match=r"rows.csv:2: \S*posts/messages.yaml:\d+: "):
        planner.import_csv(csv, NOW, "comms")
    assert planner.store.count() == 0
