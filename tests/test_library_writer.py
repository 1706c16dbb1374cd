"""Issue 23: the library written back as a person would (round-trip YAML, only the edited lines
change), the check gate, concurrent edits, git authorship, the four-eyes rule on facts, and bad
input (one clear message each, nothing half-written)."""

from __future__ import annotations

import copy
import errno
import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from toolkit.core.config import load_config
from toolkit.core.errors import InputError
from toolkit.library.writer import find, parse, plain, updated_text
from toolkit.surfaces.app import Toolkit
from toolkit.surfaces.editing.fields import MAX_TEXT
from toolkit.surfaces.editing.save import Change, Conflict, loaded, save
from toolkit.surfaces.editing.service import FormError, delete_message, save_message, verify_fact

FIXTURE = Path(__file__).parent / "fixtures" / "editor" / "odd.yaml"
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
TEXTS = {"text_en": "Call your senator and ask them to protect asylum.",
         "text_es": "Llama a tu senador y pídele que proteja el asilo."}


def git(folder: Path, *args: str) -> str:
    """Run git in `folder` with a fixed identity; its output."""
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=Seed", "-c",
                           "user.email=seed@example.org", *args], check=True,
                          capture_output=True, text=True).stdout


def as_repo(folder: Path) -> None:
    """Make `folder` a git work tree with everything in it committed."""
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "seed")


@pytest.fixture(autouse=True)
def pinned(pin_clock) -> None:
    """The tests act at NOW (queueing, checking): the clock says so too."""
    pin_clock(NOW)


@pytest.fixture
def tk(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project.parent.parent)
    toolkit = Toolkit(load_config(project))
    yield toolkit
    toolkit.close()


def edited(item: dict, **changes) -> dict:
    new = copy.deepcopy(item)
    for key, value in changes.items():
        if isinstance(value, dict):
            new.setdefault(key, {}).update(value)
        else:
            new[key] = value
    return new


@pytest.mark.parametrize(("item_id", "changes", "numstat"), [
    ("odd-one", {"text": {"en": "Changed"}}, "1\t1"),
    ("odd-two", {"text": {"es": "Cambiado"}}, "1\t2"),
    ("odd-two", {"platforms": ["x"]}, "1\t1"),
    ("odd-one", {"theme": "courts"}, "1\t1"),
])
def test_an_edit_changes_only_its_own_lines(tmp_path: Path, item_id, changes, numstat) -> None:
    shutil.copy(FIXTURE, tmp_path / "odd.yaml")
    as_repo(tmp_path)
    text = FIXTURE.read_text(encoding="utf-8")
    data = parse(text)
    item = plain(data["messages"][find(data, "messages", item_id)])
    (tmp_path / "odd.yaml").write_text(updated_text(text, "messages", item_id,
                                                    edited(item, **changes)), encoding="utf-8")
    assert git(tmp_path, "diff", "--numstat").split("\todd.yaml")[0] == numstat
    after = plain(parse((tmp_path / "odd.yaml").read_text(encoding="utf-8")))
    assert after["messages"][find(data, "messages", item_id)] == edited(item, **changes)
    assert "# a comment before link" in (tmp_path / "odd.yaml").read_text(encoding="utf-8")


