"""The supporters' share kit (`toolkit site build`): pages, verified-only content, composed texts,
share links, ZIPs, determinism, incremental builds and bad input. The browser tests are in
test_site_browser.py."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result
from conftest import clock_pinned

from toolkit.compose.text import compose_message
from toolkit.compose.utm import share_tags, tag_url
from toolkit.core.config import load_config
from toolkit.graphics.manifest import load_manifest
from toolkit.library import load_library
from toolkit.library.gate import blocking_facts
from toolkit.pages.site.content import site_cards
from toolkit.surfaces.cli import cli

#: whole share-kit builds: `make test-fast` skips them
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module", autouse=True)
def _clock_on_today() -> Iterator[None]:
    """The shipped member data and claims are dated: every build here reasons about TODAY."""
    with clock_pinned(datetime.combine(TODAY, time(12), tzinfo=UTC)):
        yield


def copy_project(dest: Path) -> Path:
    """A copy of the shipped config/, posts/ and members/ under `dest`; returns the config
    file."""
    shutil.copytree(ROOT / "config", dest / "config")
    shutil.copytree(ROOT / "posts", dest / "posts")
    shutil.copytree(ROOT / "members", dest / "members")
    return dest / "config" / "campaign.yaml"


def site_build(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "site", "build", *args])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped library's site, built once: (config file, site folder)."""
    config = copy_project(tmp_path_factory.mktemp("kit"))
    result = site_build(config)
    assert result.exit_code == 0, result.output
    return config, config.parent.parent / "site"


def unverified_displays(config_file: Path) -> list[str]:
    """Display values (every language) of the statistics marked verified: false, but for those
    a verified one contains ("December 2021" inside "December 13, 2021")."""
    library = load_library(load_config(config_file))
    verified = [d for s in library.statistics.values() if s.verified for d in s.display.values()]
    return [d for s in library.statistics.values() if not s.verified for d in s.display.values()
            if not any(d in v for v in verified)]


def posts_of(html: str) -> dict[str, dict]:
    """Each ready post on a page: its text and share links by target."""
    out = {}
    for chunk in html.split('<li class="post" id="post-')[1:]:
        pid = chunk.split('"', 1)[0]
        text = re.search(r'<p class="post-text" id="text-[^"]+">(.*?)</p>', chunk, re.S)[1]
        links = {m[2]: unescape(m[1]) for m in
                 re.finditer(r'<a href="([^"]+)" data-share="(\w+)"', chunk)}
        out[pid] = {"text": unescape(text), "links": links}
    return out


def test_site_build_writes_a_page_per_language_with_its_assets(built) -> None:
    config_file, site = built
    config = load_config(config_file)
    en = (site / "index.html").read_text(encoding="utf-8")
    es = (site / "es" / "index.html").read_text(encoding="utf-8")
    assert en.startswith('<!doctype html>\n<html lang="en">')
    assert es.startswith('<!doctype html>\n<html lang="es">')
    base = config.site_base_url
    for html, url in ((en, base), (es, base + "es/")):
        assert f'<link rel="canonical" href="{url}">' in html
        assert f'<link rel="alternate" hreflang="en" href="{base}">' in html
        assert f'<link rel="alternate" hreflang="es" href="{base}es/">' in html
        assert '<meta name="robots" content="index, follow">' in html
        og = re.search(r'<meta property="og:image" content="([^"]+)">', html)[1]
        assert og.startswith(base) and og.endswith("-link-" + ("es" if url != base else "en")
                                                   + ".png")
        assert (site / og.removeprefix(base)).is_file()
        assert 'name="twitter:card" content="summary_large_image"' in html
        assert "http://" not in re.sub(r'href="[^"]*"|content="[^"]*"', "", html)
        for src in re.findall(r'src="([^"]+)"', html):  # every loaded asset is in the folder
            assert not src.startswith(("http:", "https:", "//"))
    assert 'href="es/index.html" hreflang="es" lang="es"' in en  # the language switch
    assert 'href="../index.html" hreflang="en" lang="en"' in es
    assert "Call Congress" in en and "Llama al Congreso" in es and "Call Congress" not in es
    assert "Qué decir" in es and "What to say" in en
    for rel in ("assets/favicon.svg", "assets/site.js", "robots.txt", "sitemap.xml"):
        assert (site / rel).is_file()
    assert 'href="tel:+12022243121"' in en and 'href="tel:+12022243121"' in es


