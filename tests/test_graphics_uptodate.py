"""The up-to-date check of `toolkit graphics build` (toolkit/graphics/uptodate.py, launch.py).

Every test runs the real console script (`.venv/bin/toolkit`, or `python -m toolkit`) as its own
process on a copy of config/ and posts/, and looks at what it printed and wrote. To tell a
replayed answer from a whole build that prints the same words, a test writes a sentinel into
the stamp's recorded output: only the fast path can print it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, edit

from toolkit.graphics import uptodate
from toolkit.surfaces import launch

#: real `toolkit` processes and graphics builds: `make test-fast` skips them
pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).with_name("toolkit")
TOOLKIT = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "toolkit"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("TOOLKIT_")}
SENTINEL = "REPLAYED FROM THE STAMP\n"
SUMMARY = ("rendered 0, unchanged 80, total 80 → graphics/\n"
           "left out 2 card(s) with an unverified statistic (stat-children-returned, "
           "stat-violence-first-year); --include-unverified renders them as drafts into "
           "graphics-drafts/\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder whose graphics (and drafts) are built once for the module."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(ROOT / "config", root / "config", ignore=shutil.ignore_patterns(".cache"))
    shutil.copytree(ROOT / "posts", root / "posts")
    done = toolkit(root, "--include-unverified")
    assert done.returncode == 0, done.stderr
    shutil.rmtree(root / "config" / ".cache", ignore_errors=True)
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project (config, posts, graphics, drafts); returns its folder."""
    for name in ("config", "posts", "graphics", "graphics-drafts"):
        shutil.copytree(built / name, tmp_path / name)
    return tmp_path


