"""Safe YAML loading that remembers the line of every mapping, key and list item.

Built on PyYAML's `SafeLoader` (never the unsafe loaders). Mappings come back as `Node` dicts
and sequences as `NodeList`s that carry the 1-based line where they start and the line of each
key or item, so checks can say `path:line` for any field.

Aliases (`*name`) are allowed, but a document whose aliases would expand it by more than
`MAX_ALIAS_EXPANSION` values (a "billion laughs" bomb) or `MAX_ALIAS_CHARS` characters of text
(a long text aliased thousands of times, which every later check would read) is refused before
anything is built.

Where PyYAML has libyaml, a plain document (no aliases, tags, tabs or BOMs, nothing PyYAML's reader
refuses) is parsed by libyaml's C parser, about ten times faster; any other document, and any that
libyaml fails on, goes through the pure-Python `SafeLoader`, so results and error messages stay
PyYAML's own (a fuzz test holds the two paths equal).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from toolkit.core.problems import display_path

if TYPE_CHECKING:
    from toolkit.core.problems import Problems


class Node(dict):
    """A mapping from YAML with `line` (its first line) and `key_lines` (line of each key)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class NodeList(list):
    """A sequence from YAML with `line` and `item_lines` (line of each item)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        """The line of item `index`."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlError(Exception):
    """A YAML syntax error, with the 1-based line and a one-line reason."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: error: {reason}")
        self.path, self.line, self.reason = path, line, reason


#: how many values aliases may add to a document when expanded (a bomb adds billions)
MAX_ALIAS_EXPANSION = 10_000
#: how many characters of text aliases may add: a few values can still stand for megabytes
#: (a 20 KB text aliased 9,000 times is 180 MB for every check that reads it)
MAX_ALIAS_CHARS = 1_000_000


class _AliasBomb(Exception):
    def __init__(self, line: int, unit: str = "values") -> None:
        super().__init__(line)
        self.line, self.unit = line, unit


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their lines, and that refuses alias
    expansion past `MAX_ALIAS_EXPANSION` values."""

    _first_alias: int | None = None

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose as PyYAML does, noting the line of the first alias."""
        if self._first_alias is None and self.check_event(yaml.AliasEvent):
            self._first_alias = self.peek_event().start_mark.line + 1
        return super().compose_node(parent, index)

    def get_single_node(self) -> Any:
        """The document's node graph, refused if its aliases expand it too far."""
        node = super().get_single_node()
        if node is not None and self._first_alias is not None:
            sizes: dict[int, int] = {}
            if _expanded_size(node, sizes) - len(sizes) > MAX_ALIAS_EXPANSION:
                raise _AliasBomb(self._first_alias)
            chars: dict[int, int] = {}
            if _expanded_size(node, chars, _text_size) - sum(
                    _text_size(n) for n in _nodes(node)) > MAX_ALIAS_CHARS:
                raise _AliasBomb(self._first_alias, "characters")
        return node


def _one(node: yaml.Node) -> int:
    return 1


