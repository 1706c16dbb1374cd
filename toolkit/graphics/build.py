"""`toolkit graphics build`: render every card in every format and language, incrementally.

A graphic is rendered again only when its inputs changed (its `input_hash` in the manifest), its
file is gone, or the file's bytes no longer match the manifest's SHA-256; `force` renders all.
Rendering runs in worker processes (one per core by default); unchanged builds start none.
Every PNG must stay under Bluesky's 1,000,000-byte limit.

Only cards whose statistics are all verified are built into the supporters' folder; on request
the others are built, with a "DRAFT – unverified" band, into a sibling `<out>-drafts` folder.
Each PNG is written to a temporary name and renamed; after Ctrl-C the manifest lists exactly the
PNGs on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.core.atomic import write_atomic
from toolkit.core.config import Config
from toolkit.core.errors import GraphicsError
from toolkit.core.platforms import PLATFORMS, strictest_image_limit
from toolkit.core.problems import display_path
from toolkit.graphics.colour import brand_contrast_problems
from toolkit.graphics.jobs import Job, jobs_for
from toolkit.graphics.manifest import load_manifest, manifest_path
from toolkit.graphics.uptodate import file_state
from toolkit.library.models import Library

#: every PNG stays under the smallest image file any platform takes (Bluesky's 1,000,000 bytes)
LIMITED_BY, MAX_BYTES = strictest_image_limit()

#: (file, sha256, bytes, error)
Rendered = tuple[str, str, int, str | None]
#: (file, sha256, bytes, error, state of the file right after it was written, or None)
RenderedState = tuple[str, str, int, str | None, list | None]


class BuildInterrupted(GraphicsError):
    """Ctrl-C during a build: what finished is on disk and listed in the manifest."""

    exit_code = 130


@dataclass
class BuildResult:
    """What a build did (and, with `--include-unverified`, what its drafts build did)."""

    out_dir: Path
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    entries: list[dict] = field(default_factory=list)
    #: cards left out because a statistic they show is not verified
    unverified: list[str] = field(default_factory=list)
    drafts: BuildResult | None = None
    #: every file and folder this build wrote (absolute path), with its state right after the
    #: write (`uptodate.file_state`): the up-to-date stamp tells these from a change by others
    written: dict[str, list] = field(default_factory=dict, compare=False, repr=False)

    @property
    def total(self) -> int:
        """Graphics in the build."""
        return len(self.entries)

    def counts(self) -> str:
        """'rendered 12, unchanged 118, total 130 → graphics/'."""
        text = f"rendered {self.rendered}, unchanged {self.unchanged}, total {self.total}"
        if self.removed:
            text += f", removed {self.removed}"
        return f"{text} → {display_path(self.out_dir)}/"

    def summary(self) -> str:
        """The counts, then a line on the unverified cards: drafted apart, or left out."""
        lines = [self.counts()]
        cards = ", ".join(self.unverified)
        if self.drafts is not None and self.unverified:
            lines.append(f"DRAFTS (unverified, not for supporters): {self.drafts.counts()} "
                         f"with a 'DRAFT – unverified' band; cards: {cards}")
        elif self.unverified:
            lines.append(f"left out {len(self.unverified)} card(s) with an unverified statistic "
                         f"({cards}); --include-unverified renders them as drafts into "
                         f"{display_path(drafts_dir(self.out_dir))}/")
        return "\n".join(lines)


def drafts_dir(out_dir: Path) -> Path:
    """The drafts folder of a build folder: a sibling, `<out>-drafts` (never inside `out`)."""
    out = Path(out_dir).resolve()
    return out.with_name(f"{out.name}-drafts")


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_job_state(job: Job, out_dir: str) -> RenderedState:
    """`render_job`, and the state of the PNG right after it was written (None if it was
    not)."""
    rendered = render_job(job, out_dir)
    if rendered[3] is not None:
        return (*rendered, None)
    return (*rendered, file_state(os.path.abspath(os.path.join(out_dir, job.file))))


def render_job(job: Job, out_dir: str) -> Rendered:
    """Render one job and write its PNG atomically; runs in a worker process."""
    from toolkit.graphics.layouts import plan_card
    from toolkit.graphics.render import render_png

    try:
        if job.draft:
            from toolkit.graphics.draft import render_draft_png

            png = render_draft_png(plan_card(job), job.lang, job.where)
        else:
            png = render_png(plan_card(job), job.where)
    except GraphicsError as exc:
        return job.file, "", 0, exc.message
    if len(png) >= MAX_BYTES:
        return job.file, "", len(png), (f"{job.where}: the PNG is {len(png):,} bytes; "
                                        f"{PLATFORMS[LIMITED_BY].title} takes at most "
                                        f"{MAX_BYTES:,}")
    path = Path(out_dir) / job.file
    write_atomic(path, png, durable=False)  # rebuilt from the library at will
    return job.file, hashlib.sha256(png).hexdigest(), len(png), None


def manifest_entry(job: Job, sha256: str, size: int) -> dict:
    """The manifest entry of a rendered job."""
    source = None
    if job.statistic:
        source = {"name": job.source_name, "url": job.source_url, "as_of": job.as_of or None}
    return {
        "file": job.file, "card": job.card, "layout": job.layout, "format": job.fmt.name,
        "lang": job.lang, "width": job.fmt.width, "height": job.fmt.height, "alt": job.alt,
        "sha256": sha256, "bytes": size, "source": source, "statistic": job.statistic,
        "verified": job.verified, "input_hash": job.input_hash,
    }


def check_brand(config: Config) -> None:
    """Raise `GraphicsError` if a brand colour fails its WCAG contrast minimum."""
    problems = brand_contrast_problems(config.brand.colors)
    if problems:
        raise GraphicsError("the brand fails its contrast check:\n" +
                            "\n".join(f"  {p}" for p in problems))


def build(config: Config, library: Library, out_dir: Path | None = None, force: bool = False,
          jobs: int | None = None, progress: bool = False,
          cards: list[str] | None = None, include_unverified: bool = False) -> BuildResult:
    """Render what changed (everything with `force`) into `out_dir` (default: the config's
    graphics folder) and write `manifest.json`; raise `GraphicsError` listing every failure.

    Only cards whose statistics are all verified go into `out_dir`; with `include_unverified`
    the others are rendered with a draft band into `drafts_dir(out_dir)`."""
    check_brand(config)
    all_jobs, problems = jobs_for(config, library, cards)
    if problems:
        raise GraphicsError("cannot build the graphics:\n" +
                            "\n".join(f"  {p.path}:{p.line}: {p.message}" for p in problems))
    out = Path(out_dir or config.graphics_dir)
    verified = [j for j in all_jobs if j.verified]
    result = build_into(out, verified, force, jobs, progress, partial=cards is not None)
    result.unverified = sorted({j.card for j in all_jobs if not j.verified})
    if include_unverified:
        drafts = [replace(j, draft=True) for j in all_jobs if not j.verified]
        result.drafts = build_into(drafts_dir(out), drafts, force, jobs, progress,
                                   partial=cards is not None)
    return result


def build_into(out: Path, todo_jobs: list[Job], force: bool, jobs: int | None, progress: bool,
               partial: bool = False) -> BuildResult:
    """Render `todo_jobs` into `out` (only what changed, unless `force`) and write its
    manifest; a `partial` build keeps the entries of graphics it was not asked for.

    Ctrl-C stops the build with `BuildInterrupted`, after writing a manifest that lists exactly
    the PNGs on disk."""
    created = not out.is_dir()
    out.mkdir(parents=True, exist_ok=True)
    result = BuildResult(out)
    previous = {e["file"]: e for e in load_manifest(out)}
    done: dict[str, tuple[str, int]] = {}
    todo: list[Job] = []
    for job in todo_jobs:
        old = previous.get(job.file)
        if not force and old and _still_valid(out, job, old):
            done[job.file] = (old["sha256"], int(old.get("bytes") or 0))
            result.unchanged += 1
        else:
            todo.append(job)
    errors: list[str] = []
    results = _render_all(todo, out, jobs, progress)
    try:
        for file, sha, size, error, state in results:
            if error:
                errors.append(error)
            else:
                done[file] = (sha, size)
                result.rendered += 1
            if state is not None:
                result.written[state[0]] = state
    except KeyboardInterrupt:
        results.close()  # waits for the workers' current images; the rest are cancelled
        _write_manifest(out, _entries_on_disk(out, todo_jobs, done, previous))
        raise BuildInterrupted(f"interrupted: {result.rendered} of {len(todo)} graphic(s) "
                               f"rendered; {display_path(manifest_path(out))} lists what is "
                               "on disk; run the build again to finish") from None
    result.entries = [manifest_entry(j, *done[j.file]) for j in todo_jobs if j.file in done]
    if not errors and not partial:
        result.removed = _prune(out, previous, {j.file for j in todo_jobs})
    if partial:  # a partial build keeps the other cards' entries
        kept = {e["file"] for e in result.entries}
        result.entries += [e for f, e in previous.items() if f not in kept]
    wrote = _write_manifest(out, result.entries)
    if wrote is not None:
        result.written[wrote[0]] = wrote
    if result.written or result.removed or created:  # the folder changed too
        result.written[os.path.abspath(out)] = file_state(os.path.abspath(out))
    if errors:
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise GraphicsError(f"{len(errors)} graphic(s) failed:\n{shown}{more}")
    return result


def _entries_on_disk(out: Path, jobs: list[Job], done: dict[str, tuple[str, int]],
                     previous: dict[str, dict]) -> list[dict]:
    """Manifest entries for what an interrupted build left on disk.

    A job whose PNG was replaced gets its new entry; one whose PNG is still the old file keeps
    the old entry (its stale `input_hash` renders it next time); a PNG whose result never came
    back is listed with no `input_hash`, so the next build renders it again.
    """
    entries, seen = [], set()
    for job in jobs:
        seen.add(job.file)
        path = out / job.file
        if job.file in done:
            entries.append(manifest_entry(job, *done[job.file]))
        elif path.is_file():
            old = previous.get(job.file)
            sha = sha256_file(path)
            if old and old.get("sha256") == sha:
                entries.append(old)
            else:  # written just before the interrupt, or damaged: listed, rendered next time
                entries.append({**manifest_entry(job, sha, path.stat().st_size),
                                "input_hash": ""})
    entries += [e for f, e in previous.items() if f not in seen and (out / f).is_file()]
    return entries


def _still_valid(out: Path, job: Job, old: dict) -> bool:
    path = out / job.file
    if old.get("input_hash") != job.input_hash or not path.is_file():
        return False
    return sha256_file(path) == old.get("sha256")


def _render_all(todo: list[Job], out: Path, workers: int | None,
                progress: bool) -> Iterator[RenderedState]:
    if not todo:
        return
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if n == 1:
        yield from _progress((render_job_state(job, str(out)) for job in todo), len(todo),
                             progress)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only when rendering

    pool = ProcessPoolExecutor(max_workers=n, initializer=_ignore_sigint)
    try:
        futures = [pool.submit(render_job_state, job, str(out)) for job in todo]
        yield from _progress((f.result() for f in as_completed(futures)), len(todo), progress)
    finally:  # on Ctrl-C: let running images finish (atomically), cancel the others
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the main process, which stops the build cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _progress(items: Iterable[RenderedState], total: int,
              show: bool) -> Iterator[RenderedState]:
    """Pass `items` through, with a progress bar on stderr when `show` and stderr is a TTY."""
    if not show or not _isatty(sys.stderr):  # tqdm shows nothing then: not even imported
        yield from items
        return
    from tqdm import tqdm

    with tqdm(total=total, desc="rendering", unit="img", file=sys.stderr, disable=None,
              leave=False) as bar:
        for item in items:
            bar.update(1)
            yield item


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _prune(out: Path, previous: dict[str, dict], keep: set[str]) -> int:
    """Delete PNGs the last build wrote that this build no longer makes; return how many."""
    removed = 0
    for file in previous:
        if file in keep or "/" in file or "\\" in file or not file.endswith(".png"):
            continue
        path = out / file
        if path.is_file():
            path.unlink()
            removed += 1
    return removed


def _write_manifest(out: Path, entries: list[dict]) -> list | None:
    """Write the manifest atomically, and only when it changed; return its state right after
    the write (`uptodate.file_state`), None when it was left as it was."""
    text = json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
    path = manifest_path(out)
    try:
        if path.read_text(encoding="utf-8") == text:
            return None
    except OSError:
        pass
    write_atomic(path, text, durable=False)
    return file_state(os.path.abspath(path))
