"""`make screenshots`: the docs' screenshots again, from the app as it is now.

Builds the shipped campaign (a copy of config/, posts/ and members/ in a temporary folder) the way
`make run` does: graphics, the share kit, a store with the demo queue and the demo users. Then it
serves the review app and the share kit on free local ports and photographs each entry of SHOTS
with Playwright in Debian's Chromium (`/usr/bin/chromium` or `$CHROMIUM_PATH`; never `playwright
install`), writing docs/<file>. A new screenshot is one more `Shot(...)` line.

    .venv/bin/python docs/hooks/screenshots.py [--out DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file in docs/, which server (`app`: the review app, signed in as the
    demo lead; `site`: the share kit), the path (`{post}`: the first post on the schedule), the
    viewport, the colour scheme, and optionally a state to pick in "Call your members", an
    element to scroll to the top of the viewport, and the one element to photograph instead of
    the page."""

    file: str
    server: str
    path: str
    width: int
    height: int = 900
    dark: bool = False
    full_page: bool = False
    scale: int = 1
    pick_state: str = ""
    scroll_to: str = ""
    element: str = ""


SHOTS = [
    Shot("review-week.png", "app", "/", 1440, full_page=True),
    Shot("review-month.png", "app", "/?view=month", 1440, full_page=True),
    Shot("review-post.png", "app", "{post}", 390, 844, full_page=True),
    Shot("review-week-dark-phone.png", "app", "/", 436, 844, dark=True, full_page=True, scale=2),
    Shot("editor.png", "app", "/library/violence-attacks/edit", 1440, 1100),
    Shot("site-phone.png", "site", "/index.html", 390, 844),
    Shot("site-phone-dark.png", "site", "/es/index.html", 390, 844, dark=True),
    Shot("site-desktop.png", "site", "/es/index.html", 1440),
    Shot("site-graphic-phone.png", "site", "/index.html#card-stat-attacks", 390, 844,
         scroll_to="#card-stat-attacks"),
    Shot("members-vt.png", "site", "/index.html", 960, pick_state="vt",
         element="#call-your-members"),
    Shot("members-tx.png", "site", "/index.html", 960, pick_state="tx",
         element="#call-your-members"),
]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toolkit(config: Path, *args: str) -> int:
    """Run one `toolkit` command in this process; its exit code."""
    import click

    from toolkit.surfaces.cli import cli

    try:
        cli.main(["--config", str(config), *args], prog_name="toolkit", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0)
    except click.ClickException as exc:  # shown as the command line shows it
        exc.show()
        return exc.exit_code
    return 0


def build_campaign(work: Path) -> Path:
    """The shipped campaign built in `work` as `make run` builds it; the config file."""
    for folder in ("config", "posts", "members"):
        shutil.copytree(ROOT / folder, work / folder, ignore=shutil.ignore_patterns(".cache"))
    config = work / "config" / "campaign.yaml"
    if toolkit(config, "graphics", "build"):
        sys.exit("graphics build failed")
    if toolkit(config, "site", "build") and toolkit(config, "site", "build",
                                                    "--allow-stale-members"):
        sys.exit("site build failed")
    return config


def contact_sheet(config: Path, out: Path) -> None:
    """docs/contact-sheet.png: one card in every format, English above Spanish."""
    made = config.parent.parent / "build" / "sheet.png"
    if toolkit(config, "graphics", "sheet", "stat-attacks", "--lang", "en", "--lang", "es",
               "--out", str(made)):
        sys.exit("graphics sheet failed")
    shutil.copyfile(made, out / "contact-sheet.png")


def serve_review_app(config: Path) -> tuple[object, str, str]:
    """The review app with the demo queue: (server, base URL, the demo lead's password)."""
    from toolkit.core import clock
    from toolkit.core.config import load_config
    from toolkit.surfaces.run_demo import seed_demo
    from toolkit.surfaces.web.demo import DEMO_LEAD, start_review_app

    cfg = load_config(config)
    seed_demo(cfg, clock.now())
    port = free_port()
    server, lines = start_review_app(cfg, port=port)
    if server is None:
        sys.exit(f"the review app did not start on port {port}")
    found = re.search(rf"{DEMO_LEAD} with the one-time password (\S+)", "\n".join(lines))
    return server, f"http://127.0.0.1:{port}", found[1] if found else ""


def serve_site(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The built share kit on a local HTTP server."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def shoot(browser, shot: Shot, base: str, out: Path, state: Path | None) -> None:
    """Take one screenshot into `out`."""
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height}, device_scale_factor=shot.scale,
        color_scheme="dark" if shot.dark else "light",
        storage_state=str(state) if state else None)
    page = context.new_page()
    path = shot.path
    if "{post}" in path:
        page.goto(base + "/")
        path = page.get_attribute("a[href*='/posts/']", "href")
    page.goto(base + path)
    if shot.pick_state:
        page.select_option("#members-state", shot.pick_state)
        page.click("form.members-picker button")
        page.wait_for_selector(".members-result h3")
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(i => { i.loading = 'eager'; })")  # every image loads now
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    if shot.scroll_to:
        page.locator(shot.scroll_to).evaluate("e => e.scrollIntoView()")
    target = out / shot.file
    if shot.element:
        page.locator(shot.element).screenshot(path=str(target))
    else:
        page.screenshot(path=str(target), full_page=shot.full_page)
    context.close()
    print(f"wrote {target}")


def sign_in(browser, base: str, password: str, state: Path) -> None:
    """Sign in as the demo lead once; keep the session for every app screenshot."""
    from toolkit.surfaces.web.demo import DEMO_LEAD

    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", DEMO_LEAD)
    page.fill("#password", password)
    page.click("form.login [type=submit]")
    page.wait_for_url(base + "/**")
    context.storage_state(path=str(state))
    context.close()


def main() -> None:
    """Build, serve, photograph, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder to write to")
    parser.add_argument("--only", nargs="*", default=[], help="file names to take")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)")
    args.out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if not args.only or s.file in args.only]
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        work = Path(tmp)
        os.environ["TOOLKIT_CONFIG"] = str(work / "config" / "campaign.yaml")
        logging.getLogger("waitress").setLevel(logging.ERROR)  # no "task queue depth" lines
        config = build_campaign(work)
        if not args.only or "contact-sheet.png" in args.only:
            contact_sheet(config, args.out)
        app, app_url, password = serve_review_app(config)
        site, site_url = serve_site(work / "site")
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                try:
                    state = work / "signed-in.json"
                    if any(s.server == "app" for s in shots):
                        sign_in(browser, app_url, password, state)
                    for shot in shots:
                        base = app_url if shot.server == "app" else site_url
                        shoot(browser, shot, base, args.out,
                              state if shot.server == "app" else None)
                finally:
                    browser.close()
        finally:
            app.close()
            site.shutdown()
            site.server_close()


if __name__ == "__main__":
    main()
