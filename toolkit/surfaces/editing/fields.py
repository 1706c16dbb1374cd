"""Form fields (the editor's, or the command line's options) into library items, each problem
naming its field. Text is kept exactly as typed: it is shown as text everywhere (templates
escape it), never as HTML."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.core.config import Config
from toolkit.library.loader import ID, LINK_NAMES

#: longest text one language of a message (or a fact's display or label) may have: far above
#: any platform's limit, far below what would slow a page down
MAX_TEXT = 2000
#: longest id, theme, URL or name
MAX_SHORT = 300
#: the fields of a message the editor writes, in the order a new one is written
MESSAGE_KEYS = ("id", "theme", "text", "link", "card", "claims", "platforms")


@dataclass
class FieldProblems:
    """Problems with the form, each naming its field (`text_en`, `id`, …)."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, problem: str) -> None:
        """Record that field `name` has `problem`."""
        self.items.append((name, problem))

    def lines(self) -> list[str]:
        """One line per problem: `field: problem`."""
        return [f"{name}: {problem}" for name, problem in self.items]

    def __bool__(self) -> bool:
        return bool(self.items)


def _words(value: str | list[str] | None) -> list[str]:
    """A list field given as a list, or as words split by commas or spaces."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else re.split(r"[,\s]+", value)
    return [p.strip() for p in parts if p and p.strip()]


def short(form: Mapping[str, Any], name: str, problems: FieldProblems,
          required: bool = False) -> str:
    """A one-line field, trimmed, refused when missing (if `required`) or too long."""
    value = str(form.get(name) or "").strip()
    if required and not value:
        problems.add(name, "is required")
    if len(value) > MAX_SHORT:
        problems.add(name, f"is {len(value)} characters long; at most {MAX_SHORT}")
        value = value[:MAX_SHORT]
    return value


def check_id(value: str, name: str, problems: FieldProblems, taken: set[str]) -> str:
    """A new item's id: a slug not yet used."""
    if not value:
        problems.add(name, "is required")
    elif not ID.match(value) or len(value) > 100:
        problems.add(name, f"{value[:60]!r} must be lowercase letters, digits and hyphens "
                     "(a slug such as 'courts-ruling')")
    elif value in taken:
        problems.add(name, f"'{value}' is already used; choose another id")
    return value


def text_of(form: Mapping[str, Any], name: str, problems: FieldProblems,
            required: bool = True) -> str:
    """One text field, line endings normalised (a word processor's U+2028 too: written raw it
    is not a line break YAML keeps), refused when empty (if `required`) or longer than
    `MAX_TEXT`."""
    value = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", str(form.get(name) or "")).strip()
    if required and not value:
        problems.add(name, "is empty: write the text in this language")
    elif len(value) > MAX_TEXT:
        problems.add(name, f"is {len(value):,} characters long; a text may be at most "
                     f"{MAX_TEXT:,}")
    return value


def message_item(config: Config, form: Mapping[str, Any], old: dict | None,
                 taken: set[str]) -> tuple[dict, FieldProblems]:
    """The message a form describes (merged into `old`, whose other fields and order it
    keeps), and the problems of its fields."""
    problems = FieldProblems()
    item: dict = dict(old) if old else {}
    if old is None:
        item["id"] = check_id(short(form, "id", problems), "id", problems, taken)
    elif str(form.get("id") or old["id"]) != old["id"]:
        problems.add("id", "cannot be changed (queued posts name it); write a new message")
    item["theme"] = short(form, "theme", problems, required=True)
    texts = dict(item.get("text") or {})
    for lang in config.languages:
        texts[lang] = text_of(form, f"text_{lang}", problems)
    item["text"] = texts
    optional = {"link": short(form, "link", problems), "card": short(form, "card", problems),
                "claims": _words(form.get("claims")),
                "platforms": _words(form.get("platforms"))}
    link = optional["link"]
    if link and link not in LINK_NAMES and not link.startswith(("https://", "http://")):
        problems.add("link", f"must be an http(s) URL or one of {', '.join(LINK_NAMES)}")
    if isinstance(form.get("platforms"), list) and not form["platforms"]:
        problems.add("platforms", "choose at least one platform")
    for name in optional["platforms"]:
        if name not in config.platforms:
            problems.add("platforms", f"unknown platform '{name[:40]}' (configured: "
                         f"{', '.join(config.platforms)})")
    if optional["platforms"] == [p for p in config.platforms if p != "outbox"] and \
            "platforms" not in item:
        optional["platforms"] = []  # the default: not written out
    for key, value in optional.items():
        if value:
            item[key] = value
        else:
            item.pop(key, None)
    ordered = {k: item[k] for k in MESSAGE_KEYS if k in item} if old is None else item
    return ordered, problems
