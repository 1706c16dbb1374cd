"""What each publisher (X, Bluesky, Mastodon, Threads, Instagram, Facebook Page, LinkedIn) adds
to start-up, median of several whole commands.

The scheduler builds a publisher per connected account at start, so the SDK imports are paid
once there (never before the first post); commands that do not publish never import them.
"""

from __future__ import annotations

import sys

from cli_startup import RUNS, median_seconds


def main() -> None:
    """Print the figures."""
    base = median_seconds([sys.executable, "-c", "import toolkit.publishers.registry"])
    for name in ("x", "bluesky", "mastodon", "threads", "instagram", "facebook", "linkedin"):
        took = median_seconds([sys.executable, "-c", f"import toolkit.publishers.{name}"])
        print(f"python -c 'import toolkit.publishers.{name}': {took * 1000:.0f} ms median of "
              f"{RUNS} (registry alone: {base * 1000:.0f} ms)")
    compose = median_seconds([sys.executable, "-m", "toolkit", "compose", "--text",
                              "Asylum is a right https://www.cvt.org/EndMPP", "--platform",
                              "mastodon"])
    print(f"toolkit compose --platform mastodon: {compose * 1000:.0f} ms median of {RUNS}")


if __name__ == "__main__":
    main()
