"""The words of the members pages (`members/content.yaml`): call script, post, roles, labels.

Texts name member fields (`{name}`, `{role}`, `{state}`, `{term_end}`) and statistics
(`{hrf-attacks-2021}`) the way library messages do; `fill_member` fills them for one member and
language through `toolkit.compose.text.fill`, so every number comes from a statistic or the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.compose.text import fill
from toolkit.core.config import Config
from toolkit.core.fields import FieldReader
from toolkit.core.problems import Problems, display_path, shown
from toolkit.core.yamlload import Node, read_yaml
from toolkit.graphics.alt import format_date
from toolkit.library.models import Library
from toolkit.pages.congress.loader import members_dir, raise_errors
from toolkit.pages.congress.models import Member, MembersError, state_in_sentence

MEMBER_PLACEHOLDERS = ("name", "role", "state", "term_end")
ROLES = ("senator", "representative", "delegate", "commissioner")
#: the words for a member whose term in the data has ended: the caveat (one for a senator
#: appointed until a special election) and the call script that names the seat, not the member
ENDED_TEXTS = ("term_ended", "term_ended_appointed", "seat_script")
FIELDS = {"link", "house_finder", "mastodon_share", "roles", "call_script", "post", "labels",
          *ENDED_TEXTS}
#: labels the templates and the picker script use
LABELS = ("heading", "intro", "pick_state", "show", "all_states", "senators", "no_senators",
          "house", "district", "at_large", "vacant", "pick_district", "choose_district",
          "house_finder", "call",
          "no_phone", "contact_form", "website", "call_script", "post_to", "post_x",
          "post_mastodon", "switchboard", "as_of", "source", "stale", "back")
_MEMBER_FIELD = re.compile(r"\{(" + "|".join(MEMBER_PLACEHOLDERS) + r")\}")


@dataclass
class Content:
    """The members pages' words, per language, with the line of each text for `check`."""

    path: str
    link: str
    house_finder: str
    mastodon_share: str
    roles: dict[str, dict[str, str]]
    call_script: dict[str, str]
    post: dict[str, str]
    labels: dict[str, dict[str, str]]
    lines: dict[str, int] = field(default_factory=dict)
    #: `ENDED_TEXTS` by name, then language
    ended: dict[str, dict[str, str]] = field(default_factory=dict)

    def texts(self) -> list[tuple[str, str, str]]:
        """Every `(name, lang, template)` of the file, for the checks."""
        out = [("call_script", lang, t) for lang, t in self.call_script.items()]
        out += [("post", lang, t) for lang, t in self.post.items()]
        out += [(name, lang, t) for name, per in self.ended.items() for lang, t in per.items()]
        out += [(f"labels.{k}", lang, t) for k, per in self.labels.items()
                for lang, t in per.items()]
        return out


def load_content(config: Config) -> Content:
    """Load the members pages' words; raise `MembersError` listing every error."""
    problems = Problems()
    content = read_content(config, problems)
    raise_errors(problems, content, "the members content")
    return content


def read_content(config: Config, problems: Problems) -> Content | None:
    """Read `members/content.yaml`, adding a problem (path:line) for each bad field."""
    path = members_dir(config) / "content.yaml"
    data = read_yaml(path, problems, Node, "the members content must be a mapping")
    if data is None:
        return None
    r = FieldReader(display_path(path), problems)
    for key in data:
        if key not in FIELDS:
            r.fail(data, key, f"unknown field {shown(key)} (allowed: {', '.join(sorted(FIELDS))})")
    langs = config.languages
    urls = {key: r.text(data, key, required=True) for key in ("link", "house_finder",
                                                             "mastodon_share")}
    for key, url in urls.items():
        if url and not url.startswith("https://"):
            r.fail(data, key, f"'{key}' must be an https:// URL")
    roles_node = r.section(data, "roles", required=True)
    roles: dict[str, dict[str, str]] = {}
    for lang in langs:
        per = r.section(roles_node, lang, required=True, where="roles.")
        roles[lang] = {role: r.text(per, role, required=True, where=f"roles.{lang}.")
                       for role in ROLES}
    call_script = r.per_language(data, "call_script", langs)
    post = r.per_language(data, "post", langs)
    ended = {name: r.per_language(data, name, langs) for name in ENDED_TEXTS}
    labels_node = r.section(data, "labels", required=True)
    labels = {str(k): r.per_language(labels_node, k, langs, where="labels.") for k in labels_node}
    for key in LABELS:
        if key not in labels_node and "labels" in data:
            r.fail(data, "labels", f"'labels' has no '{key}' (the members pages need it)")
    lines = {k: data.line_of(k) for k in data}
    for name, node in [("call_script", data.get("call_script")), ("post", data.get("post")),
                       *((name, data.get(name)) for name in ENDED_TEXTS),
                       *((f"labels.{k}", v) for k, v in labels_node.items())]:
        if isinstance(node, Node):
            lines.update({f"{name}.{lang}": node.line_of(lang) for lang in node})
    return Content(r.path, urls["link"], urls["house_finder"], urls["mastodon_share"], roles,
                   call_script, post, labels, lines, ended)


def fill_member(template: str, member: Member | None, content: Content, library: Library,
                lang: str) -> str:
    """`template` with the member's fields and the statistics filled in for `lang`."""
    def sub(m: re.Match) -> str:
        if member is None:
            raise MembersError(f"{m[0]} needs a member")
        if m[1] == "name":
            return member.name
        if m[1] == "state":
            return state_in_sentence(member.state, lang)
        if m[1] == "term_end":
            return format_date(member.term_end, lang, long=True)
        return content.roles[lang][member.role()]

    return fill(_MEMBER_FIELD.sub(sub, template), library, lang)


def term_caveat(member: Member, content: Content, library: Library, lang: str) -> str:
    """What the page says instead of "Call …" once the member's term in the data has ended:
    the term's end (from the data) and where to find who holds the seat."""
    name = "term_ended_appointed" if member.appointed else "term_ended"
    return fill_member(content.ended[name][lang], member, content, library, lang)


def labels(content: Content, library: Library, lang: str) -> dict[str, str]:
    """Every label in `lang`, with statistics filled in."""
    return {key: fill(per[lang], library, lang) for key, per in content.labels.items()}
