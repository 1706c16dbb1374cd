"""The `toolkit` console script (and `python -m toolkit`): answers an up-to-date
`graphics build` from its stamp (`toolkit.graphics.uptodate`) before click or anything else is
imported, as make answers "nothing to be done"; every other command line runs
`toolkit.surfaces.cli`.

Standard library only at import, besides the stamp module and the config-file rule.
"""

from __future__ import annotations

import os
import sys

from toolkit.core.configfile import config_file
from toolkit.graphics import uptodate


def graphics_build_config(args: list[str]) -> str | None:
    """The config file of a `[--config X] graphics build …` command line whose answer may be
    recorded or replayed; None for any other command line, or one with `--force` or `--help`."""
    explicit, i = None, 0
    while i < len(args) and args[i].startswith("--config"):
        if args[i] == "--config" and i + 1 < len(args):
            explicit, i = args[i + 1], i + 2
        elif args[i].startswith("--config="):
            explicit, i = args[i].removeprefix("--config="), i + 1
        else:
            return None
    if args[i:i + 2] != ["graphics", "build"]:
        return None
    if any(a in ("--force", "--help", "-h") for a in args[i + 2:]):
        return None
    return config_file(explicit)


def main() -> None:
    """Console-script entry point: the recorded answer when the build is up to date, else the
    whole command (which records the answer of a `graphics build` that succeeds)."""
    args = sys.argv[1:]
    config = graphics_build_config(args)
    if config is not None:
        try:
            if uptodate.replay(config, args):
                return
        except BrokenPipeError:  # as click does: the reader went away, exit 1 quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt:  # as click does
            sys.stderr.write("Aborted!\n")
            sys.exit(1)
        uptodate.begin(config, args)
    from toolkit.surfaces.cli import main as run

    ok = False
    try:
        run()
        ok = True
    except SystemExit as exc:
        ok = exc.code in (0, None)
        raise
    finally:
        uptodate.finish(ok)
