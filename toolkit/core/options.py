"""Declarative config options, in the style of mkdocs' `config_options`.

A section is a mapping of key names to `Option`s; `read_schema` reads a YAML mapping against one,
key by key in the schema's order, and each option validates its own node, recording every
problem as `path:line: error` through a `FieldReader` (never raising). Adding a key is one line.

An option with `field=` also hands its value to the `Config` field of that name; `check=` runs a
rule across keys right after the option is read (`check(reading, spot, value)`). `help=` says in
a sentence what the key is for: the docs site's configuration reference is generated from it
(`docs/hooks/config_reference.py`), and a test fails for a key without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from toolkit.core.fields import FieldReader, empty_node
from toolkit.core.problems import shown
from toolkit.core.yamlload import Node

Check = Callable[["Reading", "Spot", Any], None]


@dataclass
class Reading:
    """One reading of a file: its reader, its root mapping and the `Config` fields read so far."""

    r: FieldReader
    root: Node
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Spot:
    """Where an option is read: the mapping and key, the dotted prefix its messages use, the name
    of the entry being read (a platform's, an account's) and its section's values so far."""

    node: Node
    key: str
    where: str
    entry: str
    values: dict[str, Any]

    @property
    def label(self) -> str:
        """The key as messages name it: `graphics.formats.square.width`."""
        return f"{self.where}{self.key}"


class Option:
    """One key of a section: its default, whether it is required, and how it is validated."""

    def __init__(self, default: Any = None, *, required: bool = False, field: str | None = None,
                 check: Check | None = None, convert: Callable[[Any], Any] | None = None,
                 help: str = "") -> None:
        self.default, self.required, self.field = default, required, field
        self.check, self.convert, self.help = check, convert, help

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The key's value (or its default), recording a problem for each bad one."""
        raise NotImplementedError


class Type(Option):
    """A value of a Python type (`str`, `bool`, `(int, float)`…)."""

    def __init__(self, kind: type | tuple, default: Any = None, **kw: Any) -> None:
        super().__init__(default, **kw)
        self.kind = kind

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The value if it has the right type, else the default."""
        return rd.r.value(spot.node, spot.key, self.kind, self.default, required=self.required,
                          where=spot.where)


class Positive(Option):
    """A whole number above zero (and at most `maximum`, when given)."""

    def __init__(self, default: Any = None, *, maximum: int | None = None, **kw: Any) -> None:
        super().__init__(default, **kw)
        self.maximum = maximum

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The number, or the default when absent or bad."""
        value = rd.r.positive(spot.node, spot.key, self.default, where=spot.where)
        if self.maximum is not None and value > self.maximum:
            rd.r.fail(spot.node, spot.key, f"'{spot.where}{spot.key}' must be at most "
                      f"{self.maximum}, not {value}")
            return self.default
        return value


class Choice(Type):
    """Text that must be one of `choices` (`message` replaces the default complaint)."""

    def __init__(self, choices: tuple[str, ...], default: str, message: str = "",
                 **kw: Any) -> None:
        super().__init__(str, default, **kw)
        self.choices, self.message = choices, message

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The text; a problem when it is not one of the choices."""
        v = super().read(rd, spot)
        if v not in self.choices:
            rd.r.fail(spot.node, spot.key, self.message or
                      f"'{spot.label}' must be one of {', '.join(self.choices)}")
        return v


class URL(Type):
    """An http(s) URL. `show` writes the bad value in the message; `slash` is "add" (ends with
    one) or "strip" (ends with none); `pattern`, when given, is what the whole URL must match."""

    def __init__(self, default: str | None = None, show: Callable[[Any], str] = shown,
                 slash: str | None = None, pattern: str | None = None, **kw: Any) -> None:
        super().__init__(str, default, **kw)
        self.show, self.slash, self.pattern = show, slash, pattern

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The URL; a problem when it is not http(s)."""
        v = super().read(rd, spot)
        if self.pattern:
            bad = v is not None and not re.fullmatch(self.pattern, v)
        else:
            bad = bool(v) and not v.startswith(("https://", "http://"))
        if bad:
            rd.r.fail(spot.node, spot.key,
                      f"'{spot.label}' must be an http(s) URL, not {self.show(v)}")
        elif v and self.slash == "add" and not v.endswith("/"):
            v += "/"
        if v and self.slash == "strip":
            v = v.rstrip("/")
        return v


