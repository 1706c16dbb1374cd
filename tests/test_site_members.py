"""'Call your members' in the share kit (`toolkit site build`): the section on both language
pages, a page and a JSON file per state in the site's look, stale data refused unless
`--allow-stale-members`, and the member pages made again only when what they come from changed.
The browser tests are in test_site_browser.py."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_site import TODAY, copy_project, site_build

import toolkit.pages.site.members as site_members
from toolkit.core.config import load_config
from toolkit.pages.congress.models import MembersError
from toolkit.pages.site.build import build_site

#: whole share-kit builds: `make test-fast` skips them
pytestmark = pytest.mark.slow

STALE_EN = "This list may be out of date"
STALE_ES = "Esta lista puede estar desactualizada"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped project's site, built once on TODAY: (config file, site folder)."""
    config = copy_project(tmp_path_factory.mktemp("members"))
    build_site(load_config(config), today=TODAY)
    return config, config.parent.parent / "site"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def stale_notice(html: str) -> str:
    """The words of the page's 'may be out of date' notice ('' without one)."""
    found = re.search(r'<p class="members-stale"[^>]*><strong>(.*?)</strong>', html, re.S)
    return unescape(found[1]) if found else ""


def tels(html: str) -> list[str]:
    return re.findall(r'<a class="member-call" href="(tel:[^"]+)"', html)


def test_both_language_pages_have_the_section_and_a_plain_list_of_state_pages(built) -> None:
    _, site = built
    for page, heading, find, prefix in (
            (site / "index.html", "Call your members of Congress", "Find your own members", ""),
            (site / "es" / "index.html", "Llama a tus representantes en el Congreso",
             "Encuentra a tus representantes", "es/")):
        html = read(page)  # "find your own members" beside the Call button leads to the section
        assert f'<a class="button ghost" href="#call-your-members">{find}</a>' in html
        assert f"<h2>{heading}</h2>" in html
        assert '<script src="' + "../" * prefix.count("/") + 'assets/members.js" defer>' in html
        links = re.findall(r'<li><a href="(members/[a-z]{2}\.html)">', html)
        assert len(links) == 56 and "members/vt.html" in links  # 50 states, DC, 5 territories
        for link in links:
            assert (site / prefix / link).is_file()
            assert (site / prefix / link.replace(".html", ".json")).is_file()
        assert ("June 15, 2026" if prefix == "" else "15 de junio de 2026") in html
        assert "https://github.com/unitedstates/congress-legislators" in html
        assert stale_notice(html) == ""
        assert 'href="tel:+12022243121"' in html  # the switchboard stays
    assert '<option value="pr">Puerto Rico</option>' in read(site / "es" / "index.html")
    assert (site / "assets" / "members.js").is_file()


def test_the_sitemap_lists_every_state_page_with_its_other_language(built) -> None:
    config, site = built
    base = load_config(config).site_base_url
    sitemap = read(site / "sitemap.xml")
    urls = re.findall(r"<url><loc>([^<]+)</loc>((?:<xhtml:link [^>]+/>)*)</url>", sitemap)
    assert len(urls) == 4 + 2 * 56  # both language pages and their ready posts, every state's
    alternates = dict(urls)
    assert alternates[f"{base}members/vt.html"] == (
        f'<xhtml:link rel="alternate" hreflang="en" href="{base}members/vt.html"/>'
        f'<xhtml:link rel="alternate" hreflang="es" href="{base}es/members/vt.html"/>')
    assert f'hreflang="en" href="{base}"' in alternates[f"{base}es/"]
    for url in alternates:
        assert (site / url.removeprefix(base)).exists()


def test_a_state_page_is_in_the_site_look_with_tel_links_script_and_posts(built) -> None:
    _, site = built
    html = read(site / "members" / "vt.html")
    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert "<title>Call your members of Congress: Vermont · #SaveAsylum</title>" in html
    assert '<header class="top">' in html and ".wrap{max-width:72rem" in html
    assert '<link rel="icon" href="../assets/favicon.svg"' in html
    assert ('<a href="../es/members/vt.html" hreflang="es" lang="es" data-lang="es">Español</a>'
            in html)
    assert tels(html) == ["tel:+12022245141", "tel:+12022244242", "tel:+12022254115"]
    assert "I&#39;m calling to ask Senator Bernard Sanders" in html
    x = [unescape(u) for u in re.findall(r'<a href="([^"]+)" data-platform="x"', html)]
    text = parse_qs(urlsplit(x[0]).query)["text"][0]
    assert text.startswith(".@SenSanders Bernard Sanders: please help end Remain in Mexico")
    assert text.endswith("#SaveAsylum https://www.cvt.org/EndMPP?utm_source=share-kit"  # tagged
                         "&utm_medium=x&utm_campaign=saveasylum&utm_content=congress-en")
    assert '<a href="../index.html#call-your-members">Back to all states</a>' in html
    es = read(site / "es" / "members" / "vt.html")
    assert es.startswith('<!doctype html>\n<html lang="es">')
    assert '<link rel="icon" href="../../assets/favicon.svg"' in es
    assert ('<a href="../../members/vt.html" hreflang="en" lang="en" data-lang="en">English</a>'
            in es)
    assert tels(es) == tels(html)


