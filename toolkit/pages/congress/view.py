"""What the site shows, per language: every state's members with tel: links, call script and
ready posts, as plain dicts (the templates' context and the per-state JSON).

`members_view` is the function the site calls: it refuses words with an unverified or bare
figure (as `toolkit check` does) and stale member data unless
`allow_stale`, and then sets `stale` so that the page says the list may be out of date.
"""

from __future__ import annotations

from datetime import date

from toolkit.core.config import Config
from toolkit.graphics.alt import format_date
from toolkit.library.models import Library
from toolkit.pages.congress.checks import require_checked_content, require_fresh
from toolkit.pages.congress.content import Content, labels, load_content, term_caveat
from toolkit.pages.congress.loader import load_roster, members_path
from toolkit.pages.congress.models import Member, Roster, StateMembers
from toolkit.pages.congress.posts import X_INTENT, call_script, member_posts

SWITCHBOARD = "switchboard"


def members_view(config: Config, library: Library, lang: str, today: date,
                 allow_stale: bool = False, roster: Roster | None = None,
                 content: Content | None = None) -> dict:
    """Everything the members pages need in `lang`: `states` (code -> state dict), `stale`,
    `as_of`, `source`, `license`, `labels`, `house_finder`, `switchboard` (`display`, `tel`)."""
    roster = roster or load_roster(members_path(config))
    stale = require_fresh(roster, today, allow_stale)
    content = content or load_content(config)
    require_checked_content(config, library, content)
    return {**_common(library, roster, content, lang, stale),
            "states": {code: _state(config, library, content, group, lang, today)
                       for code, group in roster.by_state().items()}}


def members_index_view(library: Library, roster: Roster, content: Content, lang: str,
                       stale: bool) -> dict:
    """What the picker and the list of state pages need (`members.html.j2`), without composing
    any member's posts: each state has only `code`, `slug` and `name`. Quick, for a site build
    that reuses the state pages it made before."""
    states = {code: {"code": code, "slug": code.lower(), "name": group.name(lang)}
              for code, group in roster.by_state().items()}
    return {**_common(library, roster, content, lang, stale), "states": states}


def _common(library: Library, roster: Roster, content: Content, lang: str, stale: bool) -> dict:
    board = library.statistics[SWITCHBOARD]
    return {
        "lang": lang, "stale": stale, "as_of": roster.as_of.isoformat(),
        "as_of_text": format_date(roster.as_of, lang, long=True), "source": roster.source,
        "license": roster.license, "labels": labels(content, library, lang),
        "house_finder": content.house_finder,
        "share": {"x": X_INTENT, "mastodon": content.mastodon_share},
        "switchboard": {"display": board.display[lang],
                        "tel": "tel:+1" + str(board.value).replace("-", "")},
    }


def _state(config: Config, library: Library, content: Content, group: StateMembers,
           lang: str, today: date) -> dict:
    def member(m: Member) -> dict:
        return _member(config, library, content, m, lang, today)

    return {
        "code": group.code, "slug": group.code.lower(), "name": group.name(lang),
        "territory": group.territory, "has_districts": group.has_districts,
        "senators": [member(m) for m in group.senators],
        "house": [member(m) for m in group.house],
        "vacant_districts": list(group.vacant_districts),
    }


def _member(config: Config, library: Library, content: Content, m: Member, lang: str,
            today: date) -> dict:
    """One member as the page shows them. A member whose term has ended on `today` keeps the
    name and seat but gets the caveat instead of their office's links, the call script that
    names the seat, and no ready post: someone else may hold the seat."""
    ended = m.term_ended(today)
    office = {"phone": m.phone, "tel": m.tel, "url": m.url, "contact_form": m.contact_form}
    return {
        "id": m.bioguide, "name": m.name, "role": m.role(),
        "title": content.roles[lang][m.role()], "district": m.district,
        "party": content.labels.get(f"party_{m.party.lower()}", {}).get(lang, m.party),
        "at_large": m.at_large,
        **({k: None for k in office} if ended else office),
        "ended": term_caveat(m, content, library, lang) if ended else None,
        "script": call_script(m, content, library, lang, ended=ended),
        "posts": [] if ended else [p.as_dict()
                                   for p in member_posts(config, library, content, m, lang)],
    }


def state_payload(view: dict, code: str) -> dict:
    """One state's data with the list's date, source and staleness: the per-state JSON. Posts
    carry their text only; `share` gives the X intent and Mastodon share prefixes to which the
    page appends the URL-encoded text (half the weight of a state with many members)."""
    keys = ("lang", "stale", "as_of", "as_of_text", "source", "license", "house_finder",
            "switchboard", "share")
    state = dict(view["states"][code])
    for chamber in ("senators", "house"):
        state[chamber] = [{**m, "posts": [{k: v for k, v in p.items() if k != "url"}
                                          for p in m["posts"]]} for m in state[chamber]]
    return {**{k: view[k] for k in keys}, **state}
