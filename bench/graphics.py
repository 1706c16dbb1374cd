"""Benchmark of the share-graphics build: per-image cost against a plain baseline, and builds.

    .venv/bin/python bench/graphics.py [--rounds N] [--reference REF]

Whole command (issue 31): `toolkit graphics build --jobs 1` into an empty folder, start-up
included (Python's bytecode cache on, as in a shell), per image, against the plain baseline with
its fonts loaded once, in the same run; the same command with the renderer of the git ref REF
(default `main`, the previous renderer) alternates with it, and every PNG is compared with that
renderer's: mean pixel difference and file sizes.

The per-image baseline draws the same statistic cards (same layout) the straightforward way: an
RGB image, `ImageDraw.text` with fonts loaded per image, and a default `save("x.png")`, in one
process. The toolkit draws cached glyphs into a palette image with a fixed palette and encodes
it itself (background-only rows from a cache, the inked rows at a low zlib level). Both include
the layout, and both write their file. Builds go to a temporary folder from the shipped config
and library (cards are made up from the statistics if there are none).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat  # noqa: E402

from toolkit.core.config import load_config  # noqa: E402
from toolkit.graphics import render  # noqa: E402
from toolkit.graphics.build import build, render_job  # noqa: E402
from toolkit.graphics.fonts import font_path  # noqa: E402
from toolkit.graphics.jobs import Job, jobs_for  # noqa: E402
from toolkit.graphics.layouts import Plan, plan_card  # noqa: E402
from toolkit.graphics.text import get_face  # noqa: E402
from toolkit.library import load_library  # noqa: E402
from toolkit.library.models import Card, Library, Origin  # noqa: E402


def plain_png(job: Job, path: Path,
              fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] | None = None) -> Plan:
    """The baseline: the same layout drawn the straightforward way, saved with defaults (fonts
    loaded per image, or once when the caller passes its `fonts`)."""
    plan = plan_card(job)
    image = Image.new("RGB", (plan.width, plan.height), plan.colors["background"])
    draw = ImageDraw.Draw(image)
    fonts = {} if fonts is None else fonts
    for block in plan.blocks:
        key = (block.weight, block.size)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(str(font_path(block.weight)), block.size)
        face = get_face(block.weight, block.size)
        for line in block.lines:
            x: float = line.x
            for text, colour in line.runs:
                draw.text((x, line.baseline), text, font=fonts[key], fill=plan.colors[colour],
                          anchor="ls")
                x += face.advance(text)
    for rule in plan.rules:
        x0, y0, x1, y1 = rule.box
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=plan.colors[rule.colour])
    image.save(path)
    return plan


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two RGB images, as a percentage of full scale."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3 / 255 * 100


def clear_caches() -> None:
    """Forget cached fonts and glyphs, so the toolkit's timings start cold like a new worker."""
    render._GLYPHS.clear()
    render.pil_font.cache_clear()
    get_face.cache_clear()


def library_with_cards(config, library: Library) -> Library:
    """The shipped library; with no cards yet, one statistic card per statistic."""
    if library.cards:
        return library
    for stat in library.statistics.values():
        layout = "cta" if stat.kind == "contact" else "statistic"
        text = {lang: "Call your Representative and Senators" for lang in config.languages}
        library.cards[f"bench-{stat.id}"] = Card(f"bench-{stat.id}", layout, stat.id,
                                                 text if layout == "cta" else {},
                                                 Origin("bench", 1))
    return library


def per_image(jobs: list[Job], tmp: Path) -> dict[str, dict[str, list[float]]]:
    """Per-format timings (ms), sizes and differences of the baseline and the toolkit."""
    out: dict[str, dict[str, list[float]]] = {}
    clear_caches()
    for job in jobs:
        row = out.setdefault(job.fmt.name, {k: [] for k in
                                            ("plain_ms", "ours_ms", "plain_b", "ours_b", "diff",
                                             "diff_plain")})
        t0 = time.perf_counter()
        _, _, size, error = render_job(job, str(tmp))
        row["ours_ms"].append((time.perf_counter() - t0) * 1000)
        if error:
            raise SystemExit(error)
        row["ours_b"].append(size)
    for job in jobs:
        row = out[job.fmt.name]
        path = tmp / "x.png"
        t0 = time.perf_counter()
        plan = plain_png(job, path)
        row["plain_ms"].append((time.perf_counter() - t0) * 1000)
        row["plain_b"].append(path.stat().st_size)
        ours = Image.open(tmp / job.file)
        row["diff"].append(mean_diff(ours, render.render_rgb(plan)))
        row["diff_plain"].append(mean_diff(ours, Image.open(path)))
    return out