def test_a_new_item_is_appended_and_a_removed_one_leaves_the_rest(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    added = updated_text(text, "messages", None, {"id": "n", "theme": "call",
                                                  "text": {"en": "A b", "es": "C d"}})
    assert added.startswith(text.rstrip("\n").rsplit("\n", 1)[0])  # everything before stays
    assert "    - id: n\n      theme: call\n" in added
    assert updated_text(added, "messages", "n", None).splitlines() == text.splitlines()


def test_cli_new_edit_and_the_real_library_diff_is_minimal(run_cli, project: Path) -> None:
    posts = project.parent.parent / "posts"
    as_repo(posts.parent)
    result = run_cli("library", "new", "call-senator", "--theme", "call", "--text",
                     "en=" + TEXTS["text_en"], "--text", "es=" + TEXTS["text_es"],
                     "--link", "campaign", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert git(posts.parent, "show", "--numstat", "--format=%an", "HEAD").split() == [
        "sam", "7", "0", "posts/messages.yaml"]
    result = run_cli("library", "edit", "violence-attacks", "--theme", "courts", "--by", "sam")
    assert result.exit_code == 0, result.output
    assert git(posts.parent, "show", "--numstat", "--format=", "HEAD").split() == [
        "1", "1", "posts/messages.yaml"]


def test_check_errors_are_refused_and_nothing_is_written(run_cli, project: Path) -> None:
    messages = project.parent.parent / "posts" / "messages.yaml"
    before = messages.read_bytes()
    for text, expected in (("There are 5000 people waiting.", "the number '5000'"),
                           ("At least {no-such-figure} people.",
                            "names unknown statistic '{no-such-figure}'")):
        result = run_cli("library", "new", "call-bad", "--theme", "call", "--text", f"en={text}",
                         "--text", "es=" + TEXTS["text_es"], "--link", "campaign")
        assert result.exit_code == 1
        assert "error: message 'call-bad' (en)" in result.output and expected in result.output
        assert "Traceback" not in result.output
    assert messages.read_bytes() == before


def test_a_warning_is_shown_and_saved(tk: Toolkit) -> None:
    form = {"id": "call-unverified", "theme": "call", "link": "campaign",
            "text_en": "About {violence-first-year} cases of extreme violence were reported.",
            "text_es": "Se reportaron unos {violence-first-year} casos de violencia extrema."}
    saved = save_message(tk, form, None, "sam", NOW)
    assert any("uses unverified statistic 'violence-first-year'" in w.message
               for w in saved.warnings)
    assert loaded(tk.config, "messages", "call-unverified") is not None


@pytest.mark.parametrize(("form", "field", "words"), [
    ({"id": "violence-attacks"}, "id", "already used"),
    ({"id": "Not A Slug"}, "id", "lowercase letters, digits and hyphens"),
    ({"id": "ok-id", "text_en": "x" * 100_000}, "text_en", f"at most {MAX_TEXT:,}"),
    ({"id": "ok-id", "text_es": ""}, "text_es", "is empty"),
    ({"id": "ok-id", "platforms": "x myspace"}, "platforms", "unknown platform 'myspace'"),
    ({"id": "ok-id", "platforms": []}, "platforms", "choose at least one platform"),
])
def test_bad_fields_name_their_field(tk: Toolkit, form, field, words) -> None:
    before = (tk.config.posts_dir / "messages.yaml").read_bytes()
    with pytest.raises(FormError) as refused:
        save_message(tk, {"theme": "call", "link": "campaign", **TEXTS, **form}, None, "sam", NOW)
    assert (field, ) == tuple({name for name, _ in refused.value.problems.items})
    assert words in refused.value.message
    assert (tk.config.posts_dir / "messages.yaml").read_bytes() == before


def test_html_is_kept_as_text(tk: Toolkit) -> None:
    form = {"id": "call-html", "theme": "call", "link": "campaign", **TEXTS,
            "text_en": "Write to <b>Congress</b> <script>alert('x')</script> today."}
    save_message(tk, form, None, "sam", NOW)
    assert loaded(tk.config, "messages", "call-html")[1]["text"]["en"] == form["text_en"]


def test_the_second_of_two_edits_from_the_same_version_is_refused(tk: Toolkit) -> None:
    _, item, base = loaded(tk.config, "messages", "violence-attacks")
    form = {"theme": "courts", "link": "campaign", "card": item.get("card", ""),
            **{f"text_{k}": v for k, v in item["text"].items()}}
    save_message(tk, form, "violence-attacks", "sam", NOW, base)
    with pytest.raises(Conflict) as refused:
        save_message(tk, {**form, "theme": "asylum"}, "violence-attacks", "ana", NOW, base)
    assert "someone changed message 'violence-attacks'" in refused.value.message
    assert "theme: courts" in refused.value.theirs
    assert loaded(tk.config, "messages", "violence-attacks")[1]["theme"] == "courts"


def test_a_file_changed_on_disk_is_refused_only_where_it_matters(tk: Toolkit) -> None:
    path, item, base = loaded(tk.config, "messages", "violence-attacks")
    form = {"theme": "courts", "link": "campaign", "card": item.get("card", ""),
            **{f"text_{k}": v for k, v in item["text"].items()}}
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    theme: violence\n", "    theme: by-hand\n", 1),
                    encoding="utf-8")  # someone's editor saved the same message meanwhile
    with pytest.raises(Conflict) as refused:
        save_message(tk, form, "violence-attacks", "sam", NOW, base)
    assert "theme: by-hand" in refused.value.theirs
    path.write_text(text + "# a note added by hand at the end\n", encoding="utf-8")
    save_message(tk, form, "violence-attacks", "sam", NOW, base)  # another part: saved
    after = path.read_text(encoding="utf-8")
    assert after.endswith("# a note added by hand at the end\n")
    assert "    theme: courts\n" in after


def test_two_saves_at_once_one_wins(tk: Toolkit) -> None:
    _, item, base = loaded(tk.config, "messages", "violence-attacks")
    outcomes: list[str] = []

    def run(theme: str) -> None:
        change = Change("messages", "violence-attacks", edited(item, theme=theme), theme, base)
        try:
            save(tk.config, change)
            outcomes.append("saved " + theme)
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=run, args=(t,)) for t in ("courts", "asylum")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "refused" and len(outcomes) == 2
    winner = outcomes[0] if outcomes[0] != "refused" else outcomes[1]
    assert loaded(tk.config, "messages", "violence-attacks")[1]["theme"] == winner.split()[1]