def test_a_state_json_holds_only_that_state(built) -> None:
    _, site = built
    data = json.loads(read(site / "members" / "vt.json"))
    assert data["code"] == "VT" and data["as_of"] == "2026-06-15" and data["stale"] is False
    assert [m["tel"] for m in data["senators"]] == ["tel:+12022245141", "tel:+12022244242"]
    assert all("url" not in p for m in data["senators"] + data["house"] for p in m["posts"])
    assert json.loads(read(site / "es" / "members" / "vt.json"))["lang"] == "es"
    sizes = [p.stat().st_size for p in (site / "members").glob("*.json")]
    assert max(sizes) < 100_000


def stale_project(tmp_path: Path) -> Path:
    """A project whose member data was due for review before TODAY."""
    config = copy_project(tmp_path)
    data = tmp_path / "members" / "congress.yaml"
    data.write_text(read(data).replace("review_by: '2027-01-03'", "review_by: '2026-07-01'"),
                    encoding="utf-8")
    return config


def test_stale_member_data_is_refused_with_one_line_and_nothing_written(tmp_path: Path) -> None:
    config = stale_project(tmp_path)
    result = site_build(config)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert re.match(r"Error: \S*members/congress\.yaml: the member data \(as of 2026-06-15\) is "
                    r"out of date since 2026-07-01; .*--allow-stale-members", lines[0]), lines
    assert not (tmp_path / "site").exists() and not (tmp_path / "graphics").exists()


def test_fresh_data_turns_stale_on_its_review_date(built, tmp_path: Path) -> None:
    config, _ = built
    out = tmp_path / "later"
    with pytest.raises(MembersError, match="out of date since 2027-01-03"):
        build_site(load_config(config), out_dir=out, today=date(2027, 1, 4))
    assert not out.exists()
    build_site(load_config(config), out_dir=out, today=date(2027, 1, 3))
    assert stale_notice(read(out / "members" / "vt.html")) == ""


def test_allow_stale_members_says_plainly_the_list_may_be_out_of_date(tmp_path: Path) -> None:
    config = stale_project(tmp_path)
    result = site_build(config, "--allow-stale-members")
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    for page, words in ((site / "index.html", STALE_EN), (site / "es" / "index.html", STALE_ES),
                        (site / "members" / "vt.html", STALE_EN),
                        (site / "es" / "members" / "vt.html", STALE_ES)):
        assert stale_notice(read(page)).startswith(words), page
    assert json.loads(read(site / "members" / "ca.json"))["stale"] is True
    # without the flag again: refused, and the published site stays as it was
    before = read(site / "index.html")
    assert site_build(config).exit_code == 1
    assert read(site / "index.html") == before


def test_member_pages_are_made_again_only_when_their_inputs_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = copy_project(tmp_path)
    site = tmp_path / "site"
    made: list[str] = []
    real = site_members.members_view

    def counted(config, library, lang, *args, **kwargs):
        made.append(lang)
        return real(config, library, lang, *args, **kwargs)

    monkeypatch.setattr(site_members, "members_view", counted)

    def build() -> None:
        build_site(load_config(config), today=TODAY)

    build()
    assert made == ["en", "es"]
    messages = tmp_path / "posts" / "messages.yaml"  # a message: only the language pages
    messages.write_text(read(messages).replace("This policy has to end.", "This policy must end."),
                        encoding="utf-8")
    made.clear()
    build()
    assert made == [] and "This policy must end." in read(site / "index.html")
    assert tels(read(site / "members" / "vt.html")) == ["tel:+12022245141", "tel:+12022244242",
                                                          "tel:+12022254115"]
    words = tmp_path / "members" / "content.yaml"  # the members' words: their pages again
    words.write_text(read(words).replace("Back to all states", "Back to every state"),
                     encoding="utf-8")
    build()
    assert made == ["en", "es"] and "Back to every state" in read(site / "members" / "ny.html")
    stats = tmp_path / "posts" / "statistics.yaml"  # the same statistics, on other lines
    stats.write_text("# a note\n" + read(stats), encoding="utf-8")
    made.clear()
    build()
    assert made == []
    data = tmp_path / "members" / "congress.yaml"  # the data
    data.write_text(read(data).replace("phone: 202-224-5141", "phone: 202-224-5142"),
                    encoding="utf-8")
    build()
    assert made == ["en", "es"]
    assert tels(read(site / "members" / "vt.html"))[0] == "tel:+12022245142"


def test_a_project_without_member_data_has_no_members_section(tmp_path: Path) -> None:
    config = copy_project(tmp_path)
    for path in (tmp_path / "members").iterdir():
        path.unlink()
    (tmp_path / "members").rmdir()
    assert site_build(config).exit_code == 0
    html = read(tmp_path / "site" / "index.html")
    assert "call-your-members" not in html and "members.js" not in html
    assert not (tmp_path / "site" / "members").exists()
