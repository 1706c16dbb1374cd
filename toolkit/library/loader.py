"""Loading posts/*.yaml into a `Library`, collecting every problem as `path:line`.

Each file is a mapping with any of four lists: `statistics`, `claims`, `messages` and `cards`.
Loading checks shapes and types and duplicate ids; the cross-checks (unknown ids, lengths, digits,
staleness) live in `toolkit.library.checks`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.errors import LibraryError, ToolkitError
from toolkit.core.fields import FieldReader
from toolkit.core.problems import Problems, display_path, shown
from toolkit.core.yamlload import Node, NodeList, read_yaml
from toolkit.library.models import (
    CARD_LAYOUTS,
    Card,
    Claim,
    FactReview,
    Library,
    Message,
    Origin,
    Statistic,
)

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
STAT_KINDS = ("count", "date", "fact", "contact")
SECTIONS = ("statistics", "claims", "messages", "cards")
#: who proposed and who confirmed a fact (`toolkit library verify`, the review app)
REVIEW_FIELDS = {"proposed_by", "verified_by", "verified_at"}
STAT_FIELDS = {"id", "kind", "value", "display", "label", "scope", "source", "as_of", "verified",
               "notes", *REVIEW_FIELDS}
MESSAGE_FIELDS = {"id", "theme", "text", "link", "card", "platforms", "claims", "notes"}
CLAIM_FIELDS = {"id", "text", "source", "as_of", "verified", "review_by", "max_age_days", "notes",
                *REVIEW_FIELDS}
#: `link:` names for URLs the config holds (staff set the donation page there)
LINK_NAMES = {"campaign": "campaign.url", "donate": "campaign.donate_url"}
CARD_FIELDS = {"id", "layout", "statistic", "text", "notes"}


def load_library(config: Config) -> Library:
    """Load the library; raise `LibraryError` listing every loading error."""
    problems = Problems()
    library = read_library(config, problems)
    if problems.errors:
        raise LibraryError("the post library has errors:\n" + "\n".join(map(str, problems.errors)))
    return library


def library_error(config: Config) -> str | None:
    """Why the library cannot be loaded now (its last error line), or None when it loads."""
    try:
        load_library(config)
    except ToolkitError as exc:
        return exc.message.splitlines()[-1]
    return None


def library_files(posts_dir: Path) -> list[Path]:
    """The YAML files of the library, in a stable order (not the share kit's `site.yaml`)."""
    files = [*posts_dir.glob("*.yaml"), *posts_dir.glob("*.yml")]
    return sorted(p for p in files if p.name != "site.yaml")


def read_library(config: Config, problems: Problems) -> Library:
    """Read every file in the posts folder, adding problems; returns what could be read."""
    library = Library()
    if not config.posts_dir.is_dir():
        problems.error(config.path, 1, f"posts folder {display_path(config.posts_dir)} not found")
        return library
    files = library_files(config.posts_dir)
    if not files:
        problems.error(config.posts_dir, 1, "no .yaml files in the posts folder")
    for path in files:
        _read_file(path, config, library, problems)
    return library


def _read_file(path: Path, config: Config, library: Library, problems: Problems) -> None:
    data = read_yaml(path, problems, (Node, type(None)), "a library file must be a mapping "
                     "with 'statistics', 'claims', 'messages' or 'cards'")
    if data is None:  # empty, or its problem is recorded
        return
    r = FieldReader(display_path(path), problems)
    for key in data:
        if key not in SECTIONS:
            r.fail(data, key, f"unknown section {shown(key)} (use {', '.join(SECTIONS)})")
    readers = {"statistics": _statistic, "claims": _claim, "messages": _message, "cards": _card}
    targets = {"statistics": library.statistics, "claims": library.claims,
               "messages": library.messages, "cards": library.cards}
    for section, read in readers.items():
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, NodeList):
            r.fail(data, section, f"'{section}' must be a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, Node):
                problems.error(r.path, items.line_of(i), f"each of '{section}' must be a mapping")
                continue
            obj = read(r, item, config)
            if obj is None:
                continue
            existing = targets[section].get(obj.id)
            if existing is not None:
                r.fail(item, "id", f"duplicate id '{obj.id}' (first defined at "
                       f"{existing.origin.path}:{existing.origin.line})")
                continue
            targets[section][obj.id] = obj


def _origin(r: FieldReader, node: Node) -> Origin:
    return Origin(str(r.path), node.line, dict(node.key_lines))


def _id(r: FieldReader, node: Node, kind: str) -> str | None:
    raw = node.get("id")
    if raw is None:
        r.fail(node, "id", f"{kind} has no 'id'")
        return None
    if not isinstance(raw, str) or not ID.match(raw):
        r.fail(node, "id", f"{kind} id {shown(raw)} must be lowercase letters, digits and hyphens")
        return None
    return raw


def _unknown_fields(r: FieldReader, node: Node, allowed: set[str], kind: str) -> None:
    for key in node:
        if key not in allowed:
            r.fail(node, key, f"unknown field {shown(key)} in {kind} (allowed: "
                   f"{', '.join(sorted(allowed))})")


def _as_of(r: FieldReader, node: Node, sid: str, required: bool, key: str = "as_of",
           kind: str = "statistic") -> tuple[date | None, str]:
    raw = node.get(key)
    if raw is None:
        if required:
            r.fail(node, key, f"{kind} '{sid}' has no '{key}' date")
        return None, ""
    if isinstance(raw, date):
        return raw, raw.isoformat()
    text = str(raw)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text)
    if m and 1 <= int(m[2] or 1) <= 12:
        return date(int(m[1]), int(m[2] or 1), 1), text
    r.fail(node, key, f"'{key}' must be a date like 2021-02-19, 2021-02 or 2021, not {shown(raw)}")
    return None, text


