"""The members pages go out only with verified, placeholder-sourced figures: `members_view`
(what the site calls) refuses words that `toolkit check` would reject, whoever loaded them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import ROOT

from toolkit.core.config import load_config
from toolkit.library import load_library
from toolkit.pages.congress.content import load_content
from toolkit.pages.congress.loader import load_roster
from toolkit.pages.congress.models import MembersError
from toolkit.pages.congress.view import members_view

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def parts() -> tuple:
    config = load_config(ROOT / "config" / "campaign.yaml")
    return config, load_library(config), load_content(config), \
        load_roster(ROOT / "members" / "congress.yaml")


@pytest.mark.parametrize("extra, why", [
    (" More than {violence-first-year} cases.", "unverified statistic 'violence-first-year'"),
    (" More than 1,000 cases.", "1,000"),
])
def test_members_words_with_an_unchecked_figure_are_refused(parts, extra: str, why: str) -> None:
    config, library, content, roster = parts
    assert not library.statistics["violence-first-year"].verified
    bad = replace(content, call_script={**content.call_script,
                                        "en": content.call_script["en"] + extra})
    with pytest.raises(MembersError) as caught:
        members_view(config, library, "en", TODAY, roster=roster, content=bad)
    assert why in caught.value.message


def test_checked_members_words_still_build(parts) -> None:
    config, library, content, roster = parts
    view = members_view(config, library, "en", TODAY, roster=roster, content=content)
    assert view["states"]["VT"]["senators"]


def test_members_words_about_the_policys_present_are_refused(parts) -> None:
    config, library, content, roster = parts
    bad = replace(content, call_script={**content.call_script,
                                        "en": content.call_script["en"] + " MPP is back."})
    with pytest.raises(MembersError) as caught:
        members_view(config, library, "en", TODAY, roster=roster, content=bad)
    assert "'is back'" in caught.value.message


def test_members_pages_never_show_an_unverified_switchboard_number(parts) -> None:
    config, library, content, roster = parts
    board = library.statistics["switchboard"]
    unverified = replace(library, statistics={**library.statistics,
                                              "switchboard": replace(board, verified=False)})
    with pytest.raises(MembersError) as caught:
        members_view(config, unverified, "en", TODAY, roster=roster, content=content)
    assert "switchboard" in caught.value.message
