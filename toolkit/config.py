"""The campaign configuration (`config/campaign.yaml`): schema, defaults and validation.

`load_config` validates the whole file and collects every problem before it stops, the way
mkdocs' `Config.validate` does; `ConfigError` then lists them all as `path:line: error: …`.
Relative paths resolve against the folder that holds the config file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from toolkit.errors import ConfigError
from toolkit.fields import FieldReader
from toolkit.languages import CampaignWords, NumberFormat, read_campaign_words, read_number_formats
from toolkit.problems import Problems, display_path, shown
from toolkit.yamlload import Node, YamlError, load_yaml_file

if TYPE_CHECKING:
    from toolkit.notify.settings import NotifySettings

DEFAULT_CONFIG = Path("config/campaign.yaml")
REQUIRED_HASHTAG = "#SaveAsylum"
COUNTERS = ("x", "graphemes", "mastodon")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HASHTAG = re.compile(r"^#\w+$")
LANG = re.compile(r"^[a-z]{2,3}$")
BRAND_COLOURS = ("background", "text", "accent", "muted")
#: sections read by `toolkit.notify.settings`: notification channels, the heartbeat limit
OPS_SECTIONS = ("notify", "health")


def _no_notify() -> NotifySettings:
    """No channels and no digest: the default without a `notify:` section."""
    from toolkit.notify.settings import NotifySettings

    return NotifySettings()


@dataclass(frozen=True)
class PlatformSpec:
    """A platform: its length limit, how it counts, and which graphic format it attaches."""

    name: str
    limit: int
    counter: str
    card_format: str | None = None
    max_images: int = 4


@dataclass(frozen=True)
class FormatSpec:
    """A graphic format: pixel size and the fraction kept free of text at top and bottom."""

    name: str
    width: int
    height: int
    safe_top: float = 0.0
    safe_bottom: float = 0.0
    #: the smallest text size (pixels) allowed on it, so the source and footer stay readable
    #: on a phone; 0: only the layouts' own minimum (24 px per 1080 px of width)
    min_text_px: int = 0


@dataclass(frozen=True)
class Brand:
    """Brand colours (hex) and font family."""

    colors: dict[str, str]
    font: str = "lato"


@dataclass(frozen=True)
class Slot:
    """A weekly posting slot in the campaign's timezone (weekday 0 = Monday)."""

    weekday: int
    at: time


@dataclass(frozen=True)
class Account:
    """A platform account: names of env vars holding its keys (never the keys) and its caps."""

    name: str
    platform: str
    env: dict[str, str] = field(default_factory=dict)
    daily_cap: int | None = None
    monthly_cap: int | None = None
    handle: str | None = None
    #: the account's server: a Bluesky PDS (default https://bsky.social) or a Mastodon instance
    service: str | None = None


@dataclass(frozen=True)
class WebSettings:
    """The review web app (`web:`): cookies over TLS only, session lifetime, public address."""

    tls: bool = False
    session_hours: int = 12
    base_url: str = ""
    #: address of the reverse proxy whose X-Forwarded-For/-Proto headers are believed
    trusted_proxy: str = ""


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
    web: WebSettings = field(default_factory=WebSettings)

    @property
    def root(self) -> Path:
        """The folder holding the config file; relative paths resolve against it."""
        return self.path.parent

    def account_for(self, platform: str) -> Account | None:
        """The first account configured for `platform`."""
        return next((a for a in self.accounts.values() if a.platform == platform), None)

    #: `notify:` channels and digest; `health:` heartbeat age above which the scheduler is down
    notify: NotifySettings = field(default_factory=_no_notify)
    heartbeat_max_age: timedelta = timedelta(minutes=2)


def config_path(explicit: str | Path | None = None) -> Path:
    """The config file to use: the explicit one, `$TOOLKIT_CONFIG`, or the default."""
    return Path(explicit or os.environ.get("TOOLKIT_CONFIG") or DEFAULT_CONFIG)


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

    from toolkit.secrets import env_or_dotenv

    url = (env_or_dotenv("TOOLKIT_STORE_URL", config.root) or "").strip()
    return dataclasses.replace(config, store_url=url) if url else config


