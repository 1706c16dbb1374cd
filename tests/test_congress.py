"""Members of Congress: the shipped data per state, staleness, checks of the words, and the
posts addressed to members composed exactly and within their limits."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml
from conftest import ROOT, edit, line_of

from toolkit.core.config import load_config
from toolkit.core.errors import ComposeError
from toolkit.library import load_library
from toolkit.pages.congress.checks import require_fresh
from toolkit.pages.congress.content import load_content
from toolkit.pages.congress.loader import load_roster, members_path
from toolkit.pages.congress.models import STATES, TERRITORIES, MembersError
from toolkit.pages.congress.posts import X_INTENT, call_script, compose_to, member_posts
from toolkit.pages.congress.view import members_view
from toolkit.surfaces.validate import run_checks

DATA = ROOT / "members" / "congress.yaml"
REVIEW_BY = date(2027, 1, 3)
TODAY = date(2026, 11, 29)


@pytest.fixture
def members_project(project: Path) -> Path:
    """The `project` copy with members/ too; returns the config path."""
    shutil.copytree(ROOT / "members", project.parent.parent / "members")
    return project


@pytest.fixture(scope="module")
def roster():
    return load_roster(DATA)


@pytest.fixture(scope="module")
def shipped():
    config = load_config(ROOT / "config" / "campaign.yaml")
    return config, load_library(config), load_content(config)


def raw_members() -> list[dict]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))["members"]


# --- the data ----------------------------------------------------------------------------------

def test_header_keeps_source_license_and_dates(roster) -> None:
    assert roster.as_of == date(2026, 6, 15)
    assert roster.review_by == REVIEW_BY
    assert roster.source == "https://github.com/unitedstates/congress-legislators"
    assert roster.license == "CC0-1.0"
    assert len(roster.members) == len(raw_members()) == 537


def test_every_state_has_two_senators_and_territories_none(roster) -> None:
    groups = roster.by_state()
    assert set(groups) == set(STATES) | set(TERRITORIES)
    for code in STATES:
        assert len(groups[code].senators) == 2, code
        assert groups[code].house, code
    for code in TERRITORIES:
        group = groups[code]
        assert group.territory and not group.senators
        assert [m.district for m in group.house] == [0]
        assert group.house[0].delegate and not group.house[0].at_large
    assert groups["PR"].house[0].role() == "commissioner"
    assert groups["DC"].house[0].role() == "delegate"


def test_districts_as_in_the_data(roster) -> None:
    groups = roster.by_state()
    expected: dict[str, list[int]] = {}
    for m in raw_members():
        if m["chamber"] == "house":
            expected.setdefault(m["state"], []).append(m["district"])
    for code, districts in expected.items():
        assert [m.district for m in groups[code].house] == sorted(districts), code
    at_large = {code for code, g in groups.items() if not g.territory
                and [m.district for m in g.house] == [0]}
    assert at_large == {"AK", "DE", "ND", "SD", "VT", "WY"}
    assert all(groups[c].house[0].at_large for c in at_large)
    # seats missing from the numbering are vacancies, shown as such
    vacant = {code: g.vacant_districts for code, g in groups.items() if g.vacant_districts}
    assert vacant == {"CA": (14,), "FL": (20,), "GA": (13,), "TX": (23,)}


def test_tel_links_are_the_washington_offices(roster) -> None:
    by_id = {m.bioguide: m for m in roster.members}
    assert by_id["S000033"].tel == "tel:+12022245141"
    for m in roster.members:
        if m.phone:
            assert m.tel == "tel:+1" + m.phone.replace("-", "")
    assert by_id["G000607"].phone is None and by_id["G000607"].tel is None


# --- staleness ---------------------------------------------------------------------------------

def members_problems(config: Path, today: date) -> list:
    return [p for p in run_checks(config, today=today) if p.path.startswith("members/")]


def test_check_is_quiet_before_the_warning_window(members_project: Path, monkeypatch) -> None:
    monkeypatch.chdir(members_project.parent.parent)
    problems = members_problems(members_project, REVIEW_BY - timedelta(days=31))
    assert not [p for p in problems if "review" in p.message]


def test_check_warns_in_the_30_days_before_review_by(members_project: Path, monkeypatch) -> None:
    monkeypatch.chdir(members_project.parent.parent)
    line = line_of(DATA, "review_by:")
    for today, days in ((REVIEW_BY - timedelta(days=30), 30), (REVIEW_BY, 0)):
        problems = [p for p in members_problems(members_project, today) if "review" in p.message]
        assert [str(p) for p in problems] == [
            f"members/congress.yaml:{line}: warning: member data must be reviewed by 2027-01-03 "
            f"(in {days} day{'s' * (days != 1)}); refresh it with `toolkit congress update DIR` "
            "(see docs/guide/call-your-members.md)"]


def test_check_errors_after_review_by(members_project: Path, run_cli, monkeypatch) -> None:
    problems = members_problems(members_project, REVIEW_BY + timedelta(days=1))
    errors = [p for p in problems if p.level == "error"]
    assert len(errors) == 1
    assert errors[0].line == line_of(DATA, "review_by:")
    assert "member data is out of date: review_by 2027-01-03 has passed" in errors[0].message


def test_stale_data_is_one_error_not_a_warning_per_member(members_project: Path,
                                                          monkeypatch) -> None:
    """Past review_by, every term that ended with the Congress is the same news: one error
    (counted there, and marked as outdated data for `make run`), while a term that ended
    before it (an appointed senator) keeps its own line."""
    monkeypatch.chdir(members_project.parent.parent)
    config = load_config(members_project)
    today = REVIEW_BY + timedelta(days=400)
    problems = run_checks(members_project, today=today)
    mine = [p for p in problems if p.path.startswith("members/")]
    (error,) = [p for p in mine if p.level == "error"]
    members = load_roster(members_path(config)).members
    with_congress = sum(REVIEW_BY <= m.term_end < today for m in members)
    assert 400 < with_congress < len(members)  # the House and a third of the Senate
    assert f"(as of 2026-06-15; {with_congress} members' terms ended with it)" in error.message
    assert problems.outdated == [error]
    ended = [p.message for p in mine if "term ended" in p.message]
    assert [m.split(":")[0] for m in ended] == ["member H001104 (Jon Husted)",
                                                "member M001244 (Ashley Moody)"]


def test_term_ended_is_a_warning_naming_the_member(members_project: Path, monkeypatch) -> None:
    monkeypatch.chdir(members_project.parent.parent)
    ended = [str(p) for p in members_problems(members_project, TODAY) if "term ended" in p.message]
    assert len(ended) == 2
    assert ended[0].startswith(f"members/congress.yaml:{line_of(DATA, 'bioguide: H001104')}: "
                               "warning: member H001104 (Jon Husted): term ended on 2026-11-03")


def test_site_refuses_stale_data_unless_allowed(shipped, roster) -> None:
    config, library, content = shipped
    after = REVIEW_BY + timedelta(days=1)
    assert require_fresh(roster, TODAY) is False
    with pytest.raises(MembersError, match="out of date since 2027-01-03.*--allow-stale-members"):
        members_view(config, library, "en", after, roster=roster, content=content)
    view = members_view(config, library, "en", after, allow_stale=True, roster=roster,
                        content=content)
    assert view["stale"] is True
    assert members_view(config, library, "en", TODAY, roster=roster, content=content)["stale"] \
        is False


# --- bad input ---------------------------------------------------------------------------------

def test_bad_member_field_is_one_path_line_error(members_project: Path, run_cli) -> None:
    data = members_project.parent.parent / "members" / "congress.yaml"
    edit(data, "  phone: 202-224-5141\n", "  phone: 224-5141\n")
    before = data.read_bytes()
    result = run_cli("check")
    assert result.exit_code == 1
    line = line_of(data, "phone: 224-5141")
    assert (f"members/congress.yaml:{line}: error: member S000033: 'phone' must look like "
            "202-224-3121, not '224-5141'") in result.stdout
    assert "Traceback" not in result.output
    assert data.read_bytes() == before


def test_third_senator_and_duplicate_district_are_errors(members_project: Path, run_cli) -> None:
    data = members_project.parent.parent / "members" / "congress.yaml"
    edit(data, "  state: MN\n", "  state: VT\n")  # Klobuchar moves to Vermont
    edit(data, "  state: CT\n  district: 4\n", "  state: CT\n  district: 3\n")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "error: VT has 3 senators; a state has two" in result.stdout
    assert "error: CT district 3 has two members" in result.stdout
    assert "warning: MN has 1 senator in the data" in result.stdout


def test_words_with_a_bare_number_or_unverified_statistic(members_project: Path,
                                                          run_cli) -> None:
    content = members_project.parent.parent / "members" / "content.yaml"
    edit(content, "please help end Remain", "please help end 100 Remain")
    edit(content, "Please help end it for good.", "{children-returned} children. Please help.")
    result = run_cli("check")
    assert result.exit_code == 1
    post, script = line_of(content, "please help end 100"), line_of(content, "Hello, my name")
    assert (f"members/content.yaml:{post}: error: 'post' (en) has the number '100', which "
            "comes from no statistic") in result.stdout
    assert (f"members/content.yaml:{script}: error: 'call_script' (en) uses unverified "
            "statistic 'children-returned'") in result.stdout


@pytest.mark.parametrize(("old", "anchor", "message"), [
    ("    es: Tu estado\n", "pick_state:", "'labels.pick_state' has no 'es' text"),
    ("  website:\n    en: Website\n    es: Sitio web\n", "labels:",
     "'labels' has no 'website' (the members pages need it)"),
])
def test_missing_words(members_project: Path, run_cli, old: str, anchor: str,
                       message: str) -> None:
    content = members_project.parent.parent / "members" / "content.yaml"
    edit(content, old, "")
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"members/content.yaml:{line_of(content, anchor)}: error: {message}" in result.stdout


def test_post_over_the_limit_is_an_error_never_truncated(members_project: Path,
                                                         run_cli) -> None:
    content = members_project.parent.parent / "members" / "content.yaml"
    edit(content, "please help end Remain in Mexico for good.",
         "please help end Remain in Mexico for good. " * 4)
    result = run_cli("check")
    assert result.exit_code == 1
    assert "error: the en post to " in result.stdout
    assert "over x's limit of 280; shorten the text (nothing is truncated)" in result.stdout
    # still checked when the data is also out of date
    late = members_problems(members_project, REVIEW_BY + timedelta(days=1))
    assert any("over x's limit of 280" in p.message for p in late)


# --- posts and call scripts --------------------------------------------------------------------

def sample(roster) -> list:
    """Members of a few states plus the longest names and handles."""
    chosen = [m for m in roster.members if m.state in ("VT", "DC", "CT", "PR")]
    longest = sorted(roster.members, key=lambda m: -len(f"{m.x or ''}{m.mastodon or ''}{m.name}"))
    return chosen + longest[:10]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_posts_are_composed_exactly_within_limits(shipped, roster, run_cli, lang: str) -> None:
    config, library, content = shipped
    for member in sample(roster):
        posts = {p.platform: p for p in member_posts(config, library, content, member, lang)}
        assert set(posts) == {p for p in ("x", "mastodon") if getattr(member, p)}
        for platform, post in posts.items():
            text = post.composed.text
            opening = f".@{member.x} " if platform == "x" else f"{member.mastodon} "
            assert text.startswith(opening + member.name), text
            assert "#SaveAsylum" in text and text.endswith(
                " https://www.cvt.org/EndMPP?utm_source=share-kit"
                f"&utm_medium={platform}&utm_campaign=saveasylum&utm_content=congress-{lang}")
            assert post.composed.length <= config.platforms[platform].limit
            assert "{" not in text and library.statistics["hrf-attacks-2021"].display[lang] in text
            if platform == "x":
                assert post.url.startswith(X_INTENT)
                assert parse_qs(urlparse(post.url).query)["text"] == [text]
            else:
                assert unquote(post.url.removeprefix(content.mastodon_share)) == text
    # the same text through `toolkit compose` is unchanged (hashtag present) and as long
    member = next(m for m in roster.members if m.bioguide == "H001047")
    for platform in ("x", "mastodon"):
        composed = compose_to(config, library, content, member, lang, platform)
        result = run_cli("compose", "--text", composed.text, "--platform", platform, "--json")
        assert json.loads(result.stdout) == composed.as_dict()


def test_call_script_names_the_member(shipped, roster) -> None:
    config, library, content = shipped
    sanders = next(m for m in roster.members if m.bioguide == "S000033")
    assert "ask Senator Bernard Sanders to oppose" in call_script(sanders, content, library, "en")
    es = call_script(sanders, content, library, "es")
    assert "Llamo a la oficina de Bernard Sanders, miembro del Senado por Vermont" in es
    figure = library.statistics["hrf-attacks-2021"].display["es"]
    assert f"al menos {figure} ataques" in es


def test_compose_refuses_a_post_that_does_not_fit(shipped, roster) -> None:
    config, library, content = shipped
    long = type(content)(**{**vars(content), "post": {"en": "{name}: " + "word " * 60}})
    member = next(m for m in roster.members if m.x)
    with pytest.raises(ComposeError, match="over x's limit of 280"):
        compose_to(config, library, long, member, "en", "x")


def test_members_path_is_beside_posts(shipped) -> None:
    config = shipped[0]
    assert members_path(config) == DATA
