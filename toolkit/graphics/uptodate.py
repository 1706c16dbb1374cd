"""Is a `graphics build` up to date? Answered by stat, the way make and ninja answer it.

A successful `toolkit graphics build` started from the console script (`toolkit.surfaces.launch`)
writes
a stamp, `<config folder>/.cache/graphics-build-<key>.json`: the exact command (arguments,
working folder, `TOOLKIT_*` variables, interpreter), the day it ran, what a run that changes
nothing prints, the size, mtime, ctime and inode of every file and folder the build reads or
writes (`covered`), and where each path named on the command line or in the config leads once
symlinks are followed (a retargeted symlink is a change). The same command finds them all
unchanged and prints the recorded answer without importing click, YAML or Pillow; any
difference, a missing or unreadable stamp, or a new day runs the whole build. The files and
folders the build itself wrote (PNGs, manifests, their folders) are recorded as they were right
after its write (`BuildResult.written`), so the very next run replays. A run during which any
other covered file changed (its time is not before the run started), a file it wrote changed
again after its write, or a file it read went away, writes no stamp: the next run builds in
full and writes it.

Standard library only at import: the launcher checks a stamp before anything else is loaded.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib

TYPE_CHECKING = False  # `typing` itself costs the fast path 2 ms
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from toolkit.core.config import Config
    from toolkit.graphics.build import BuildResult

VERSION = 2
#: a file's times may lag the clock by a kernel tick: a time this close to the run's start is
#: treated as a change during the run (two seconds on a file system that keeps whole seconds)
RACY_NS = 20_000_000
COARSE_RACY_NS = 2_000_000_000

#: the command `begin` armed: stamp path, key, start time (ns) and day
_pending: dict[str, Any] | None = None


def days(now_ns: int | None = None) -> list[str]:
    """The date now (or at `now_ns`), local and UTC, as 'YYYY-MM-DD': a stamp holds that day."""
    seconds = (time.time_ns() if now_ns is None else now_ns) / 1e9
    return [time.strftime("%Y-%m-%d", time.localtime(seconds)),
            time.strftime("%Y-%m-%d", time.gmtime(seconds))]


def command_key(args: list[str]) -> dict[str, Any]:
    """What must be identical for a recorded answer to hold: the arguments, the working folder,
    every `TOOLKIT_*` variable, the interpreter, its module path and the output encoding."""
    return {"argv": list(args), "cwd": os.getcwd(),
            "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("TOOLKIT_")},
            "python": sys.version, "executable": sys.executable, "path": list(sys.path),
            "stdout": getattr(sys.stdout, "encoding", None)}


def stamp_file(config_file: str, key: dict[str, Any]) -> str:
    """The stamp of the command `key`: `.cache/graphics-build-<crc of key>.json` beside
    `config_file` (the key inside it is compared in full)."""
    blob = json.dumps(key, sort_keys=True).encode("ascii")
    folder = os.path.join(os.path.dirname(os.path.abspath(config_file)), ".cache")
    return os.path.join(folder, f"graphics-build-{zlib.crc32(blob):08x}.json")


def replay(config_file: str, args: list[str]) -> bool:
    """Print the recorded answer of this exact command when nothing it covers changed and
    return True (the command is done); False, printing nothing, to run the whole build."""
    try:
        if (getattr(sys.stdout, "encoding", "") or "").lower().replace("_", "-") != "utf-8":
            return False
        key = command_key(args)
        with open(stamp_file(config_file, key), encoding="utf-8") as f:
            stamp = json.load(f)
        if (stamp["version"] != VERSION or stamp["key"] != key or stamp["days"] != days()
                or not all(os.path.realpath(named) == real for named, real in stamp["links"])
                or not all(file_state(entry[0]) == entry for entry in stamp["files"])):
            return False
        out, err = str(stamp["stdout"]), str(stamp["stderr"])
    except Exception:  # a stamp can only make a command faster, never fail it
        return False
    sys.stdout.write(out)
    sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    return True


def file_state(path: str) -> list:
    """[path, size, mtime_ns, ctime_ns, inode] of a file or folder; [path] when there is none."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return [path]
    return [path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def begin(config_file: str, args: list[str]) -> None:
    """Arm the stamp of this command before its whole build runs (the launcher does): its old
    stamp goes now, so a build that fails or is interrupted leaves none."""
    global _pending
    _pending = None
    try:
        now = time.time_ns()
        key = command_key(args)
        path = stamp_file(config_file, key)
        _remove(path)
        _pending = {"path": path, "key": key, "start": _file_system_now(path, now),
                    "days": days(now), "config": os.path.abspath(config_file)}
    except Exception:  # no stamp, the build runs as ever
        _pending = None


def _file_system_now(stamp: str, fallback: int) -> int:
    """The time the file system stamps files with now (a new file's mtime, beside the stamp):
    what "changed during the run" is measured against, since the files are stamped by the file
    system's clock, not this process's (a network share's server, a process whose clock is
    shifted); this process's clock when no file can be made there."""
    import tempfile

    folder = os.path.dirname(stamp)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".now-")
        try:
            return os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError:
        return fallback


