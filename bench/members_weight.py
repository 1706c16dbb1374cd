"""What a phone downloads for "Call your members": one state's JSON (or page) against the whole
list in one file, raw and gzipped; and the time `toolkit check` takes with the member data.

Goal (issue 17): no 100 KB download on a phone; one state's data is what loads.
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.core.config import load_config  # noqa: E402
from toolkit.library import load_library  # noqa: E402
from toolkit.pages.congress.pages import write_state_pages  # noqa: E402
from toolkit.pages.congress.view import members_view, state_payload  # noqa: E402


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def main() -> None:
    """Print the figures."""
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    for lang in config.languages:
        start = time.perf_counter()
        view = members_view(config, library, lang, date.today(), allow_stale=True)
        with tempfile.TemporaryDirectory() as tmp:
            written = write_state_pages(view, Path(tmp), lambda title, body: body)
            built = time.perf_counter() - start
            sizes = {p.name: p.read_bytes() for p in written if p.suffix in (".json", ".html")}
        json_sizes = {n: b for n, b in sizes.items() if n.endswith(".json")}
        html_sizes = {n: b for n, b in sizes.items() if n.endswith(".html")}
        big = max(json_sizes, key=lambda n: len(json_sizes[n]))
        big_html = max(html_sizes, key=lambda n: len(html_sizes[n]))
        whole = json.dumps([state_payload(view, c) for c in view["states"]],
                           ensure_ascii=False, separators=(",", ":")).encode()
        median = statistics.median(len(b) for b in json_sizes.values())
        print(f"[{lang}] largest state JSON {big}: {kb(len(json_sizes[big]))} "
              f"({kb(len(gzip.compress(json_sizes[big])))} gzipped); median state "
              f"{kb(median)}; largest state page fragment {big_html}: "
              f"{kb(len(html_sizes[big_html]))} ({kb(len(gzip.compress(html_sizes[big_html])))}"
              f" gzipped)")
        print(f"[{lang}] baseline, every state in one JSON: {kb(len(whole))} "
              f"({kb(len(gzip.compress(whole)))} gzipped); built {len(json_sizes)} states in "
              f"{built:.2f} s")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "toolkit", "check"], cwd=ROOT, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(f"toolkit check (config, library, member data and words): "
          f"{statistics.median(runs):.2f} s median of 3")


if __name__ == "__main__":
    main()
