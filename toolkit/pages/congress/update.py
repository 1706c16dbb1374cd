"""`toolkit congress update DIR`: rebuild `members/congress.yaml` from a checkout of the
upstream `unitedstates/congress-legislators` project (CC0 1.0).

Reads `legislators-current.yaml` (one record per member, the current term last in `terms`)
and `legislators-social-media.yaml` (`social.twitter`, `social.mastodon`), validates every
record (one `path:line` error per bad record) and writes the new file atomically, only when
everything is valid: an invalid update leaves the old file as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from toolkit.core.atomic import write_atomic
from toolkit.core.problems import Problems, display_path, shown
from toolkit.core.yamlload import Node, NodeList, read_yaml
from toolkit.pages.congress.loader import check_member_fields, parse_date, read_roster
from toolkit.pages.congress.models import MembersError

CURRENT = "legislators-current.yaml"
SOCIAL = "legislators-social-media.yaml"
SOURCE = "https://github.com/unitedstates/congress-legislators"
LICENSE = "CC0-1.0"
CHAMBER = {"sen": "senate", "rep": "house"}
HEADER = """\
# Members of the U.S. Congress: name, chamber, state, district, party, Washington office phone,
# website and contact form, X and Mastodon handles, end of the current term.
# Written by `toolkit congress update` from the unitedstates/congress-legislators project
# (legislators-current.yaml and legislators-social-media.yaml), which is dedicated to the public
# domain (CC0 1.0). After review_by (the day the current Congress ends) this list is out of date
# and must be refreshed from the source before use.
"""


def congress_end(as_of: date) -> date:
    """The day the Congress sitting on `as_of` ends: January 3 of the next odd year."""
    year = as_of.year + (1 if as_of.year % 2 == 0 or as_of >= date(as_of.year, 1, 3) else 0)
    year += 1 if year % 2 == 0 else 0
    return date(year, 1, 3)


def update_roster(source_dir: Path, target: Path, as_of: date,
                  review_by: date | None = None) -> int:
    """Rewrite `target` from the upstream files in `source_dir`; the number of members.

    Raises `MembersError` (one line per bad record) and leaves `target` untouched when any
    record is invalid."""
    problems = Problems()
    social = _social(source_dir / SOCIAL, problems)
    members = _members(source_dir / CURRENT, social, problems)
    if problems.errors:
        raise MembersError("\n".join(map(str, problems.errors)) + f"\n{display_path(target)} "
                           "was not changed")
    data = {"as_of": as_of.isoformat(), "source": SOURCE, "license": LICENSE,
            "review_by": (review_by or congress_end(as_of)).isoformat(), "members": members}
    text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    check = Problems()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.check")
    try:
        tmp.write_text(text, encoding="utf-8")
        read_roster(tmp, check)
    finally:
        tmp.unlink(missing_ok=True)
    if check.errors:
        raise MembersError("\n".join(p.message for p in check.errors)
                           + f"\n{display_path(target)} was not changed")
    write_atomic(target, text)
    return len(members)


def _load_list(path: Path, problems: Problems) -> NodeList | None:
    return read_yaml(path, problems, NodeList, "expected a list of legislators")


def _bioguide(item: object) -> str | None:
    ids = item.get("id") if isinstance(item, Node) else None
    value = ids.get("bioguide") if isinstance(ids, Node) else None
    return value if isinstance(value, str) else None


def _social(path: Path, problems: Problems) -> dict[str, dict]:
    """bioguide -> `{"x", "mastodon"}` from the social media file."""
    out: dict[str, dict] = {}
    items = _load_list(path, problems)
    for i, item in enumerate(items or []):
        bioguide = _bioguide(item)
        social = item.get("social") if isinstance(item, Node) else None
        if bioguide is None or not isinstance(social, Node):
            problems.error(path, items.line_of(i), "record needs 'id.bioguide' and 'social'")
            continue
        out[bioguide] = {"x": social.get("twitter"),
                         "mastodon": _mastodon(social.get("mastodon")), "line": item.line}
    return out


def _mastodon(value: object) -> object:
    """`@user@host` from `@user@host` or `https://host/@user`; anything else unchanged."""
    if isinstance(value, str) and value.startswith("https://") and "/@" in value:
        host, user = value[len("https://"):].split("/@", 1)
        return f"@{user.strip('/')}@{host}"
    return value


def _members(path: Path, social: dict[str, dict], problems: Problems) -> list[dict]:
    items = _load_list(path, problems)
    out = []
    for i, item in enumerate(items or []):
        line = items.line_of(i)
        record = _member(item, social)
        if isinstance(record, str):
            problems.error(path, line, record)
            continue
        problem = check_member_fields(record)
        if problem:
            who = record.get("bioguide") or "record"
            problems.error(path, line, f"member {who}: {problem[1]}")
            continue
        out.append({k: v for k, v in record.items() if v is not None})
    return out


def _member(item: object, social: dict[str, dict]) -> dict | str:
    """One output record, or the reason (one line) why the upstream record is unusable."""
    bioguide = _bioguide(item)
    if bioguide is None:
        return "record has no 'id.bioguide'"
    who = f"member {bioguide}"
    name = item.get("name")
    if not isinstance(name, Node):
        return f"{who}: 'name' must be a mapping"
    full = name.get("official_full") or " ".join(
        str(name[k]) for k in ("first", "last") if name.get(k))
    terms = item.get("terms")
    if not isinstance(terms, NodeList) or not terms or not isinstance(terms[-1], Node):
        return f"{who}: 'terms' must be a non-empty list of mappings"
    term = terms[-1]
    if term.get("type") not in CHAMBER:
        return f"{who}: the last term's 'type' must be sen or rep, not {shown(term.get('type'))}"
    end = parse_date(term.get("end"))
    if end is None:
        return f"{who}: the last term's 'end' must be a date, not {shown(term.get('end'))}"
    if not full:
        return f"{who}: no name"
    handles = social.get(bioguide, {})
    return {
        "bioguide": bioguide, "name": str(full), "chamber": CHAMBER[term["type"]],
        "state": term.get("state"),
        "district": term.get("district") if term["type"] == "rep" else None,
        "party": term.get("party"), "phone": term.get("phone"), "url": term.get("url"),
        "contact_form": term.get("contact_form"), "x": handles.get("x"),
        "mastodon": handles.get("mastodon"), "term_end": end.isoformat(),
    }
