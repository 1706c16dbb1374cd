"""The Mastodon publisher: `Mastodon.py` with an instance URL and an access token.

- The instance's own limits (maximum characters, characters per link, images per post, image
  size, alt text length) are read once from `/api/v2/instance` and cached beside the store in
  `instances/<account>.json`; compose reads the same cache, with the config as fallback.
- Images go up with their description (alt text); an upload answered 202 (still processing) is
  polled until the instance gives its URL.
- Exactly once: every status carries an `Idempotency-Key` derived from the post id, so a repeat
  within the instance's key window returns the first status instead of a second one;
  `reconcile` looks for the text among the account's statuses since shortly before it was due.
- Errors: 429 -> `RateLimited` (until the instance's `X-RateLimit-Reset`), 5xx and network
  errors -> `TransientError`, 401/403 -> `AuthError`, other 4xx -> `PermanentError`.
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from mastodon import Mastodon
from mastodon import errors as m_errors

from toolkit.compose.instances import (
    INSTANCES,
    InstanceLimits,
    load_instance,
    parse_instance,
    state_dir,
    state_file,
    write_private,
)
from toolkit.compose.lengths import mastodon_length
from toolkit.core.config import Account, Config
from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
)
from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import (
    MediaItem,
    OutgoingPost,
    PublishResult,
    Reconciliation,
    read_media,
)
from toolkit.publishers.limits import check_media
from toolkit.publishers.textmatch import comparable

log = logging.getLogger("toolkit.publishers.mastodon")

INFO = PLATFORMS["mastodon"]
#: how far before the due time `reconcile` looks (clock skew between us and the instance)
RECONCILE_MARGIN = timedelta(hours=1)
RECONCILE_PAGE = 40
#: the oldest Mastodon whose API this publisher uses (v2 instance and media: 4.0)
MASTODON_VERSION = "4.0.0"
#: a 202 upload is asked about this many times, `POLL_SECONDS` apart, before giving up
POLL_ATTEMPTS = 30
POLL_SECONDS = 2.0
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
        ".gif": "image/gif"}
RECONNECT_HINT = ("the Mastodon instance rejected the account's access token: reconnect the "
                  "account (create a token with the scopes write:statuses write:media "
                  "read:accounts under Preferences > Development, then set {names})")
#: Mastodon's own defaults, for an instance that does not say (characters: the config's)
DEFAULT_CHARACTERS = 500
DEFAULT_URL_LENGTH = 23

T = TypeVar("T")


def idempotency_key(post_id: str) -> str:
    """The `Idempotency-Key` of a post: the same for the same post id."""
    return f"saveasylum-post-{post_id}"


def plain_text(content: str) -> str:
    """A status's HTML as plain text: paragraphs and line breaks as spaces, entities undone."""
    text = re.sub(r"<br\s*/?>|</p>\s*<p>", " ", content or "")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def error_for(exc: Exception, action: str, api: Mastodon | None = None,
              key_names: str = "the account's keys") -> PublishError:
    """The toolkit error for a Mastodon.py exception raised during `action`."""
    if isinstance(exc, m_errors.MastodonRatelimitError):
        reset = getattr(api, "ratelimit_reset", None)
        until = datetime.fromtimestamp(reset, tz=UTC) if reset else None
        when = until.isoformat().replace("+00:00", "Z") if until else "the instance's reset time"
        return RateLimited(f"Mastodon rate limit reached for {action} until {when}",
                           retry_after=until)
    if isinstance(exc, m_errors.MastodonNetworkError | m_errors.MastodonServerError):
        return TransientError(f"no usable answer from Mastodon for {action} "
                              f"({type(exc).__name__}); the outcome is unknown")
    if isinstance(exc, m_errors.MastodonAPIError):
        args = list(exc.args) + [None] * 4
        status, reason, message = args[1], args[2], args[3]
        words = f"{status or ''} {reason or ''}: {message or exc.args[0]}".strip()
        if status in (401, 403):
            return AuthError(RECONNECT_HINT.format(names=key_names) + f" ({words})")
        return PermanentError(f"Mastodon refused {action}: {words}")
    return TransientError(f"Mastodon failed for {action} ({type(exc).__name__}); the outcome "
                          "is unknown")


