"""`toolkit congress update DIR` on a small sample in the upstream project's format."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, edit, line_of

from toolkit.pages.congress.loader import load_roster
from toolkit.pages.congress.update import congress_end

FIXTURE = ROOT / "tests" / "fixtures" / "congress-upstream"


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """A writable copy of the upstream sample."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "upstream"))


@pytest.fixture
def target(project: Path) -> Path:
    """The project's member file (a copy of the shipped one)."""
    shutil.copytree(ROOT / "members", project.parent.parent / "members")
    return project.parent.parent / "members" / "congress.yaml"


def test_update_rewrites_the_file_from_upstream(upstream: Path, target: Path, run_cli) -> None:
    result = run_cli("congress", "update", str(upstream), "--as-of", "2026-06-15")
    assert result.exit_code == 0, result.output
    assert result.stdout == "members/congress.yaml: 6 members as of 2026-06-15\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Members of the U.S. Congress")
    assert "dedicated to the public\n# domain (CC0 1.0)" in text
    roster = load_roster(target)
    assert (roster.as_of, roster.review_by) == (date(2026, 6, 15), date(2027, 1, 3))
    assert roster.source == "https://github.com/unitedstates/congress-legislators"
    assert roster.license == "CC0-1.0"
    by_id = {m.bioguide: m for m in roster.members}
    sanders = by_id["S000033"]  # the last term counts, not his House years
    assert (sanders.chamber, sanders.district, sanders.phone, sanders.x) == \
        ("senate", None, "202-224-5141", "SenSanders")
    assert sanders.term_end == date(2031, 1, 3)
    assert by_id["H001047"].mastodon == "@RepJimHimes@mastodon.social"  # from a profile URL
    assert by_id["N000147"].mastodon == "@CongresswomanNorton@Mastodon.social"
    assert by_id["H001103"].name == "Pablo José Hernández"  # no official_full: first + last
    assert by_id["H001103"].role() == "commissioner" and by_id["B001318"].at_large
    groups = roster.by_state()
    assert [m.name for m in groups["VT"].senators] == ["Bernard Sanders", "Peter Welch"]
    assert not list(target.parent.glob(".*"))  # no temporary file left behind


def test_bad_records_one_error_each_and_the_old_file_kept(upstream: Path, target: Path,
                                                          run_cli) -> None:
    current = upstream / "legislators-current.yaml"
    edit(current, "    phone: 202-224-4242\n", "    phone: 224-4242\n")  # Welch
    edit(current, "    state: DC\n", "    state: ZZ\n")  # Norton
    before = target.read_bytes()
    result = run_cli("congress", "update", str(upstream), "--as-of", "2026-06-15")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    welch = line_of(current, "bioguide: W000800") - 1
    norton = line_of(current, "bioguide: N000147") - 1
    shown = "upstream/legislators-current.yaml"
    assert lines == [
        f"Error: {shown}:{welch}: error: member W000800: 'phone' must look like "
        "202-224-3121, not '224-4242'",
        f"{shown}:{norton}: error: member N000147: unknown state 'ZZ' (use the two-letter "
        "postal code)",
        "members/congress.yaml was not changed",
    ]
    assert target.read_bytes() == before


def test_broken_upstream_yaml_and_missing_files(upstream: Path, target: Path, run_cli) -> None:
    before = target.read_bytes()
    social = upstream / "legislators-social-media.yaml"
    social.write_text("- id: [unclosed\n", encoding="utf-8")
    result = run_cli("congress", "update", str(upstream))
    assert result.exit_code == 1
    assert f"upstream/{social.name}:2: error: YAML syntax" in result.stderr
    (upstream / "legislators-current.yaml").unlink()
    result = run_cli("congress", "update", str(upstream))
    assert result.exit_code == 1 and "cannot read file" in result.stderr
    assert target.read_bytes() == before


def test_record_without_terms(upstream: Path, target: Path, run_cli) -> None:
    current = upstream / "legislators-current.yaml"
    text = current.read_text(encoding="utf-8")
    current.write_text(text + "- id:\n    bioguide: X000001\n  name:\n    first: No\n"
                       "    last: Terms\n", encoding="utf-8")
    result = run_cli("congress", "update", str(upstream), "--as-of", "2026-06-15")
    assert result.exit_code == 1
    line = line_of(current, "bioguide: X000001") - 1
    assert (f"upstream/{current.name}:{line}: error: member X000001: 'terms' must be a "
            "non-empty list of mappings") in result.stderr


def test_bad_date_option(upstream: Path, target: Path, run_cli) -> None:
    result = run_cli("congress", "update", str(upstream), "--as-of", "June")
    assert result.exit_code == 1
    assert result.stderr == "Error: --as-of must be a date like 2027-01-03, not 'June'\n"


@pytest.mark.parametrize(("as_of", "end"), [
    (date(2026, 6, 15), date(2027, 1, 3)), (date(2027, 1, 2), date(2027, 1, 3)),
    (date(2027, 1, 3), date(2029, 1, 3)), (date(2028, 11, 5), date(2029, 1, 3)),
])
def test_review_by_defaults_to_the_end_of_the_congress(as_of: date, end: date) -> None:
    assert congress_end(as_of) == end
