"""The campaign configuration (`config/campaign.yaml`): schema, defaults and validation.

`load_config` validates the whole file and collects every problem before it stops, the way
mkdocs' `Config.validate` does; `ConfigError` then lists them all as `path:line: error: …`.
Relative paths resolve against the folder that holds the config file.

Each section is declared in `SCHEMA` (options from `toolkit.core.options`, one line per key); a key
with `field=` fills that `Config` field, so adding a key is a line here and a field there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolkit.core.configfile import config_file
from toolkit.core.errors import ConfigError
from toolkit.core.fields import FieldReader
from toolkit.core.insights_settings import STATS, UTM, StatsSettings, UtmSettings
from toolkit.core.languages import (
    NUMBER_FORMAT,
    CampaignWords,
    NumberFormat,
    number_format,
    read_campaign_words,
)
from toolkit.core.notify_settings import NOTIFY, NotifySettings
from toolkit.core.options import (
    URL,
    Choice,
    Custom,
    Dir,
    Match,
    Named,
    Option,
    Positive,
    Reading,
    Section,
    Spot,
    Strings,
    Type,
    read_schema,
)
from toolkit.core.problems import Problems, display_path, shown
from toolkit.core.settings import Account, Brand, FormatSpec, PlatformSpec, Slot, WebSettings
from toolkit.core.yamlload import Node, read_yaml

REQUIRED_HASHTAG = "#SaveAsylum"
COUNTERS = ("x", "graphemes", "mastodon", "threads")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HASHTAG = re.compile(r"^#\w+$")
LANG = re.compile(r"^[a-z]{2,3}$")
BRAND_COLOURS = ("background", "text", "accent", "muted")


@dataclass(frozen=True)
class Config:
    """The validated configuration."""

    path: Path
    name: str
    organisation: str
    url: str
    timezone: ZoneInfo
    languages: tuple[str, ...]
    hashtags: tuple[str, ...]
    posts_dir: Path
    number_allowlist: tuple[str, ...]
    statistic_max_age_days: int
    platforms: dict[str, PlatformSpec]
    graphics_dir: Path
    formats: dict[str, FormatSpec]
    brand: Brand
    slots: tuple[Slot, ...]
    max_lateness: timedelta
    store_url: str
    outbox_dir: Path
    accounts: dict[str, Account]
    fallback_to_outbox: bool
    #: where the share kit is published (absolute, ends with '/'); '' when unset
    site_base_url: str
    site_dir: Path
    media_dir: Path | None = None
    #: per language: the campaign's name, tagline and short URL (cards, alt text)
    campaign_words: dict[str, CampaignWords] = field(default_factory=dict)
    #: the donation page staff set (`link: donate` in a message)
    donate_url: str | None = None
    #: per language: thousands and decimal separators of figures
    number_formats: dict[str, NumberFormat] = field(default_factory=dict)
    #: per language: words that speak about the policy's present ("is back", "ahora"); a
    #: message using one must rest on a dated claim
    present_tense: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words(self, lang: str) -> CampaignWords:
        """The campaign's name, tagline and short URL in `lang` (the plain name if unset)."""
        found = self.campaign_words.get(lang)
        if found is not None:
            return found
        return CampaignWords(self.name, "", re.sub(r"^https?://(www\.)?", "", self.url))

    def number_format(self, lang: str) -> NumberFormat:
        """How `lang` writes figures (1,544 unless the config says otherwise)."""
        return self.number_formats.get(lang, NumberFormat())
    #: `review.second_person`: nobody approves a post they queued themselves (four eyes)
    second_person: bool = False
    #: `schedule.week_starts`: the weekday the review app's week view starts on (0 = Monday)
    week_start: int = 0
    #: `review.require_signoff`: sign-off names (e.g. "Legal") a post needs at its current
    #: revision before the team may approve it
    require_signoff: tuple[str, ...] = ()
    #: `review.own_link_signoff`: a sign-off given through a link the approving lead made
    #: counts for them too (off: four eyes, another lead's link or another lead approves)
    own_link_signoff: bool = False
    web: WebSettings = field(default_factory=WebSettings)
    #: the paths the config names, as named (before symlinks are resolved): what a no-change
    #: `graphics build` checks still lead where they led (`toolkit.graphics.uptodate`)
    named_paths: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The folder holding the config file; relative paths resolve against it."""
        return self.path.parent

    def account_for(self, platform: str) -> Account | None:
        """The first account configured for `platform`."""
        return next((a for a in self.accounts.values() if a.platform == platform), None)

    #: `notify:` channels and digest; `health:` heartbeat age above which the scheduler is down
    notify: NotifySettings = field(default_factory=NotifySettings)
    heartbeat_max_age: timedelta = timedelta(minutes=2)
    #: `stats:`: engagement counts collected after publishing; `utm:`: link tags
    stats: StatsSettings = field(default_factory=StatsSettings)
    utm: UtmSettings = field(default_factory=UtmSettings)


def config_path(explicit: str | Path | None = None) -> Path:
    """The config file to use: the explicit one, `$TOOLKIT_CONFIG`, or the default."""
    return Path(config_file(explicit))


def _resolve_store_url(url: str, root: Path) -> str:
    """Make a relative SQLite path absolute against the config folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith("file:"):
            return prefix + str((root / rest).resolve())
    return url


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate the config; raise `ConfigError` listing every problem found."""
    cfg_path = config_path(path)
    problems = Problems()
    config = read_config(cfg_path, problems)
    if problems.errors or config is None:
        raise ConfigError("invalid configuration:\n" + "\n".join(map(str, problems.errors)))
    return with_store_url_override(config)


def with_store_url_override(config: Config) -> Config:
    """The config with `store.url` replaced by `$TOOLKIT_STORE_URL` (from the environment or
    `.env`) when set: a PostgreSQL URL carries a password, which never goes in the config."""
    import dataclasses

    from toolkit.core.secrets import env_or_dotenv

    url = (env_or_dotenv("TOOLKIT_STORE_URL", config.root) or "").strip()
    return dataclasses.replace(config, store_url=url) if url else config


def read_config(cfg_path: Path, problems: Problems) -> Config | None:
    """Validate the config file, adding every problem to `problems`; None if unusable."""
    data = _load(cfg_path, problems)
    if data is None:
        return None
    cfg_path = cfg_path.resolve()
    before = len(problems.errors)
    rd = Reading(FieldReader(cfg_path, problems), data)
    known = {key.split(".")[0] for key in SCHEMA}
    for key in data:
        if key not in known:
            rd.r.fail(data, key, f"unknown section '{key}'")
    read_schema(rd, data, SCHEMA)
    if len(problems.errors) > before:
        return None
    return Config(path=cfg_path, named_paths=tuple(rd.r.named_paths), **rd.fields)


def _load(cfg_path: Path, problems: Problems) -> Node | None:
    """The config file's top mapping, or None after recording why there is none."""
    if not cfg_path.is_file():
        problems.error(cfg_path, 1, "config file not found (use --config or $TOOLKIT_CONFIG)")
        return None
    return read_yaml(cfg_path, problems, Node, "the config must be a mapping of sections")