def _text_size(node: yaml.Node) -> int:
    """The characters a node holds itself (a scalar's text; 1 for a collection)."""
    return len(node.value) + 1 if isinstance(node, yaml.ScalarNode) else 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int],
                   weight: Callable[[yaml.Node], int] = _one) -> int:
    """How many values (or, with `weight=_text_size`, characters) `node` stands for once every
    alias is written out (memoised by node, so a bomb is measured without being expanded; a
    recursive alias counts once)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = weight(node)
    if isinstance(node, yaml.SequenceNode):
        sizes[key] += sum(_expanded_size(child, sizes, weight) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        sizes[key] += sum(_expanded_size(k, sizes, weight) + _expanded_size(v, sizes, weight)
                          for k, v in node.value)
    return sizes[key]


def _nodes(node: yaml.Node) -> list[yaml.Node]:
    """Every distinct node of the graph once (what the file itself writes out)."""
    seen: dict[int, yaml.Node] = {}
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen[id(n)] = n
        if isinstance(n, yaml.SequenceNode):
            todo += n.value
        elif isinstance(n, yaml.MappingNode):
            todo += [x for pair in n.value for x in pair]
    return list(seen.values())


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from exc
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> NodeList:
    result = NodeList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


_SLOW = object()  # "parse this one with the pure-Python loader"
#: where PyYAML and libyaml may differ: tabs, byte-order marks, tags (`!`), block scalars (`|`, `>`)
_NOT_FAST = re.compile(r"\t|\ufeff|(?:^|[\s\[{,])[!|>]")

if yaml.__with_libyaml__:
    class _CLineLoader(yaml.CSafeLoader):
        """libyaml's parser with `_LineLoader`'s line-keeping constructors (no aliases)."""

    _CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)
    _CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                                 _construct_sequence)


def _needs_exact_loader(node: yaml.Node, text: str) -> bool:
    """Whether the pure-Python loader must decide: a node reached twice (through an alias), or
    a flow collection (`[…]`, `{…}`) with a `?` in it, which libyaml reads as text where the
    pure-Python parser sees a key indicator (`[0?]`)."""
    seen: set[int] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            return True
        seen.add(id(n))
        if isinstance(n, yaml.CollectionNode) and n.flow_style and "?" in text[
                n.start_mark.index:n.end_mark.index]:
            return True
        if isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            todo.extend(x for pair in n.value for x in pair)
    return False


def _load_fast(text: str) -> Any:
    """The document through libyaml, or `_SLOW` when the pure-Python loader must decide."""
    if (not yaml.__with_libyaml__ or _NOT_FAST.search(text)
            or yaml.reader.Reader.NON_PRINTABLE.search(text)):
        return _SLOW
    loader = _CLineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _needs_exact_loader(node, text):
            return _SLOW
        return loader.construct_document(node)
    except Exception:  # every failure is reported by the exact loader below
        return _SLOW
    finally:
        loader.dispose()


def load_yaml_text(text: str, path: str = "<string>") -> Any:
    """Parse YAML text safely; raise `YamlError` with the line on any syntax problem."""
    fast = _load_fast(text)
    if fast is not _SLOW:
        return fast
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except _AliasBomb as exc:
        limit = MAX_ALIAS_EXPANSION if exc.unit == "values" else MAX_ALIAS_CHARS
        raise YamlError(path, exc.line, f"aliases (*name) would expand this file by more than "
                        f"{limit:,} {exc.unit}; refused (write the values out)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlError(path, line, f"YAML syntax: {reason}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 1, f"YAML syntax: {exc}") from None
    except RecursionError:
        raise YamlError(path, 1, "YAML syntax: nested too deeply") from None


#: texts that stand in for files while a change is checked before it is written (see
#: `pending_texts`); per thread and task, so one check never sees another's edit
_PENDING: ContextVar[dict[Path, str] | None] = ContextVar("pending_texts", default=None)


@contextmanager
def pending_texts(texts: dict[Path, str]) -> Iterator[None]:
    """While inside, reading any of `texts`' files gives its text instead (the message editor
    checks a file as it would be written, with the very code `toolkit check` runs)."""
    token = _PENDING.set({Path(p).resolve(): t for p, t in texts.items()})
    try:
        yield
    finally:
        _PENDING.reset(token)


def load_yaml_file(path: Path) -> Any:
    """Read and parse one YAML file; unreadable or non-UTF-8 files give a `YamlError` too."""
    shown = display_path(path)
    pending = _PENDING.get()
    try:
        stand_in = pending.get(path.resolve()) if pending else None
        text = path.read_text(encoding="utf-8") if stand_in is None else stand_in
    except UnicodeDecodeError:
        raise YamlError(shown, 1, "file is not valid UTF-8") from None
    except OSError as exc:
        raise YamlError(shown, 1, f"cannot read file: {exc.strerror}") from None
    return load_yaml_text(text, shown)


def read_yaml(path: Path, problems: Problems, kind: type | tuple[type, ...],
              expected: str) -> Any:
    """The parsed file when it is a `kind` (e.g. `Node`, `NodeList`), else None after adding a
    problem: the YAML error at its line, or `expected` (what the file should be)."""
    try:
        data = load_yaml_file(path)
    except YamlError as exc:
        problems.error(exc.path, exc.line, exc.reason)
        return None
    if not isinstance(data, kind):
        problems.error(path, getattr(data, "line", 1) or 1, expected)
        return None
    return data
