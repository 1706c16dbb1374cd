"""Queue operations behind `toolkit queue …`: add, import, approve, cancel, reschedule, resolve.

The `Planner` adds posts (one request or a CSV, validated and composed) and changes them; its
approving part lives in `toolkit.planning.approval`, where the lead's review becomes binding.
Editing or rescheduling an approved post sends it back to draft. A lead who wants changes sends
a post back with a comment (`changes_requested`, which no approval covers); it returns to draft
when its message is edited or when staff resubmit it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.compose.text import compose_message, require_clean, require_fit
from toolkit.core.config import Config
from toolkit.core.csvrows import COLUMNS, read_rows
from toolkit.core.errors import InputError, InvalidTransition, ToolkitError
from toolkit.core.platforms import platform_info
from toolkit.library import Library
from toolkit.library.models import Message
from toolkit.planning.approval import STATUS_WORDS, Approving
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

if TYPE_CHECKING:  # the store is imported lazily (SQLAlchemy) or is the SQLAlchemy-free one
    from toolkit.store import Store
    from toolkit.store.lite import LiteStore

CSV_COLUMNS = COLUMNS
#: times further ahead than this are refused (a typo such as 9999, not a campaign date)
MAX_AHEAD = timedelta(days=100 * 365)
ACTIVE = (DRAFT, CHANGES_REQUESTED, APPROVED, PUBLISHING, PUBLISHED)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _identity(post: NewPost) -> tuple:
    """What makes two posts the same: message, platform, language, account and time."""
    return (post.message_id, post.platform, post.lang, post.account, _utc(post.scheduled_at))


class Planner(Approving):
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