# -- rules across keys (run right after the key they follow) ------------------------------------

def _check_languages(rd: Reading, spot: Spot, languages: tuple[str, ...]) -> None:
    if not languages and "languages" in spot.node:
        rd.r.fail(spot.node, "languages", "'languages' must list at least one language (the "
                  "first is the default)")
    for lang in languages:
        if not LANG.match(lang):
            rd.r.fail(spot.node, "languages", f"language {shown(lang)} is not an ISO 639 code")


def _check_hashtags(rd: Reading, spot: Spot, hashtags: tuple[str, ...]) -> None:
    for tag in hashtags:
        if not HASHTAG.match(tag):
            rd.r.fail(spot.node, "hashtags",
                      f"hashtag {shown(tag)} must be '#' followed by letters/digits")
    if REQUIRED_HASHTAG.lower() not in (t.lower() for t in hashtags):
        rd.r.fail(spot.node, "hashtags", f"{REQUIRED_HASHTAG} must be one of the campaign hashtags")


def _check_safe_area(rd: Reading, spot: Spot, bottom: float) -> None:
    if not 0 <= spot.values["safe_top"] + bottom < 0.8:
        rd.r.fail(spot.node, "safe_top",
                  f"'{spot.where}safe_top' + safe_bottom must be between 0 and 0.8")