def test_no_unverified_figure_or_card_anywhere_in_the_site(built) -> None:
    config_file, site = built
    config = load_config(config_file)
    library = load_library(config)
    displays = unverified_displays(config_file)
    assert len(displays) >= 2  # the shipped library has figures waiting for a check
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js", ".xml", ".txt", ".svg"):
            text = path.read_text(encoding="utf-8")
            for shown in displays:
                assert shown not in text, f"{shown!r} in {path}"
    unverified_cards = {c.id for c in library.cards.values()
                        if c.statistic and not library.statistics[c.statistic].verified}
    assert unverified_cards  # e.g. stat-violence-first-year, stat-children-returned
    files = [p.name for p in (site / "graphics").iterdir()] + \
            [p.name for p in (site / "thumbs").iterdir()]
    assert files and not [f for f in files if any(f.startswith(c) for c in unverified_cards)]


def test_each_zip_holds_exactly_the_verified_graphics_of_its_language(built) -> None:
    config_file, site = built
    config = load_config(config_file)
    library = load_library(config)
    for lang in config.languages:
        expected = sorted(
            e["file"] for e in load_manifest(config.graphics_dir) if e["lang"] == lang
            and (not e["statistic"] or library.statistics[e["statistic"]].verified))
        path = site / "downloads" / f"saveasylum-graphics-{lang}.zip"
        with zipfile.ZipFile(path) as zf:
            assert zf.namelist() == expected
            for info in zf.infolist():
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                data = zf.read(info)
                assert data == (config.graphics_dir / info.filename).read_bytes()
        assert len(expected) == len(site_cards(library)) * len(config.formats)


def test_ready_posts_are_the_composed_texts_and_share_links_carry_them(built) -> None:
    config_file, site = built
    config = load_config(config_file)
    library = load_library(config)
    for lang in config.languages:
        page = site / ("posts.html" if lang == "en" else f"{lang}/posts.html")
        posts = posts_of(page.read_text(encoding="utf-8"))
        allowed = [m.id for m in library.messages.values()
                   if not blocking_facts(library, m, TODAY)]
        assert list(posts) == allowed
        for mid, post in posts.items():
            message = library.messages[mid]
            composed = {t: compose_message(config, library, mid, lang, p,  # share-kit tags
                                           utm=share_tags("saveasylum", t, mid, lang)).text
                        for t, p in (("x", "x"), ("bluesky", "bluesky"),
                                                  ("mastodon", "mastodon"),
                                                  ("whatsapp", "x"), ("email", "x"))}
            # the page shows (and Copy takes) the text with its plain link; the links are tagged
            shown = compose_message(config, library, mid, lang, "x", utm={}).text
            assert post["text"] == shown and "#SaveAsylum" in post["text"]
            assert "utm_" not in post["text"]
            links = post["links"]
            x = parse_qs(urlsplit(links["x"]).query)
            assert urlsplit(links["x"]).netloc == "x.com"
            assert " ".join(x["text"] + x.get("url", [])) == composed["x"]
            if message.link:
                assert x["url"] == [tag_url(message.link, share_tags("saveasylum", "x", mid,
                                                                     lang))]
                assert "utm_source=share-kit&utm_medium=x&" in x["url"][0]
            for target, key in (("bluesky", "text"), ("mastodon", "text"),
                                ("whatsapp", "text"), ("email", "body")):
                query = parse_qs(urlsplit(links[target]).query)
                assert query[key] == [composed[target]], (mid, target)
                assert f"utm_source=share-kit&utm_medium={target}&" in query[key][0]
            assert links["mastodon"].startswith("https://mastodon.social/share?")
            assert links["email"].startswith("mailto:?")
            shared = message.link or config.url
            for target, key in (("facebook", "u"), ("linkedin", "url")):
                assert parse_qs(urlsplit(links[target]).query)[key] == [
                    tag_url(shared, share_tags("saveasylum", target, mid, lang))]