def _source(r: FieldReader, node: Node, where: str,
            languages: tuple[str, ...]) -> tuple[str, dict[str, str], str]:
    """`source`: its name (text, or one per language) and URL."""
    source = r.section(node, "source", required=True, where=where)
    if isinstance(source.get("name"), Node):
        names = r.per_language(source, "name", languages, where=f"{where}source.")
        name = names.get(languages[0], next(iter(names.values()), ""))
    else:
        name = r.text(source, "name", required=True, where=f"{where}source.")
        names = {}
    url = r.text(source, "url", required=True, where=f"{where}source.")
    if url and not url.startswith(("https://", "http://")):
        r.fail(source, "url", f"'{where}source.url' must be an http(s) URL")
    return name, names, url


def _statistic(r: FieldReader, node: Node, config: Config) -> Statistic | None:
    sid = _id(r, node, "statistic")
    _unknown_fields(r, node, STAT_FIELDS, "a statistic")
    where = f"{sid}." if sid else ""
    kind = r.value(node, "kind", str, "count", where=where)
    if kind not in STAT_KINDS:
        r.fail(node, "kind", f"'{where}kind' must be one of {', '.join(STAT_KINDS)}")
    value = node.get("value")
    if value is None or isinstance(value, Node | NodeList):
        r.fail(node, "value", f"statistic '{sid}' needs a plain 'value'")
    langs = config.languages
    # a count's display form follows each language's number format unless written out
    display = r.per_language(node, "display", langs, required=kind != "count", where=where)
    if kind == "count" and isinstance(value, int | float) and not isinstance(value, bool):
        for lang in langs:
            display.setdefault(lang, config.number_format(lang).format(value))
    elif kind == "count" and "display" not in node and value is not None:
        r.fail(node, "value", f"count '{sid}' needs a numeric 'value' (or a 'display' per "
               "language)")
    label = r.per_language(node, "label", langs, where=where)
    scope_node = r.section(node, "scope", where=where)
    scope = {str(lang): r.strings(scope_node, lang, where=f"{where}scope.") for lang in scope_node}
    for lang, words in scope.items():
        for word in words:
            if word.lower() not in label.get(lang, "").lower():
                r.fail(scope_node, lang, f"statistic '{sid}' label ({lang}) drops the source's "
                       f"scope words {shown(word)}")
    source_name, source_names, source_url = _source(r, node, where, langs)
    as_of, as_of_text = _as_of(r, node, sid or "?", required=kind != "contact")
    verified = r.value(node, "verified", bool, False, required=True, where=where)
    notes = r.value(node, "notes", str, "", where=where)
    if sid is None or value is None:
        return None
    scope_words = tuple(w for ws in scope.values() for w in ws)
    return Statistic(sid, kind, value, display, label, scope_words, source_name, source_url,
                     as_of, as_of_text, bool(verified), notes, _origin(r, node), source_names,
                     _review(r, node, where))


