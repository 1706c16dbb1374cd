"""What `toolkit check` verifies about the member data and the members pages' words.

The data is dated like the library's facts: a warning in the `WARN_DAYS` before `review_by`
(the day the Congress ends), an error after it. The words may use only member fields and
verified statistics, carry no bare numbers, and every addressed post must fit its platform.
"""

from __future__ import annotations

from datetime import date, timedelta

from toolkit.core import clock
from toolkit.core.config import Config
from toolkit.core.errors import ComposeError
from toolkit.core.problems import Problems
from toolkit.library.checks import check_no_present_tense, check_numbers
from toolkit.library.models import PLACEHOLDER, Library
from toolkit.pages.congress.content import MEMBER_PLACEHOLDERS, Content, read_content
from toolkit.pages.congress.loader import members_path, raise_errors, read_roster
from toolkit.pages.congress.models import MembersError, Roster

#: how many days before `review_by` `toolkit check` starts to warn
WARN_DAYS = 30
#: how many of the longest names and handles `check` composes per platform and language
FIT_SAMPLE = 5
REFRESH = "refresh it with `toolkit congress update DIR` (see docs/guide/call-your-members.md)"


def staleness(roster: Roster, today: date) -> str:
    """`fresh`, `due` (within `WARN_DAYS` of `review_by`) or `stale` (past it)."""
    if today > roster.review_by:
        return "stale"
    return "due" if today >= roster.review_by - timedelta(days=WARN_DAYS) else "fresh"


def require_fresh(roster: Roster, today: date, allow_stale: bool = False) -> bool:
    """Whether the page must say the list may be out of date; raises `MembersError` for stale
    data unless `allow_stale` (the site's `--allow-stale-members`)."""
    if staleness(roster, today) != "stale":
        return False
    if not allow_stale:
        raise MembersError(f"{roster.path}: the member data (as of {roster.as_of}) is out of date "
                           f"since {roster.review_by}; {REFRESH}, or build with "
                           "--allow-stale-members to publish it marked as possibly out of date")
    return True


def check_members(config: Config, library: Library, problems: Problems,
                  today: date | None = None) -> None:
    """Add the member data's and words' problems; nothing when the project has no member data."""
    path = members_path(config)
    if not path.exists():
        return
    today = today or clock.today(config.timezone)  # the campaign's day, as approval's
    roster = read_roster(path, problems)
    if roster is not None:
        line = roster.line_of.get("review_by", 1)
        state = staleness(roster, today)
        if state == "stale":
            ended = sum(roster.review_by <= m.term_end < today for m in roster.members)
            problems.outdated_error(roster.path, line, f"member data is out of date: review_by "
                                    f"{roster.review_by} has passed (as of {roster.as_of}; "
                                    f"{ended} member{'s' * (ended != 1)}' terms ended with it); "
                                    f"{REFRESH}")
        elif state == "due":
            days = (roster.review_by - today).days
            problems.warning(roster.path, line, f"member data must be reviewed by "
                             f"{roster.review_by} (in {days} day{'s' * (days != 1)}); {REFRESH}")
        for m in roster.members:  # one line each for a term that ended before the data's own end
            if m.term_end < min(today, roster.review_by):
                problems.warning(roster.path, m.line, f"member {m.bioguide} ({m.name}): term "
                                 f"ended on {m.term_end}; {REFRESH}")
    content = read_content(config, problems)
    if content is not None:
        _check_content(config, library, content, roster, problems)


def require_checked_content(config: Config, library: Library, content: Content) -> None:
    """Raise `MembersError` when the words name an unknown or unverified statistic or carry a
    bare number: the pages (and their ready posts) never show a figure `check` would refuse."""
    problems = Problems()
    _check_content(config, library, content, None, problems)
    raise_errors(problems, content, "the members content")


def _check_content(config: Config, library: Library, content: Content, roster: Roster | None,
                   problems: Problems) -> None:
    before = len(problems.errors)
    for name, lang, template in content.texts():
        line = content.lines.get(f"{name}.{lang}", 1)
        for m in PLACEHOLDER.finditer(template):
            stat = library.statistics.get(m[1])
            if m[1] in MEMBER_PLACEHOLDERS and not name.startswith("labels."):
                continue
            if stat is None:
                problems.error(content.path, line, f"'{name}' ({lang}) names unknown "
                               f"{'statistic' if m[1] not in MEMBER_PLACEHOLDERS else 'field'} "
                               f"'{{{m[1]}}}'")
            elif not stat.verified:
                problems.error(content.path, line, f"'{name}' ({lang}) uses unverified statistic "
                               f"'{m[1]}': supporters' posts may use verified facts only")
        check_numbers(config, template, lang, problems, content.path, line, f"'{name}' ({lang})")
        check_no_present_tense(config, template, lang, problems, content.path, line,
                               f"'{name}' ({lang})")
    if roster is None or len(problems.errors) > before:
        return  # a post with an unknown placeholder cannot be composed
    _check_fit(config, library, content, roster, problems)


def _check_fit(config: Config, library: Library, content: Content, roster: Roster,
               problems: Problems) -> None:
    """Every addressed post within its platform's limit. Only the name and handle change from
    one member to the next, so the `FIT_SAMPLE` members with the heaviest ones are composed
    (a character from U+1100 up weighs 2, as on X; never less than it really weighs)."""
    from toolkit.pages.congress.posts import addressed, compose_to

    for platform in ("x", "mastodon"):
        with_handle = [m for m in roster.members if addressed(m, platform)]
        with_handle.sort(key=lambda m: -_weight(f"{addressed(m, platform)} {m.name}"))
        for lang in config.languages:
            for member in with_handle[:FIT_SAMPLE]:
                try:
                    compose_to(config, library, content, member, lang, platform)
                except (ComposeError, MembersError) as exc:
                    problems.error(content.path, content.lines.get(f"post.{lang}", 1),
                                   exc.message)
                    break


def _weight(text: str) -> int:
    return sum(1 if ord(c) < 0x1100 else 2 for c in text)
