"""How long the message editor takes on the campaign's real library: one live preview (the text
per platform, its lengths and every `toolkit check` problem of the message) and one save (the gate
on the library before and after, the round-trip write). Medians of several runs, on a copy of
config/ and posts/ in a temporary folder.

    .venv/bin/python bench/editor.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 9
FORM = {"id": "bench-message", "theme": "call", "link": "campaign",
        "text_en": "More than {attacks-over-1500} attacks on people forced to wait in Mexico "
                   "under MPP. Ask your senators to end it.",
        "text_es": "Más de {attacks-over-1500} ataques contra personas obligadas a esperar en "
                   "México bajo el MPP. Pide a tus senadores que lo terminen."}


def median_ms(run, runs: int = RUNS) -> float:
    """Median wall time of `run()` in milliseconds (after one warm-up)."""
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from flask import Flask

    from toolkit.core.config import load_config
    from toolkit.library.writer import parse, plain
    from toolkit.surfaces.app import Toolkit
    from toolkit.surfaces.editing.save import Change, save
    from toolkit.surfaces.web.editor_view import preview

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "config", Path(tmp) / "config",
                        ignore=shutil.ignore_patterns(".cache"))
        shutil.copytree(ROOT / "posts", Path(tmp) / "posts")
        config = load_config(Path(tmp) / "config" / "campaign.yaml")
        tk = Toolkit(config)
        today = datetime.now(UTC).date()
        typed = iter(range(10_000))  # each preview a new text, as while typing

        def one_preview() -> None:
            preview(config, {**FORM, "text_en": FORM["text_en"] + " x" * next(typed)}, None,
                    today)

        with Flask(__name__).test_request_context():
            shown = median_ms(one_preview)
        text = (config.posts_dir / "messages.yaml").read_text(encoding="utf-8")
        item = plain(parse(text))["messages"][0]
        themes = iter(f"theme-{n}" for n in range(RUNS + 1))

        def one_save() -> None:
            save(config, Change("messages", item["id"], {**item, "theme": next(themes)}, "bench"))

        saved = median_ms(one_save)
        tk.close()
    print(f"editor preview (one message, {len(plain(parse(text))['messages'])} in the file): "
          f"{shown:.0f} ms median of {RUNS}")
    print(f"editor save (gate before and after, round-trip write): {saved:.0f} ms median "
          f"of {RUNS}")


if __name__ == "__main__":
    main()
