"""Claims: dated statements about the policy's present, their review dates and the fact gate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import ROOT, edit, line_of

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.library.gate import blocking_facts


def posts(project: Path, name: str) -> Path:
    return project.parent.parent / "posts" / name


def test_stale_claim_blocks_from_the_day_after_its_review_date(project: Path) -> None:
    edit(posts(project, "claims.yaml"), "    verified: false\n", "    verified: true\n")
    config = load_config(project)
    library = load_library(config)
    message = library.messages["support-stand-with"]
    assert message.claims == ("mpp-status-now",)
    claim = library.claims["mpp-status-now"]
    assert claim.review_by == date(2025, 4, 21)  # as_of 2025-01-21 + max_age_days 90
    reasons = blocking_facts(library, message, date(2025, 4, 21))
    assert not any("claim" in r for r in reasons)  # still fresh on its review date
    (stale,) = [r for r in blocking_facts(library, message, date(2025, 4, 22)) if "claim" in r]
    assert "past their review date: mpp-status-now (review by 2025-04-21)" in stale


def test_unverified_claim_blocks_like_an_unverified_statistic() -> None:
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    reasons = blocking_facts(library, library.messages["support-stand-with"], date(2025, 2, 1))
    assert reasons == ["rests on unverified claim(s) mpp-status-now: confirm the statement and "
                       "set verified: true first (fact gate)"]


def test_present_tense_without_a_claim_is_an_error_at_its_line(project: Path, run_cli) -> None:
    path = posts(project, "messages.yaml")
    edit(path, "Help end it for good.\"", "MPP is back. Help end it for good.\"")
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(path, "id: courts-terminated") + 2
    assert f"posts/messages.yaml:{line}: error: message 'courts-terminated' (en) speaks about " \
           "the policy's present ('is back') without a dated claim" in result.stdout


def test_claim_needs_a_review_date_and_known_ids(project: Path, run_cli) -> None:
    claims = posts(project, "claims.yaml")
    edit(claims, "    max_age_days: 90\n", "")
    edit(posts(project, "messages.yaml"), "claims: [mpp-status-now]\n    link: donate",
         "claims: [mpp-is-over]\n    link: donate")
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"posts/claims.yaml:{line_of(claims, 'as_of: 2025-01-21')}: error: claim " \
           "'mpp-status-now' needs either 'review_by'" in result.stdout
    assert "message 'support-stand-with' names unknown claim 'mpp-is-over'" in result.stdout
    assert "Traceback" not in result.output


def test_check_warns_about_a_stale_claim(run_cli, project: Path) -> None:
    result = run_cli("check")
    assert result.exit_code == 0
    line = line_of(posts(project, "claims.yaml"), "max_age_days: 90")
    assert f"posts/claims.yaml:{line}: warning: claim 'mpp-status-now' is past its review date " \
           "(2025-04-21; as of 2025-01-21)" in result.stdout


def test_library_json_lists_claims_and_each_messages_claims(run_cli) -> None:
    doc = json.loads(run_cli("library", "--json").stdout)
    (claim,) = doc["claims"]
    assert claim["id"] == "mpp-status-now" and claim["verified"] is False
    assert claim["as_of"] == "2025-01-21" and claim["review_by"] == "2025-04-21"
    assert set(claim["text"]) == {"en", "es"} and claim["source"]["url"].startswith("https://")
    by_id = {m["id"]: m for m in doc["messages"]}
    assert by_id["support-stand-with"]["claims"] == ["mpp-status-now"]
    assert by_id["mpp2-languages"]["claims"] == []  # past tense: MPP 2.0 ended in 2022
    assert by_id["courts-suspended"]["claims"] == []
