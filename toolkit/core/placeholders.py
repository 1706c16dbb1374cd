"""Addresses in the config that are still placeholders, so nobody publishes them by mistake.

`site.base_url` is a placeholder while it is on a host reserved for examples (example.org,
example.com, example.net, RFC 2606; `.example`, `.test`, `.invalid`); `campaign.donate_url` while
it is unset, on such a host, or the campaign page itself (the config's stand-in until staff set
the donation page). `toolkit check` warns once for each; `toolkit site build` says that the
page's links and previews point at a placeholder host.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from toolkit.core.config import Config
from toolkit.core.problems import Problems, display_path
from toolkit.core.yamlload import Node, YamlError, load_yaml_file

RESERVED_HOSTS = ("example.org", "example.com", "example.net")
RESERVED_SUFFIXES = (".example", ".test", ".invalid")


@dataclass(frozen=True)
class Placeholder:
    """One config address still to set: its key (`site.base_url`), value and what it affects."""

    section: str
    key: str
    value: str
    why: str

    @property
    def name(self) -> str:
        """`site.base_url`."""
        return f"{self.section}.{self.key}"


def reserved_host(url: str) -> bool:
    """Whether `url` is on a host reserved for examples (example.org, x.example.com, a.test)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return (any(host == h or host.endswith("." + h) for h in RESERVED_HOSTS)
            or host.endswith(RESERVED_SUFFIXES))


def placeholders(config: Config) -> list[Placeholder]:
    """The config's addresses that are still placeholders, in file order."""
    found = []
    donate = config.donate_url or ""
    if not donate or donate == config.url or reserved_host(donate):
        shown = f"is the campaign page ({donate})" if donate == config.url else \
            f"is a placeholder ({donate or 'not set'})"
        found.append(Placeholder("campaign", "donate_url", donate, (
            f"{shown}: posts with `link: donate` lead there, not to a donation page; set the "
            "donation page's address")))
    if config.site_base_url and reserved_host(config.site_base_url):
        found.append(Placeholder("site", "base_url", config.site_base_url, (
            f"is a placeholder host ({config.site_base_url}): the share kit's canonical links, "
            "sitemap and link previews point there; set the address the site will be published "
            "at")))
    return found


def check_placeholders(config: Config, library: object, problems: Problems) -> None:
    """`toolkit check`: one warning, at its line, for each address that is a placeholder."""
    found = placeholders(config)
    if not found:
        return
    try:
        data = load_yaml_file(config.path)
    except YamlError:
        data = None
    for p in found:
        section = data.get(p.section) if isinstance(data, Node) else None
        line = section.line_of(p.key) if isinstance(section, Node) else 1
        problems.warning(display_path(config.path), line, f"'{p.name}' {p.why}")


def site_notice(config: Config) -> str | None:
    """What `toolkit site build` prints while `site.base_url` is a placeholder, else None."""
    for p in placeholders(config):
        if p.name == "site.base_url":
            return (f"warning: site.base_url is a placeholder ({p.value}): the page's links and "
                    "previews point at a placeholder host; set it in "
                    f"{display_path(config.path)} before publishing")
    return None
