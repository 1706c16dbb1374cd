"""Writing one library item back into its `posts/` file as a person would have.

The file is parsed round-trip (`ruamel.yaml`) only to learn where each item and field sits; the
new text is the old one with just the changed fields' lines replaced (a field that did not change
keeps its bytes, comments and line breaks), so `git diff` shows the edit and nothing else. The
result is parsed again and must hold exactly the intended data, else nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import StringIO
from pathlib import Path
from typing import Any

from toolkit.core.errors import InputError

SECTIONS = ("statistics", "claims", "messages", "cards")
#: line width a new value is wrapped at (the library's files use long lines)
WIDTH = 110
CANNOT = ("the change cannot be written into the file without touching other lines; nothing "
          "was written (edit the file by hand)")


def _yaml():  # ruamel.yaml.YAML, imported on first use (`toolkit --help` stays fast)
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = WIDTH
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def content_hash(text: str) -> str:
    """The hash a form carries of the file it was loaded from (a change since is refused)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse(text: str) -> Any:
    """The file's round-trip tree (a mapping with line and column of every key and item).
    Trees are kept for the last few texts (a preview parses the same text several times):
    callers only read them."""
    return _parse(text)


@lru_cache(maxsize=8)
def _parse(text: str) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise InputError(f"the file cannot be read as YAML: {str(exc).splitlines()[0]}") from None


def plain(value: Any) -> Any:
    """A round-trip value as plain dicts, lists, strings, numbers and dates."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | int | float | date) or value is None:
        return value
    return str(value)


def find(data: Any, section: str, item_id: str) -> int | None:
    """The index of item `item_id` in the file's `section`, or None."""
    items = data.get(section) if isinstance(data, dict) else None
    for i, item in enumerate(items or []):
        if isinstance(item, dict) and str(item.get("id")) == item_id:
            return i
    return None


@dataclass
class _Splice:
    start: int
    end: int
    lines: list[str]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _trim(lines: list[str], start: int, end: int) -> int:
    """`end` moved up past trailing blank and comment lines (they belong to what follows)."""
    while end > start + 1 and _is_filler(lines[end - 1]):
        end -= 1
    return end


def _block_end(lines: list[str], start: int, col: int) -> int:
    """The end (exclusive) of the block that starts at line `start` at column `col`: the first
    later line that is not filler and sits at `col` or left of it."""
    i = start + 1
    while i < len(lines) and (_is_filler(lines[i]) or _indent(lines[i]) > col):
        i += 1
    return _trim(lines, start, i)


def _styled(old: Any, new: Any) -> Any:
    """`new` written in the style of `old` (quotes, flow lists), or as a person would: text
    with spaces in double quotes, short lists in brackets."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(new, str):
        if isinstance(old, str) and type(old) is not str:
            return type(old)(new)
        if old is None and (" " in new or ":" in new or "#" in new) or not _reads_as_text(new):
            return DoubleQuotedScalarString(new)
        return new
    if isinstance(new, list):
        seq = CommentedSeq([_styled(None, v) for v in new])
        flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else True
        if flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(new, dict):
        result = CommentedMap()
        for k, v in new.items():
            result[k] = _styled(old.get(k) if isinstance(old, dict) else None, v)
        if isinstance(old, CommentedMap) and old.fa.flow_style():
            result.fa.set_flow_style()
        return result
    return new


def _reads_as_text(value: str) -> bool:
    """Whether `value` written plain reads back as text for the library's loader too (PyYAML,
    YAML 1.1: `yes`, `on`, `No` are booleans there, `1:20` a number, though not in ruamel's 1.2)."""
    import yaml

    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)) == \
        "tag:yaml.org,2002:str"


def _emit(key: str, old: Any, value: Any, col: int) -> list[str]:
    """`key: value` as YAML lines at column `col`."""
    from ruamel.yaml.comments import CommentedMap

    buf = StringIO()
    doc = CommentedMap()
    doc[key] = _styled(old, value)
    _yaml().dump(doc, buf)
    return [" " * col + line if line else line for line in buf.getvalue().splitlines()]


def _emit_item(item: dict, dash_col: int) -> list[str]:
    """A new list item (`- id: …`) with its dash at `dash_col`."""
    buf = StringIO()
    _yaml().dump(_styled(None, item), buf)
    out = []
    for n, line in enumerate(buf.getvalue().splitlines()):
        out.append((" " * dash_col + "- " if n == 0 else " " * (dash_col + 2)) + line
                   if line else line)
    return out


