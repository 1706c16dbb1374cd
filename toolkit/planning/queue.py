"""Queue operations behind `toolkit queue …`: add, import, approve, cancel, reschedule, resolve.

Approval is where the lead's review becomes binding: the composed text and the media with alt
text are frozen then, and the fact gate refuses any message that uses an unverified statistic.
Editing or rescheduling an approved post sends it back to draft. A lead who wants changes sends
a post back with a comment (`changes_requested`, which no approval covers); it returns to draft
when its message is edited or when staff resubmit it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.compose.text import compose_message, require_clean, require_fit
from toolkit.core.config import Config
from toolkit.core.csvrows import COLUMNS, read_rows
from toolkit.core.errors import ComposeError, InputError, InvalidTransition, ToolkitError
from toolkit.core.platforms import platform_info
from toolkit.library import Library
from toolkit.library.facts import fact_record
from toolkit.library.four_eyes import four_eyes_refusals
from toolkit.library.gate import blocking_facts
from toolkit.library.models import Message
from toolkit.planning.quotas import quota_warnings
from toolkit.planning.slots import next_free_slot, parse_time, show_time
from toolkit.store import (
    APPROVED,
    CANCELLED,
    CHANGES_REQUESTED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    PUBLISHED,
    PUBLISHING,
    NewPost,
    Post,
)
from toolkit.store.media import freeze_media, media_folder

if TYPE_CHECKING:  # the store is imported lazily (SQLAlchemy) or is the SQLAlchemy-free one
    from toolkit.store import Store
    from toolkit.store.lite import LiteStore

CSV_COLUMNS = COLUMNS
#: times further ahead than this are refused (a typo such as 9999, not a campaign date)
MAX_AHEAD = timedelta(days=100 * 365)
#: a status as a person says it ("this one is …")
STATUS_WORDS = {DRAFT: "a draft", APPROVED: "approved", PUBLISHING: "being published",
                PUBLISHED: "already published", CANCELLED: "cancelled",
                CHANGES_REQUESTED: "sent back with changes requested"}
ACTIVE = (DRAFT, CHANGES_REQUESTED, APPROVED, PUBLISHING, PUBLISHED)
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


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _identity(post: NewPost) -> tuple:
    """What makes two posts the same: message, platform, language, account and time."""
    return (post.message_id, post.platform, post.lang, post.account, _utc(post.scheduled_at))


class Planner:
    """Builds and changes queued posts for one config, library and store."""

    def __init__(self, config: Config, library: Library, store: Store | LiteStore) -> None:
        self.config, self.library, self.store = config, library, store
        #: warnings of the last `add` or `import_csv` (identical posts already queued)
        self.warnings: list[str] = []
        self._compose = lru_cache(maxsize=None)(self._compose_uncached)
        self._media = lru_cache(maxsize=None)(self._media_uncached)
        self._checked: set[str] = set()
        #: (card, format, lang) -> the sha256 of the built graphic an approval froze
        self._card_source: dict[tuple[str, str, str], str] = {}
        #: images frozen and not yet stored: sha256 -> (bytes, suffix); an approval stores
        #: those its posts name in its own transaction, then forgets them
        self._blobs: dict[str, tuple[bytes, str]] = {}

    # -- adding --------------------------------------------------------------------------------

    def _require_clean(self, message: Message) -> None:
        """Refuse a message with any `toolkit check` error (checked once per planner)."""
        if message.id not in self._checked:
            require_clean(self.config, self.library, message)
            self._checked.add(message.id)

    def _compose_uncached(self, message_id: str, lang: str, platform: str) -> str:
        composed = compose_message(self.config, self.library, message_id, lang, platform)
        return require_fit(composed, f"message '{message_id}' ({lang}) on {platform}").text

    def account_name(self, platform: str, account: str | None = None) -> str:
        """The account to post from: `account` (checked against the config and platform), or
        the platform's first configured account."""
        if account:
            found = self.config.accounts.get(account)
            if found is None:
                raise InputError(f"unknown account '{account}' (configured: "
                                 f"{', '.join(self.config.accounts)})")
            if found.platform != platform:
                raise InputError(f"account '{account}' is a {found.platform} account, not "
                                 f"{platform}")
            return found.name
        default = self.config.account_for(platform)
        if default is None:
            raise InputError(f"no account is configured for platform '{platform}'")
        return default.name

    def new_post(self, message_id: str, platform: str, lang: str, at: datetime,
                 account: str | None = None) -> NewPost:
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
        info = platform_info(platform)
        if info is not None and info.requires_image and not (
                message.card and self.config.platforms[platform].card_format):
            raise InputError(f"message '{message_id}' has no image for {info.title}, which "
                             "takes only posts with an image (give the message a card, and "
                             f"platforms.{platform} a card_format)")
        self._require_clean(message)
        return NewPost(message_id, lang, platform, self.account_name(platform, account),
                       self._compose(message_id, lang, platform), at)

    def add(self, message_id: str, platform: str, lang: str, at: datetime | None,
            now: datetime, actor: str, account: str | None = None) -> str:
        """Queue one draft (no `at`: the next free posting slot); return its id.

        An identical active post (same message, platform, language, account and time) is
        noted in `self.warnings`."""
        name = self.account_name(platform, account)
        if at is None:
            at = self.next_slot(name, now)
        self._check_time(at, now)
        new = self.new_post(message_id, platform, lang, at, name)
        self.warnings = self._identical_warnings([(None, new)])
        return self.store.add([new], actor, now)[0]

    def next_slot(self, account: str, now: datetime) -> datetime:
        """The next posting slot not yet used by `account`."""
        horizon = now + timedelta(days=731)
        taken = self.store.taken_times(account, now, horizon, ACTIVE)
        return next_free_slot(self.config.slots, self.config.timezone, now, taken.__contains__)

    def import_csv(self, path: Path, now: datetime, actor: str) -> list[str]:
        """Add every row of a CSV (`message_id,at[,platform,lang,account]`), all or none.

        Two identical rows are refused with both line numbers; rows identical to a post
        already queued are noted in `self.warnings`."""
        new: list[tuple[int, NewPost]] = []
        errors: list[str] = []
        seen: dict[tuple, int] = {}
        default_lang = self.config.languages[0]
        for line, get in read_rows(path):
            try:
                at = parse_time(get.get("at", ""), self.config.timezone)
                self._check_time(at, now)
                post = self.new_post(get["message_id"], get.get("platform") or "x",
                                     get.get("lang") or default_lang, at,
                                     get.get("account") or None)
            except ToolkitError as exc:
                errors.append(f"{path}:{line}: {exc.message}")
                continue
            key = _identity(post)
            if key in seen:
                errors.append(f"{path}:{line}: the same post as line {seen[key]} (message, "
                              "platform, language, account and time); remove one of them")
                continue
            seen[key] = line
            new.append((line, post))
        if errors:
            raise InputError(f"nothing imported; {len(errors)} bad row(s):\n" + "\n".join(errors))
        self.warnings = self._identical_warnings(new, path)
        return self.store.add([p for _, p in new], actor, now)

    def _identical_warnings(self, new: list[tuple[int | None, NewPost]],
                            path: Path | None = None) -> list[str]:
        """Warnings for new posts identical to an active post already in the store."""
        if not new:
            return []
        queued = {}
        for p in self.store.brief(ACTIVE):
            queued.setdefault((p.message_id, p.platform, p.lang, p.account,
                               _utc(p.scheduled_at)), p)
        warnings = []
        for line, post in new:
            twin = queued.get(_identity(post))
            if twin is not None:
                where = f"{path}:{line}: " if path is not None else ""
                warnings.append(f"{where}post {twin.id} ({twin.status}) is already queued with "
                                "the same message, platform, language, account and time")
        return warnings

    def _check_time(self, at: datetime, now: datetime) -> None:
        """Refuse a time in the past or absurdly far ahead, echoed in the campaign's zone."""
        if at <= now:
            raise InputError(f"{show_time(at, self.config.timezone)} is in the past; give a "
                             "future time")
        if at > now + MAX_AHEAD:
            raise InputError(f"{show_time(at, self.config.timezone)} is more than "
                             f"{MAX_AHEAD.days // 365} years ahead; give a time in the campaign")

    # -- approving -----------------------------------------------------------------------------

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

    # -- changing ------------------------------------------------------------------------------

    def cancel(self, post_id: str, actor: str, now: datetime,
               revision: int | None = None) -> Post:
        """Cancel a post that has not gone out (with `revision`: only if still at it)."""
        return self.store.transition(post_id, (DRAFT, CHANGES_REQUESTED, APPROVED, MISSED, FAILED,
                                               NEEDS_CHECK), CANCELLED, actor, now, "cancelled",
                                     revision=revision)

    def reschedule(self, post_id: str, at: datetime, actor: str, now: datetime,
                   revision: int | None = None) -> Post:
        """Move a post to a new time; an approved (or missed, failed) one goes back to draft,
        one sent back with changes requested still waits for them. With `revision` (the one
        the person was shown, e.g. a dragged card), a post changed since is refused
        (`StaleRevision`) and stays as it is."""
        self._check_time(at, now)
        post = self.store.get(post_id)
        if post.status not in (DRAFT, CHANGES_REQUESTED, APPROVED, MISSED, FAILED):
            raise InvalidTransition(f"post {post_id} is {post.status}; it cannot be rescheduled")
        to = CHANGES_REQUESTED if post.status == CHANGES_REQUESTED else DRAFT
        return self.store.transition(post_id, (post.status,), to, actor, now,
                                     f"rescheduled to {show_time(at, self.config.timezone)}",
                                     revision=revision,
                                     scheduled_at=at,
                                     not_before=None, last_error=None, attempts=0)

    def resolve(self, post_id: str, published_url: str | None, actor: str,
                now: datetime) -> Post:
        """A person settles a `needs_check`, `missed` or `failed` post: published (with its
        https URL on the platform's host) or not (back to draft)."""
        allowed = (NEEDS_CHECK, MISSED, FAILED)
        post = self.store.get(post_id)
        if post.status not in allowed:
            state = STATUS_WORDS.get(post.status, post.status)
            raise InvalidTransition("only a post that is missed, failed or needs checking can "
                                    f"be resolved; this one is {state}")
        if published_url is not None:
            from toolkit.compose.urls import require_post_url

            url = require_post_url(self.config, post.platform, post.account, published_url)
            return self.store.transition(post_id, allowed, PUBLISHED, actor, now,
                                         "resolved: published", url=url,
                                         published_at=now, claim_owner=None,
                                         claim_expires_at=None)
        return self.store.transition(post_id, allowed, DRAFT, actor, now,
                                     "resolved: not published; back to draft",
                                     claim_owner=None, claim_expires_at=None)

    def send_back(self, post_id: str, comment: str, actor: str, now: datetime) -> Post:
        """A lead sends a draft or an approved post back with a comment (`changes_requested`):
        no approval covers it until it is edited or resubmitted. The comment joins its thread."""
        comment = comment.strip()
        if not comment:
            raise InputError("say what should change: a comment is required")
        return self.store.transition(post_id, (DRAFT, APPROVED), CHANGES_REQUESTED, actor, now,
                                     f"changes requested: {comment}", comment=comment,
                                     approved_by=None, approved_at=None)

    def resubmit(self, post_id: str, actor: str, now: datetime, reply: str = "") -> Post:
        """Staff answer a request for changes: the post is a draft again, to be approved, with
        its message's current text; the reply, if any, joins its thread."""
        reply = reply.strip()
        detail = f"resubmitted: {reply}" if reply else "resubmitted"
        post = self.store.get(post_id)
        try:  # it carries its message as the library has it now
            text = self._compose(post.message_id, post.lang, post.platform)
        except ToolkitError:
            text = post.text  # approval will say why it cannot be approved
        return self.store.transition(post_id, (CHANGES_REQUESTED,), DRAFT, actor, now, detail,
                                     comment=reply or None, text=text)

    def return_edited(self, actor: str, now: datetime) -> list[str]:
        """Posts sent back whose message was edited in the library since: drafts again, with
        the new text, to be approved (each only if unchanged meanwhile). Returns their ids."""
        changes, revisions = [], {}
        for post in self.store.brief([CHANGES_REQUESTED]):
            try:
                text = self._compose(post.message_id, post.lang, post.platform)
            except ToolkitError:
                continue  # a message that cannot be composed now waits for a person
            if text != post.text:
                changes.append((post.id, CHANGES_REQUESTED, {"text": text}))
                revisions[post.id] = post.version
        return self.store.transition_many(changes, DRAFT, actor, now,
                                          "its message was edited: back to draft",
                                          revisions=revisions)
