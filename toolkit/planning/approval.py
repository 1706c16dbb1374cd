"""Approval, where the lead's review becomes binding: `Approving`, the part of the `Planner`
(`toolkit.planning.queue`) that approves drafts.

An approval freezes the composed text, the media with alt text (the card's built graphic, its
bytes kept for the store) and the facts each statistic showed; the fact gate refuses a message
that uses an unverified statistic, the image gate a post its platform cannot take, and the
four-eyes and sign-off rules a post its approver may not approve yet. Each post is approved at
the revision its approver was shown, or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.core.errors import ComposeError, ToolkitError
from toolkit.core.platforms import platform_info
from toolkit.library.facts import fact_record
from toolkit.library.four_eyes import four_eyes_refusals
from toolkit.library.gate import blocking_facts
from toolkit.planning.quotas import quota_warnings
from toolkit.store import (
    APPROVED,
    CANCELLED,
    CHANGES_REQUESTED,
    DRAFT,
    PUBLISHED,
    PUBLISHING,
    Post,
)
from toolkit.store.media import freeze_media, media_folder

if TYPE_CHECKING:  # the store is imported lazily (SQLAlchemy) or is the SQLAlchemy-free one
    from toolkit.core.config import Config
    from toolkit.library import Library
    from toolkit.library.models import Message
    from toolkit.store import Store
    from toolkit.store.lite import LiteStore

#: a status as a person says it ("this one is …")
STATUS_WORDS = {DRAFT: "a draft", APPROVED: "approved", PUBLISHING: "being published",
                PUBLISHED: "already published", CANCELLED: "cancelled",
                CHANGES_REQUESTED: "sent back with changes requested"}
#: why an approval is refused when the card is not the one the review page showed
CARD_CHANGED = ("the card was rebuilt since this page was loaded; look at the new card, then "
                "approve again")


@dataclass
class Approval:
    """The result of `approve`: ids approved, refusals by id, ids changed meanwhile (with
    their status now), quota warnings, the revision each approved post was approved at, and
    the posts that changed since the revision the approver named (with their revision now)."""

    approved: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    revisions: dict[str, int] = field(default_factory=dict)
    stale: dict[str, int] = field(default_factory=dict)


class Approving:
    """Approving drafts, for the `Planner`, which sets up what this reads: its config, library
    and store, the composer (`_compose`, `_require_clean`) and the caches of frozen media."""

    config: Config
    library: Library
    store: Store | LiteStore
    _compose: Callable[[str, str, str], str]
    _require_clean: Callable[[Message], None]
    _media: Callable[..., list[dict]]
    #: (card, format, lang) -> the sha256 of the built graphic an approval froze
    _card_source: dict[tuple[str, str, str], str]
    #: images frozen and not yet stored: sha256 -> (bytes, suffix)
    _blobs: dict[str, tuple[bytes, str]]

    def freeze(self, post: Post | Any, now: datetime) -> dict:
        """The text, media and facts (each statistic with the display it showed, each claim)
        frozen at approval (`now`: when, for the facts' review dates); raises if the post may
        not be approved."""
        message = self.library.messages.get(post.message_id)
        if message is None:
            raise ComposeError(f"message '{post.message_id}' is no longer in the library")
        self._require_clean(message)
        today = now.astimezone(self.config.timezone).date()
        blocked = blocking_facts(self.library, message, today)
        if blocked:
            raise ComposeError("; ".join(blocked))
        text = self._compose(post.message_id, post.lang, post.platform)
        facts = json.dumps(fact_record(self.library, message, post.lang), ensure_ascii=False)
        media = self.media_for(message.card, post)
        from toolkit.store.public_media import image_refusal

        refused = image_refusal(self.config, post.platform, media)
        if refused:
            raise ComposeError(refused)
        return {"text": text, "media": media, "facts": facts}

    def media_for(self, card: str | None, post: Post | Any) -> list[dict]:
        """The message's card in the platform's format and post's language, frozen as
        `[{path, alt, sha256}]` (see `toolkit.store.media`)."""
        fmt = self.config.platforms[post.platform].card_format
        if not card or not fmt:
            return []
        info = platform_info(post.platform)
        return self._media(card, fmt, post.lang, info.max_image_bytes if info else None,
                           bool(info and ".png" not in info.image_types))

    def _media_uncached(self, card: str, fmt: str, lang: str,
                        max_bytes: int | None = None, jpeg: bool = False) -> list[dict]:
        from toolkit.graphics.manifest import find_graphic

        found = find_graphic(self.config.graphics_dir, card, fmt, lang)
        if found is None:
            raise ComposeError(f"card '{card}' has no rendered {fmt} graphic in {lang}; "
                               "run `toolkit graphics build`")
        from toolkit.graphics.ready import open_image

        with open_image(Path(found["path"]), f"card '{card}' ({fmt}, {lang})"):
            pass  # its header only: a decompression bomb is refused in one line
        frozen = freeze_media([found], self._media_folder(), max_bytes,  # bytes = manifest's
                              jpeg, blobs=self._blobs)
        self._card_source[(card, fmt, lang)] = str(found.get("sha256") or "")
        return frozen

    def shown_card_changed(self, post: Post | Any, shown: str) -> bool:
        """Whether the card frozen for `post` is not the built graphic whose sha256 the review
        page showed (`shown`, "" for no card)."""
        message = self.library.messages.get(post.message_id)
        fmt = self.config.platforms[post.platform].card_format
        if message is None or not message.card or not fmt:
            return shown != ""
        return self._card_source.get((message.card, fmt, post.lang), "") != shown

    def _media_folder(self) -> Path | None:
        return media_folder(self.store.url, self.config.media_dir)

    def approve(self, ids: Sequence[str] | None, by: str, now: datetime,
                seen: Mapping[str, int] | None = None,
                cards: Mapping[str, str] | None = None) -> Approval:
        """Approve drafts (all drafts when `ids` is None), freezing text and media.

        `cards` (post id -> sha256 of the card the review page showed, "" for none): a post
        whose frozen card is not that one (rebuilt or swapped since the page loaded, even by a
        build running meanwhile) is refused; the bytes frozen are always those whose sha256
        the build recorded.

        Each post is approved at one revision: the one named in `seen` (what the approver was
        shown), else the one read here; the store's conditional update refuses it if the post
        changed since. Every id ends up in exactly one of `approved`, `refused` (with the
        reason, e.g. the four-eyes rule), `stale` (it changed since the revision named) or
        `changed` (it was changed by someone else between reading and writing)."""
        seen = dict(seen or {})
        wanted = None if ids is None else list(dict.fromkeys(ids))
        posts = self.store.brief([DRAFT]) if wanted is None else self._get_all(wanted)
        result = Approval()
        if wanted is not None:
            found = {p.id for p in posts}
            result.refused.update({i: "no post with this id" for i in wanted if i not in found})
        not_theirs = four_eyes_refusals(self.config, self.store, [p.id for p in posts], by)
        changes = []
        frozen_for: dict[tuple[str, str, str], dict | ToolkitError] = {}  # one per message text
        for post in posts:
            if post.id in seen and seen[post.id] != post.version:
                result.stale[post.id] = post.version
                continue
            if post.status != DRAFT:
                result.refused[post.id] = f"is {STATUS_WORDS.get(post.status, post.status)}, " \
                    "not a draft"
                continue
            if post.scheduled_at <= now:
                result.refused[post.id] = "its time has passed; reschedule it first"
                continue
            if post.id in not_theirs:
                result.refused[post.id] = not_theirs[post.id]
                continue
            missing = self.missing_signoffs(post.id, post.version, by)
            if missing:
                result.refused[post.id] = (f"it needs the sign-off of {', '.join(missing)} at "
                                           f"this revision first (review.require_signoff)")
                continue
            key = (post.message_id, post.lang, post.platform)
            if key not in frozen_for:
                try:
                    frozen_for[key] = self.freeze(post, now)
                except ToolkitError as exc:
                    frozen_for[key] = exc
            frozen = frozen_for[key]
            if isinstance(frozen, ToolkitError):
                result.refused[post.id] = frozen.message
                continue
            if cards is not None and post.id in cards and self.shown_card_changed(
                    post, cards[post.id]):
                result.refused[post.id] = CARD_CHANGED
                continue
            result.revisions[post.id] = post.version
            changes.append((post.id, DRAFT, {**frozen, "approved_by": by, "approved_at": now}))
        changes = self._shown_texts_only(changes, {p.id: p for p in posts}, seen, result, by,
                                         now)
        result.approved = self.store.transition_many(
            changes, APPROVED, by, now,
            {pid: f"approved at revision {rev}" for pid, rev in result.revisions.items()},
            revisions=result.revisions, media=self._blobs)
        moved = set(result.approved)
        for pid, _, values in changes:  # stored now: later approvals find them in the store
            if pid in moved:
                for item in values.get("media") or ():
                    self._blobs.pop(item.get("sha256"), None)
        result.revisions = {pid: r for pid, r in result.revisions.items() if pid in moved}
        lost = [pid for pid, _, _ in changes if pid not in moved]
        if lost:
            now_of = {p.id: p for p in self.store.brief(ids=lost)}
            for pid in lost:
                found = now_of.get(pid)
                if pid in seen and found is not None:
                    result.stale[pid] = found.version
                else:
                    result.changed[pid] = found.status if found is not None else "gone"
        if result.approved:
            result.warnings = quota_warnings(self.config, self.store, now)
        return result

    def missing_signoffs(self, post_id: str, revision: int, approver: str | None = None
                         ) -> list[str]:
        """The sign-offs `review.require_signoff` still wants for the post at `revision`; a
        sign-off through a link the `approver` made does not count for them, unless
        `review.own_link_signoff` allows it."""
        if not self.config.require_signoff:
            return []
        from toolkit.store.signoff import SignoffStore

        not_by = None if self.config.own_link_signoff else approver
        have = SignoffStore(self.store).approved_names(post_id, revision, not_by)
        return [name for name in self.config.require_signoff if name not in have]

    def _shown_texts_only(self, changes: list[tuple[str, str, dict]], posts: dict[str, Any],
                          seen: Mapping[str, int], result: Approval, by: str, now: datetime
                          ) -> list[tuple[str, str, dict]]:
        """The changes whose frozen text is the draft's stored text: what `queue show` and the
        review app showed. A draft whose message was edited in the library since is given the
        new text as a new revision and not approved, so nobody approves a wording they were
        not shown: `stale` when the approver named the revision they saw, else `refused`."""
        keep, refresh = [], []
        for change in changes:
            post, text = posts[change[0]], change[2]["text"]
            if post.text == text:
                keep.append(change)
            else:
                refresh.append((post, text))
        moved = set(self.store.transition_many(
            [(post.id, DRAFT, {"text": text}) for post, text in refresh], DRAFT, by, now,
            "text recomposed: its message changed in the library",
            revisions={post.id: post.version for post, _ in refresh}))
        for post, _ in refresh:
            if post.id in seen:
                result.stale[post.id] = post.version + 1
            elif post.id in moved:
                result.refused[post.id] = ("its message's text changed since it was queued; the "
                                           "draft now shows the new text: review it, then "
                                           "approve again")
            else:
                result.refused[post.id] = "it changed while being approved; look at it again"
        return keep

    def _get_all(self, ids: Sequence[str]) -> list:
        found = {p.id: p for p in self.store.brief(ids=list(ids))}
        return [found[i] for i in ids if i in found]