def _is_block_map(value: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap

    return isinstance(value, CommentedMap) and not value.fa.flow_style()


def _diff(lines: list[str], old: Any, new: dict, end: int, splices: list[_Splice]) -> None:
    """Splices that turn block mapping `old` (ending before line `end`) into `new`."""
    keys = list(old.keys())
    col = old.lc.key(keys[0])[1] if keys else 0
    last_end = None
    for n, key in enumerate(keys):
        start = old.lc.key(key)[0]
        stop = old.lc.key(keys[n + 1])[0] if n + 1 < len(keys) else end
        stop = _trim(lines, start, stop)
        last_end = stop
        if key not in new:
            splices.append(_Splice(start, stop, []))
            continue
        if plain(old[key]) == plain(new[key]):
            continue
        value = old[key]
        if _is_block_map(value) and isinstance(new[key], dict) and value \
                and value.lc.key(next(iter(value)))[0] > start:
            _diff(lines, value, new[key], stop, splices)
        else:
            splices.append(_Splice(start, stop, _emit(key, value, new[key], col)))
    added = [k for k in new if k not in old]
    if added:
        at = last_end if last_end is not None else end
        body = [line for k in added for line in _emit(k, None, new[k], col)]
        splices.append(_Splice(at, at, body))


def _apply(lines: list[str], splices: list[_Splice]) -> list[str]:
    for s in sorted(splices, key=lambda s: (s.start, s.end), reverse=True):
        lines[s.start:s.end] = s.lines
    return lines


def _section_end(data: Any, lines: list[str], section: str) -> int:
    keys = list(data.keys())
    n = keys.index(section)
    end = data.lc.key(keys[n + 1])[0] if n + 1 < len(keys) else len(lines)
    return _trim(lines, data.lc.key(section)[0], end)


def _item_range(data: Any, lines: list[str], section: str, index: int) -> tuple[int, int, int]:
    """(first line, end line, dash column) of item `index` of `section`."""
    items = data[section]
    start, col = items.lc.item(index)
    end = items.lc.item(index + 1)[0] if index + 1 < len(items) else \
        _section_end(data, lines, section)
    dash = col - 2
    while start > 0 and not lines[start].lstrip().startswith("-"):
        start -= 1  # an item written `-` alone on its line, its mapping below
    return start, _trim(lines, start, end), dash


def _joined(lines: list[str], newline: str) -> str:
    return newline.join(lines) + newline


def updated_text(text: str, section: str, item_id: str | None, item: dict | None) -> str:
    """The file's text with item `item_id` of `section` replaced by `item` (`item_id` None:
    added at the section's end; `item` None: removed). Only the changed lines differ;
    `InputError` when the result would not hold exactly the intended data."""
    if section not in SECTIONS:
        raise InputError(f"unknown section '{section}'")
    data = parse(text) if text.strip() else None
    newline = "\r\n" if "\r\n" in text else "\n"  # a file saved on Windows keeps its endings
    lines = text.splitlines()
    expected = plain(data) if data is not None else {}
    if not isinstance(expected, dict):
        raise InputError("the file is not a mapping of sections")
    if item_id is None:
        if item is None:
            raise InputError("nothing to add")
        expected.setdefault(section, None)
        expected[section] = [*(expected[section] or []), plain(item)]
        if data is None or section not in data or not data[section]:
            if data is not None and section in data:  # `messages:` with no items
                at = data.lc.key(section)[0]
                lines[at] = lines[at].split(":")[0] + ":"
                lines[at + 1:at + 1] = _emit_item(item, 2)
            else:
                lines += ([""] if lines else []) + [f"{section}:", *_emit_item(item, 2)]
        else:
            last = len(data[section]) - 1
            _, end, dash = _item_range(data, lines, section, last)
            lines[end:end] = ["", *_emit_item(item, dash)]
    else:
        index = find(data, section, item_id) if data is not None else None
        if index is None:
            raise InputError(f"no {section[:-1]} '{item_id}' in this file")
        start, end, _ = _item_range(data, lines, section, index)
        if item is None:
            del expected[section][index]
            if start > 0 and not lines[start - 1].strip():
                start -= 1  # the blank line that set it apart goes with it
            del lines[start:end]
        else:
            expected[section][index] = plain(item)
            splices: list[_Splice] = []
            try:
                _diff(lines, data[section][index], item, end, splices)
            except KeyError:  # a key that is not on a line of its own (a `<<: *merge` key)
                raise InputError(CANNOT) from None
            lines = _apply(lines, splices)
    result = _joined(lines, newline)
    if plain(parse(result)) != expected:
        raise InputError(CANNOT)
    return result


def read_text(path: Path) -> str:
    """A library file's text ("" when it does not exist yet)."""
    try:
        return path.read_bytes().decode("utf-8")  # as it is: CRLF line endings stay CRLF
    except FileNotFoundError:
        return ""


def item_span(text: str, section: str, item_id: str) -> tuple[int, int] | None:
    """The 1-based first and last line of item `item_id` of `section` in `text`, or None."""
    data = parse(text) if text.strip() else None
    index = find(data, section, item_id) if data is not None else None
    if index is None:
        return None
    start, end, _ = _item_range(data, text.splitlines(), section, index)
    return start + 1, end


def item_source(text: str, section: str, item_id: str) -> str:
    """The item's lines as the file has them ("" when it is not there)."""
    span = item_span(text, section, item_id)
    if span is None:
        return ""
    return "\n".join(text.splitlines()[span[0] - 1:span[1]]) + "\n"
