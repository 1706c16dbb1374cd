"""MkDocs hook: the configuration reference, generated from the config schema.

A page holding the line `<!-- config-reference -->` gets it replaced by a table of every key of
`toolkit.core.config.SCHEMA` (nested sections and named entries included), in the schema's order,
with
its kind, default and help text (`help=` on the key's schema line). So a new key appears in the
docs without anyone writing it twice.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- config-reference -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(option: Any) -> str:
    from toolkit.core.options import Custom, Section

    if isinstance(option, Section | Custom) or option.default is None:
        return ""
    value = option.default
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value!s}`" if value != "" else ""


def _kind(option: Any) -> str:
    from toolkit.core.options import Choice, Named

    if isinstance(option, Choice):
        return "one of " + ", ".join(f"`{c}`" for c in option.choices)
    if isinstance(option, Named):
        return "entries by name"
    return {"Type": "value", "Positive": "whole number > 0", "URL": "http(s) URL",
            "Match": "text", "Dir": "path", "Strings": "list", "Section": "section",
            "Custom": "see text"}.get(type(option).__name__, type(option).__name__)


def config_table() -> str:
    """The Markdown table of every config key."""
    from toolkit.core.config import SCHEMA
    from toolkit.core.options import walk

    rows = ["| key | kind | default | what |", "|---|---|---|---|"]
    for name, option in walk(SCHEMA):
        required = " (required)" if option.required else ""
        rows.append(f"| `{name}` | {_kind(option)}{required} | {_default(option)} | "
                    f"{_cell(option.help)} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Put the table where a page asks for it."""
    return markdown.replace(MARKER, config_table()) if MARKER in markdown else markdown
