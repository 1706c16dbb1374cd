"""The share kit's own words (`posts/site.yaml`): every text of the supporters' page per language.

The file sits beside the library and follows its rules: each text exists in every campaign
language, and figures appear only as `{statistic-id}` placeholders naming verified statistics (the
page never shows an unverified figure). `toolkit check` reports every problem as `path:line`.

    site:
      card: msg-end-mpp          # the card whose `link` graphic previews the page
      words:
        title: {en: "…", es: "…"}
        …
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.errors import LibraryError
from toolkit.core.fields import FieldReader
from toolkit.core.problems import Problems, display_path
from toolkit.core.yamlload import Node, read_yaml
from toolkit.library.checks import check_no_present_tense, check_numbers
from toolkit.library.models import PLACEHOLDER, Library

SITE_WORDS_FILE = "site.yaml"

#: every text the page needs; `format_<name>` is needed for each configured graphic format too
REQUIRED = (
    "title", "description", "lang_name", "languages", "skip", "contents", "heading", "lead",
    "why_heading", "why", "graphics_heading", "graphics_intro", "zip", "download", "alt_label",
    "copy_alt", "share", "copy_text", "copied", "share_fallback", "posts_heading", "posts_intro",
    "share_on", "graphic_for_post", "email", "email_subject", "mastodon_server", "mastodon_hint",
    "mastodon_save", "call_heading", "call_intro", "call_button", "call_script_heading",
    "call_script", "copy_script", "sources_heading", "sources_intro", "as_of", "footer",
    "campaign_link", "today_heading", "find_members", "switchboard_line", "shared", "more_ways",
    "all_posts", "back_graphics", "back_home",
)


@dataclass(frozen=True)
class SiteWords:
    """The page's texts by key and language (templates, with `{statistic-id}` placeholders)."""

    path: str
    card: str | None
    words: dict[str, dict[str, str]]
    lines: dict[str, int] = field(default_factory=dict)

    def statistic_ids(self) -> list[str]:
        """Ids of the statistics the page's own words name, in order of first use."""
        seen: dict[str, None] = {}
        for texts in self.words.values():
            for text in texts.values():
                for m in PLACEHOLDER.finditer(text):
                    seen.setdefault(m[1])
        return list(seen)


def site_words_path(config: Config) -> Path:
    """Where the page's words live: `site.yaml` in the posts folder."""
    return config.posts_dir / SITE_WORDS_FILE


def required_keys(config: Config) -> tuple[str, ...]:
    """Every key the page needs for this config (the fixed ones and one per graphic format)."""
    return REQUIRED + tuple(f"format_{name}" for name in config.formats)


def read_site_words(config: Config, problems: Problems) -> SiteWords | None:
    """Read `posts/site.yaml`, adding shape problems; None when absent or unreadable."""
    path = site_words_path(config)
    if not path.is_file():
        return None
    expected = f"{SITE_WORDS_FILE} must be a mapping with a 'site' section"
    data = read_yaml(path, problems, Node, expected)
    if data is None:
        return None
    r = FieldReader(display_path(path), problems)
    if not isinstance(data.get("site"), Node):
        problems.error(r.path, data.line or 1, expected)
        return None
    site = data["site"]
    for key in data:
        if key != "site":
            r.fail(data, key, f"unknown section {key!r} in {SITE_WORDS_FILE} (use 'site')")
    for key in site:
        if key not in ("card", "words"):
            r.fail(site, key, f"unknown field {key!r} in 'site' (allowed: card, words)")
    card = r.value(site, "card", str, None, where="site.")
    node = r.section(site, "words", required=True, where="site.")
    words: dict[str, dict[str, str]] = {}
    known = set(required_keys(config))
    for key in node:
        if key not in known:
            r.fail(node, key, f"unknown text 'site.words.{key}' (the page has no place for it)")
            continue
        words[str(key)] = r.per_language(node, key, config.languages, where="site.words.")
    for key in required_keys(config):
        if key not in node:
            r.fail(site, "words", f"'site.words' has no '{key}' (every text of the page is "
                   "needed in every language)")
    lines = {str(k): node.line_of(k) for k in node}
    lines["site.card"] = site.line_of("card")
    return SiteWords(r.path, card, words, lines)


def check_site_words(config: Config, library: Library, problems: Problems) -> None:
    """`toolkit check`: the page's words, their figures and its preview card (when site.yaml
    exists)."""
    site = read_site_words(config, problems)
    if site is None:
        return
    for key, texts in site.words.items():
        line = site.lines.get(key, 1)
        for lang, text in texts.items():
            check_numbers(config, text, lang, problems, site.path, line,
                         f"site text '{key}' ({lang})")
            check_no_present_tense(config, text, lang, problems, site.path, line,
                                   f"site text '{key}' ({lang})")
            for m in PLACEHOLDER.finditer(text):
                stat = library.statistics.get(m[1])
                if stat is None:
                    problems.error(site.path, line, f"site text '{key}' ({lang}) names unknown "
                                   f"statistic '{{{m[1]}}}'")
                elif not stat.verified:
                    problems.error(site.path, line, f"site text '{key}' ({lang}) uses unverified "
                                   f"statistic '{m[1]}': the share kit shows verified figures only")
    card = library.cards.get(site.card or "")
    if site.card and card is None:
        problems.error(site.path, site.lines["site.card"],
                       f"'site.card' names unknown card '{site.card}'")
    elif card and card.statistic and not getattr(library.statistics.get(card.statistic),
                                                 "verified", False):
        problems.error(site.path, site.lines["site.card"],
                       f"'site.card' '{site.card}' shows an unverified statistic")


def load_site_words(config: Config, library: Library) -> SiteWords:
    """The page's words, checked; raise `LibraryError` listing every error."""
    problems = Problems()
    if not site_words_path(config).is_file():
        problems.error(site_words_path(config), 1, f"{SITE_WORDS_FILE} not found: the share "
                       "kit's own words live there")
    else:
        check_site_words(config, library, problems)
    if problems.errors:
        raise LibraryError("the share kit's words have errors:\n" +
                           "\n".join(map(str, problems.errors)))
    site = read_site_words(config, Problems())
    assert site is not None
    return site