class MastodonPublisher:
    """Publishes to one Mastodon account with its access token."""

    platform = "mastodon"

    def __init__(self, account: Account, base_url: str, access_token: str, *,
                 cache_path: Path | None = None, timeout: float = 60.0,
                 fallback_characters: int = DEFAULT_CHARACTERS,
                 sleep: Callable[[float], Any] = time.sleep) -> None:
        self.account = account
        self.fallback_characters = fallback_characters
        self.base_url = base_url.rstrip("/")
        self.cache_path = cache_path
        self._sleep = sleep
        self._key_names = ", ".join(
            account.env.get(r, r) for r in INFO.keys
            if not (account.service and r == INFO.service_replaces))
        # a version given (with a check mode other than "none", which ignores it) spares a
        # version request and picks the v2 media upload; 429s raise at once, never sleep
        self.api = Mastodon(access_token=access_token, api_base_url=self.base_url,
                            ratelimit_method="throw", request_timeout=timeout,
                            mastodon_version=MASTODON_VERSION, version_check_mode="created")
        self._me: Any = None
        self._limits: InstanceLimits | None = None

    def __repr__(self) -> str:
        return f"MastodonPublisher(account={self.account.name!r}, instance={self.base_url!r})"

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> MastodonPublisher:
        """The publisher for `account`: instance from `service:` or the environment, token
        from the environment, instance limits cached beside the store."""
        base_url = account.service or env[account.env["base_url"]].strip()
        spec = config.platforms.get(account.platform)
        return cls(account, base_url, env[account.env["access_token"]].strip(),
                   cache_path=state_file(state_dir(config), INSTANCES, account.name),
                   fallback_characters=spec.limit if spec else DEFAULT_CHARACTERS)

    def _call(self, action: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except m_errors.MastodonError as exc:
            raise error_for(exc, action, self.api, self._key_names) from None
        except OSError as exc:
            raise TransientError(f"no answer from Mastodon for {action} "
                                 f"({type(exc).__name__}); the outcome is unknown") from None

    # -- the instance and the account -------------------------------------------------------

    def limits(self) -> InstanceLimits:
        """The instance's limits: cached, else read once from `/api/v2/instance` and cached;
        Mastodon's defaults when the instance does not say."""
        if self._limits is None:
            cached = load_instance(self.cache_path) if self.cache_path else None
            self._limits = cached or self.refresh_limits()
        return self._limits

    def refresh_limits(self) -> InstanceLimits:
        """Read the instance's limits from `/api/v2/instance` and cache them; an instance that
        does not answer it (older, or not Mastodon) gets the config's limit and Mastodon's
        defaults, uncached. Rejected tokens, rate limits and server errors raise."""
        try:
            body = self._call("reading the instance's limits", self.api.instance_v2)
        except PermanentError as exc:
            if isinstance(exc, AuthError):
                raise
            body = None
            log.warning("mastodon: %s: %s", self.base_url, exc.message)
        found = parse_instance(dict(body)) if body else None
        if found is None:
            log.warning("mastodon: %s gave no limits; using the config's %d characters",
                        self.base_url, self.fallback_characters)
            found = InstanceLimits(self.fallback_characters, DEFAULT_URL_LENGTH,
                                   INFO.max_images, INFO.max_image_bytes, INFO.max_alt_chars)
        elif self.cache_path:
            write_private(self.cache_path, found.__dict__)
        self._limits = found
        return found

    def _account(self) -> Any:
        if self._me is None:
            self._me = self._call("checking the account (verify_credentials)", self.api.me)
        return self._me

    def who_am_i(self) -> str:
        """`user@instance` of the token's account; also refreshes the cached instance limits."""
        acct = str(self._account()["acct"])
        self.refresh_limits()
        host = re.sub(r"^https?://", "", self.base_url)
        return acct if "@" in acct else f"{acct}@{host}"

    # -- the Publisher protocol -------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Upload the images with their descriptions, then post the status once (keyed)."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        limits = self.limits()
        length = mastodon_length(post.text, limits.characters_reserved_per_url)
        if length > limits.max_characters:
            raise PermanentError(f"post {post.id} is {length} characters; {self.base_url} takes "
                                 f"at most {limits.max_characters}")
        check_media(post.media, INFO, max_bytes=limits.image_size_limit,
                    max_alt=limits.description_limit, max_images=limits.max_media_attachments)
        media_ids = [self._upload(item) for item in post.media]
        status = self._call("the post", lambda: self.api.status_post(
            post.text, media_ids=media_ids or None, idempotency_key=idempotency_key(post.id),
            language=post.lang or None, visibility="public"))
        status_id = str(status["id"])
        shown = status.get("content")
        if shown and comparable(plain_text(str(shown))) != comparable(post.text):
            # the key's first status (an earlier attempt, before the post was edited)
            raise DuplicateError(f"Mastodon answered post {post.id}'s key with status "
                                 f"{status_id} of other words (an earlier attempt, before it "
                                 "was edited): check the account, then resolve the post")
        log.info("mastodon: post %s published as %s", post.id, status_id)
        return PublishResult(platform_id=status_id, url=status.get("url") or status.get("uri"),
                             detail={"media_ids": [str(m) for m in media_ids]})

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published if the text is among the account's statuses since shortly before it was
        due; absent if the statuses read reach back past that time; unknown otherwise."""
        since = post.scheduled_at
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        since -= RECONCILE_MARGIN
        account_id = self._account()["id"]
        statuses = self._call("reading the account's statuses", lambda: (
            self.api.account_statuses(account_id, exclude_reblogs=True, exclude_replies=True,
                                      limit=RECONCILE_PAGE)))
        mine = comparable(post.text)
        for status in statuses:
            created = _created(status)
            if created is not None and created < since:
                continue  # the same words posted earlier are another post
            if comparable(plain_text(status.get("content") or "")) == mine:
                return Reconciliation("published", PublishResult(
                    str(status["id"]), status.get("url") or status.get("uri")))
        if len(statuses) < RECONCILE_PAGE:
            return Reconciliation("absent")
        times = [t for t in map(_created, statuses) if t is not None]
        return Reconciliation("absent" if times and min(times) < since else "unknown")

    # -- media ------------------------------------------------------------------------------

    def _upload(self, item: MediaItem) -> str:
        """Upload one image with its description; wait while the instance processes it."""
        name = Path(item.path).name
        mime = MIME.get(Path(item.path).suffix.lower(), "application/octet-stream")
        data = read_media(item)
        media = self._call(f"the upload of {name}", lambda: self.api.media_post(
            io.BytesIO(data), mime_type=mime, description=item.alt or None, file_name=name))
        attempts = 0
        while not media.get("url"):  # 202: still processing
            if attempts >= POLL_ATTEMPTS:
                raise TransientError(f"Mastodon still processes {name} after {attempts} checks")
            self._sleep(POLL_SECONDS)
            attempts += 1
            media = self._call(f"the processing of {name}", lambda m=media: self.api.media(m))
        return str(media["id"])


def _created(status: Mapping[str, Any]) -> datetime | None:
    value = status.get("created_at")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
