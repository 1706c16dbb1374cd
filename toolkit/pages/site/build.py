"""`toolkit site build`: write the share kit, a static folder that works from any static host.

    DIR/index.html, DIR/<lang>/index.html   one page per campaign language (the first at the root)
    DIR/posts.html, DIR/<lang>/posts.html   its ready posts
    DIR/graphics/*.png                       the verified graphics, full size
    DIR/thumbs/<card>-<lang>.webp            previews (and <graphic>.webp: a ready post's, smaller)
    DIR/downloads/saveasylum-graphics-<lang>.zip
    DIR/assets/                              scripts, favicon
    DIR/members/<state>.html|json            "Call your members": a page and data per state
    DIR/<lang>/members/<state>.html|json     (toolkit/pages/site/members.py; needs
    members/congress.yaml)
    DIR/robots.txt, DIR/sitemap.xml

Deterministic (same inputs, same bytes) and incremental: a file is written only when what it is
made from changed. When none of the inputs changed (config, posts/, the graphics manifest, the
templates, today's date) the build only compares one stamp and checks that its files are there,
without loading the library, Pillow or Jinja.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from toolkit import __version__
from toolkit.core import clock
from toolkit.core.config import Config
from toolkit.graphics.manifest import manifest_path
from toolkit.pages.site.common import STATIC, TEMPLATES, SiteResult, member_files, page_path

#: bump when the page or its files change shape, so every file is made again
SITE_VERSION = "2"
STATE = ".site-build.json"
def input_stamp(config: Config, today: date, allow_stale_members: bool = False) -> str:
    """SHA-256 over everything the site is made from (file names, sizes and bytes)."""
    from toolkit.library.loader import library_files

    files = [config.path, *library_files(config.posts_dir), config.posts_dir / "site.yaml",
             manifest_path(config.graphics_dir),
             *sorted(TEMPLATES.iterdir()), *sorted(STATIC.iterdir()), *member_files(config)]
    h = hashlib.sha256(f"{SITE_VERSION}|{__version__}|{today.isoformat()}|"
                       f"{config.site_base_url}|{allow_stale_members}".encode())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<missing>"
        h.update(f"\0{path.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def load_state(out: Path) -> dict:
    """The previous build's record: its stamp and each file it wrote with that file's key."""
    try:
        state = json.loads((out / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and isinstance(state.get("files"), dict) else {}


def _all_present(out: Path, files: dict) -> bool:
    return all((out / rel).is_file() for rel in files)


def build_site(config: Config, out_dir: Path | None = None, today: date | None = None,
               force: bool = False, library: object | None = None,
               allow_stale_members: bool = False) -> SiteResult:
    """Build the share kit into `out_dir` (default: `site.out`); raise a `ToolkitError` when the
    library, the site words, the member data (stale too, unless `allow_stale_members`) or the
    graphics have errors (nothing is written then)."""
    today = today or clock.today(config.timezone)  # the campaign's day, as approval's
    out = Path(out_dir or config.site_dir).resolve()
    state = load_state(out)
    old_files: dict[str, str] = state.get("files", {})
    if (not force and state.get("stamp") == input_stamp(config, today, allow_stale_members)
            and _all_present(out, old_files)):
        from toolkit.pages.site.validity import read_valid_until

        until, why = read_valid_until(out)
        return SiteResult(out, unchanged=len(old_files),
                          pages=[page_path(config, lang) for lang in config.languages],
                          valid_until=until, valid_why=why)
    from toolkit.pages.site.writer import write_site

    result, files = write_site(config, out, today, {} if force else old_files, library,
                               allow_stale_members)
    for rel in sorted(set(old_files) - set(files)):
        path = out / rel
        if not path.resolve().is_relative_to(out):
            continue  # the state file names a path outside the site: never delete it
        if path.is_file():
            path.unlink()
            result.removed += 1
    state = {"stamp": input_stamp(config, today, allow_stale_members),
             "files": dict(sorted(files.items()))}
    from toolkit.pages.site.assets import write_bytes

    write_bytes(out / STATE, (json.dumps(state, indent=1) + "\n").encode("utf-8"))
    return result
