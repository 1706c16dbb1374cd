"""A figure corrected after approval: the approved text still shows the old one, so the
dispatcher's last check holds the post (back to draft) instead of publishing a figure that its
source no longer gives. Rewording a message is not a correction: its posts go out as approved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import edit
from test_dispatch_facts import AT, _approved

from toolkit.core.config import load_config
from toolkit.scheduler.dispatch import HELD_BY_FACTS
from toolkit.scheduler.runner import build_dispatcher


def test_post_is_held_when_a_figure_it_shows_was_corrected(project: Path) -> None:
    store, pid = _approved(project)
    assert "June 1, 2021" in store.get(pid).text
    edit(project.parent.parent / "posts" / "statistics.yaml",
         'value: 2021-06-01\n    display: {en: "June 1, 2021", es: "1 de junio de 2021"}',
         'value: 2021-06-02\n    display: {en: "June 2, 2021", es: "2 de junio de 2021"}')
    (outcome,) = build_dispatcher(config=load_config(project)).dispatch_due(
        AT + timedelta(seconds=1))
    assert outcome.status == HELD_BY_FACTS
    post = store.get(pid)
    assert post.status == "draft" and "mpp-terminated" in post.last_error
    assert "June 2, 2021" in post.last_error
    assert not list(load_config(project).outbox_dir.glob("*.json"))


def test_a_reworded_message_still_goes_out_as_approved(project: Path) -> None:
    store, pid = _approved(project)
    approved = store.get(pid).text
    edit(project.parent.parent / "posts" / "messages.yaml", "It was a pause, not an end",
         "It was only a pause")
    (outcome,) = build_dispatcher(config=load_config(project)).dispatch_due(AT)
    assert outcome.status == "published"
    assert store.get(pid).text == approved
