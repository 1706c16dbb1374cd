"""Making the share kit's files: graphics (built first if missing or stale), thumbnails, ZIPs,
pages and static assets, each written only when its key (what it is made from) changed."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from toolkit.core.config import Config
from toolkit.core.errors import ConfigError
from toolkit.library import Library, load_library
from toolkit.library.site_words import SiteWords, load_site_words
from toolkit.pages.congress.pages import SCRIPT
from toolkit.pages.congress.pages import TEMPLATES as MEMBERS_TEMPLATES
from toolkit.pages.site import assets
from toolkit.pages.site.common import STATIC, TEMPLATES, SiteResult, page_path
from toolkit.pages.site.content import PageContent, PostView, human_size, page_content, site_cards
from toolkit.pages.site.members import ANCHOR as MEMBERS_ANCHOR
from toolkit.pages.site.members import SCRIPT as MEMBERS_SCRIPT
from toolkit.pages.site.members import load_members, write_members
from toolkit.pages.site.validity import VALID_FILE, valid_until, valid_until_json

THUMB_VERSION = "1"
#: each language's ready posts, beside its page
POSTS_PAGE = "posts.html"
#: "Today's post": picks the day's post before the page is first drawn (inlined: no shift)
ROTATE = TEMPLATES / "today.js"


def ensure_graphics(config: Config, library: Library) -> list[dict]:
    """The graphics manifest, after building the site's cards through the graphics build when
    any of their images is missing, stale or not yet marked verified."""
    from toolkit.graphics.build import build
    from toolkit.graphics.jobs import jobs_for
    from toolkit.graphics.manifest import load_manifest

    cards = site_cards(library)
    jobs, problems = jobs_for(config, library, cards)
    entries = {e["file"]: e for e in load_manifest(config.graphics_dir)}

    def stale(job) -> bool:
        e = entries.get(job.file)
        return (e is None or e.get("input_hash") != job.input_hash
                or bool(e.get("verified")) != job.verified
                or not (config.graphics_dir / job.file).is_file())

    if problems or any(stale(j) for j in jobs):
        build(config, library, cards=cards)
    return load_manifest(config.graphics_dir)


class _Writer:
    """Writes files under `out`, skipping those whose key matches the previous build's."""

    def __init__(self, out: Path, old: dict[str, str], result: SiteResult) -> None:
        self.out, self.old, self.result = out, old, result
        self.files: dict[str, str] = {}

    def fresh(self, rel: str, key: str) -> bool:
        """True (and counted as unchanged) when `rel` exists and was made from `key`."""
        self.files[rel] = key
        if self.old.get(rel) == key and (self.out / rel).is_file():
            self.result.unchanged += 1
            return True
        return False

    def data(self, rel: str, data: bytes) -> None:
        """Write content-addressed data (its key is its own hash)."""
        if not self.fresh(rel, hashlib.sha256(data).hexdigest()):
            assets.write_bytes(self.out / rel, data)
            self.result.written += 1

    def made(self, rel: str) -> None:
        """Count a file just made after `fresh` returned False."""
        self.result.written += 1

    def keyed(self, rel: str, key: str, data: bytes) -> None:
        """Record `rel` as made from `key` and write `data` unless the file already holds it."""
        self.files[rel] = key
        if assets.write_bytes(self.out / rel, data):
            self.result.written += 1
        else:
            self.result.unchanged += 1


def write_site(config: Config, out: Path, today: date, old: dict[str, str],
               library: Library | None = None,
               allow_stale_members: bool = False) -> tuple[SiteResult, dict[str, str]]:
    """Make every file of the site; return the result and {file: key} of what the site holds."""
    if not config.site_base_url:
        raise ConfigError(f"{display(config)}: 'site.base_url' is not set: give the absolute "
                          "address the site will be published at (Open Graph and canonical links)")
    library = library or load_library(config)
    site = load_site_words(config, library)
    members = load_members(config, library, today, allow_stale_members)
    manifest = ensure_graphics(config, library)
    result = SiteResult(out, pages=[page_path(config, lang) for lang in config.languages])
    w = _Writer(out, old, result)
    by_file = {e["file"]: e for e in manifest}
    pages = [page_content(config, library, site, manifest, lang, today)
             for lang in config.languages]
    fresh_members = (members.roster.same_until(today)
                     if members is not None and not members.stale else None)
    result.valid_until, result.valid_why = valid_until(
        library, [p.id for page in pages for p in page.posts], fresh_members)
    w.data(VALID_FILE, valid_until_json(result.valid_until, result.valid_why))
    for page in pages:
        for file in page.files:
            rel = f"graphics/{file}"
            if not w.fresh(rel, by_file[file]["sha256"]):
                assets.copy_file(config.graphics_dir / file, out / rel)
                w.made(rel)
        for thumb in page.thumbs():
            src = by_file[thumb.source]
            key = f"{THUMB_VERSION}:{src['sha256']}:{thumb.width}x{thumb.height}"
            if not w.fresh(thumb.rel, key):
                assets.write_bytes(out / thumb.rel, assets.thumbnail(
                    config.graphics_dir / thumb.source, thumb.width, thumb.height))
                w.made(thumb.rel)
    zips = {page.lang: _zip(config, w, page, by_file) for page in pages}
    for name in sorted(p.name for p in STATIC.iterdir()):
        w.data(f"assets/{name}", (STATIC / name).read_bytes())
    env = _environment()
    if members is not None:
        w.data(MEMBERS_SCRIPT, SCRIPT.read_bytes())
    for page in pages:
        shell = _shell(config, page, pages)
        shell["valid_until"] = result.valid_until.isoformat() if result.valid_until else ""
        v = None
        if members is not None:
            prefix = shell["lang_prefix"]
            v = write_members(w, env, config, library, members, page.lang, prefix,
                              {**shell, "root": shell["root"] + "../"})
        html = _render(env, config, site, page, shell, zips[page.lang], by_file, v)
        w.data(page_path(config, page.lang), html.encode("utf-8"))
        posts = env.get_template("posts_page.html.j2").render(**shell, here=POSTS_PAGE,
                                                              page=page)
        w.data(shell["lang_prefix"] + POSTS_PAGE, posts.encode("utf-8"))
    w.data("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.site_base_url}sitemap.xml\n"
           .encode())
    w.data("sitemap.xml", _sitemap(config, [rel for rel in w.files if rel.endswith(".html")])
           .encode("utf-8"))
    return result, w.files