def _check_card_formats(rd: Reading, spot: Spot, formats: dict[str, FormatSpec]) -> None:
    for p in rd.fields["platforms"].values():
        if p.card_format and formats and p.card_format not in formats:
            rd.r.fail(rd.root["platforms"][p.name], "card_format",
                      f"platform '{p.name}' uses unknown graphic format '{p.card_format}'")


def _check_platform(rd: Reading, spot: Spot, platform: str) -> None:
    platforms = rd.fields["platforms"]
    if platform and platforms and platform not in platforms:
        rd.r.fail(spot.node, "platform",
                  f"account '{spot.entry}' names unknown platform '{platform}'")


# -- keys of shapes of their own ------------------------------------------------------------------

def _timezone(rd: Reading, spot: Spot) -> ZoneInfo:
    tz_name = rd.r.value(spot.node, "timezone", str, "UTC", required=True)
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        rd.r.fail(spot.node, "timezone", f"unknown timezone {shown(tz_name)} (use an IANA name)")
        return ZoneInfo("UTC")


def _present_tense(rd: Reading, spot: Spot) -> dict[str, tuple[str, ...]]:
    present = rd.r.section(spot.node, spot.key, where=spot.where)
    return {str(lang): rd.r.strings(present, lang, where=f"{spot.label}.") for lang in present}


def _campaign_words(rd: Reading, spot: Spot) -> dict[str, CampaignWords]:
    return read_campaign_words(rd.r, spot.node, rd.fields["languages"])


def _slots(rd: Reading, spot: Spot) -> tuple[Slot, ...]:
    r, node = rd.r, rd.r.section(spot.node, spot.key)
    out = []
    for day in node:
        if day not in WEEKDAYS:
            r.fail(node, day, f"unknown weekday '{day}' (use {', '.join(WEEKDAYS)})")
            continue
        for t in r.strings(node, day, where="schedule.slots."):
            m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", t)
            if not m:
                r.fail(node, day, f"slot time {shown(t)} must be HH:MM")
                continue
            out.append(Slot(WEEKDAYS.index(day), time(int(m[1]), int(m[2]))))
    return tuple(sorted(out, key=lambda s: (s.weekday, s.at)))


def _env_names(rd: Reading, spot: Spot) -> dict[str, str]:
    env, env_names = rd.r.section(spot.node, spot.key), {}
    for role, var in env.items():
        if not isinstance(var, str) or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", var):
            rd.r.fail(env, role, f"'{spot.label}.{role}' must name an environment variable "
                      "(UPPER_CASE), never hold a key")
        else:
            env_names[str(role)] = var
    return env_names


def _store_url(rd: Reading, spot: Spot) -> str:
    url = rd.r.value(spot.node, spot.key, str, "sqlite:///../data/toolkit.db", where=spot.where)
    return _resolve_store_url(url, Path(rd.r.path).parent)


# -- the schema: one line per key, in the order problems are reported ---------------------------