def _claim(r: FieldReader, node: Node, config: Config) -> Claim | None:
    cid = _id(r, node, "claim")
    _unknown_fields(r, node, CLAIM_FIELDS, "a claim")
    where = f"{cid}." if cid else ""
    text = r.per_language(node, "text", config.languages, where=where)
    source_name, _, source_url = _source(r, node, where, config.languages)
    as_of, as_of_text = _as_of(r, node, cid or "?", True, kind="claim")
    verified = r.value(node, "verified", bool, False, required=True, where=where)
    review_by, _ = _as_of(r, node, cid or "?", False, key="review_by", kind="claim")
    max_age = r.positive(node, "max_age_days", None, where=where)
    if (review_by is None) == (max_age is None):
        r.fail(node, "as_of", f"claim '{cid}' needs either 'review_by' (a date) or "
               "'max_age_days' (how long it holds after its as_of date)")
    elif review_by is None and as_of is not None:
        review_by = as_of + timedelta(days=max_age)
    notes = r.value(node, "notes", str, "", where=where)
    if cid is None or as_of is None or review_by is None:
        return None
    return Claim(cid, text, source_name, source_url, as_of, as_of_text, bool(verified),
                 review_by, notes, _origin(r, node), _review(r, node, where))


def _review(r: FieldReader, node: Node, where: str) -> FactReview:
    """Who proposed and who confirmed a fact, as recorded."""
    at = node.get("verified_at")
    return FactReview(r.value(node, "proposed_by", str, "", where=where),
                      r.value(node, "verified_by", str, "", where=where),
                      at.isoformat() if isinstance(at, date | datetime) else str(at or ""))


def _message(r: FieldReader, node: Node, config: Config) -> Message | None:
    mid = _id(r, node, "message")
    _unknown_fields(r, node, MESSAGE_FIELDS, "a message")
    where = f"{mid}." if mid else ""
    theme = r.text(node, "theme", required=True, where=where)
    text = r.per_language(node, "text", config.languages, where=where)
    link = r.value(node, "link", str, None, where=where)
    if link in LINK_NAMES:
        named = config.url if link == "campaign" else config.donate_url
        if not named:
            r.fail(node, "link", f"'{where}link: {link}' needs {LINK_NAMES[link]} in the config")
        link = named
    elif link and not link.startswith(("https://", "http://")):
        r.fail(node, "link", f"'{where}link' must be an http(s) URL, or one of "
               f"{', '.join(LINK_NAMES)} (the config's URLs)")
    elif link and re.search(r"\s", link):  # the post would end the link at the space
        r.fail(node, "link", f"'{where}link' has a space in it: write it as %20")
    claims = r.strings(node, "claims", where=where)
    card = r.value(node, "card", str, None, where=where)
    default_platforms = tuple(p for p in config.platforms if p != "outbox")
    platforms = r.strings(node, "platforms", default_platforms, where=where)
    if mid is None:
        return None
    return Message(mid, theme, text, link, card, platforms, _origin(r, node), claims)


def _card(r: FieldReader, node: Node, config: Config) -> Card | None:
    cid = _id(r, node, "card")
    _unknown_fields(r, node, CARD_FIELDS, "a card")
    where = f"{cid}." if cid else ""
    layout = r.value(node, "layout", str, "", required=True, where=where)
    if layout and layout not in CARD_LAYOUTS:
        r.fail(node, "layout", f"'{where}layout' must be one of {', '.join(CARD_LAYOUTS)}")
    statistic = r.value(node, "statistic", str, None, where=where)
    rules = CARD_LAYOUTS.get(layout)
    if rules is not None and rules.needs_statistic and not statistic:
        r.fail(node, "layout", f"{layout} card '{cid}' needs a 'statistic'")
    text = r.per_language(node, "text", config.languages,
                          required=rules is None or rules.needs_text, where=where)
    if cid is None or layout not in CARD_LAYOUTS:
        return None
    return Card(cid, layout, statistic, text, _origin(r, node))
