"""Hypothesis fuzz of the loaders: any text or YAML structure gives problems, never a crash."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.config import read_config
from toolkit.library.loader import read_library
from toolkit.problems import Problems
from toolkit.yamlload import YamlError, load_yaml_text

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.dates())
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(
                                ["id", "text", "value", "display", "label", "source", "as_of",
                                 "verified", "en", "es", "statistics", "messages", "cards",
                                 "layout", "statistic", "platforms", "scope", "kind"])),
                                inner, max_size=5)),
    max_leaves=25,
)
library_docs = st.fixed_dictionaries(
    {}, optional={"statistics": structures, "messages": structures, "cards": structures})

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text(max_size=300))
def test_yaml_text_raises_only_yaml_error(text: str) -> None:
    try:
        load_yaml_text(text, "fuzz.yaml")
    except YamlError as exc:
        assert exc.line >= 1


def _project(tmp_path: Path, posts_text: str) -> Path:
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "config").mkdir(exist_ok=True)
    cfg = tmp_path / "config" / "campaign.yaml"
    cfg.write_text((root / "config" / "campaign.yaml").read_text(encoding="utf-8"))
    (tmp_path / "posts").mkdir(exist_ok=True)
    (tmp_path / "posts" / "fuzz.yaml").write_text(posts_text, encoding="utf-8")
    return cfg


@FUZZ
@given(st.text(max_size=400))
def test_library_from_random_text_never_crashes(tmp_path: Path, text: str) -> None:
    cfg = _project(tmp_path, text)
    problems = Problems()
    config = read_config(cfg, problems)
    read_library(config, problems)
    assert all(p.line >= 1 for p in problems)


@FUZZ
@given(library_docs)
def test_library_from_random_structures_never_crashes(tmp_path: Path, doc: dict) -> None:
    cfg = _project(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
    problems = Problems()
    config = read_config(cfg, problems)
    read_library(config, problems)
    from toolkit.library.checks import check_library

    library = read_library(config, Problems())
    check_library(config, library, problems)


@FUZZ
@given(structures)
def test_config_from_random_structures_never_crashes(tmp_path: Path, doc: object) -> None:
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    problems = Problems()
    read_config(tmp_path / "c.yaml", problems)


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    text = "statistics: !!python/object/apply:os.system ['echo pwned']\n"
    try:
        load_yaml_text(text, "evil.yaml")
    except YamlError as exc:
        assert "evil.yaml:1" in str(exc)
    else:
        raise AssertionError("an unsafe tag was loaded")
