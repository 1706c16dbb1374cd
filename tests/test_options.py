"""The declarative config options: each key validated by its option, problems at their line."""

from __future__ import annotations

from pathlib import Path

from toolkit.core.fields import FieldReader
from toolkit.core.options import (
    URL,
    Choice,
    Dir,
    Named,
    Positive,
    Reading,
    Section,
    Type,
    read_schema,
)
from toolkit.core.problems import Problems
from toolkit.core.yamlload import load_yaml_file

YAML = """\
app:
  mode: fast
  url: ftp://example.org
  out: build
workers:
  one: {limit: 3}
  two: {limit: -1}
  three: nope
"""

SCHEMA = {
    "app": Section({
        "mode": Choice(("slow", "steady"), "slow", field="mode"),
        "url": URL("", field="url"),
        "out": Dir("../out", field="out"),
        "name": Type(str, "", required=True),
    }),
    "workers": Named({"limit": Positive(1)}, lambda name, limit: (name, limit), "worker",
                     field="workers"),
}


def read(tmp_path: Path) -> tuple[Reading, list[str]]:
    path = tmp_path / "app.yaml"
    path.write_text(YAML, encoding="utf-8")
    problems = Problems()
    rd = Reading(FieldReader(path, problems), load_yaml_file(path))
    read_schema(rd, rd.root, SCHEMA)
    return rd, [f"{p.line}: {p.message}" for p in problems]


def test_each_option_reports_its_problem_at_its_line_in_schema_order(tmp_path: Path) -> None:
    _, problems = read(tmp_path)
    assert problems == [
        "2: 'app.mode' must be one of slow, steady",
        "3: 'app.url' must be an http(s) URL, not 'ftp://example.org'",
        "2: missing required field 'app.name'",  # the line the mapping starts at
        "7: 'workers.two.limit' must be positive, not -1",
        "8: worker 'three' must be a mapping",
    ]


def test_fields_get_the_values_read_with_defaults_for_bad_ones(tmp_path: Path) -> None:
    rd, _ = read(tmp_path)
    assert rd.fields["mode"] == "fast"  # reported above; the value is kept as read
    assert rd.fields["out"] == (tmp_path / "build").resolve()
    assert rd.fields["workers"] == {"one": ("one", 3), "two": ("two", 1)}