class Match(Type):
    """Text matching `pattern` (e.g. a hex colour); None and a problem when it does not."""

    def __init__(self, pattern: re.Pattern, message: str, **kw: Any) -> None:
        super().__init__(str, None, **kw)
        self.pattern, self.message = pattern, message

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The text, or None after recording `'<key>' <message>`."""
        v = super().read(rd, spot)
        if v is not None and not self.pattern.match(v):
            rd.r.fail(spot.node, spot.key, f"'{spot.label}' {self.message}")
            return None
        return v


class Dir(Option):
    """A path, resolved against the config's folder (absent with no default: None)."""

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The resolved path."""
        if self.default is None:
            if spot.node.get(spot.key) is None:
                return None
            return rd.r.path_of(spot.node, spot.key, "")
        return rd.r.path_of(spot.node, spot.key, self.default)


class Strings(Option):
    """A list of plain values, as a tuple of text."""

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The texts, or the default when absent."""
        return rd.r.strings(spot.node, spot.key, self.default, where=spot.where)


class Section(Option):
    """A mapping read against a sub-schema; `build` turns its values into an object. `short`:
    messages about the mapping itself name only its key (as `'formats' must be a mapping`)."""

    def __init__(self, schema: dict[str, Option], build: Callable[..., Any] | None = None,
                 short: bool = False, **kw: Any) -> None:
        super().__init__(None, **kw)
        self.schema, self.build, self.short = schema, build, short

    def node(self, rd: Reading, spot: Spot) -> Node:
        """The section's mapping (an empty one, and a problem, when absent or not a mapping)."""
        return rd.r.section(spot.node, spot.key, required=self.required,
                            where="" if self.short else spot.where)

    def read(self, rd: Reading, spot: Spot) -> Any:
        """The section's values, built when `build` is set."""
        values = read_schema(rd, self.node(rd, spot), self.schema, f"{spot.label}.")
        return self.build(**values) if self.build else values


class Named(Section):
    """A mapping of named entries (platforms, formats, accounts), each read against the schema
    and built as `build(name, **values)`; `what` names an entry in messages, or `not_mapping`
    (a template with `{label}`, the entry's dotted name) says what an entry should be."""

    def __init__(self, schema: dict[str, Option], build: Callable[..., Any], what: str = "",
                 not_mapping: str = "", **kw: Any) -> None:
        super().__init__(schema, build, **kw)
        self.what, self.not_mapping = what, not_mapping

    def read(self, rd: Reading, spot: Spot) -> Any:
        """`{name: built entry}`; an entry that is not a mapping is a problem and left out."""
        section, out = self.node(rd, spot), {}
        for name, spec in section.items():
            if not isinstance(spec, Node):
                rd.r.fail(section, name, self.not_mapping.format(label=f"{spot.label}.{name}")
                          if self.not_mapping else f"{self.what} '{name}' must be a mapping")
                continue
            values = read_schema(rd, spec, self.schema, f"{spot.label}.{name}.", str(name))
            out[str(name)] = self.build(str(name), **values)
        return out


class Custom(Option):
    """A key read by a function `read(reading, spot)`, for shapes no other option has."""

    def __init__(self, read: Callable[[Reading, Spot], Any], **kw: Any) -> None:
        super().__init__(None, **kw)
        self._read = read

    def read(self, rd: Reading, spot: Spot) -> Any:
        """Whatever the function returns."""
        return self._read(rd, spot)


def read_schema(rd: Reading, node: Node, schema: dict[str, Option], where: str = "",
                entry: str = "") -> dict[str, Any]:
    """Read `node` against `schema` in the schema's order; return `{key: value}`.

    A dotted key (`campaign.per_language`) reads a key of a nested mapping at that point of the
    order, for a key that needs values read after its own section.
    """
    values: dict[str, Any] = {}
    for key, option in schema.items():
        target, name = node, key
        if "." in key:
            head, name = key.split(".", 1)
            target = node.get(head)
            if not isinstance(target, Node):
                target = empty_node(node.line_of(head))
        spot = Spot(target, name, where, entry, values)
        value = option.read(rd, spot)
        if option.convert is not None:
            value = option.convert(value)
        values[name] = value
        if option.check is not None:
            option.check(rd, spot, value)
        if option.field is not None:
            rd.fields[option.field] = value
    return values


def walk(schema: dict[str, Option], prefix: str = "") -> list[tuple[str, Option]]:
    """Every key of `schema` as `(dotted name, option)`, in the schema's order, each section's
    keys right after it; a named entry's keys as `platforms.<name>.limit`."""
    out: list[tuple[str, Option]] = []
    for key, option in schema.items():
        name = prefix + key
        out.append((name, option))
        if isinstance(option, Named):
            out += walk(option.schema, f"{name}.<name>.")
        elif isinstance(option, Section):
            out += walk(option.schema, f"{name}.")
    return out