def test_sources_list_every_statistic_the_page_shows(built) -> None:
    config_file, site = built
    library = load_library(load_config(config_file))
    for lang, page in (("en", site / "index.html"), ("es", site / "es" / "index.html")):
        html = page.read_text(encoding="utf-8")
        listed = dict(re.findall(r'<li id="source-([^"]+)">(.*?)</li>', html, re.S))
        ready = (page.parent / "posts.html").read_text(encoding="utf-8")
        shown = {sid for mid in posts_of(ready)
                 for sid in library.statistic_ids_of(library.messages[mid])}
        assert shown and shown <= set(listed)
        for sid, item in listed.items():
            stat = library.statistics[sid]
            assert stat.verified and f'href="{stat.source_url}"' in item
            if stat.kind == "count":
                assert ("As of " if lang == "en" else "Fecha de los datos: ") in item
                assert stat.display[lang] in item
            else:  # a date or a phone number is its own figure, the item starts with a capital
                shown = stat.display[lang]
                assert item.startswith(f"{shown[:1].upper()}{shown[1:]}: ")
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "As of February 19, 2021" in html
    assert "Fecha de los datos: 19 de febrero de 2021" in (site / "es" / "index.html").read_text(
        encoding="utf-8")


def test_build_is_deterministic_and_warm_builds_write_nothing(built, tmp_path: Path) -> None:
    config_file, site = built
    again = site_build(config_file)
    assert again.exit_code == 0 and again.output.startswith("wrote 0, unchanged "), again.output
    other = tmp_path / "other"
    assert site_build(config_file, "--out", str(other)).exit_code == 0
    mine = {p.relative_to(site): p for p in site.rglob("*") if p.is_file()}
    theirs = {p.relative_to(other): p for p in other.rglob("*") if p.is_file()}
    assert set(mine) == set(theirs)
    for rel, path in mine.items():
        if rel.name != ".site-build.json":
            assert path.read_bytes() == theirs[rel].read_bytes(), rel


def test_a_change_rewrites_only_what_it_touches_and_unverifying_removes_a_card(
        tmp_path: Path) -> None:
    config = copy_project(tmp_path)
    site = tmp_path / "site"
    assert site_build(config).exit_code == 0
    png = site / "graphics" / "stat-attacks-over-1500-x-en.png"
    before = {p: p.stat().st_mtime_ns for p in (site / "graphics").iterdir()}
    messages = tmp_path / "posts" / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8").replace(
        "This policy has to end.", "This policy must end."), encoding="utf-8")
    result = site_build(config)  # the English page (today's post) and its ready posts
    assert result.exit_code == 0 and result.output.startswith("wrote 2, "), result.output
    assert "This policy must end." in (site / "index.html").read_text(encoding="utf-8")
    assert "This policy must end." in (site / "posts.html").read_text(encoding="utf-8")
    assert before == {p: p.stat().st_mtime_ns for p in (site / "graphics").iterdir()}

    stats = tmp_path / "posts" / "statistics.yaml"
    text = stats.read_text(encoding="utf-8")
    at = text.index("id: attacks-over-1500")
    stats.write_text(text[:at] + text[at:].replace("verified: true", "verified: false", 1),
                     encoding="utf-8")
    assert site_build(config).exit_code == 0
    assert not png.exists() and not (site / "thumbs" / "stat-attacks-over-1500-en.webp").exists()
    for page in (site / "index.html", site / "es" / "index.html", site / "posts.html",
                 site / "es" / "posts.html"):
        html = page.read_text(encoding="utf-8")
        assert "1,500" not in html and "1.500" not in html
        assert 'id="post-violence-over-1500"' not in html
    with zipfile.ZipFile(site / "downloads" / "saveasylum-graphics-en.zip") as zf:
        assert not [n for n in zf.namelist() if n.startswith("stat-attacks-over-1500")]


def test_missing_graphics_are_built_first(tmp_path: Path) -> None:
    config = copy_project(tmp_path)
    assert not (tmp_path / "graphics").exists()
    assert site_build(config, "--out", str(tmp_path / "kit")).exit_code == 0
    entries = load_manifest(tmp_path / "graphics")
    assert entries and all(e["verified"] for e in entries)
    for e in entries:
        copied = tmp_path / "kit" / "graphics" / e["file"]
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == e["sha256"]


