"""Review of issue 23's editor: files and values a person may leave in `posts/` (CRLF line
endings, YAML merge keys, words YAML 1.1 reads as booleans), written back without harm."""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from toolkit.app import Toolkit
from toolkit.config import load_config
from toolkit.editing.save import loaded
from toolkit.editing.service import save_message
from toolkit.errors import InputError
from toolkit.library.writer import updated_text

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
TEXTS = {"text_en": "Call your senator and ask them to protect asylum.",
         "text_es": "Llama a tu senador y pídele que proteja el asilo."}


@pytest.fixture(autouse=True)
def pinned(pin_clock) -> None:
    """The tests act at NOW."""
    pin_clock(NOW)


@pytest.fixture
def tk(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project.parent.parent)
    toolkit = Toolkit(load_config(project))
    yield toolkit
    toolkit.close()


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


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=Seed", "-c",
                           "user.email=seed@example.org", *args], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.slow  # git in subprocesses, from threads
def test_two_saves_at_once_in_one_file_are_two_commits_by_their_authors(tk: Toolkit) -> None:
    repo = tk.config.posts_dir.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "seed")
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
    log = _git(repo, "log", "--format=%an", "--numstat", f"-{len(ids)}").split()
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
