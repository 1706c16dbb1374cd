"""Queue operations behind `toolkit queue …`: add, import, approve, cancel, reschedule, resolve.

Approval is where the lead's review becomes binding: the composed text and the media with alt
text are frozen then, and the fact gate refuses any message that uses an unverified statistic.
Editing or rescheduling an approved post sends it back to draft.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.compose import compose_message, require_fit
from toolkit.config import Config
from toolkit.errors import ComposeError, InputError, InvalidTransition, ToolkitError
from toolkit.library import Library
from toolkit.library.gate import blocking_facts
from toolkit.quotas import quota_warnings
from toolkit.slots import next_free_slot, parse_time
from toolkit.store import (
    APPROVED,
    CANCELLED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    PUBLISHED,
    PUBLISHING,
    NewPost,
    Post,
    Store,
)

CSV_COLUMNS = ("message_id", "at", "platform", "lang")
ACTIVE = (DRAFT, APPROVED, PUBLISHING, PUBLISHED)


@dataclass
class Approval:
    """The result of `approve`: ids approved, refusals by id, and quota warnings."""

    approved: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class Planner:
    """Builds and changes queued posts for one config, library and store."""

    def __init__(self, config: Config, library: Library, store: Store) -> None:
        self.config, self.library, self.store = config, library, store
        self._compose = lru_cache(maxsize=None)(self._compose_uncached)
        self._media = lru_cache(maxsize=None)(self._media_uncached)

    # -- adding --------------------------------------------------------------------------------

    def _compose_uncached(self, message_id: str, lang: str, platform: str) -> str:
        composed = compose_message(self.config, self.library, message_id, lang, platform)
        return require_fit(composed, f"message '{message_id}' ({lang}) on {platform}").text

    def new_post(self, message_id: str, platform: str, lang: str, at: datetime) -> NewPost:
        """Validate one request and compose its text (not yet stored)."""
        message = self.library.messages.get(message_id)
        if message is None:
            raise InputError(f"unknown message '{message_id}' (see `toolkit library`)")
        if platform not in self.config.platforms:
            raise InputError(f"unknown platform '{platform}' (configured: "
                             f"{', '.join(self.config.platforms)})")
        if platform != "outbox" and platform not in message.platforms:
            raise InputError(f"message '{message_id}' is not meant for {platform} (its "
                             f"platforms: {', '.join(message.platforms)})")
        if lang not in message.text:
            raise InputError(f"message '{message_id}' has no '{lang}' text")
        account = self.config.account_for(platform)
        if account is None:
            raise InputError(f"no account is configured for platform '{platform}'")
        return NewPost(message_id, lang, platform, account.name,
                       self._compose(message_id, lang, platform), at)

    def add(self, message_id: str, platform: str, lang: str, at: datetime | None,
            now: datetime, actor: str) -> str:
        """Queue one draft (no `at`: the next free posting slot); return its id."""
        if at is None:
            account = self.config.account_for(platform)
            at = self.next_slot(account.name if account else platform, now)
        self._refuse_past(at, now)
        return self.store.add([self.new_post(message_id, platform, lang, at)], actor, now)[0]

    def next_slot(self, account: str, now: datetime) -> datetime:
        """The next posting slot not yet used by `account`."""
        horizon = now + timedelta(days=731)
        taken = self.store.taken_times(account, now, horizon, ACTIVE)
        return next_free_slot(self.config.slots, self.config.timezone, now, taken.__contains__)

    def import_csv(self, path: Path, now: datetime, actor: str) -> list[str]:
        """Add every row of a CSV (`message_id,at,platform,lang`), all or none."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in ("message_id", "at") if c not in header]
        if missing:
            raise InputError(f"{path}:1: missing column(s) {', '.join(missing)} (expected "
                             f"{','.join(CSV_COLUMNS)})")
        new, errors = [], []
        default_lang = self.config.languages[0]
        for row in reader:
            line = reader.line_num
            if None in row:
                errors.append(f"{path}:{line}: more fields than the header's "
                              f"{len(header)} columns")
                continue
            get = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            try:
                at = parse_time(get.get("at", ""), self.config.timezone)
                self._refuse_past(at, now)
                new.append(self.new_post(get["message_id"], get.get("platform") or "x",
                                         get.get("lang") or default_lang, at))
            except ToolkitError as exc:
                errors.append(f"{path}:{line}: {exc.message}")
        if errors:
            raise InputError(f"nothing imported; {len(errors)} bad row(s):\n" + "\n".join(errors))
        return self.store.add(new, actor, now)

    @staticmethod
    def _refuse_past(at: datetime, now: datetime) -> None:
        if at <= now:
            raise InputError(f"{at.isoformat()} is in the past; give a future time")

    # -- approving -----------------------------------------------------------------------------

    def _today(self) -> date:
        return datetime.now(self.config.timezone).date()

    def freeze(self, post: Post | Any) -> dict:
        """The text and media frozen at approval; raises if the post may not be approved."""
        message = self.library.messages.get(post.message_id)
        if message is None:
            raise ComposeError(f"message '{post.message_id}' is no longer in the library")
        blocked = blocking_facts(self.library, message, self._today())
        if blocked:
            raise ComposeError("; ".join(blocked))
        text = self._compose(post.message_id, post.lang, post.platform)
        return {"text": text, "media": self.media_for(message.card, post)}

    def media_for(self, card: str | None, post: Post | Any) -> list[dict]:
        """The message's card as `[{path, alt}]` in the platform's format and post's language."""
        fmt = self.config.platforms[post.platform].card_format
        if not card or not fmt:
            return []
        return self._media(card, fmt, post.lang)

    def _media_uncached(self, card: str, fmt: str, lang: str) -> list[dict]:
        from toolkit.graphics.manifest import find_graphic

        found = find_graphic(self.config.graphics_dir, card, fmt, lang)
        if found is None:
            raise ComposeError(f"card '{card}' has no rendered {fmt} graphic in {lang}; "
                               "run `toolkit graphics build`")
        return [{"path": found["path"], "alt": found["alt"]}]

    def approve(self, ids: Sequence[str] | None, by: str, now: datetime) -> Approval:
        """Approve drafts (all drafts when `ids` is None), freezing text and media."""
        posts = self.store.brief([DRAFT]) if ids is None else self._get_all(ids)
        result = Approval()
        changes = []
        for post in posts:
            if post.status != DRAFT:
                result.refused[post.id] = f"is {post.status}, not draft"
                continue
            if post.scheduled_at <= now:
                result.refused[post.id] = "its time has passed; reschedule it first"
                continue
            try:
                frozen = self.freeze(post)
            except ToolkitError as exc:
                result.refused[post.id] = exc.message
                continue
            changes.append((post.id, DRAFT, {**frozen, "approved_by": by, "approved_at": now}))
        result.approved = self.store.transition_many(changes, APPROVED, by, now, "approved")
        if result.approved:
            result.warnings = quota_warnings(self.config, self.store, now)
        return result

    def _get_all(self, ids: Sequence[str]) -> list:
        found = {p.id: p for p in self.store.brief(ids=list(ids))}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise InputError(f"no post with id {', '.join(unknown)}")
        return [found[i] for i in ids]

    # -- changing ------------------------------------------------------------------------------

    def cancel(self, post_id: str, actor: str, now: datetime) -> Post:
        """Cancel a post that has not gone out."""
        return self.store.transition(post_id, (DRAFT, APPROVED, MISSED, FAILED, NEEDS_CHECK),
                                     CANCELLED, actor, now, "cancelled")

    def reschedule(self, post_id: str, at: datetime, actor: str, now: datetime) -> Post:
        """Move a post to a new time; an approved (or missed, failed) one goes back to draft."""
        self._refuse_past(at, now)
        post = self.store.get(post_id)
        if post.status not in (DRAFT, APPROVED, MISSED, FAILED):
            raise InvalidTransition(f"post {post_id} is {post.status}; it cannot be rescheduled")
        return self.store.transition(post_id, (post.status,), DRAFT, actor, now,
                                     f"rescheduled to {at.isoformat()}", scheduled_at=at,
                                     not_before=None, last_error=None, attempts=0)

    def resolve(self, post_id: str, published_url: str | None, actor: str,
                now: datetime) -> Post:
        """A person settles a `needs_check` or `missed` post: published (with URL) or not."""
        allowed = (NEEDS_CHECK, MISSED, FAILED)
        if published_url:
            return self.store.transition(post_id, allowed, PUBLISHED, actor, now,
                                         "resolved: published", url=published_url,
                                         published_at=now, claim_owner=None,
                                         claim_expires_at=None)
        return self.store.transition(post_id, allowed, DRAFT, actor, now,
                                     "resolved: not published; back to draft",
                                     claim_owner=None, claim_expires_at=None)

    def send_back(self, post_id: str, comment: str, actor: str, now: datetime) -> Post:
        """A lead sends an approved post back to draft, saying why; it must be approved again."""
        return self.store.transition(post_id, (APPROVED,), DRAFT, actor, now,
                                     f"sent back to draft: {comment}", approved_by=None,
                                     approved_at=None)