def timed_build(config, library, out: Path, **kwargs) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = build(config, library, out_dir=out, **kwargs)
    return time.perf_counter() - t0, result.total


ENV = {k: v for k, v in os.environ.items()
       if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("TOOLKIT_")}


def command_build(code: Path | None, cfg: Path, out: Path) -> float:
    """Seconds of `toolkit graphics build --jobs 1` into the empty folder `out`, as a process
    (with the toolkit package from `code`, or the installed one)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cfg.parent / ".cache", ignore_errors=True)
    env = {**ENV, "PYTHONPATH": str(code)} if code else ENV
    args = [sys.executable, "-m", "toolkit", "--config", str(cfg), "graphics", "build",
            "--jobs", "1", "--out", str(out)]
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=cfg.parent.parent, env=env)
    secs = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr.strip()}")
    return secs


def plain_once(jobs: list[Job], tmp: Path) -> float:
    """Seconds the plain baseline takes for all `jobs`, its fonts loaded once."""
    fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    t0 = time.perf_counter()
    for job in jobs:
        plain_png(job, tmp / "plain.png", fonts)
    return time.perf_counter() - t0


def whole_command(jobs: list[Job], tmp: Path, rounds: int, reference: str) -> dict[str, float]:
    """Issue 31's figures: whole-command ms per image (now, and the renderer of `reference`)
    against the plain baseline, the pixel difference from `reference` and the file sizes."""
    shutil.copytree(ROOT / "config", tmp / "project" / "config",
                    ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(ROOT / "posts", tmp / "project" / "posts")
    cfg = tmp / "project" / "config" / "campaign.yaml"
    old = tmp / "reference"
    old.mkdir()
    archive = subprocess.run(["git", "archive", reference, "toolkit"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    ours_out, ref_out = tmp / "whole-ours", tmp / "whole-ref"
    command_build(None, cfg, ours_out)  # warm-ups: the bytecode caches
    command_build(old, cfg, ref_out)
    times: dict[str, list[float]] = {"ours": [], "ref": [], "plain": []}
    for _ in range(rounds):  # paired: each round runs all three
        times["ours"].append(command_build(None, cfg, ours_out))
        times["ref"].append(command_build(old, cfg, ref_out))
        times["plain"].append(plain_once(jobs, tmp))
    n = len(jobs)
    ours, ref, plain = (statistics.median(times[k]) / n * 1000 for k in ("ours", "ref", "plain"))
    diffs, larger, ours_b, ref_b = [], 0, 0, 0
    for png in sorted(ours_out.glob("*.png")):
        before = ref_out / png.name
        diffs.append(mean_diff(Image.open(png), Image.open(before)))
        a, b = png.stat().st_size, before.stat().st_size
        ours_b, ref_b, larger = ours_b + a, ref_b + b, larger + (a > b)
    print(f"\nwhole command, `toolkit graphics build --jobs 1` into an empty folder, {n} images, "
          f"start-up included (median of {rounds}, paired rounds):")
    print(f"  plain baseline, fonts loaded once, RGB PNG: {plain:6.2f} ms/image")
    print(f"  toolkit now:                                {ours:6.2f} ms/image  "
          f"{plain / ours:.2f}× the baseline")
    print(f"  {f'toolkit at {reference} (previous renderer):':<44}"
          f"{ref:6.2f} ms/image  {plain / ref:.2f}× the baseline")
    print(f"  pixel difference from {reference}: mean {statistics.mean(diffs):.3f}%, "
          f"max {max(diffs):.3f}% of full RGB over {len(diffs)} PNGs")
    print(f"  file sizes: now {ours_b:,} bytes, {reference} {ref_b:,} bytes "
          f"({ours_b / ref_b - 1:+.1%}); {larger} file(s) larger")
    return {"speedup": plain / ours, "diff": max(diffs), "larger": larger}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="builds of each kind (median)")
    parser.add_argument("--reference", default="main",
                        help="git ref of the previous renderer (default: main)")
    args = parser.parse_args()
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = library_with_cards(config, load_library(config))
    jobs, problems = jobs_for(config, library)
    if problems:
        raise SystemExit("\n".join(p.message for p in problems))
    stat_jobs = [j for j in jobs if j.layout == "statistic"]
    cores = os.cpu_count() or 1
    print(f"graphics benchmark: {len(jobs)} graphics ({len(library.cards)} cards × "
          f"{len(config.formats)} formats × {len(config.languages)} languages), {cores} cores")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        whole = whole_command([j for j in jobs if j.verified], tmp, max(args.rounds, 5),
                              args.reference)
        rows = per_image(stat_jobs, tmp)
        print(f"\nper image, {len(stat_jobs)} statistic cards, one process (medians):")
        print(f"{'format':<10}{'size':>11}{'plain ms':>10}{'ours ms':>9}{'speedup':>9}"
              f"{'plain bytes':>13}{'ours bytes':>12}{'diff %':>8}{'vs plain %':>11}")
        speedups, smaller, diffs = [], True, []
        for name, row in rows.items():
            fmt = config.formats[name]
            p, o = statistics.median(row["plain_ms"]), statistics.median(row["ours_ms"])
            speedups.append(p / o)
            smaller &= all(a <= b for a, b in zip(row["ours_b"], row["plain_b"], strict=True))
            diffs += row["diff"]
            print(f"{name:<10}{f'{fmt.width}×{fmt.height}':>11}{p:>10.1f}{o:>9.1f}"
                  f"{p / o:>8.1f}×{statistics.median(row['plain_b']):>13,.0f}"
                  f"{statistics.median(row['ours_b']):>12,.0f}{max(row['diff']):>8.2f}"
                  f"{max(row['diff_plain']):>11.2f}")
        all_p = statistics.median(v for r in rows.values() for v in r["plain_ms"])
        all_o = statistics.median(v for r in rows.values() for v in r["ours_ms"])
        print(f"{'all':<21}{all_p:>10.1f}{all_o:>9.1f}{all_p / all_o:>8.1f}×")

        builds: dict[str, list[float]] = {"cold": [], "cold1": [], "warm": []}
        total = 0
        for r in range(args.rounds):
            out = tmp / f"build{r}"
            secs, total = timed_build(config, library, out)
            builds["cold"].append(secs)
            builds["warm"] += [timed_build(config, library, out)[0] for _ in range(3)]
            builds["cold1"].append(timed_build(config, library, out, force=True, jobs=1)[0])
        cold, cold1 = statistics.median(builds["cold"]), statistics.median(builds["cold1"])
        warm = statistics.median(builds["warm"])
        print(f"\nbuilds of all {total} graphics (wall clock, median of {args.rounds}):")
        rows_b = [(f"cold, {cores} processes", cold), ("cold, --jobs 1", cold1),
                  ("warm, nothing changed", warm)]
        for label, secs in rows_b:
            extra = f"  ({warm / cold * 100:.1f}% of cold)" if secs is warm else ""
            print(f"  {label:<24}{secs:8.3f} s {secs / total * 1000:8.2f} ms/image{extra}")

    worst = min(speedups)
    print("\ngoals:")
    overall = all_p / all_o
    print(f"  >= 3x faster per image than plain, one process: "
          f"{'yes' if worst >= 3 else 'NO'} (slowest format {worst:.1f}x, all {overall:.1f}x)")
    print(f"  files no larger than plain:                      {'yes' if smaller else 'NO'}")
    print(f"  mean abs. difference <= 2% of full RGB:          "
          f"{'yes' if max(diffs) <= 2 else 'NO'} (max {max(diffs):.2f}%)")
    ref = args.reference
    for label, ok, figure in (
            ("whole command >= 4x the plain baseline:", whole["speedup"] >= 4,
             f"{whole['speedup']:.2f}x"),
            (f"pixel difference from {ref} <= 2%:", whole["diff"] <= 2,
             f"max {whole['diff']:.3f}%"),
            (f"no file larger than {ref}'s:", not whole["larger"], f"{whole['larger']} larger")):
        print(f"  {label:<49}{'yes' if ok else 'NO'} ({figure})")
    print(f"  warm build <= 5% of cold:                        "
          f"{'yes' if warm <= 0.05 * cold else 'NO'} ({warm / cold * 100:.1f}%)")


if __name__ == "__main__":
    main()