def test_site_words_with_an_unverified_figure_stop_the_build(tmp_path: Path) -> None:
    config = copy_project(tmp_path)
    words = tmp_path / "posts" / "site.yaml"
    text = words.read_text(encoding="utf-8")
    words.write_text(text.replace("at least {hrf-children-kidnapped} publicly reported cases of "
                                  "children", "about {children-returned} children", 1),
                     encoding="utf-8")
    line = 1 + words.read_text(encoding="utf-8")[:text.index("    why:")].count("\n")
    result = site_build(config)
    assert result.exit_code == 1
    assert (f"posts/site.yaml:{line}: error: site text 'why' (en) uses unverified statistic "
            "'children-returned'") in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("      es: \"Llama al Congreso\"\n", "", "'site.words.call_heading' has no 'es' text"),
    ("Ask for your Representative first", "Ask 2 people first",
     "site text 'call_intro' (en) has the number '2'"),
    ("Switchboard: {switchboard}", "Switchboard: {no-such-figure}",
     "site text 'switchboard_line' (en) names unknown statistic '{no-such-figure}'"),
    ("    footer:", "    slogan:\n      en: x\n      es: x\n    footer:",
     "unknown text 'site.words.slogan'"),
])
def test_check_reports_site_words_problems_with_their_line(tmp_path: Path, old: str, new: str,
                                                           problem: str) -> None:
    config = copy_project(tmp_path)
    words = tmp_path / "posts" / "site.yaml"
    text = words.read_text(encoding="utf-8")
    assert old in text
    words.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "check"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if problem in ln]
    assert lines and re.match(r"^\S*posts/site\.yaml:\d+: error: ", lines[0]), result.output


def test_shipped_site_words_pass_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(copy_project(tmp_path)), "check"])
    assert result.exit_code == 0 and "site.yaml" not in result.output


def test_missing_base_url_is_one_clear_error(tmp_path: Path) -> None:
    config = copy_project(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"\n  base_url: .*", "", text), encoding="utf-8")
    result = site_build(config)
    assert result.exit_code == 1
    assert re.search(r"Error: \S*config/campaign\.yaml:\d+: 'site\.base_url' is not set",
                     result.output), result.output


def test_build_prints_and_writes_the_date_until_which_the_site_is_valid(built) -> None:
    config_file, site = built
    again = site_build(config_file)
    assert "valid until 2027-01-03 (member data's review date)" in again.output
    assert "links and previews point at a placeholder host" in again.output  # example.org
    for page in (site / "index.html", site / "es" / "index.html"):
        assert '<meta name="saveasylum:valid-until" content="2027-01-03">' in \
            page.read_text(encoding="utf-8")
    assert json.loads((site / "valid-until.json").read_text(encoding="utf-8")) == {
        "valid_until": "2027-01-03", "set_by": "member data"}


def test_a_shown_claims_review_date_sets_the_validity_and_status_warns_after_it(
        tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from toolkit.operations.health import status_report
    from toolkit.operations.notify.events import site_events
    from toolkit.pages.site.build import build_site
    from toolkit.store import Store
    from toolkit.surfaces.cli.status import status_lines

    config_file = copy_project(tmp_path)
    claims = tmp_path / "posts" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "as_of: 2025-01-21\n    max_age_days: 90\n    verified: false",
        "as_of: 2026-11-01\n    review_by: 2026-12-15\n    verified: true"), encoding="utf-8")
    config = load_config(config_file)
    result = build_site(config, today=TODAY)
    assert (result.valid_until, result.valid_why) == (date(2026, 12, 15), "claim mpp-status-now")
    assert "valid until 2026-12-15 (claim mpp-status-now's review date)" in result.summary()
    assert 'id="post-support-stand-with"' in (tmp_path / "site" / "posts.html").read_text("utf-8")

    store = Store(config.store_url)
    on_the_day = datetime(2026, 12, 15, 20, tzinfo=UTC)  # still the 15th in Chicago
    report, _ = status_report(store, config, on_the_day)
    assert report["site"] == {"valid_until": "2026-12-15", "set_by": "claim mpp-status-now",
                              "expired": False}
    assert not site_events(config, on_the_day)
    after = on_the_day + timedelta(days=1)
    report, _ = status_report(store, config, after)
    assert report["site"]["expired"] is True
    assert ("Site: the built share kit is past its valid-until date 2026-12-15 (claim "
            "mpp-status-now's review date): rebuild it with `toolkit site build`"
            in status_lines(report, config.timezone))
    (event,) = site_events(config, after)
    assert event.kind == "site" and event.key == "site:2026-12-15"
    store.close()