def toolkit(root: Path, *args: str, command: list[str] = TOOLKIT, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`toolkit --config <root>/config/campaign.yaml graphics build ARGS…` as a process."""
    return subprocess.run([*command, "--config", str(root / "config" / "campaign.yaml"),
                           "graphics", "build", *args], capture_output=True, text=True,
                          cwd=cwd or root, env={**ENV, **(env or {})})


def stamps(root: Path) -> list[Path]:
    """The stamps beside the project's config."""
    return sorted((root / "config" / ".cache").glob("graphics-build-*.json"))


def warm(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """A build that writes its stamp (a run that starts within 20 ms of a file's change writes
    none, so the next one does)."""
    for _ in range(3):
        done = toolkit(root, *args, **kw)
        assert done.returncode == 0, done.stderr
        if stamps(root):
            return done
    raise AssertionError("no stamp written")


def mark(root: Path) -> None:
    """Make every stamp's recorded answer a sentinel only a replay prints."""
    for path in stamps(root):
        stamp = json.loads(path.read_text(encoding="utf-8"))
        stamp["stdout"] = SENTINEL
        path.write_text(json.dumps(stamp), encoding="utf-8")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args, drafts", [((), False), (("--include-unverified",), True)])
def test_a_warm_run_replays_exactly_what_a_full_warm_run_prints(project: Path, args, drafts):
    full = warm(project, *args)
    (stamp,) = stamps(project)
    inode = stamp.stat().st_ino
    replay = toolkit(project, *args)
    assert (replay.returncode, replay.stdout, replay.stderr) == (0, full.stdout, "")
    assert stamp.stat().st_ino == inode  # not rewritten: the whole build never ran
    stamp.unlink()  # the fast path off: the whole build answers the same
    again = toolkit(project, *args)
    assert (again.returncode, again.stdout, again.stderr) == (0, replay.stdout, "")
    assert ("DRAFTS (unverified, not for supporters): rendered 0, unchanged 20, total 20"
            in replay.stdout) is drafts
    if not drafts:
        assert replay.stdout == SUMMARY
    mark(project)
    assert toolkit(project, *args).stdout == SENTINEL  # the answer came from the stamp


def test_python_m_toolkit_goes_through_the_same_check(project: Path):
    command = [sys.executable, "-m", "toolkit"]
    full = warm(project, command=command)
    mark(project)
    replay = toolkit(project, command=command)
    assert (full.stdout, replay.returncode, replay.stdout) == (SUMMARY, 0, SENTINEL)


def test_an_edited_post_renders_its_graphics_again(project: Path):
    warm(project)
    mark(project)
    png = project / "graphics" / "msg-right-to-asylum-x-en.png"
    before = sha(png)
    edit(project / "posts" / "cards.yaml", "Seeking asylum is a human right.",
         "Seeking asylum is a right.")
    done = toolkit(project)
    assert done.stdout.startswith("rendered 5, unchanged 75, total 80")
    assert sha(png) != before


def test_a_new_posts_file_is_read(project: Path):
    warm(project)
    mark(project)
    (project / "posts" / "more.yaml").write_text(
        "cards:\n  - id: msg-new\n    layout: message\n"
        "    text: {en: \"Asylum now.\", es: \"Asilo ya.\"}\n", encoding="utf-8")
    done = toolkit(project)
    assert done.stdout.startswith("rendered 10, unchanged 80, total 90")
    assert (project / "graphics" / "msg-new-story-es.png").is_file()


def test_an_edited_config_is_read(project: Path):
    warm(project)
    mark(project)
    with (project / "config" / "campaign.yaml").open("a", encoding="utf-8") as f:
        f.write("# a comment changes no graphic, but the config is read again\n")
    assert toolkit(project).stdout == SUMMARY


def test_a_retargeted_posts_symlink_is_read(project: Path):
    (project / "posts").rename(project / "posts-v1")
    shutil.copytree(project / "posts-v1", project / "posts-v2")
    edit(project / "posts-v2" / "cards.yaml", "Seeking asylum is a human right.",
         "Seeking asylum is a right.")
    (project / "posts").symlink_to("posts-v1")
    warm(project)
    mark(project)
    (project / "posts").unlink()
    (project / "posts").symlink_to("posts-v2")
    assert toolkit(project).stdout.startswith("rendered 5, unchanged 75, total 80")


def test_a_retargeted_config_symlink_is_read(project: Path):
    config = project / "config" / "campaign.yaml"
    config.rename(project / "config" / "a.yaml")
    other = project / "config" / "b.yaml"
    other.write_text((project / "config" / "a.yaml").read_text(encoding="utf-8"),
                     encoding="utf-8")
    with other.open("a", encoding="utf-8") as f:
        f.write("# another file, the same settings\n")
    config.symlink_to("a.yaml")
    warm(project)
    mark(project)
    config.unlink()
    config.symlink_to("b.yaml")
    assert toolkit(project).stdout == SUMMARY  # the whole build answered, not the stamp


def test_replaying_into_a_closed_pipe_is_quiet_as_the_whole_build(project: Path):
    warm(project)
    command = [*TOOLKIT, "--config", str(project / "config" / "campaign.yaml"), "graphics",
               "build"]
    for _ in range(2):  # from the stamp, then (stamp removed) the whole build
        reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
        reader.wait()
        done = subprocess.run(command, stdout=reader.stdin, stderr=subprocess.PIPE,
                              text=True, cwd=project, env=ENV)
        reader.stdin.close()
        assert (done.returncode, done.stderr) == (1, "")
        for stamp in stamps(project):
            stamp.unlink()


def test_a_deleted_png_is_rendered_again(project: Path):
    warm(project)
    mark(project)
    png = project / "graphics" / "stat-attacks-square-es.png"
    before = sha(png)
    png.unlink()
    done = toolkit(project)
    assert done.stdout.startswith("rendered 1, unchanged 79, total 80")
    assert sha(png) == before


def test_a_png_overwritten_with_its_size_and_mtime_kept_is_rendered_again(project: Path):
    warm(project)
    mark(project)
    png = project / "graphics" / "stat-attacks-square-es.png"
    before, st = sha(png), png.stat()
    png.write_bytes(b"\0" * st.st_size)
    os.utime(png, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (png.stat().st_size, png.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    done = toolkit(project)
    assert done.stdout.startswith("rendered 1, unchanged 79, total 80")
    assert sha(png) == before


def test_a_touched_toolkit_source_file_means_a_whole_build(project: Path, tmp_path: Path):
    code = tmp_path / "code"  # a copy of the package, so the repository is never touched
    shutil.copytree(ROOT / "toolkit", code / "toolkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    command, env = [sys.executable, "-m", "toolkit"], {"PYTHONPATH": str(code)}
    warm(project, command=command, env=env)
    covered = json.loads(stamps(project)[0].read_text(encoding="utf-8"))["files"]
    render = code / "toolkit" / "graphics" / "render.py"
    assert str(render) in [entry[0] for entry in covered]
    mark(project)
    assert toolkit(project, command=command, env=env).stdout == SENTINEL
    os.utime(render)
    assert toolkit(project, command=command, env=env).stdout == SUMMARY


@pytest.mark.parametrize("args, env, cwd", [
    (("--include-unverified",), None, None),
    (("--out", "./graphics"), None, None),
    ((), {"TOOLKIT_STORE_URL": "sqlite:///other.db"}, None),
    ((), None, "config"),
])
def test_another_option_variable_or_folder_is_another_command(project: Path, args, env, cwd):
    warm(project)
    mark(project)
    done = toolkit(project, *args, env=env, cwd=project / cwd if cwd else None)
    assert done.returncode == 0 and done.stdout != SENTINEL
    if args == ("--out", "./graphics"):  # the same folder, another command line
        assert done.stdout == SUMMARY
    elif cwd:
        assert done.stdout.startswith(f"rendered 0, unchanged 80, total 80 → {project}/graphics/")
    elif env:
        assert done.stdout == SUMMARY
    else:
        assert "DRAFTS (unverified, not for supporters): rendered 0, unchanged 20" in done.stdout
    assert toolkit(project).stdout == SENTINEL  # the first command's stamp still holds


def test_force_always_renders_and_leaves_no_stamp_of_its_own(project: Path):
    warm(project)
    (plain,) = stamps(project)
    done = toolkit(project, "--force")
    assert done.stdout.startswith("rendered 80, unchanged 0, total 80")
    assert stamps(project) == [plain]
    mark(project)
    assert toolkit(project).stdout == SUMMARY  # --force rewrote the PNGs: a whole build


def test_a_failed_build_leaves_no_stamp(project: Path):
    warm(project)
    mark(project)
    edit(project / "config" / "campaign.yaml", 'accent: "#f4b63f"', 'accent: "#1f3560"')
    done = toolkit(project)
    assert done.returncode == 1 and "Error: the brand fails its contrast check" in done.stderr
    assert stamps(project) == []
    edit(project / "config" / "campaign.yaml", 'accent: "#1f3560"', 'accent: "#f4b63f"')
    assert toolkit(project).stdout == SUMMARY


def test_a_new_day_means_a_whole_build(project: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]):
    monkeypatch.chdir(project)
    config = str(project / "config" / "campaign.yaml")
    monkeypatch.setattr(sys, "argv", ["toolkit", "--config", config, "graphics", "build"])

    def run() -> str:
        try:
            launch.main()
        except SystemExit as exc:
            assert exc.code in (0, None)
        return capsys.readouterr().out

    for _ in range(3):  # in this process: its own stamp (another interpreter path)
        assert run() == SUMMARY
        if stamps(project):
            break
    mark(project)
    assert run() == SENTINEL
    monkeypatch.setattr(uptodate, "days", lambda now_ns=None: ["2999-01-01", "2999-01-02"])
    assert run() == SUMMARY
    (stamp,) = stamps(project)
    assert json.loads(stamp.read_text(encoding="utf-8"))["days"] == ["2999-01-01", "2999-01-02"]


@pytest.mark.parametrize("args, config", [
    (["graphics", "build"], "config/campaign.yaml"),
    (["--config", "x.yaml", "graphics", "build", "--out", "o"], "x.yaml"),
    (["--config=y.yaml", "--config", "x.yaml", "graphics", "build"], "x.yaml"),
    (["graphics", "build", "--force"], None),
    (["graphics", "build", "-h"], None),
    (["graphics", "sheet", "stat-attacks"], None),
    (["--configx", "graphics", "build"], None),
    (["--config"], None),
    (["check"], None),
])
def test_only_a_graphics_build_command_line_is_considered(args, config, monkeypatch):
    monkeypatch.delenv("TOOLKIT_CONFIG", raising=False)
    assert launch.graphics_build_config(args) == (config and os.path.join(*config.split("/")))


GUARD = r"""
import json, os, sys

out, args = sys.argv[1], json.loads(sys.argv[2])
seen = []


def hook(event, hook_args):
    if event not in ("open", "os.listdir", "os.scandir"):
        return
    path = hook_args[0]
    if path is None or isinstance(path, int) or path == out:
        return
    frame = sys._getframe(1)
    while frame is not None:  # the import system reading modules is not the build
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return
        frame = frame.f_back
    seen.append(os.path.abspath(os.fsdecode(path)))


sys.addaudithook(hook)
sys.argv = ["toolkit", *args]
from toolkit.surfaces.launch import main

try:
    main()
finally:
    with open(out, "w") as f:
        json.dump(seen, f)
"""


def test_the_stamp_covers_every_file_the_build_reads(project: Path, tmp_path: Path):
    import zoneinfo

    warm(project, "--include-unverified")
    args = ["--config", str(project / "config" / "campaign.yaml"), "graphics", "build",
            "--include-unverified"]
    log = tmp_path / "seen.json"
    for _ in range(3):  # a whole build (no stamp), which writes its stamp
        for path in stamps(project):
            path.unlink()
        done = subprocess.run([sys.executable, "-c", GUARD, str(log), json.dumps(args)],
                              capture_output=True, text=True, cwd=project, env=ENV)
        assert done.returncode == 0, done.stderr
        if stamps(project):
            break
    (stamp,) = stamps(project)
    covered = {os.path.realpath(e[0]) for e in
               json.loads(stamp.read_text(encoding="utf-8"))["files"]}
    skip = (os.path.realpath(project / "config" / ".cache"),  # the stamp; the length cache
            *(os.path.realpath(p) for p in zoneinfo.TZPATH),  # system time zone data
            os.path.realpath(sys.base_prefix))  # the standard library
    read = {os.path.realpath(p) for p in json.loads(log.read_text(encoding="utf-8"))}
    read = {p for p in read if not p.endswith((".py", ".pyc", ".so"))
            and not p.startswith(skip) and p != os.devnull}
    assert read - covered == set()
    # the guard sees the build's own reads: leaving one of them out of the stamp fails it
    names = {os.path.basename(p) for p in read}
    assert {"campaign.yaml", "cards.yaml", "Lato-Black.ttf", "manifest.json", "posts"} <= names


def cold(root: Path) -> None:
    """Leave the project with no graphics, drafts or stamps, its inputs older than the next
    run's start (a file changed within 20 ms of a run's start counts as changed during it)."""
    for name in ("graphics", "graphics-drafts", "config/.cache"):
        shutil.rmtree(root / name, ignore_errors=True)
    time.sleep(0.05)


@pytest.mark.parametrize("args", [(), ("--include-unverified",)])
def test_a_cold_build_writes_its_stamp_and_the_very_next_run_replays(project: Path, args):
    cold(project)
    done = toolkit(project, *args)
    assert done.returncode == 0 and done.stdout.startswith("rendered 80, unchanged 0, total 80")
    (stamp,) = stamps(project)  # the PNGs and manifests it wrote do not refuse the stamp
    covered = [e[0] for e in json.loads(stamp.read_text(encoding="utf-8"))["files"]]
    assert str(project / "graphics" / "manifest.json") in covered
    assert str(project / "graphics" / "stat-attacks-x-en.png") in covered
    mark(project)
    assert toolkit(project, *args).stdout == SENTINEL


#: `toolkit ARGS…` (sys.argv[3:]) whose build, right after writing the graphics, changes the
#: file sys.argv[2]: touched (`touch`), or rewritten in place with its size kept (`rewrite`)
DURING = r"""
import os, sys

import toolkit.graphics.build as build_module

how, target = sys.argv[1], sys.argv[2]
real = build_module.build_into


def build_into(*args, **kwargs):
    result = real(*args, **kwargs)
    if how == "touch":
        os.utime(target)
    else:
        with open(target, "r+b") as f:
            data = f.read()
            f.seek(0)
            f.write(bytes(len(data)))
    return result


build_module.build_into = build_into
sys.argv = ["toolkit", *sys.argv[3:]]
from toolkit.surfaces.launch import main

main()
"""


def during(root: Path, how: str, target: Path) -> subprocess.CompletedProcess:
    """A cold build of `root` that changes `target` while it runs (`DURING`)."""
    args = ["--config", str(root / "config" / "campaign.yaml"), "graphics", "build"]
    done = subprocess.run([sys.executable, "-c", DURING, how, str(target), *args],
                          capture_output=True, text=True, cwd=root, env=ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout == SUMMARY.replace("rendered 0, unchanged 80", "rendered 80, unchanged 0")
    return done


@pytest.mark.parametrize("what", ["posts/cards.yaml", "config/campaign.yaml", "posts"])
def test_an_input_changed_during_a_build_refuses_the_stamp(project: Path, what: str):
    cold(project)
    during(project, "touch", project / what)
    assert stamps(project) == []
    assert toolkit(project).stdout == SUMMARY  # a whole build, which writes the stamp


def test_a_file_the_build_wrote_changed_again_during_the_run_refuses_the_stamp(project: Path):
    cold(project)
    png = project / "graphics" / "stat-attacks-square-es.png"
    during(project, "rewrite", png)
    assert stamps(project) == []
    done = toolkit(project)
    assert done.stdout.startswith("rendered 1, unchanged 79, total 80")
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("change", ["rewrite", "delete", "manifest"])
def test_an_output_changed_after_a_cold_build_means_a_real_build(project: Path, change: str):
    cold(project)
    assert toolkit(project).returncode == 0
    assert stamps(project)
    mark(project)
    png = project / "graphics" / "stat-attacks-square-es.png"
    good = png.read_bytes()
    if change == "rewrite":
        png.write_bytes(bytes(len(good)))
    elif change == "delete":
        png.unlink()
    else:
        edit(project / "graphics" / "manifest.json", '"stat-attacks-square-es.png"',
             '"stat-attacks-square-es.png" ')
    done = toolkit(project)
    assert done.returncode == 0 and done.stdout != SENTINEL
    assert done.stdout.startswith("rendered 1, unchanged 79, total 80" if change != "manifest"
                                  else "rendered 0, unchanged 80, total 80")
    assert png.read_bytes() == good
