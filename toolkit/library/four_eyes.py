"""The optional four-eyes rule (`review.second_person: true`): nobody approves a post they
queued themselves. Who queued a post is read from its audit log. `Planner.approve` applies it,
so it holds on every path (command line, review app); the app also asks before approving."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toolkit.core.config import Config

#: how the command line records the OS user beside a `--by` name
OS_USER = " (OS user {})"


def person(actor: str | None) -> str | None:
    """The person an actor names: `maria (OS user deploy)` is maria."""
    if actor is None:
        return None
    head, sep, tail = actor.rpartition(OS_USER.split("{")[0])
    return head if sep and tail.endswith(")") else actor


#: why a post is not approved under the four-eyes rule
FOUR_EYES = ("four-eyes rule: you queued this post yourself, so another lead must approve it "
             "(review.second_person)")


def four_eyes_refusals(config: Config, store: Any, post_ids: Sequence[str],
                       approver: str) -> dict[str, str]:
    """The posts among `post_ids` that `approver` may not approve under the four-eyes rule,
    each with the reason (none when the rule is off)."""
    if not config.second_person or not post_ids:
        return {}
    queued = store.queued_by(list(post_ids))
    return {pid: FOUR_EYES for pid in post_ids if person(queued.get(pid)) == person(approver)}


def four_eyes_refusal(config: Config, store: Any, post_id: str, approver: str) -> str | None:
    """Why `approver` may not approve the post under the four-eyes rule, or None."""
    return four_eyes_refusals(config, store, [post_id], approver).get(post_id)