def read_config(cfg_path: Path, problems: Problems) -> Config | None:
    """Validate the config file, adding every problem to `problems`; None if unusable."""
    if not cfg_path.is_file():
        problems.error(cfg_path, 1, "config file not found (use --config or $TOOLKIT_CONFIG)")
        return None
    try:
        data = load_yaml_file(cfg_path)
    except YamlError as exc:
        problems.error(exc.path, exc.line, exc.reason)
        return None
    if not isinstance(data, Node):
        problems.error(cfg_path, 1, "the config must be a mapping of sections")
        return None
    cfg_path = cfg_path.resolve()
    before = len(problems.errors)
    r = FieldReader(cfg_path, problems)
    known = {"campaign", "timezone", "languages", "hashtags", "library", "platforms", "graphics",
             "brand", "schedule", "store", "outbox", "accounts", "fallback_to_outbox", "site",
             "numbers", "review", "web"}
    for key in data:
        if key not in known and key not in OPS_SECTIONS:
            r.fail(data, key, f"unknown section '{key}'")

    campaign = r.section(data, "campaign", required=True)
    name = r.value(campaign, "name", str, "", required=True, where="campaign.")
    organisation = r.value(campaign, "organisation", str, "", where="campaign.")
    donate_url = r.value(campaign, "donate_url", str, None, where="campaign.")
    if donate_url and not donate_url.startswith(("https://", "http://")):
        r.fail(campaign, "donate_url", f"'campaign.donate_url' must be an http(s) URL, "
               f"not {shown(donate_url)}")
    url = r.value(campaign, "url", str, "", required=True, where="campaign.")
    if url and not url.startswith(("https://", "http://")):
        r.fail(campaign, "url", f"'campaign.url' must be an http(s) URL, not {shown(url)}")

    tz_name = r.value(data, "timezone", str, "UTC", required=True)
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        r.fail(data, "timezone", f"unknown timezone {shown(tz_name)} (use an IANA name)")
        tz = ZoneInfo("UTC")

    languages = r.strings(data, "languages", ("en",))
    if not languages and "languages" in data:
        r.fail(data, "languages", "'languages' must list at least one language (the first is "
               "the default)")
    for lang in languages:
        if not LANG.match(lang):
            r.fail(data, "languages", f"language {shown(lang)} is not an ISO 639 code")
    hashtags = r.strings(data, "hashtags", (REQUIRED_HASHTAG,))
    for tag in hashtags:
        if not HASHTAG.match(tag):
            r.fail(data, "hashtags", f"hashtag {shown(tag)} must be '#' followed by letters/digits")
    if REQUIRED_HASHTAG.lower() not in (t.lower() for t in hashtags):
        r.fail(data, "hashtags", f"{REQUIRED_HASHTAG} must be one of the campaign hashtags")

    lib = r.section(data, "library")
    posts_dir = r.path_of(lib, "posts", "../posts")
    allowlist = r.strings(lib, "number_allowlist", (), where="library.")
    max_age = r.positive(lib, "statistic_max_age_days", 730, where="library.")
    present = r.section(lib, "present_tense", where="library.")
    present_tense = {str(lang): r.strings(present, lang, where="library.present_tense.")
                     for lang in present}
    campaign_words = read_campaign_words(r, campaign, languages)
    number_formats = read_number_formats(r, r.section(data, "numbers"))

    platforms = _platforms(r, r.section(data, "platforms", required=True))
    graphics = r.section(data, "graphics")
    graphics_dir = r.path_of(graphics, "out", "../graphics")
    formats = _formats(r, r.section(graphics, "formats"))
    for p in platforms.values():
        if p.card_format and formats and p.card_format not in formats:
            r.fail(data["platforms"][p.name], "card_format",
                   f"platform '{p.name}' uses unknown graphic format '{p.card_format}'")
    brand = _brand(r, r.section(data, "brand"))
    sched = r.section(data, "schedule")
    slots = _slots(r, r.section(sched, "slots"))
    lateness = r.positive(sched, "max_lateness_minutes", 60, where="schedule.")
    store = r.section(data, "store")
    store_url = r.value(store, "url", str, "sqlite:///../data/toolkit.db", where="store.")
    media_dir = r.path_of(store, "media", "") if store.get("media") is not None else None
    outbox_dir = r.path_of(data, "outbox", "../data/outbox")
    accounts = _accounts(r, r.section(data, "accounts"), platforms)
    from toolkit.notify.settings import read_heartbeat_limit, read_notify

    notify = read_notify(r, r.section(data, "notify"))
    heartbeat_max_age = read_heartbeat_limit(r, r.section(data, "health"))
    fallback = r.value(data, "fallback_to_outbox", bool, True)
    site = r.section(data, "site")
    site_dir = r.path_of(site, "out", "../site")
    site_base_url = r.value(site, "base_url", str, "", where="site.")
    if site_base_url and not site_base_url.startswith(("https://", "http://")):
        r.fail(site, "base_url",
               f"'site.base_url' must be an http(s) URL, not {site_base_url!r}")
    elif site_base_url and not site_base_url.endswith("/"):
        site_base_url += "/"
    second_person = r.value(r.section(data, "review"), "second_person", bool, False,
                            where="review.")
    web = _web(r, r.section(data, "web"))

    if len(problems.errors) > before:
        return None
    return Config(
        campaign_words=campaign_words, donate_url=donate_url, number_formats=number_formats,
        present_tense=present_tense,
        path=cfg_path, name=name, organisation=organisation, url=url, timezone=tz,
        languages=languages, hashtags=hashtags, posts_dir=posts_dir, number_allowlist=allowlist,
        notify=notify, heartbeat_max_age=heartbeat_max_age,
        statistic_max_age_days=max_age, platforms=platforms, graphics_dir=graphics_dir,
        site_base_url=site_base_url,
        formats=formats, brand=brand, slots=slots, max_lateness=timedelta(minutes=lateness),
        store_url=_resolve_store_url(store_url, cfg_path.parent), outbox_dir=outbox_dir,
        accounts=accounts, fallback_to_outbox=fallback, site_dir=site_dir, media_dir=media_dir,
        second_person=second_person, web=web,
    )


