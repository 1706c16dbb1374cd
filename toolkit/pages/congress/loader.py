"""Loading `members/congress.yaml` into a `Roster`, every problem as `path:line`.

The file's header carries `as_of`, `review_by`, `source` and `license`; `members` lists one
mapping per member. Field rules live in `check_member_fields`, shared with `congress update`,
and the per-state rules (two senators, one member per district) in `check_roster`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.fields import FieldReader
from toolkit.core.problems import Problems, display_path, shown
from toolkit.core.yamlload import Node, NodeList, read_yaml
from toolkit.pages.congress.models import (
    CHAMBERS,
    STATES,
    TERRITORIES,
    Member,
    MembersError,
    Roster,
)

BIOGUIDE = re.compile(r"^[A-Z]\d{6}$")
PHONE = re.compile(r"^\d{3}-\d{3}-\d{4}$")
X_HANDLE = re.compile(r"^\w{1,15}$", re.ASCII)
MASTODON = re.compile(r"^@(\w+)@([a-zA-Z0-9.-]+\.[a-zA-Z]{2,})$", re.ASCII)
HEADER_FIELDS = {"as_of", "review_by", "source", "license", "members"}
MEMBER_FIELDS = {"bioguide", "name", "chamber", "state", "district", "party", "phone", "url",
                 "contact_form", "x", "mastodon", "term_end"}


def members_dir(config: Config) -> Path:
    """The `members/` folder beside the posts folder: the data and the pages' words."""
    return config.posts_dir.parent / "members"


def members_path(config: Config) -> Path:
    """Where the member data lives: `members/congress.yaml`."""
    return members_dir(config) / "congress.yaml"


def load_roster(path: Path) -> Roster:
    """Load and validate the member data; raise `MembersError` listing every error."""
    problems = Problems()
    roster = read_roster(path, problems)
    raise_errors(problems, roster, "the member data")
    return roster


def raise_errors(problems: Problems, result: object, what: str) -> None:
    """Raise `MembersError` listing the errors when there are any (or nothing was read)."""
    if result is None or problems.errors:
        raise MembersError(f"{what} has errors:\n" + "\n".join(map(str, problems.errors)))


