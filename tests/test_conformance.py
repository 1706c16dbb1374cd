"""X's official twitter-text conformance cases through the toolkit's own length function."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.lengths import x_length, x_valid

DATA = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "twitter-text"
SECTIONS = ("WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest")


def _cases() -> list:
    path = DATA / "validate.yml"
    if not path.exists():  # the conformance data lives in shared/, beside the checkout
        return [pytest.param(None, id="conformance-data-missing",
                             marks=pytest.mark.skip(reason=f"{path} not found"))]
    tests = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case, id=f"{section}:{case['description'][:60]}")
            for section in SECTIONS for case in tests[section]]


CASES = _cases()


def test_all_cases_are_collected() -> None:
    assert len(CASES) >= 24


@pytest.mark.parametrize("case", CASES)
def test_weighted_length_and_validity(case: dict) -> None:
    assert x_length(case["text"]) == case["expected"]["weightedLength"]
    assert x_valid(case["text"]) is case["expected"]["valid"]