def _web(r: FieldReader, node: Node) -> WebSettings:
    tls = r.value(node, "tls", bool, False, where="web.")
    hours = r.positive(node, "session_hours", 12, where="web.")
    if hours > 8784:  # a session lasts at most a (leap) year; more overflows the clock
        r.fail(node, "session_hours", f"'web.session_hours' must be at most 8784, not {hours}")
        hours = 12
    base_url = r.value(node, "base_url", str, "", where="web.")
    if base_url and not base_url.startswith(("https://", "http://")):
        r.fail(node, "base_url", f"'web.base_url' must be an http(s) URL, not {base_url!r}")
    proxy = r.value(node, "trusted_proxy", str, "", where="web.")
    return WebSettings(tls, hours, base_url.rstrip("/"), proxy)


def _platforms(r: FieldReader, node: Node) -> dict[str, PlatformSpec]:
    out = {}
    for name, spec in node.items():
        if not isinstance(spec, Node):
            r.fail(node, name, f"platform '{name}' must be a mapping")
            continue
        where = f"platforms.{name}."
        limit = r.positive(spec, "limit", 280, where=where)
        counter = r.value(spec, "counter", str, "x", where=where)
        if counter not in COUNTERS:
            r.fail(spec, "counter", f"'{where}counter' must be one of {', '.join(COUNTERS)}")
        card_format = r.value(spec, "card_format", str, None, where=where)
        max_images = r.positive(spec, "max_images", 4, where=where)
        out[str(name)] = PlatformSpec(str(name), limit, counter, card_format, max_images)
    return out


def _formats(r: FieldReader, node: Node) -> dict[str, FormatSpec]:
    out = {}
    for name, spec in node.items():
        if not isinstance(spec, Node):
            r.fail(node, name, f"format '{name}' must be a mapping")
            continue
        where = f"graphics.formats.{name}."
        w = r.positive(spec, "width", 1080, where=where)
        h = r.positive(spec, "height", 1080, where=where)
        top = r.value(spec, "safe_top", (int, float), 0.0, where=where)
        bottom = r.value(spec, "safe_bottom", (int, float), 0.0, where=where)
        if not 0 <= top + bottom < 0.8:
            r.fail(spec, "safe_top", f"'{where}safe_top' + safe_bottom must be between 0 and 0.8")
        min_text = r.positive(spec, "min_text_px", None, where=where) or 0
        out[str(name)] = FormatSpec(str(name), w, h, float(top), float(bottom), min_text)
    return out


def _brand(r: FieldReader, node: Node) -> Brand:
    colours = r.section(node, "colors")
    out = {}
    for key in BRAND_COLOURS:
        v = r.value(colours, key, str, None, required=True, where="brand.colors.")
        if v is not None and not HEX_COLOUR.match(v):
            r.fail(colours, key, f"'brand.colors.{key}' must be a hex colour like #1a2b3c")
        elif v is not None:
            out[key] = v.lower()
    font = r.value(node, "font", str, "lato", where="brand.")
    if font != "lato":
        r.fail(node, "font", "'brand.font' must be 'lato' (the bundled OFL font)")
    return Brand(out, font)


def _slots(r: FieldReader, node: Node) -> tuple[Slot, ...]:
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


def _accounts(r: FieldReader, node: Node, platforms: dict[str, PlatformSpec]) -> dict[str, Account]:
    out = {}
    for name, spec in node.items():
        if not isinstance(spec, Node):
            r.fail(node, name, f"account '{name}' must be a mapping")
            continue
        where = f"accounts.{name}."
        platform = r.value(spec, "platform", str, "", required=True, where=where)
        if platform and platforms and platform not in platforms:
            r.fail(spec, "platform", f"account '{name}' names unknown platform '{platform}'")
        env = r.section(spec, "env")
        env_names = {}
        for role, var in env.items():
            if not isinstance(var, str) or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", var):
                r.fail(env, role, f"'{where}env.{role}' must name an environment variable "
                       "(UPPER_CASE), never hold a key")
            else:
                env_names[str(role)] = var
        daily = r.positive(spec, "daily_cap", None, where=where)
        monthly = r.positive(spec, "monthly_cap", None, where=where)
        handle = r.value(spec, "handle", str, None, where=where)
        service = r.value(spec, "service", str, None, where=where)
        if service is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", service):
            r.fail(spec, "service", f"'{where}service' must be an http(s) URL, not {service!r}")
        out[str(name)] = Account(str(name), platform, env_names, daily, monthly, handle,
                                 service.rstrip("/") if service else None)
    return out


__all__ = ["Config", "ConfigError", "display_path", "load_config", "read_config"]