def record(config: Config, result: BuildResult) -> None:
    """Write the armed stamp after a successful build (not `--force`) printed
    `result.summary()`; nothing when none is armed or a covered file changed during the run
    (a file the build wrote itself counts as unchanged while it is as the build left it).
    Never fails the command: a stamp that cannot be written is simply not there."""
    if _pending is None:
        return
    path = _pending["path"]
    try:
        files = [file_state(p) for p in covered(config, result)]
        optional = {os.path.abspath(p) for p in _dotenv(config)}
        written = {**result.written, **(result.drafts.written if result.drafts else {})}
        if any(written.get(e[0]) != e and (_changed_since(e, _pending["start"])
                                           or (len(e) == 1 and e[0] not in optional))
               for e in files):  # changed during the run, or gone since it was read
            _remove(path)
            return
        links = [[named, os.path.realpath(named)]
                 for named in (_pending["config"], *config.named_paths)]
        stamp = {"version": VERSION, "key": _pending["key"], "days": _pending["days"],
                 "stdout": unchanged_summary(result) + "\n", "stderr": "", "links": links,
                 "files": files}
        from toolkit.core.atomic import write_atomic

        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(stamp), durable=False)  # a cache
    except Exception:
        _remove(path)


def finish(ok: bool) -> None:
    """The command ended: keep its stamp only when it succeeded (`ok`), and disarm."""
    global _pending
    if _pending is not None and not ok:
        _remove(_pending["path"])
    _pending = None


def unchanged_summary(result: BuildResult) -> str:
    """What the same build prints when nothing changed: every graphic unchanged, none
    rendered or removed (drafts too)."""
    from dataclasses import replace

    def same(build: BuildResult) -> BuildResult:
        drafts = same(build.drafts) if build.drafts is not None else None
        return replace(build, rendered=0, unchanged=build.total, removed=0, drafts=drafts)

    return same(result).summary()


def covered(config: Config, result: BuildResult) -> list[str]:
    """Every file and folder (absolute) the build of `result` read or wrote: the config and
    the `.env` files it may read, the posts folder and its YAML files, the font files and their
    folder, the toolkit's code (every folder and .py file), Pillow's folder and site-packages
    (an upgrade changes them), and each output folder with its manifest and PNGs."""
    import PIL

    import toolkit
    from toolkit.graphics.fonts import WEIGHTS, font_path
    from toolkit.graphics.manifest import manifest_path
    from toolkit.library.loader import library_files

    fonts = [font_path(w) for w in WEIGHTS]
    pillow = os.path.dirname(PIL.__file__)
    paths = [config.path, *_dotenv(config), config.posts_dir,
             *library_files(config.posts_dir), *fonts, *{f.parent for f in fonts},
             *_code(os.path.dirname(toolkit.__file__)), pillow, os.path.dirname(pillow)]
    for build in (result, result.drafts):
        if build is not None:
            paths += [build.out_dir, manifest_path(build.out_dir),
                      *(build.out_dir / e["file"] for e in build.entries)]
    return list(dict.fromkeys(os.path.abspath(p) for p in paths))


def _dotenv(config: Config) -> tuple:
    """Where the config's `.env` file may be (it may well be in neither place)."""
    from toolkit.core.secrets import dotenv_candidates

    return dotenv_candidates(config.root)


def _changed_since(entry: list, start_ns: int) -> bool:
    """Whether a file's mtime or ctime may be from after `start_ns` (within a clock tick)."""
    if len(entry) == 1:
        return False
    coarse = entry[3] % 1_000_000_000 == 0  # a ctime in whole seconds: a coarse file system
    return max(entry[2], entry[3]) >= start_ns - (COARSE_RACY_NS if coarse else RACY_NS)


def _code(package: str) -> Iterator[str]:
    """Every folder and .py file of a package (not the bytecode caches)."""
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        yield folder
        yield from (os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))


def _remove(path: str) -> None:
    """Remove a stamp if it is there (one that cannot be removed still holds only while every
    file it covers is unchanged)."""
    from contextlib import suppress

    with suppress(OSError):
        os.unlink(path)