def parse_date(value: object) -> date | None:
    """A `date` from a YAML date or an ISO `YYYY-MM-DD` text; None when it is neither."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def read_roster(path: Path, problems: Problems) -> Roster | None:
    """Read the member file, adding problems; None when it cannot be read at all."""
    data = read_yaml(path, problems, Node, "the member file must be a mapping with 'as_of', "
                     "'review_by', 'source', 'license' and 'members'")
    if data is None:
        return None
    shown_path = display_path(path)
    r = FieldReader(shown_path, problems)
    for key in data:
        if key not in HEADER_FIELDS:
            r.fail(data, key, f"unknown field {shown(key)} (allowed: "
                   f"{', '.join(sorted(HEADER_FIELDS))})")
    dates = {}
    for key in ("as_of", "review_by"):
        dates[key] = parse_date(data.get(key))
        if dates[key] is None:
            r.fail(data, key, f"'{key}' must be a date like 2027-01-03, not {shown(data.get(key))}")
    source = r.text(data, "source", required=True)
    license_ = r.text(data, "license", required=True)
    items = data.get("members")
    if not isinstance(items, NodeList):
        r.fail(data, "members", "'members' must be a list")
        return None
    if dates["as_of"] is None or dates["review_by"] is None:
        return None
    roster = Roster(shown_path, dates["as_of"], dates["review_by"], source, license_,
                    line_of=dict(data.key_lines))
    for i, item in enumerate(items):
        if not isinstance(item, Node):
            problems.error(shown_path, items.line_of(i), "each member must be a mapping")
            continue
        member = read_member(r, item)
        if member is not None:
            roster.members.append(member)
    check_roster(roster, problems)
    return roster


def read_member(r: FieldReader, node: Node) -> Member | None:
    """One member from its mapping, or None (with the problems recorded) when it is invalid."""
    before = len(r.problems.errors)
    bioguide = r.text(node, "bioguide", required=True)
    who = f"member {bioguide}" if bioguide else "member"
    if bioguide and not BIOGUIDE.match(bioguide):
        r.fail(node, "bioguide", f"{who}: 'bioguide' must be a letter and six digits")
    for key in node:
        if key not in MEMBER_FIELDS:
            r.fail(node, key, f"{who}: unknown field {shown(key)}")
    fields = {key: node.get(key) for key in MEMBER_FIELDS}
    for key, value in fields.items():
        if value is not None and key not in ("district", "term_end") \
                and not isinstance(value, str):
            r.fail(node, key, f"{who}: '{key}' must be text, not {shown(value)}")
            return None
    problem = check_member_fields(fields)
    if problem:
        r.fail(node, problem[0], f"{who}: {problem[1]}")
    if len(r.problems.errors) > before:
        return None
    return Member(bioguide=bioguide, name=fields["name"], chamber=fields["chamber"],
                  state=fields["state"], party=fields["party"],
                  term_end=parse_date(fields["term_end"]) or date.min,
                  district=fields["district"], phone=fields["phone"], url=fields["url"],
                  contact_form=fields["contact_form"], x=fields["x"],
                  mastodon=fields["mastodon"], line=node.line)


def check_member_fields(f: dict) -> tuple[str, str] | None:
    """The first problem of one member's fields as `(field, message)`, or None when valid."""
    for key in ("name", "chamber", "state", "party", "term_end"):
        if not f.get(key):
            return key, f"missing required field '{key}'"
    if f.get("chamber") not in CHAMBERS:
        return "chamber", f"'chamber' must be senate or house, not {shown(f.get('chamber'))}"
    state = f.get("state")
    if state not in STATES and state not in TERRITORIES:
        return "state", f"unknown state {shown(state)} (use the two-letter postal code)"
    district = f.get("district")
    if f["chamber"] == "senate":
        if state in TERRITORIES:
            return "state", f"{state} has no senators"
        if district is not None:
            return "district", "a senator has no district"
    elif isinstance(district, bool) or not isinstance(district, int) or district < 0:
        return "district", (f"'district' must be a whole number (0 for at-large and delegates), "
                            f"not {shown(district)}")
    elif state in TERRITORIES and district != 0:
        return "district", f"{state}'s delegate sits for district 0, not {district}"
    if f.get("phone") and not PHONE.match(f["phone"]):
        return "phone", f"'phone' must look like 202-224-3121, not {shown(f['phone'])}"
    for key in ("url", "contact_form"):
        if f.get(key) and not f[key].startswith("https://"):
            return key, f"'{key}' must be an https:// URL, not {shown(f[key])}"
    if f.get("x") and not X_HANDLE.match(f["x"]):
        return "x", f"'x' must be an X username (letters, digits, _; at most 15), not " \
                    f"{shown(f['x'])}"
    if f.get("mastodon") and not MASTODON.match(f["mastodon"]):
        return "mastodon", f"'mastodon' must look like @user@instance.social, not " \
                           f"{shown(f['mastodon'])}"
    if f.get("term_end") is not None and parse_date(f["term_end"]) is None:
        return "term_end", f"'term_end' must be a date like 2027-01-03, not {shown(f['term_end'])}"
    return None


def check_roster(roster: Roster, problems: Problems) -> None:
    """Per-state rules: no duplicate member, at most two senators per state (fewer is a vacancy,
    a warning), one House member per district, and a state's at-large seat stands alone."""
    seen: dict[str, Member] = {}
    seats: dict[tuple[str, int], Member] = {}
    for m in roster.members:
        if m.bioguide in seen:
            problems.error(roster.path, m.line, f"member {m.bioguide} is listed twice (first at "
                           f"line {seen[m.bioguide].line})")
        seen[m.bioguide] = m
        if m.chamber == "house" and m.district is not None:
            key = (m.state, m.district)
            if key in seats:
                problems.error(roster.path, m.line, f"{m.state} district {m.district} has two "
                               f"members: {seats[key].name} and {m.name}")
            seats[key] = m
    for code, group in roster.by_state().items():
        districts = {m.district for m in group.house}
        if 0 in districts and len(districts) > 1:
            problems.error(roster.path, group.house[0].line,
                           f"{code} has an at-large member (district 0) and numbered districts")
        if group.territory:
            continue
        if len(group.senators) > 2:
            problems.error(roster.path, group.senators[2].line,
                           f"{code} has {len(group.senators)} senators; a state has two")
    for code in STATES:
        count = sum(1 for m in roster.members if m.state == code and m.chamber == "senate")
        if count < 2:
            problems.warning(roster.path, roster.line_of.get("members", 1),
                             f"{code} has {count} senator{'s' * (count != 1)} in the data "
                             "(a vacancy?); its page offers the switchboard instead")
