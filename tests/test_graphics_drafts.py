"""Graphics for supporters only: unverified cards as drafts apart, Ctrl-C, the contact sheet."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageChops

import toolkit.graphics.build as build_module
from toolkit.core.config import load_config
from toolkit.graphics.draft import BAND_COLOUR, band_box
from toolkit.graphics.jobs import jobs_for
from toolkit.graphics.layouts import plan_card
from toolkit.graphics.manifest import load_manifest
from toolkit.graphics.render import render_palette
from toolkit.library import load_library
from toolkit.surfaces.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "graphics"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A copy of the fixture campaign (stat-children's statistic is unverified)."""
    shutil.copytree(FIXTURE, tmp_path / "campaign")
    return tmp_path / "campaign" / "config" / "campaign.yaml"


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "graphics", *args])


def pngs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.suffix == ".png"}


def set_children_verified(campaign: Path, verified: bool) -> None:
    library = campaign.parent.parent / "posts" / "library.yaml"
    text = library.read_text(encoding="utf-8")
    start = text.index("  - id: children")
    end = text.index("  - id: announced")
    block = text[start:end].replace(f"verified: {str(not verified).lower()}",
                                    f"verified: {str(verified).lower()}")
    library.write_text(text[:start] + block + text[end:], encoding="utf-8")


