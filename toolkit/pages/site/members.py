"""The share kit's "Call your members" (from `toolkit.pages.congress`): the section on each language
page, and a page and a JSON file per state under `<lang>/members/`.

The state pages are the slow part of a build (every member's posts are composed: seconds per
language), so they are made again only when their key changes: the member data and its words,
the statistics, the site's words and look, the code that makes them, and whether the data is
stale. A site without `members/congress.yaml` has no members section.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from toolkit import __version__
from toolkit.core.config import Config
from toolkit.library.models import Library
from toolkit.pages.congress import pages
from toolkit.pages.congress.checks import require_checked_content, require_fresh
from toolkit.pages.congress.content import Content, load_content
from toolkit.pages.congress.loader import load_roster, members_path
from toolkit.pages.congress.models import Roster
from toolkit.pages.congress.view import members_index_view, members_view, state_payload
from toolkit.pages.site.common import TEMPLATES, member_files

#: bump when the state pages or their JSON change shape
MEMBERS_VERSION = "2"
#: the picker's script, among the site's assets
SCRIPT = f"assets/{pages.SCRIPT.name}"
#: where the section starts on a language page (the state pages link back to it)
ANCHOR = "call-your-members"


class Writer(Protocol):
    """What the site's file writer offers (`toolkit.pages.site.writer._Writer`)."""

    out: Path
    old: dict[str, str]

    def fresh(self, rel: str, key: str) -> bool: ...

    def keyed(self, rel: str, key: str, data: bytes) -> None: ...


@dataclass(frozen=True)
class Members:
    """The member data and its words, the build's date and whether the data is stale."""

    roster: Roster
    content: Content
    today: date
    stale: bool


def load_members(config: Config, library: Library, today: date,
                 allow_stale: bool) -> Members | None:
    """The member data for the site (None without `members/congress.yaml`); raises
    `MembersError` when it is invalid, or stale and `allow_stale` is not given, and refuses
    words that fail the fact gate (even when the state pages are reused)."""
    if not members_path(config).is_file():
        return None
    roster = load_roster(members_path(config))
    stale = require_fresh(roster, today, allow_stale)
    content = load_content(config)
    require_checked_content(config, library, content)
    return Members(roster, content, today, stale)


def members_key(config: Config, library: Library, members: Members, lang: str) -> str:
    """SHA-256 over everything `lang`'s state pages are made from (and which members' terms
    have ended on the build's date)."""
    ended = ",".join(m.bioguide for m in members.roster.members if m.term_ended(members.today))
    h = hashlib.sha256(f"{MEMBERS_VERSION}|{__version__}|{lang}|{members.stale}|"
                       f"{config.site_base_url}|{ended}".encode())
    files = [config.path, config.posts_dir / "site.yaml", *member_files(config),
             Path(__file__), *sorted(TEMPLATES.iterdir())]
    for path in files:
        data = path.read_bytes()
        h.update(f"\0{path.name}\0{len(data)}\0".encode())
        h.update(data)
    stats = [{k: v for k, v in dataclasses.asdict(s).items() if k != "origin"}
             for s in library.statistics.values()]
    h.update(repr(stats).encode())
    return h.hexdigest()


def write_members(w: Writer, env, config: Config, library: Library,
                  members: Members, lang: str, prefix: str, shell: dict) -> dict:
    """Write `lang`'s state pages and JSON under `{prefix}members/`, or keep the previous
    build's when their key is unchanged; return the context of the section on the language
    page (`members.html.j2`). `shell` is the site page's context for `state_page.html.j2`."""
    key = members_key(config, library, members, lang)
    folder = f"{prefix}members/"
    old = [rel for rel, k in w.old.items()
           if rel.startswith(folder) and "/" not in rel[len(folder):]]
    if old and all(w.old[rel] == key and (w.out / rel).is_file() for rel in old):
        for rel in old:
            w.fresh(rel, key)
        return members_index_view(library, members.roster, members.content, lang, members.stale)
    view = members_view(config, library, lang, members.today, allow_stale=True,
                        roster=members.roster, content=members.content)
    template = env.get_template("state_page.html.j2")
    for code, state in view["states"].items():
        rel = f"{folder}{state['slug']}"
        data = json.dumps(state_payload(view, code), ensure_ascii=False, separators=(",", ":"))
        w.keyed(f"{rel}.json", key, (data + "\n").encode("utf-8"))
        html = template.render(**shell, v=view, state=state, slug=state["slug"],
                               here=f"members/{state['slug']}.html",
                               title=f"{view['labels']['heading']}: {state['name']}",
                               index=f"../index.html#{ANCHOR}")
        w.keyed(f"{rel}.html", key, html.encode("utf-8"))
    return view
