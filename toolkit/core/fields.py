"""Typed field reading from line-aware YAML nodes, shared by the config and library loaders.

A `FieldReader` never raises on bad input: it records a `path:line: error` problem and hands back
a default, so a loader can go on and report every problem of a file in one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.core.problems import Problems, shown
from toolkit.core.yamlload import Node

_NICE = {"str": "text", "int": "a whole number", "float": "a number", "list": "a list",
         "NodeList": "a list", "Node": "a mapping", "dict": "a mapping", "bool": "true or false"}


def _kind_name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_NICE.get(k.__name__, k.__name__) for k in kinds)


def empty_node(line: int) -> Node:
    """An empty mapping standing at `line` (for absent or broken sections)."""
    node = Node()
    node.line, node.key_lines = line, {}
    return node


class FieldReader:
    """Reads typed fields from YAML nodes, recording a problem (path:line) for each bad one."""

    def __init__(self, path: Path | str, problems: Problems) -> None:
        self.path, self.problems = path, problems
        #: every path read, as named (absolute, symlinks not yet resolved)
        self.named_paths: list[str] = []

    def fail(self, node: Any, key: Any, message: str) -> None:
        """Record an error at the line of `key` in `node`."""
        line = node.line_of(key) if isinstance(node, Node) else getattr(node, "line", 1)
        self.problems.error(self.path, line, message)

    def warn(self, node: Any, key: Any, message: str) -> None:
        """Record a warning at the line of `key` in `node`."""
        line = node.line_of(key) if isinstance(node, Node) else getattr(node, "line", 1)
        self.problems.warning(self.path, line, message)

    def section(self, node: Node, key: str, required: bool = False, where: str = "") -> Node:
        """A nested mapping; an empty one (and a problem) when absent or not a mapping."""
        value = node.get(key)
        if isinstance(value, Node):
            return value
        if value is not None:
            self.fail(node, key, f"'{where}{key}' must be a mapping")
        elif required:
            self.fail(node, key, f"missing required field '{where}{key}'")
        return empty_node(node.line_of(key))

    def value(self, node: Node, key: str, kind: type | tuple, default: Any = None,
              required: bool = False, where: str = "") -> Any:
        """A scalar or list of the given type; `default` (and a problem) when wrong."""
        label = f"{where}{key}"
        if key not in node or node[key] is None:
            if required:
                self.fail(node, key, f"missing required field '{label}'")
            return default
        v = node[key]
        numeric = kind in (int, float, (int, float))
        if (isinstance(v, bool) and numeric) or not isinstance(v, kind):
            self.fail(node, key, f"'{label}' must be {_kind_name(kind)}, not {shown(v)}")
            return default
        return v

    def strings(self, node: Node, key: str, default: tuple = (), where: str = "") -> tuple:
        """A list of plain values, as text."""
        v = self.value(node, key, list, None, where=where)
        if v is None:
            return default
        out = []
        for i, item in enumerate(v):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problems.error(self.path, v.line_of(i), f"'{where}{key}' items must be text")
            else:
                out.append(str(item))
        return tuple(out)

    def text(self, node: Node, key: str, required: bool = False, where: str = "") -> str:
        """A non-empty text field (stripped)."""
        v = self.value(node, key, str, "", required=required, where=where)
        if required and key in node and isinstance(node[key], str) and not v.strip():
            self.fail(node, key, f"'{where}{key}' must not be empty")
        return v.strip()

    def positive(self, node: Node, key: str, default: Any, where: str = "") -> Any:
        """A whole number above zero."""
        v = self.value(node, key, int, default, where=where)
        if v is not None and v <= 0:
            self.fail(node, key, f"'{where}{key}' must be positive, not {v}")
            return default
        return v

    def path_of(self, node: Node, key: str, default: str) -> Path:
        """A path; relative ones resolve against the folder of the file being read."""
        raw = self.value(node, key, str, default)
        p = Path(raw).expanduser()
        named = p if p.is_absolute() else Path(self.path).parent / p
        self.named_paths.append(str(named))
        return named.resolve()

    def per_language(self, node: Node, key: str, languages: tuple[str, ...],
                     required: bool = True, where: str = "") -> dict[str, str]:
        """A `{lang: text}` mapping; each configured language missing is an error."""
        section = self.section(node, key, required=required, where=where)
        out: dict[str, str] = {}
        for lang, v in section.items():
            if not isinstance(v, str) or not v.strip():
                self.fail(section, lang, f"'{where}{key}.{lang}' must be non-empty text")
            else:
                out[str(lang)] = v.strip()
        if required and key in node and isinstance(node[key], Node):
            for lang in languages:
                if lang not in section:
                    self.fail(node, key, f"'{where}{key}' has no '{lang}' text "
                              f"(the campaign's languages are {', '.join(languages)})")
        return out