PLATFORM: dict[str, Option] = {
    "limit": Positive(280, help="The most characters a post may have, as `counter` counts them."),
    "counter": Choice(COUNTERS, "x", help="How length is counted: `x` (twitter-text v3), "
                      "`graphemes` (Bluesky) or `mastodon` (graphemes, each URL as 23)."),
    "card_format": Type(str, None, help="The graphics format a post's card uses on this "
                        "platform (a key of `graphics.formats`)."),
    "max_images": Positive(4, help="The most images one post may carry."),
    "appview": URL(None, show=repr, slash="strip", help="Bluesky: the AppView engagement "
                   "counts are read from (default https://public.api.bsky.app); an account's "
                   "own `appview` wins."),
}
FORMAT: dict[str, Option] = {
    "width": Positive(1080, help="Width of the image, in pixels."),
    "height": Positive(1080, help="Height of the image, in pixels."),
    "safe_top": Type((int, float), 0.0, convert=float,
                     help="Share of the height kept clear at the top (0.14 for stories)."),
    "safe_bottom": Type((int, float), 0.0, convert=float, check=_check_safe_area,
                        help="Share of the height kept clear at the bottom."),
    "min_text_px": Positive(None, convert=lambda v: v or 0,
                            help="The smallest text (source, footer) may not be below this "
                            "many pixels."),
}
ACCOUNT: dict[str, Option] = {
    "platform": Type(str, "", required=True, check=_check_platform,
                     help="The platform this account posts to (a key of `platforms`)."),
    "env": Custom(_env_names, help="Names of the environment variables that hold the "
                  "account's keys (never the keys themselves), e.g. `api_key: X_API_KEY`."),
    "daily_cap": Positive(None, help="The most posts a day for this account (X's free "
                          "tier: 17); `approve` and `schedule` warn past it."),
    "monthly_cap": Positive(None, help="The most posts a month for this account (X's free "
                            "tier: 500)."),
    "handle": Type(str, None, help="The account's user name, used in post URLs."),
    "service": URL(None, show=repr, slash="strip", pattern=r"https?://[^\s/]+(/\S*)?",
                   help="A Bluesky PDS or Mastodon instance URL for this account."),
    "appview": URL(None, show=repr, slash="strip", help="Bluesky: the AppView engagement "
                   "counts are read from (default https://public.api.bsky.app)."),
    "reads": Type(bool, False, help="X: the account's API tier allows reading posts; only "
                  "then are its posts' counts collected."),
    "monthly_reads": Positive(None, help="X: the most post reads a calendar month may spend "
                              "on engagement counts (the posting quota is never touched)."),
}
SCHEMA: dict[str, Option] = {
    "campaign": Section({
        "name": Type(str, "", required=True, field="name", help="The campaign's name."),
        "organisation": Type(str, "", field="organisation",
                             help="The organisation that runs the campaign."),
        "donate_url": URL(None, field="donate_url", help="The donation page (`link: donate` "
                          "in a message); `toolkit check` warns while it is a placeholder."),
        "url": URL("", required=True, field="url",
                   help="The campaign page (`link: campaign` in a message)."),
    }, required=True, help="Who runs the campaign and where its pages are."),
    "timezone": Custom(_timezone, field="timezone", help="IANA timezone name; posting slots and "
                       "`--at` times without an offset are read in it."),
    "languages": Strings(("en",), check=_check_languages, field="languages",
                         help="The campaign's languages: every message and card needs each."),
    "hashtags": Strings((REQUIRED_HASHTAG,), check=_check_hashtags, field="hashtags",
                        help="Added to every post that lacks them; `#SaveAsylum` is required."),
    "library": Section({
        "posts": Dir("../posts", field="posts_dir", help="The post library's folder."),
        "number_allowlist": Strings((), field="number_allowlist", help="Digits allowed in a "
                                    "message's own words (e.g. \"2.0\")."),
        "statistic_max_age_days": Positive(730, field="statistic_max_age_days", help="A "
                                           "statistic older than this many days is stale."),
        "present_tense": Custom(_present_tense, field="present_tense", help="Per language, "
                                "words about the policy's present that need a dated claim."),
    }, help="Where the post library is and the rules its texts follow."),
    "campaign.per_language": Custom(_campaign_words, field="campaign_words", help="Per "
                                    "language: name, tagline and short URL on cards and in alt "
                                    "text; optional `organisation`, how the alt text names it."),
    "numbers": Named(NUMBER_FORMAT, number_format, field="number_formats",
                     not_mapping="'{label}' must be a mapping (thousands, decimal)",
                     help="Per language, how figures are written."),
    "platforms": Named(PLATFORM, PlatformSpec, "platform", required=True, field="platforms",
                       help="Per platform: its length limit, how length is counted, its card "
                       "format and images per post."),
    "graphics": Section({
        "out": Dir("../graphics", field="graphics_dir", help="The share graphics' folder."),
        "formats": Named(FORMAT, FormatSpec, "format", short=True, field="formats",
                         check=_check_card_formats, help="The image formats cards are "
                         "rendered in (`x`, `square`, `portrait`, `story`, `link`)."),
    }, help="The share graphics: where they go and in which sizes."),
    "brand": Section({
        "colors": Section({key: Match(HEX_COLOUR, "must be a hex colour like #1a2b3c",
                                      required=True, convert=lambda v: v and v.lower(),
                                      help=f"The {key.replace('_', ' ')} colour, as #rrggbb.")
                           for key in BRAND_COLOURS}, short=True,
                          convert=lambda c: {k: v for k, v in c.items() if v is not None},
                          help="The cards' colours (checked for WCAG contrast)."),
        "font": Choice(("lato",), "lato", "'brand.font' must be 'lato' (the bundled OFL font)",
                       help="The cards' font: `lato` (bundled)."),
    }, build=Brand, field="brand", help="The cards' look."),
    "schedule": Section({
        "slots": Custom(_slots, field="slots", help="Weekly posting slots per weekday "
                        "(`mon: [\"09:00\", \"13:00\"]`), in the campaign's timezone."),
        "max_lateness_minutes": Positive(60, field="max_lateness",
                                         convert=lambda m: timedelta(minutes=m),
                                         help="A post later than this after an outage "
                                         "becomes `missed` and waits for a person."),
        "week_starts": Choice(WEEKDAYS, "mon", field="week_start",  # a bad one is reported
                              convert=lambda d: WEEKDAYS.index(d) if d in WEEKDAYS else 0,
                              help="The first day of the review app's week."),
    }, help="When posts go out."),
    "store": Section({
        "url": Custom(_store_url, field="store_url", help="SQLAlchemy URL of the store "
                      "(default `sqlite:///../data/toolkit.db`); `TOOLKIT_STORE_URL` wins."),
        "media": Dir(None, field="media_dir", help="Optional folder the images frozen at approval "
                     "are also written to as files (the store itself holds them)."),
    }, help="Where posts, their history and the frozen images are kept."),
    "outbox": Dir("../data/outbox", field="outbox_dir",
                  help="Folder of the outbox publisher (posts as JSON files)."),
    "accounts": Named(ACCOUNT, Account, "account", field="accounts", help="The campaign's "
                      "accounts by name; several may share a platform."),
    "notify": Section(NOTIFY, build=NotifySettings, field="notify",
                      help="Who is told when a person is needed, and how."),
    "health": Section({
        "heartbeat_max_age_seconds": Positive(120, field="heartbeat_max_age",
                                              convert=lambda s: timedelta(seconds=s),
                                              help="A scheduler whose heartbeat is older "
                                              "counts as down."),
    }, help="When the scheduler counts as alive."),
    "fallback_to_outbox": Type(bool, True, field="fallback_to_outbox", help="With no keys for "
                               "an account, send its posts to the outbox instead of failing."),
    "site": Section({
        "out": Dir("../site", field="site_dir", help="The share kit's folder."),
        "base_url": URL("", show=repr, slash="add", field="site_base_url", help="The address "
                        "the share kit is published at (previews and canonical links)."),
    }, help="The supporters' share kit."),
    "review": Section({
        "second_person": Type(bool, False, field="second_person", help="The four-eyes rule: "
                              "nobody approves a post they queued."),
        "require_signoff": Strings((), field="require_signoff", help="Sign-off names (e.g. "
                                   "`[\"Legal\"]`) a post needs at its current revision "
                                   "before approval."),
        "own_link_signoff": Type(bool, False, field="own_link_signoff", help="A sign-off "
                                 "through a link the approving lead made counts for them too."),
    }, help="Rules of approval."),
    "web": Section({
        "tls": Type(bool, False, help="Served over HTTPS: Secure cookies and HSTS."),
        # a session lasts at most a (leap) year; more overflows the clock
        "session_hours": Positive(12, maximum=8784, help="Hours a sign-in lasts."),
        "base_url": URL("", show=repr, slash="strip", help="The review app's address, "
                        "used in the calendar feed URL."),
        "trusted_proxy": Type(str, "", help="The reverse proxy whose X-Forwarded-For is "
                              "believed (sign-in limits per address)."),
    }, build=WebSettings, field="web", help="The review web app (`toolkit serve`)."),
    "stats": Section(STATS, build=StatsSettings, field="stats", help="Engagement counts "
                     "of published posts (`toolkit stats`, the Insights page)."),
    "utm": Section(UTM, build=UtmSettings, field="utm", help="UTM tags on the campaign's "
                   "links in posts and share links."),
}


__all__ = ["Account", "Brand", "Config", "ConfigError", "FormatSpec", "PlatformSpec", "Slot",
           "WebSettings", "display_path", "load_config", "read_config"]
