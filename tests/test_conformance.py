"""X's official twitter-text conformance cases through the toolkit's own length function."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.compose.lengths import x_length, x_valid

DATA = Path(__file__).resolve().parent / "fixtures" / "twitter-text"  # vendored, with its license
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def _cases() -> list:
    tests = yaml.safe_load((DATA / "validate.yml").read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case, id=f"{section}:{case['description'][:60]}")
            for section in SECTIONS for case in tests[section]]


CASES = _cases()


def test_all_cases_are_collected() -> None:
    assert len(CASES) >= 24


def test_the_data_is_vendored_in_the_repository_with_its_license() -> None:
    repository = Path(__file__).resolve().parents[1]
    assert DATA.is_relative_to(repository / "tests" / "fixtures")  # nothing outside the repo
    assert "Apache License" in (DATA / "LICENSE").read_text(encoding="utf-8")
    assert "Copyright Twitter, Inc." in (DATA / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_weighted_length_and_validity(case: dict) -> None:
    assert x_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_valid(case["text"]) is case["expected"]["valid"]
