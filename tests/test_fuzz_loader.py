"""Hypothesis fuzz of the loaders: any text or YAML structure gives problems, never a crash, and
the same input always gives the same result (libyaml's fast path included)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.core.config import read_config
from toolkit.core.problems import Problems
from toolkit.core.yamlload import Node, NodeList, YamlError, _LineLoader, load_yaml_text
from toolkit.library.loader import read_library

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

#: property-based fuzzing (150 examples each): `make test-fast` skips it
pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text(max_size=300))
def test_yaml_text_raises_only_yaml_error(text: str) -> None:
    try:
        load_yaml_text(text, "fuzz.yaml")
    except YamlError as exc:
        assert exc.line >= 1


def _pure(text: str) -> object:
    """The document through the pure-Python loader alone (the reference), or its YamlError."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except (yaml.YAMLError, RecursionError):
        return YamlError


def _same(a: object, b: object) -> bool:
    """Equal values, and equal lines on every mapping, key, sequence and item."""
    if isinstance(a, Node):
        return (isinstance(b, Node) and (a.line, a.key_lines) == (b.line, b.key_lines)
                and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, NodeList):
        return (isinstance(b, NodeList) and (a.line, a.item_lines) == (b.line, b.item_lines)
                and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True)))
    return type(a) is type(b) and a == b


def _loaded(text: str) -> object:
    try:
        return load_yaml_text(text, "fuzz.yaml")
    except YamlError:
        return YamlError


#: YAML's indicators, spaces and line breaks, and a few plain characters
YAMLISH = st.text(alphabet=list(":-?[]{},#&*!|>'\"%@`. \n\tab0é\u00a0\ufeff"), max_size=60)


@FUZZ
@given(st.one_of(st.text(max_size=300), YAMLISH, structures.map(
    lambda doc: yaml.safe_dump(doc, allow_unicode=True))))
@example("[0?]")  # libyaml reads `0?` as text where the pure parser refuses the `?`
@example("links: [https://example.org/?a=1]\n")
def test_the_fast_path_loads_what_the_pure_loader_loads(text: str) -> None:
    assert _same(_loaded(text), _pure(text))


def test_the_fast_path_keeps_every_line_of_the_shipped_library() -> None:
    root = Path(__file__).resolve().parent.parent
    for path in [root / "config" / "campaign.yaml", *sorted((root / "posts").glob("*.yaml"))]:
        text = path.read_text(encoding="utf-8")
        assert _same(load_yaml_text(text, str(path)), _pure(text)), path


def _problems(problems: Problems) -> list[str]:
    return [str(p) for p in problems]


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
    from toolkit.library.checks import check_library

    cfg = _project(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
    problems = Problems()
    config = read_config(cfg, problems)
    library = read_library(config, problems)
    check_library(config, library, problems)
    assert all(p.line >= 1 and p.path.endswith(".yaml") for p in problems)
    again = Problems()
    reloaded = read_library(read_config(cfg, again), again)
    check_library(config, reloaded, again)
    assert reloaded == library  # same input, same library and the same problems
    assert _problems(again) == _problems(problems)


@FUZZ
@given(structures)
def test_config_from_random_structures_never_crashes(tmp_path: Path, doc: object) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    problems = Problems()
    config = read_config(tmp_path / "c.yaml", problems)
    if config is None:  # refused: with at least one error, at a line of the file
        assert problems.errors
    lines = max(1, len(text.splitlines()))
    assert all(p.path.endswith("c.yaml") and 1 <= p.line <= lines for p in problems)
    again = Problems()
    assert (read_config(tmp_path / "c.yaml", again) is None) == (config is None)
    assert _problems(again) == _problems(problems)


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    text = "statistics: !!python/object/apply:os.system ['echo pwned']\n"
    try:
        load_yaml_text(text, "evil.yaml")
    except YamlError as exc:
        assert "evil.yaml:1" in str(exc)
    else:
        raise AssertionError("an unsafe tag was loaded")
