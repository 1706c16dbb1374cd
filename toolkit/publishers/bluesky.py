"""The Bluesky publisher: the `atproto` SDK, an app password, and one record key per post.

- Signs in against the account's `service:` (default https://bsky.social) with an app password,
  once: the session is saved in `sessions/<account>.json` (0600) beside the store, with when it
  was signed in, and reused and refreshed from there (`createSession` is rate-limited); a
  rejected saved session signs in again. A session signed in before the account was last
  disconnected (`toolkit accounts disconnect` on any machine: a mark in the store, handed over
  as `OutgoingPost.signed_out_at`) is deleted and never used: the publisher signs in anew.
- Exactly once: the post record is written with `com.atproto.repo.createRecord` under a record
  key (a TID). The first attempt derives it from the post's id and scheduled time and remembers
  it in the store (`OutgoingPost.remember`, committed) before the call; every later attempt, on
  any machine, even after the post was rescheduled, writes under the remembered key, so a retry
  cannot create a second post. `reconcile` reads the remembered key's record (`getRecord`), then
  the currently derived and the legacy key's (`toolkit.publishers.bluesky_keys`). The PDS answers
  a key that already holds a record with HTTP 500 `InternalServerError` (its log: "There is
  already a value at key"): the record then decides (`DuplicateError` when it is there).
- Text gets real facets for links and hashtags (byte offsets in UTF-8); a UTM-tagged link is
  shown in its short form and its facet carries the full tagged URL (`shown_post`); images carry
  alt text and aspect ratio; they go out byte for byte as approved (approval froze an image over
  1,000,000 bytes as its re-encoded JPEG), never re-encoded here: a larger file is refused.
- Errors: 429 -> `RateLimited` (until `ratelimit-reset`), 5xx and timeouts -> `TransientError`,
  rejected password or session -> `AuthError`, other 4xx -> `PermanentError` with Bluesky's words.
  Classified per call: a failure before the post record (signing in, `uploadBlob`) or a refused
  connection cannot have created the post -> `NotCreatedError` (retried without reconciling).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
from atproto_client import Client, models
from atproto_client import exceptions as at_errors
from atproto_client.client.session import Session, SessionEvent
from atproto_client.request import Request
from atproto_client.utils.facet_detection import detect_facets
from atproto_core.exceptions import AtProtocolError

from toolkit.compose.instances import SESSIONS, read_json, state_dir, state_file, write_private
from toolkit.compose.lengths import grapheme_length
from toolkit.core import clock
from toolkit.core.config import Account, Config
from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    NotCreatedError,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
)
from toolkit.core.platforms import PLATFORMS
from toolkit.graphics.ready import image_facts
from toolkit.publishers.base import (
    MediaItem,
    OutgoingPost,
    PublishResult,
    Reconciliation,
    read_media,
    remember,
)
from toolkit.publishers.bluesky_keys import record_key, record_keys
from toolkit.publishers.limits import check_media
from toolkit.publishers.x_media import DEFAULT_TIMEOUT

log = logging.getLogger("toolkit.publishers.bluesky")

INFO = PLATFORMS["bluesky"]
COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
#: a refused or failed connection: nothing reached the server
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)
#: what a call can fail with: the SDK's errors, and httpx's that it passes on (a connection the
#: server closed without answering)
_FAILURES = (AtProtocolError, httpx.HTTPError)
_SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
RECONNECT_HINT = ("Bluesky rejected the account's app password: reconnect the account (create a "
                  "new app password under Settings > Privacy and security > App passwords and "
                  "set {names})")

T = TypeVar("T")


def facets_for(text: str) -> list[models.AppBskyRichtextFacet.Main]:
    """Link and hashtag facets of `text`, with UTF-8 byte ranges (no network: no mentions)."""
    return detect_facets(text)


def shown_post(text: str) -> tuple[str, list[models.AppBskyRichtextFacet.Main]]:
    """The text Bluesky shows for a frozen text, and its facets: a UTM-tagged link is shown
    in its short form with a link facet over it carrying the full tagged URL
    (`toolkit.compose.utm.bluesky_display`); hashtags and other links as `facets_for` finds them."""
    from toolkit.compose.utm import bluesky_display

    shown, tagged = bluesky_display(text)
    if not tagged:
        return text, facets_for(text)
    ours = [models.AppBskyRichtextFacet.Main(
        features=[models.AppBskyRichtextFacet.Link(uri=url)],
        index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end))
        for start, end, url in tagged]
    found = [f for f in facets_for(shown)
             if not any(f.index.byte_start < end and start < f.index.byte_end
                        for start, end, _ in tagged)]
    return shown, sorted(found + ours, key=lambda f: f.index.byte_start)


def _error_name(exc: at_errors.RequestErrorBase) -> tuple[str, str]:
    content = exc.response.content if exc.response is not None else None
    name = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return str(name), str(message)


def error_for(exc: Exception, action: str, key_names: str = "the account's keys",
              now: datetime | None = None) -> PublishError:
    """The toolkit error for an atproto exception raised during `action`."""
    if isinstance(exc, at_errors.RateLimitExceededError):
        until = exc.reset_at
        if until is None and exc.retry_after is not None:
            until = (now or clock.now()) + timedelta(seconds=exc.retry_after)
        when = until.isoformat().replace("+00:00", "Z") if until else "Bluesky's reset time"
        return RateLimited(f"Bluesky rate limit reached for {action} until {when}",
                           retry_after=until)
    cause = exc.__cause__ if isinstance(exc, at_errors.RequestErrorBase) else exc
    if isinstance(cause, _NOT_SENT):
        return NotCreatedError(f"no connection to Bluesky for {action} "
                               f"({type(cause).__name__}); nothing was sent")
    if not isinstance(exc, at_errors.RequestErrorBase) or exc.response is None:
        return TransientError(f"no answer from Bluesky for {action} "
                              f"({type(exc).__name__}); the outcome is unknown")
    status = exc.response.status_code
    name, message = _error_name(exc)
    words = f"{status} {name}: {message}".strip().rstrip(":")
    error: PublishError
    if status >= 500 or status == 409:
        error = TransientError(f"Bluesky server error for {action}: {words}")
    elif isinstance(exc, at_errors.UnauthorizedError) or name in _SESSION_ERRORS:
        error = AuthError(RECONNECT_HINT.format(names=key_names) + f" ({words})")
    else:
        error = PermanentError(f"Bluesky refused {action}: {words}")
    error.status = status
    return error


class BlueskyPublisher:
    """Publishes to one Bluesky account with an app password, reusing a saved session."""

    platform = "bluesky"

    def __init__(self, account: Account, identifier: str, app_password: str, *,
                 session_path: Path | None = None, service: str | None = None,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.account = account
        self.service = (service or account.service or INFO.default_service).rstrip("/")
        self._identifier = identifier.lstrip("@")
        self._password = app_password
        self.session_path = session_path
        self._key_names = ", ".join(account.env.get(r, r) for r in INFO.keys)
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.client = Client(base_url=self.service,
                             request=Request(timeout=httpx.Timeout(read, connect=connect)))
        self.client.on_session_change(self._on_session)
        self._session: Session | None = None
        self._from_file = False
        #: when the session in use was signed in (None: unknown, e.g. saved by an earlier version)
        self._signed_in_at: datetime | None = None
        #: when the account was last disconnected, as the post being handled says
        self._signed_out_at: datetime | None = None

    def __repr__(self) -> str:
        return f"BlueskyPublisher(account={self.account.name!r}, service={self.service!r})"

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> BlueskyPublisher:
        """The publisher for `account`, keys from `env`, session saved beside the store."""
        return cls(account, env[account.env["handle"]].strip(),
                   env[account.env["app_password"]].strip(),
                   session_path=state_file(state_dir(config), SESSIONS, account.name))

    # -- the session ------------------------------------------------------------------------

    def _on_session(self, event: SessionEvent, session: Session) -> None:
        self._session = session
        if event == SessionEvent.CREATE:
            self._signed_in_at = clock.now()
        if event in (SessionEvent.CREATE, SessionEvent.REFRESH) and self.session_path:
            signed_in = self._signed_in_at.isoformat() if self._signed_in_at else None
            write_private(self.session_path, {"service": self.service,
                                              "identifier": self._identifier,
                                              "session": session.encode(),
                                              "signed_in_at": signed_in})
            log.info("bluesky: %s session for %s saved", event.value, self.account.name)

    def _before_sign_out(self, signed_in: datetime | None) -> bool:
        """Whether a session signed in at `signed_in` predates the account's last disconnect
        (a session of unknown age counts as older once there is a disconnect)."""
        if self._signed_out_at is None:
            return False
        return signed_in is None or signed_in < self._signed_out_at

    def _ensure_session(self) -> None:
        if self._session is not None:
            if self.session_path is not None and not self.session_path.exists():
                # `toolkit accounts disconnect` removed it: never go on with the old tokens
                log.warning("bluesky: saved session of %s removed; signing in again",
                            self.account.name)
            elif self._before_sign_out(self._signed_in_at):
                self._drop_saved("was disconnected after this session began")
            else:
                return
            self._create_session()
            return
        saved = read_json(self.session_path) if self.session_path else None
        if (saved and saved.get("service") == self.service
                and saved.get("identifier") == self._identifier and saved.get("session")):
            signed_in = _when(saved.get("signed_in_at"))
            if self._before_sign_out(signed_in):
                self._drop_saved("was disconnected after its saved session began")
                self._create_session()
                return
            self._signed_in_at = signed_in  # kept when the import refreshes the session
            try:
                self.client.login(session_string=saved["session"], fetch_bsky_profile=False)
                self._from_file = True
                return
            except (ValueError, AtProtocolError):
                log.warning("bluesky: saved session of %s unreadable; signing in",
                            self.account.name)
        self._create_session()

    def _drop_saved(self, why: str) -> None:
        """Delete the saved session (never used again: the account was disconnected)."""
        if self.session_path is not None:
            self.session_path.unlink(missing_ok=True)
        log.warning("bluesky: %s %s; session deleted, signing in again", self.account.name, why)

    def _create_session(self) -> None:
        self._session, self._from_file, self._signed_in_at = None, False, None
        try:
            self.client.login(self._identifier, self._password, fetch_bsky_profile=False)
        except AtProtocolError as exc:  # mapped: never let the password reach a message
            raise error_for(exc, "signing in (createSession)", self._key_names) from None

    def _call(self, action: str, call: Callable[[], T]) -> T:
        """Run one call with a session, mapping errors; a rejected saved session signs in
        again once (record writes are keyed, so the repeat cannot double a post)."""
        self._ensure_session()
        try:
            return call()
        except _FAILURES as exc:
            error = error_for(exc, action, self._key_names)
            if not (isinstance(error, AuthError) and self._from_file):
                raise error from None
        log.info("bluesky: saved session of %s rejected; signing in again", self.account.name)
        self._create_session()
        try:
            return call()
        except _FAILURES as exc:
            raise error_for(exc, action, self._key_names) from None

    @property
    def did(self) -> str:
        """The account's DID, from its session."""
        self._ensure_session()
        assert self._session is not None
        return self._session.did

    @property
    def handle(self) -> str:
        """The account's handle, from its session."""
        self._ensure_session()
        assert self._session is not None
        return self._session.handle

    # -- the Publisher protocol -------------------------------------------------------------

    def who_am_i(self) -> str:
        """The account's handle, from `com.atproto.server.getSession` (checks the session)."""
        answer = self._call("checking the account (getSession)",
                            lambda: self.client.com.atproto.server.get_session())
        return str(answer.handle)

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Upload the images, then write the post record under its remembered key (on the first
        attempt the derived one, remembered before the call); its URL."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        shown, facets = shown_post(post.text)
        length = grapheme_length(shown)
        if length > MAX_GRAPHEMES:
            raise PermanentError(f"post {post.id} is {length} graphemes; Bluesky takes at most "
                                 f"{MAX_GRAPHEMES}")
        check_media(post.media, INFO)  # never re-encoded: approval froze a fitting image
        self._signed_out_at = post.signed_out_at
        remembered = (post.publish_ref or {}).get("rkey")
        rkey = str(remembered) if remembered else record_key(post.id, post.scheduled_at)
        try:  # nothing before the post record can create the post
            self._ensure_session()
            embed = self._images(post.media) if post.media else None
        except TransientError as exc:
            raise NotCreatedError(f"{exc.message}; post {post.id} was not created") from None
        record = models.AppBskyFeedPost.Record(
            text=shown, facets=facets or None, embed=embed,
            langs=[post.lang] if post.lang else None,
            created_at=clock.now().isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"))
        if not remembered:  # in the store before the call: every later attempt uses this key
            remember(post, {"rkey": rkey})
        try:
            self._call("the post", lambda: self.client.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(
                    repo=self.did, collection=COLLECTION, record=record, rkey=rkey)))
        except (PermanentError, TransientError) as exc:
            if isinstance(exc, AuthError | NotCreatedError) or not self._holds(rkey, exc):
                raise
            raise DuplicateError(f"Bluesky already holds post {post.id} as record {rkey}") from None
        log.info("bluesky: post %s published as %s", post.id, rkey)
        return PublishResult(platform_id=f"at://{self.did}/{COLLECTION}/{rkey}",
                             url=self._url(rkey), detail={"rkey": rkey})

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published if a record under one of the post's keys (`record_keys`) exists, absent if
        Bluesky says none does; rate limits, server errors and rejected keys raise their
        errors."""
        self._signed_out_at = post.signed_out_at
        for rkey in record_keys(post):
            found = self._record(rkey)
            if found is not None:
                uri, text = found
                if not _same_words(text, post.text):  # edited after that attempt: a person
                    raise PermanentError(f"Bluesky holds record {rkey} of post {post.id} with "
                                         "other words than it has now (it was edited after "
                                         "that attempt): check the account, then resolve the "
                                         "post")
                return Reconciliation("published",
                                      PublishResult(uri, self._url(rkey), {"rkey": rkey}))
        return Reconciliation("absent")

    # -- helpers ----------------------------------------------------------------------------

    def _holds(self, rkey: str, refused: PublishError) -> bool:
        """After createRecord was refused (a 4xx) or failed with the answer the PDS gives a key
        that is taken (500): whether the key holds a record. A timeout or a gateway error stays
        the dispatcher's to reconcile; so does a failed look."""
        if isinstance(refused, TransientError) and refused.status != 500:
            return False
        try:
            return self._record(rkey) is not None
        except PublishError:
            if isinstance(refused, PermanentError):
                raise
            return False

    def _record(self, rkey: str) -> tuple[str, str | None] | None:
        """The record's at:// URI and text if it exists, None if Bluesky says it does not."""
        try:
            answer = self._call("reading the post record (getRecord)",
                                lambda: self.client.com.atproto.repo.get_record(
                                    models.ComAtprotoRepoGetRecord.Params(
                                        repo=self.did, collection=COLLECTION, rkey=rkey)))
        except PermanentError as exc:
            if isinstance(exc, AuthError) or "RecordNotFound" not in exc.message:
                raise
            return None
        value = answer.value
        text = value.get("text") if isinstance(value, dict) else getattr(value, "text", None)
        return str(answer.uri), None if text is None else str(text)

    def _images(self, media: tuple[MediaItem, ...]) -> models.AppBskyEmbedImages.Main:
        images = []
        for item in media:
            data = read_media(item)
            mime, width, height = image_facts(data)
            name = Path(item.path).name
            blob = self._call(f"the upload of {name}",
                              lambda data=data, mime=mime: self.client.com.atproto.repo.upload_blob(
                                  data, headers={"Content-Type": mime})).blob
            images.append(models.AppBskyEmbedImages.Image(
                alt=item.alt, image=blob,
                aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(width=width, height=height)))
        return models.AppBskyEmbedImages.Main(images=images)

    def _url(self, rkey: str) -> str:
        return f"https://bsky.app/profile/{self.handle}/post/{rkey}"


def _same_words(found: str | None, text: str) -> bool:
    """Whether a record's text is what the post's text goes out as (shown by `shown_post`, by
    this or an earlier version: compared as `textmatch.comparable`, links as one token)."""
    from toolkit.publishers.textmatch import comparable

    if found is None:
        return False
    return comparable(found) in (comparable(text), comparable(shown_post(text)[0]))


def _when(value: object) -> datetime | None:
    """A saved ISO time, or None when absent or unreadable."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