def test_a_read_only_posts_folder_is_one_clear_line(tk: Toolkit, monkeypatch) -> None:
    posts = tk.config.posts_dir
    before = {p.name: p.read_bytes() for p in posts.iterdir()}
    posts.chmod(0o555)
    if os.geteuid() == 0:  # root writes anyway: the folder refuses as it would anyone else
        import tempfile

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        with pytest.raises(InputError) as refused:
            save_message(tk, {"id": "call-ro", "theme": "call", "link": "campaign", **TEXTS},
                         None, "sam", NOW)
    finally:
        posts.chmod(0o755)
    assert "cannot be written (Permission denied: is the posts folder read-only?)" in \
        refused.value.message
    assert {p.name: p.read_bytes() for p in posts.iterdir()} == before


def test_git_commit_is_authored_by_the_user_and_holds_only_the_posts_file(tk: Toolkit) -> None:
    root = tk.config.posts_dir.parent
    as_repo(root)
    (root / "config" / "campaign.yaml").write_text("# staged, not the editor's\n" + (
        root / "config" / "campaign.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    git(root, "add", "config/campaign.yaml")
    saved = save_message(tk, {"id": "call-git", "theme": "call", "link": "campaign", **TEXTS},
                         None, "ana", NOW, email="ana@example.org", store=tk.store)
    assert saved.commit and not saved.commit_problem
    assert git(root, "log", "-1", "--format=%an <%ae>|%s").strip() == \
        "ana <ana@example.org>|Add message call-git"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [
        "posts/messages.yaml"]
    assert "config/campaign.yaml" in git(root, "diff", "--cached", "--name-only")
    from toolkit.store.library_log import edits_of

    [entry] = edits_of(tk.store, "call-git")
    assert (entry.actor, entry.action, entry.before) == ("ana", "new", None)
    assert "id: call-git" in entry.after


def test_four_eyes_on_verifying_a_fact(run_cli, project: Path) -> None:
    args = ["library", "propose", "statistic", "test-figure", "--value", "1234",
            "--label", "en=at least 1,234 people", "--label", "es=al menos 1,234 personas",
            "--scope", "en=at least", "--scope", "es=al menos", "--source-name", "Test org",
            "--source-url", "https://example.org/report", "--as-of", "2024-05"]
    assert run_cli(*args, "--by", "sam").exit_code == 0
    listed = run_cli("library", "--json")
    assert '"proposed_by": "sam"' in listed.output and '"verified": false' in listed.output
    refused = run_cli("library", "verify", "test-figure", "--by", "sam")
    assert refused.exit_code == 1
    assert "four-eyes rule: you proposed 'test-figure' yourself" in refused.output
    assert run_cli("library", "verify", "test-figure", "--by", "maria").exit_code == 0
    text = (project.parent.parent / "posts" / "statistics.yaml").read_text(encoding="utf-8")
    assert "verified: true\n    proposed_by: sam\n    verified_by: maria\n    verified_at:" in text


def test_verify_by_staff_is_refused(tk: Toolkit) -> None:
    with pytest.raises(InputError, match="only a lead"):
        verify_fact(tk, "violence-first-year", "sam", NOW, lead=False)


def test_delete_is_refused_while_posts_are_queued(tk: Toolkit) -> None:
    pid = tk.planner().add("violence-attacks", "bluesky", "en", None, NOW, "sam")
    with pytest.raises(InputError) as refused:
        delete_message(tk, "violence-attacks", "sam", NOW)
    assert f"has 1 queued or approved post: {pid} (draft, bluesky, en)" in refused.value.message
    save_message(tk, {"id": "call-gone", "theme": "call", "link": "campaign", **TEXTS},
                 None, "sam", NOW)
    delete_message(tk, "call-gone", "sam", NOW)
    assert loaded(tk.config, "messages", "call-gone") is None


@pytest.mark.slow  # builds every graphic and the site
def test_html_in_a_message_is_text_on_the_supporter_site(run_cli, project: Path,
                                                         tmp_path: Path) -> None:
    script = "Write to Congress <script>alert('x')</script> <b>today</b>."
    assert run_cli("library", "new", "call-html", "--theme", "call", "--link", "campaign",
                   "--text", f"en={script}", "--text", "es=" + TEXTS["text_es"]).exit_code == 0
    assert run_cli("graphics", "build").exit_code == 0
    assert run_cli("site", "build", "--out", str(tmp_path / "site")).exit_code == 0
    page = (tmp_path / "site" / "posts.html").read_text(encoding="utf-8")  # the ready posts
    assert "&lt;script&gt;alert" in page and "<script>alert" not in page


def test_a_users_commit_address_is_set_on_the_command_line(run_cli, tk: Toolkit) -> None:
    from toolkit.store.web import WebStore

    added = run_cli("users", "add", "lee", "--role", "staff", "--password-stdin",
                    "--email", "lee@example.org", input="a-long-password-1\n")
    assert added.exit_code == 0, added.output
    assert run_cli("users", "email", "lee", "lee.b@example.org").exit_code == 0
    assert WebStore(tk.store).user("lee").email == "lee.b@example.org"
    refused = run_cli("users", "email", "lee", "not an address")
    assert refused.exit_code == 1
    assert refused.output == "Error: 'not an address' is not an e-mail address like " \
        "name@example.org\n"


# Found in review: files and values a person may leave in posts/, saves at once.

def test_a_word_yaml_reads_as_true_is_saved_as_text(tk: Toolkit) -> None:
    save_message(tk, {"id": "yes", "theme": "on", "link": "campaign", **TEXTS}, None, "sam",
                 NOW)
    found = loaded(tk.config, "messages", "yes")
    assert found is not None and found[1]["theme"] == "on"
    assert "yes" in Toolkit(tk.config).library.messages


def test_a_file_with_crlf_line_endings_keeps_them(tk: Toolkit) -> None:
    path = tk.config.posts_dir / "messages.yaml"
    original = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(original.encode("utf-8"))
    _, item, base = loaded(tk.config, "messages", "violence-attacks")
    form = {"theme": "courts", "link": item.get("link", ""), "card": item.get("card", ""),
            **{f"text_{k}": v for k, v in item["text"].items()}}
    save_message(tk, form, "violence-attacks", "sam", NOW, base)
    after = path.read_bytes().decode("utf-8")
    assert after.count("\n") == after.count("\r\n") == original.count("\r\n")
    changed = [pair for pair in zip(original.split("\r\n"), after.split("\r\n"), strict=True)
               if pair[0] != pair[1]]
    assert changed == [("    theme: violence", "    theme: courts")]


def test_an_item_using_a_yaml_merge_key_is_refused_in_one_line() -> None:
    text = ("defaults: &d\n  theme: call\n  link: campaign\nmessages:\n  - id: a\n    <<: *d\n"
            "    text: {en: hi}\n")
    with pytest.raises(InputError) as refused:
        updated_text(text, "messages", "a", {"id": "a", "theme": "courts", "link": "campaign",
                                             "text": {"en": "hi"}})
    assert "edit the file by hand" in refused.value.message


@pytest.mark.slow  # git in subprocesses, from threads
def test_two_saves_at_once_in_one_file_are_two_commits_by_their_authors(tk: Toolkit) -> None:
    repo = tk.config.posts_dir.parent
    as_repo(repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nsleep 0.5\n", encoding="utf-8")  # a slow git: a big index,
    hook.chmod(0o755)  # a busy disk; another save must not slip in between write and commit
    ids = ("violence-attacks", "violence-children-kidnapped", "violence-over-1500")
    users = [f"user{n}" for n in range(len(ids))]
    forms = {}
    for message_id in ids:
        _, item, base = loaded(tk.config, "messages", message_id)
        forms[message_id] = ({"theme": "courts", "link": item.get("link", ""),
                              "card": item.get("card", ""),
                              **{f"text_{k}": v for k, v in item["text"].items()}}, base)
    start = threading.Barrier(len(ids))
    problems: list[str] = []

    def run(message_id: str, user: str) -> None:
        start.wait()
        form, base = forms[message_id]
        try:
            saved = save_message(tk, form, message_id, user, NOW, base, f"{user}@example.org")
        except Exception as exc:  # the test shows what went wrong
            problems.append(repr(exc))
        else:
            problems.append(saved.commit_problem)

    threads = [threading.Thread(target=run, args=pair) for pair in zip(ids, users, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == [""] * len(ids)
    log = git(repo, "log", "--format=%an", "--numstat", f"-{len(ids)}").split()
    assert sorted(log) == sorted([w for u in users for w in (u, "1", "1", "posts/messages.yaml")])


def test_a_line_separator_pasted_from_a_word_processor_is_a_line_break(tk: Toolkit) -> None:
    """U+2028 was kept (an odd character on every platform) or, in a short text, refused as
    "cannot be written into the file without touching other lines"."""
    texts = {**TEXTS, "text_en": "Call your senator\u2028and ask them to protect asylum."}
    save_message(tk, {"id": "call-pasted", "theme": "call", "link": "campaign", **texts},
                 None, "sam", NOW)
    found = loaded(tk.config, "messages", "call-pasted")
    assert found is not None
    assert found[1]["text"]["en"] == "Call your senator\nand ask them to protect asylum."


def test_a_link_with_a_space_is_refused_by_name(tk: Toolkit) -> None:
    """It was saved: every post then ended the link at the space, the UTM tags after it."""
    with pytest.raises(InputError) as refused:
        save_message(tk, {"id": "call-space", "theme": "call", **TEXTS,
                          "link": "https://example.org/act now"}, None, "sam", NOW)
    assert "has a space in it" in refused.value.message
    assert loaded(tk.config, "messages", "call-space") is None
