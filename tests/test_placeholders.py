"""Placeholder addresses in the config: `toolkit check` warns once for each, at its line, and
`toolkit site build` says the page's links and previews point at a placeholder host."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_of

from toolkit.core.config import load_config
from toolkit.core.placeholders import placeholders, reserved_host, site_notice


def test_check_warns_once_for_each_placeholder_at_its_line(project: Path, run_cli) -> None:
    result = run_cli("check")
    assert result.exit_code == 0
    base = line_of(project, "base_url: https://example.org/")
    donate = line_of(project, "donate_url:")
    lines = [line for line in result.stdout.splitlines() if "placeholder" in line
             or "donate_url" in line]
    assert lines == [
        f"config/campaign.yaml:{donate}: warning: 'campaign.donate_url' is the campaign page "
        "(https://www.cvt.org/EndMPP): posts with `link: donate` lead there, not to a donation "
        "page; set the donation page's address",
        f"config/campaign.yaml:{base}: warning: 'site.base_url' is a placeholder host "
        "(https://example.org/saveasylum/): the share kit's canonical links, sitemap and link "
        "previews point there; set the address the site will be published at"]


def test_real_addresses_are_no_placeholders(project: Path, run_cli) -> None:
    edit(project, "  donate_url: https://www.cvt.org/EndMPP", "  donate_url: https://give.cvt.org/")
    edit(project, "  base_url: https://example.org/saveasylum/",
         "  base_url: https://saveasylum.cvt.org/")
    config = load_config(project)
    assert placeholders(config) == [] and site_notice(config) is None
    assert "placeholder" not in run_cli("check").stdout


def test_site_build_names_the_placeholder_host(project: Path) -> None:
    notice = site_notice(load_config(project))
    assert notice is not None and notice.startswith(
        "warning: site.base_url is a placeholder (https://example.org/saveasylum/): the page's "
        "links and previews point at a placeholder host")


def test_reserved_hosts() -> None:
    for url in ("https://example.org/x", "https://www.example.com", "http://a.test/",
                "https://site.example/"):
        assert reserved_host(url), url
    for url in ("https://www.cvt.org/EndMPP", "https://notexample.org/", "https://example.org.uk"):
        assert not reserved_host(url), url
