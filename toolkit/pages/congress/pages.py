"""The members pages as HTML fragments (Jinja2 partials the site includes) and one small
JSON file per state, so that a phone loads only its own state's data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from toolkit.core.atomic import write_atomic
from toolkit.pages.congress.view import state_payload

TEMPLATES = Path(__file__).parent / "templates"
#: the picker's script (no page reload); the page that includes members.html.j2 loads it
SCRIPT = Path(__file__).parent / "static" / "members.js"


def environment():  # jinja2.Environment, imported lazily
    """A Jinja2 environment on the members templates, autoescaping HTML; the site can use
    `TEMPLATES` in its own loader instead and `{% include "members.html.j2" %}`."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                              autoescape=jinja2.select_autoescape(["j2", "html"]),
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render_index(view: dict, base: str = "members/") -> str:
    """The picker and the plain list of state pages (`{base}{slug}.html`)."""
    return environment().get_template("members.html.j2").render(v=view, base=base)


def render_state(view: dict, code: str, index: str = "../") -> str:
    """One state's page fragment: senators, House members, calls, scripts and posts."""
    return environment().get_template("state.html.j2").render(
        v=view, state=view["states"][code], index=index)


def write_state_json(view: dict, out_dir: Path) -> list[Path]:
    """Write `<slug>.json` per state into `out_dir` (atomically, compact); the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for code, state in view["states"].items():
        path = out_dir / f"{state['slug']}.json"
        text = json.dumps(state_payload(view, code), ensure_ascii=False, separators=(",", ":"))
        write_atomic(path, text + "\n", durable=False)  # rebuilt with the site
        written.append(path)
    return written


def write_state_pages(view: dict, out_dir: Path, layout: Callable[[str, str], str],
                      index: str = "../") -> list[Path]:
    """Write `<slug>.html` (the state fragment inside `layout(title, body)`, the site's page
    shell), `<slug>.json` per state and `members.js` into `out_dir`; the paths written."""
    written = write_state_json(view, out_dir)
    for code, state in view["states"].items():
        path = out_dir / f"{state['slug']}.html"
        title = f"{view['labels']['heading']}: {state['name']}"
        write_atomic(path, layout(title, render_state(view, code, index=index)), durable=False)
        written.append(path)
    script = out_dir / SCRIPT.name
    write_atomic(script, SCRIPT.read_text(encoding="utf-8"), durable=False)
    return [*written, script]
