"""Share graphics: the build (manifest, incremental, deterministic, parallel), sheet and CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from toolkit.core.config import load_config
from toolkit.graphics.build import MAX_BYTES
from toolkit.graphics.manifest import find_graphic, load_manifest
from toolkit.library import load_library
from toolkit.surfaces.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "graphics"
CARDS, FORMATS, LANGS = 4, 5, 2  # verified cards (stat-children's statistic is unverified)
FIELDS = {"file", "card", "layout", "format", "lang", "width", "height", "alt", "sha256", "bytes",
          "source", "statistic", "verified", "input_hash"}


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A copy of the fixture campaign that a test may edit; returns its config file."""
    shutil.copytree(FIXTURE, tmp_path / "campaign")
    return tmp_path / "campaign" / "config" / "campaign.yaml"


def run(config: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--config", str(config), "graphics", *args])
    return result


def build(config: Path, out: Path, *args: str) -> Result:
    result = run(config, "build", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return result


def shas(out: Path) -> dict[str, str]:
    return {e["file"]: e["sha256"] for e in load_manifest(out)}


def png_chunks(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append(kind)
        at += 12 + length
    return chunks


def test_build_writes_every_card_format_and_language_with_a_manifest(campaign, tmp_path):
    out = tmp_path / "out"
    result = build(campaign, out, "--jobs", "2")
    total = CARDS * FORMATS * LANGS
    assert f"rendered {total}, unchanged 0, total {total} → " in result.output
    entries = load_manifest(out)
    assert len(entries) == total
    config = load_config(campaign)
    for e in entries:
        assert set(e) == FIELDS
        path = out / e["file"]
        assert e["file"] == f"{e['card']}-{e['format']}-{e['lang']}.png"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == e["sha256"]
        assert path.stat().st_size == e["bytes"] < MAX_BYTES
        fmt = config.formats[e["format"]]
        assert (e["width"], e["height"]) == (fmt.width, fmt.height)
        with Image.open(path) as image:
            assert image.size == (fmt.width, fmt.height)
        assert png_chunks(path) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]  # no metadata
        assert 0 < len(e["alt"]) <= 1000
    by = {(e["card"], e["format"], e["lang"]): e for e in entries}
    stat = by["stat-attacks", "x", "es"]
    assert stat["source"] == {"name": "Human Rights First, Delivered to Danger",
                              "url": "https://www.humanrightsfirst.org/campaign/remain-mexico",
                              "as_of": "2021-02-19"}
    assert stat["verified"] is True and stat["alt"].startswith(
        "Gráfico publicado por Center for Victims of Torture: Al menos 1.544")
    assert all(e["verified"] for e in entries)
    assert not any(e["card"] == "stat-children" for e in entries)  # unverified: left out
    assert by["msg-spanish", "link", "en"]["source"] is None


def test_second_build_renders_nothing_and_force_reproduces_the_same_bytes(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out, "--jobs", "1")
    first = shas(out)
    manifest = (out / "manifest.json").read_text()
    assert "rendered 0, unchanged 40, total 40" in build(campaign, out).output
    assert (out / "manifest.json").read_text() == manifest
    assert "rendered 40, unchanged 0" in build(campaign, out, "--force", "--jobs", "2").output
    assert shas(out) == first  # parallel or not, again or not: the same bytes
    other = tmp_path / "other"
    build(campaign, other, "--jobs", "1")
    assert shas(other) == first


def test_only_changed_or_damaged_graphics_are_rendered_again(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out, "--jobs", "1")
    before = shas(out)
    library = campaign.parent.parent / "posts" / "library.yaml"
    library.write_text(library.read_text().replace("Seeking safety is a human right",
                                                   "Seeking safety is a right"))
    (out / "stat-attacks-square-en.png").unlink()
    (out / "msg-spanish-x-es.png").write_bytes(b"damaged")
    result = build(campaign, out, "--jobs", "1")
    assert "rendered 7, unchanged 33, total 40" in result.output  # 5 formats + 2 damaged
    after = shas(out)
    changed = {f for f in after if after[f] != before[f]}
    assert changed == {f"msg-spanish-{fmt}-en.png"
                       for fmt in ("x", "square", "portrait", "story", "link")}
    assert (out / "stat-attacks-square-en.png").is_file()


def test_a_removed_card_loses_its_graphics(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out, "--jobs", "1")
    library = campaign.parent.parent / "posts" / "library.yaml"
    text = library.read_text()
    start = text.index("  - id: stat-announced")
    library.write_text(text[:start] + text[text.index("  - id: msg-spanish"):])
    result = build(campaign, out, "--jobs", "1")
    assert "rendered 0, unchanged 30, total 30, removed 10" in result.output
    assert not list(out.glob("stat-announced-*.png"))


def test_a_card_that_cannot_fit_fails_the_build_with_a_clear_error(campaign, tmp_path):
    library = campaign.parent.parent / "posts" / "library.yaml"
    library.write_text(library.read_text().replace(
        "Children sent back to danger", " ".join(["Children sent back to danger"] * 30)))
    result = run(campaign, "build", "--out", str(tmp_path / "out"), "--jobs", "1",
                 "--include-unverified")  # stat-children is unverified: a draft
    assert result.exit_code == 1
    assert result.output.startswith("Error: 5 graphic(s) failed:")  # en only
    assert "card 'stat-children' (format story, language en): the kicker text cannot fit" \
        in result.output


def test_a_failing_brand_fails_the_build(campaign, tmp_path):
    campaign.write_text(campaign.read_text().replace('accent: "#f4b63f"', 'accent: "#1f3560"'))
    result = run(campaign, "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Error: the brand fails its contrast check" in result.output
    assert "brand colour 'accent'" in result.output


def test_find_graphic_gives_the_scheduler_path_and_alt(campaign, tmp_path):
    out = tmp_path / "out"
    build(campaign, out, "--jobs", "1")
    entry = find_graphic(out, "call-congress", "link", "es")
    assert entry and Path(entry["path"]).is_absolute() and Path(entry["path"]).is_file()
    assert entry["alt"].startswith(
        "Gráfico publicado por Center for Victims of Torture: Llama a tu representante")
    assert find_graphic(out, "call-congress", "link", "fr") is None
    assert find_graphic(tmp_path / "nothing", "call-congress", "link", "es") is None
    (out / "manifest.json").write_text("{broken")
    assert load_manifest(out) == []


def test_manifest_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, toolkit.graphics.manifest as m; "
            "print(any(k == 'PIL' or k.startswith('PIL.') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_contact_sheet(campaign, tmp_path):
    out = tmp_path / "sheet.png"
    result = run(campaign, "sheet", "stat-attacks", "--lang", "es", "--out", str(out))
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.width > 1000 and image.height > 800
    result = run(campaign, "sheet", "no-such-card")
    assert result.exit_code == 1 and "unknown card 'no-such-card'" in result.output


@pytest.mark.skipif(not load_library(load_config(ROOT / "config" / "campaign.yaml")).cards,
                    reason="the shipped library has no cards yet")
def test_the_shipped_library_builds(tmp_path):
    out = tmp_path / "graphics"
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "config" / "campaign.yaml"),
                                      "graphics", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    entries = json.loads((out / "manifest.json").read_text())
    config = load_config(ROOT / "config" / "campaign.yaml")
    library = load_library(config)
    cards = [c for c in library.cards.values()
             if not c.statistic or library.statistics[c.statistic].verified]
    assert len(entries) == len(cards) * len(config.formats) * len(config.languages)
    assert all(e["bytes"] < MAX_BYTES for e in entries)


def test_two_builds_are_byte_identical(campaign, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    build(campaign, one, "--jobs", "1")
    build(campaign, two, "--jobs", "2")
    files = sorted(p.name for p in one.iterdir())
    assert files == sorted(p.name for p in two.iterdir()) and "manifest.json" in files
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_a_card_png_holds_exactly_the_drawn_pixels_and_is_no_larger_than_pillows(campaign):
    import io

    from toolkit.graphics.jobs import jobs_for
    from toolkit.graphics.layouts import plan_card
    from toolkit.graphics.render import COMPRESS_LEVEL, encode_png, render_palette, render_png

    config = load_config(campaign)
    jobs, _ = jobs_for(config, load_library(config))
    for job in jobs[:: max(1, len(jobs) // 12)]:
        plan = plan_card(job)
        image, _ = render_palette(plan)
        pillow = io.BytesIO()
        image.save(pillow, "PNG", optimize=False, compress_level=COMPRESS_LEVEL)
        for png in (render_png(plan), encode_png(image)):  # with the rows' hint and without
            with Image.open(io.BytesIO(png)) as back:
                back.load()
                assert back.mode == "P" and back.size == image.size
                assert back.tobytes() == image.tobytes()
                assert back.getpalette() == image.getpalette()
            assert len(png) <= len(pillow.getvalue())