def display(config: Config) -> str:
    """`path:line` of the config's `site:` section (or of the file) for messages."""
    from toolkit.core.problems import display_path

    lines = config.path.read_text(encoding="utf-8").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("site:")), 1)
    return f"{display_path(config.path)}:{line}"


def _zip(config: Config, w: _Writer, page: PageContent, by_file: dict[str, dict]) -> dict:
    rel = f"downloads/saveasylum-graphics-{page.lang}.zip"
    members = sorted((f, by_file[f]["sha256"]) for f in page.files)
    key = hashlib.sha256(json.dumps(members).encode()).hexdigest()
    if not w.fresh(rel, key):
        data = assets.zip_of([(f, config.graphics_dir / f) for f, _ in members])
        assets.write_bytes(w.out / rel, data)
        w.made(rel)
    size = (w.out / rel).stat().st_size
    return {"href": rel, "bytes": size, "size": human_size(size, config.number_format(page.lang)),
            "count": len(members)}


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader([TEMPLATES, MEMBERS_TEMPLATES]),
                       autoescape=select_autoescape(["j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def _shell(config: Config, page: PageContent, pages: list[PageContent]) -> dict:
    """What every page of `page.lang` shares: its words, look, language links and footer."""
    rel = page_path(config, page.lang)
    root = "../" * rel.count("/")
    alternates = [{"lang": p.lang, "name": p.words["lang_name"], "href": root + page_path(
        config, p.lang), "prefix": page_path(config, p.lang).removesuffix("index.html"),
        "url": config.site_base_url + page_path(config, p.lang).removesuffix("index.html")}
        for p in pages]
    css = (TEMPLATES / "site.css").read_text(encoding="utf-8")
    return {"w": page.words, "lang": page.lang, "root": root, "alternates": alternates,
            "lang_prefix": rel.removesuffix("index.html"),
            "default_url": config.site_base_url, "css": css, "config": config,
            "hashtag": config.hashtags[0]}


def _render(env, config: Config, site: SiteWords, page: PageContent,
            shell: dict, zip_info: dict, by_file: dict[str, dict], members: dict | None) -> str:
    url = config.site_base_url + page_path(config, page.lang).removesuffix("index.html")
    og = None
    card = site.card or (page.cards[0].id if page.cards else "")
    for fmt in ("link", "x"):
        entry = by_file.get(f"{card}-{fmt}-{page.lang}.png")
        if entry and entry["file"] in page.files:
            og = {"url": config.site_base_url + "graphics/" + entry["file"],
                  "width": entry["width"], "height": entry["height"], "alt": entry["alt"]}
            break
    today = page.today()
    return env.get_template("page.html.j2").render(
        **shell, here="", page=page, url=url, og=og, zip=zip_info, v=members,
        base="members/", members_script=MEMBERS_SCRIPT, anchor=MEMBERS_ANCHOR, today=today,
        today_json=_today_json(today, shell["root"], shell["lang_prefix"]),
        rotate_js=ROTATE.read_text(encoding="utf-8").strip())


def _today_json(posts: list[PostView], root: str, prefix: str) -> str:
    """What "Today's post" rotates through, for the page's script: each post's text, preview,
    graphic and the address of its share links (safe inside a `<script>` element)."""
    items = [{"id": p.id, "text": p.text, "img": root + p.large.rel, "alt": p.image_alt,
              "w": p.large.width, "h": p.large.height,
              "file": f"{root}graphics/{p.image}",
              "more": f"{root}{prefix}{POSTS_PAGE}#post-{p.id}"}
             for p in posts if p.large is not None]
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sitemap(config: Config, pages: list[str]) -> str:
    """Every page of the site (the language pages and each state's page), each with its
    versions in the other languages (`hreflang`)."""
    prefixes = sorted(((page_path(config, lang).removesuffix("index.html"), lang)
                       for lang in config.languages), key=lambda p: -len(p[0]))
    versions: dict[str, dict[str, str]] = {}  # page without its language folder -> lang -> URL
    for rel in sorted(pages):
        prefix, lang = next((p, lang) for p, lang in prefixes if rel.startswith(p))
        url = config.site_base_url + rel.removesuffix("index.html")
        versions.setdefault(rel[len(prefix):], {})[lang] = url
    body = ""
    for found in versions.values():
        langs = {lang: found[lang] for lang in config.languages if lang in found}
        links = "".join(f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(u)}"/>'
                        for lang, u in langs.items()) if len(langs) > 1 else ""
        body += "".join(f"<url><loc>{escape(u)}</loc>{links}</url>" for u in langs.values())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:xhtml="http://www.w3.org/1999/xhtml">{body}</urlset>\n')