def test_unverified_cards_never_reach_the_supporters_folder(campaign, tmp_path):
    out = tmp_path / "graphics"
    set_children_verified(campaign, True)
    assert run(campaign, "build", "--out", str(out), "--jobs", "1").exit_code == 0
    assert "stat-children-x-en.png" in pngs(out)
    set_children_verified(campaign, False)  # a person un-verifies the figure: its cards go

    result = run(campaign, "build", "--out", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "removed 10" in result.output
    assert "left out 1 card(s) with an unverified statistic (stat-children); " \
           "--include-unverified renders them as drafts into" in result.output
    assert not any(f.startswith("stat-children") for f in pngs(out))
    assert all(e["verified"] for e in load_manifest(out)) and len(load_manifest(out)) == 40
    assert not (tmp_path / "graphics-drafts").exists()


def test_include_unverified_renders_drafts_apart_with_a_band(campaign, tmp_path):
    out = tmp_path / "graphics"
    result = run(campaign, "build", "--out", str(out), "--jobs", "2", "--include-unverified")
    assert result.exit_code == 0, result.output
    drafts = tmp_path / "graphics-drafts"
    assert "DRAFTS (unverified, not for supporters): rendered 10, unchanged 0, total 10" \
        in result.output and "'DRAFT – unverified' band; cards: stat-children" in result.output
    assert not any(f.startswith("stat-children") for f in pngs(out))
    entries = load_manifest(drafts)
    assert {e["file"] for e in entries} == pngs(drafts) and len(entries) == 10
    assert all(e["card"] == "stat-children" and e["verified"] is False for e in entries)
    for e in entries:
        assert hashlib.sha256((drafts / e["file"]).read_bytes()).hexdigest() == e["sha256"]

    # the band is drawn over the card, and nothing else differs from the card itself
    config = load_config(campaign)
    jobs, _ = jobs_for(config, load_library(config), ["stat-children"])
    job = next(j for j in jobs if j.file == "stat-children-story-es.png")
    plan = plan_card(replace(job, draft=True))
    plain = render_palette(plan)[0].convert("RGB")
    with Image.open(drafts / job.file) as image:
        draft = image.convert("RGB")
    x0, y0, x1, y1 = band_box(plan)
    assert y0 >= plan.safe[1] and y1 <= plan.safe[3]  # inside the safe area of a story
    assert draft.getpixel((5, (y0 + y1) // 2)) == BAND_COLOUR
    assert len(draft.crop((0, y0, x1, y1)).getcolors(1 << 16)) > 2  # words on the band
    diff = ImageChops.difference(plain, draft).getbbox()
    assert diff is not None and y0 <= diff[1] and diff[3] <= y1


def test_ctrl_c_leaves_a_manifest_that_matches_the_disk(campaign, tmp_path, monkeypatch):
    out = tmp_path / "graphics"
    assert run(campaign, "build", "--out", str(out), "--jobs", "1").exit_code == 0
    campaign.write_text(campaign.read_text().replace('background: "#13294b"',
                                                     'background: "#10233f"'))
    real, calls = build_module.render_job, []

    def interrupted_after_five(job, out_dir):
        calls.append(job.file)
        rendered = real(job, out_dir)
        if len(calls) == 6:  # the sixth PNG is on disk, but its result never arrives
            raise KeyboardInterrupt
        return rendered

    monkeypatch.setattr(build_module, "render_job", interrupted_after_five)
    result = run(campaign, "build", "--out", str(out), "--jobs", "1")
    assert result.exit_code == 130
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("Error: interrupted: 5 of 40 graphic(s) rendered;")
    entries = load_manifest(out)
    assert {e["file"] for e in entries} == pngs(out) and len(entries) == 40
    for e in entries:
        assert hashlib.sha256((out / e["file"]).read_bytes()).hexdigest() == e["sha256"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]

    monkeypatch.setattr(build_module, "render_job", real)
    result = run(campaign, "build", "--out", str(out), "--jobs", "1")
    # the rest, and the sixth again (its result never came back): it cannot be told from damage
    assert "rendered 35, unchanged 5, total 40" in result.output


def test_a_damaged_png_left_by_an_interrupted_build_is_rendered_next_time(campaign, tmp_path,
                                                                         monkeypatch):
    out = tmp_path / "graphics"
    assert run(campaign, "build", "--out", str(out), "--jobs", "1").exit_code == 0
    good = (out / "stat-attacks-x-en.png").read_bytes()
    for name in ("call-congress-x-en.png", "stat-attacks-x-en.png"):
        (out / name).write_bytes(b"damaged")
    real = build_module.render_job

    def interrupted(job, out_dir):
        real(job, out_dir)
        raise KeyboardInterrupt  # after the first of the two repairs

    monkeypatch.setattr(build_module, "render_job", interrupted)
    assert run(campaign, "build", "--out", str(out), "--jobs", "1").exit_code == 130
    assert (out / "stat-attacks-x-en.png").read_bytes() == b"damaged"
    monkeypatch.setattr(build_module, "render_job", real)
    result = run(campaign, "build", "--out", str(out), "--jobs", "1")
    assert "rendered 1, unchanged 39, total 40" in result.output  # the one still damaged
    assert (out / "stat-attacks-x-en.png").read_bytes() == good


def test_contact_sheet_goes_to_build_not_to_the_supporters_folder(campaign):
    project = campaign.parent.parent
    result = run(campaign, "sheet", "stat-attacks", "--lang", "es")
    assert result.exit_code == 0, result.output
    assert (project / "build" / "stat-attacks-sheet-es.png").is_file()
    assert not (project / "graphics").exists()
    result = run(campaign, "sheet", "stat-attacks", "--out",
                 str(project / "graphics" / "sheet.png"))
    assert result.exit_code == 1 and "stays out of the supporters' graphics folder" in \
        result.output


@pytest.mark.slow  # real toolkit processes: `make test-fast` skips it
def test_sigint_to_a_real_parallel_build_keeps_manifest_and_disk_in_step(campaign, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    out = tmp_path / "graphics"
    assert run(campaign, "build", "--out", str(out), "--jobs", "1").exit_code == 0
    before = {f: (out / f).stat().st_ino for f in pngs(out)}  # a rename gives a new inode
    campaign.write_text(campaign.read_text().replace('background: "#13294b"',
                                                     'background: "#10233f"'))
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "--config", str(campaign), "graphics", "build",
         "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def changed() -> int:
        return sum(1 for f, inode in before.items()
                   if (out / f).is_file() and (out / f).stat().st_ino != inode)

    while changed() < 3 and proc.poll() is None:  # wait for real progress, then Ctrl-C
        pass
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert output.strip().count("\n") == 0 and output.startswith("Error: interrupted: ")
    entries = load_manifest(out)
    assert {e["file"] for e in entries} == pngs(out) and len(entries) == 40
    for e in entries:
        assert hashlib.sha256((out / e["file"]).read_bytes()).hexdigest() == e["sha256"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert 3 <= changed() < 40
