"""The X (Twitter) publisher: tweepy's v2 `Client` with the account's OAuth 1.0a user keys.

- Posts go out with `Client.create_tweet(..., user_auth=True)`; images go first through X's v2
  media endpoints (`x_media`), alt text included, then their ids are passed as `media_ids`.
- Errors are mapped at this boundary: 429 -> `RateLimited` (until X's reset; nothing sleeps
  here), 5xx and network errors -> `TransientError`, 401 -> `AuthError`, 403 "duplicate
  content" -> `DuplicateError`, other 4xx -> `PermanentError` with X's message.
- `reconcile` looks for the post's text among the account's posts since shortly before it was
  due, comparing with links, whitespace and X's HTML escaping normalised.

Keys come from the environment by the names in `accounts.<name>.env`; only those names ever
appear in messages. oauthlib and requests-oauthlib log keys and signatures at DEBUG, so building
a publisher raises their loggers to WARNING.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, TypeVar

import requests
import tweepy
from requests.adapters import HTTPAdapter

from toolkit.core.config import Account, Config
from toolkit.core.errors import AuthError, PermanentError, PublishError, RateLimited, TransientError
from toolkit.publishers.base import OutgoingPost, PublishResult, Reconciliation
from toolkit.publishers.keys import REQUIRED_KEYS, missing_variables
from toolkit.publishers.x_media import (
    API_HOST,
    DEFAULT_TIMEOUT,
    MediaUploader,
    check_media,
    error_for_response,
    network_error,
)

log = logging.getLogger("toolkit.publishers.x")

#: the key roles an X account needs in `accounts.<name>.env`, in the order X names them
KEY_ROLES = REQUIRED_KEYS["x"]
#: loggers that print OAuth keys, tokens and signatures at DEBUG
SECRET_LOGGERS = ("oauthlib", "requests_oauthlib")
#: how far before the due time `reconcile` looks (clock skew between us and X)
RECONCILE_MARGIN = timedelta(hours=1)
URL_PLACEHOLDER = "\u2060URL\u2060"

T = TypeVar("T")


@dataclass(frozen=True)
class XCredentials:
    """OAuth 1.0a user keys of one account; never shown by `repr`."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_secret: str = field(repr=False)


def missing_keys(account: Account, env: Mapping[str, str] = os.environ) -> list[str]:
    """Names of the environment variables the X account needs that are unset or empty."""
    return missing_variables(account, env)


def quiet_secret_loggers() -> None:
    """Keep oauthlib and requests-oauthlib below DEBUG: they log keys and signatures there."""
    for name in SECRET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (0) included
            logger.setLevel(logging.WARNING)


class _TimeoutAdapter(HTTPAdapter):
    """An HTTP adapter with a default timeout: tweepy's `Client` passes none."""

    def __init__(self, timeout: float | tuple[float, float]) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        """Send with our timeout unless the caller gave one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, *args, **kwargs)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _without_urls(text: str) -> str:
    """`text` with every link X would make of it (with or without scheme) as one placeholder."""
    import warnings

    with warnings.catch_warnings():  # twitter_text's pkg_resources import warns
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import twitter_text

    parts, last = [], 0
    urls = twitter_text.extract_urls_with_indices(text, True)
    for url in sorted(urls, key=lambda u: u["indices"][0]):
        start, end = url["indices"]
        parts += [text[last:start], URL_PLACEHOLDER]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def normalise_text(text: str, *, from_x: bool = False) -> str:
    """Text in a form that survives X's rewriting: NFC, links as a placeholder, whitespace
    collapsed; with `from_x`, X's HTML escaping (&amp; &lt; &gt;) undone first."""
    if from_x:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFC", text)
    return _collapse(_without_urls(text))


def same_text(ours: str, theirs: str, has_media: bool = False) -> bool:
    """Whether X's stored `theirs` is our `ours` (X appends one media link to posts with images)."""
    mine = normalise_text(ours)
    stored = normalise_text(theirs, from_x=True)
    if stored == mine:
        return True
    if has_media and stored.endswith(URL_PLACEHOLDER):
        return stored[: -len(URL_PLACEHOLDER)].strip() == mine
    return False


class XPublisher:
    """Publishes to one X account with its OAuth 1.0a user keys."""

    platform = "x"

    def __init__(self, account: Account, credentials: XCredentials, *,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 media_host: str = API_HOST, reconcile_max_results: int = 100) -> None:
        quiet_secret_loggers()
        self.account = account
        self.handle = (account.handle or "").lstrip("@") or None
        self.timeout = timeout
        self.reconcile_max_results = max(5, min(100, reconcile_max_results))
        self._key_names = tuple(account.env.get(r, r) for r in KEY_ROLES)
        self.client = tweepy.Client(
            consumer_key=credentials.api_key, consumer_secret=credentials.api_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_secret, wait_on_rate_limit=False)
        adapter = _TimeoutAdapter(timeout)
        self.client.session.mount("https://", adapter)
        self.client.session.mount("http://", adapter)
        auth = tweepy.OAuth1UserHandler(credentials.api_key, credentials.api_secret,
                                        credentials.access_token, credentials.access_secret)
        self.media = MediaUploader(self.client.session, auth.apply_auth(), timeout, media_host,
                                   self._key_names)
        self._me: tuple[str, str] | None = None  # (user id, username), from get_me once

    def __repr__(self) -> str:
        return f"XPublisher(account={self.account.name!r}, handle={self.handle!r})"

    @classmethod
    def from_env(cls, account: Account, env: Mapping[str, str] = os.environ,
                 **options: Any) -> XPublisher:
        """The publisher for `account`, keys read from `env` by the names the config gives.

        Raises `AuthError` naming the missing variables (never any value).
        """
        missing = missing_keys(account, env)
        if missing:
            raise AuthError(f"account {account.name} (x): missing {', '.join(missing)} "
                            "(set them in the environment or .env)")
        keys = {role: env[account.env[role]].strip() for role in KEY_ROLES}
        return cls(account, XCredentials(keys["api_key"], keys["api_secret"],
                                         keys["access_token"], keys["access_secret"]), **options)

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> XPublisher:
        """The publisher for `account` of `config` (the registry's entry point)."""
        return cls.from_env(account, env)

    # -- the Publisher protocol -------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Upload the images (with alt text), then create the post once; its id and URL."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        check_media(post.media)  # before any network call
        media_ids = self.media.upload_all(post.media) if post.media else None
        response = self._call(
            "the post", lambda: self.client.create_tweet(
                text=post.text, media_ids=media_ids, user_auth=True))
        data = response.data if isinstance(response.data, dict) else {}
        tweet_id = data.get("id")
        if not tweet_id:
            raise TransientError("X answered the post without an id; the outcome is unknown")
        tweet_id = str(tweet_id)
        log.info("x: post %s published as %s", post.id, tweet_id)
        return PublishResult(platform_id=tweet_id, url=self._url(tweet_id),
                             detail={"media_ids": media_ids or []})

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published (with id and URL) if the text is among the account's posts since shortly
        before it was due, absent if X's answer shows it is not, unknown if X cannot tell.

        Rate limits, server and network errors, and rejected keys raise their errors.
        """
        try:
            user_id = self._own_user()[0]
            since = post.scheduled_at
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            response = self._call("reading the account's posts", lambda: (
                self.client.get_users_tweets(
                    id=user_id, max_results=self.reconcile_max_results,
                    start_time=since - RECONCILE_MARGIN, exclude=["retweets", "replies"],
                    user_auth=True)))
        except (RateLimited, TransientError, AuthError):
            raise
        except PublishError as exc:  # e.g. 403: the access level does not include timelines
            log.warning("x: cannot check post %s on X: %s", post.id, exc.message)
            return Reconciliation("unknown")
        tweets = response.data or []
        for tweet in tweets:
            if same_text(post.text, tweet.text or "", has_media=bool(post.media)):
                tweet_id = str(tweet.id)
                return Reconciliation("published", PublishResult(tweet_id, self._url(tweet_id)))
        meta = response.meta or {}
        if response.errors:
            log.warning("x: X's answer for post %s carried errors: %s", post.id,
                        "; ".join(str(e.get("detail") or e.get("message") or e)
                                  for e in response.errors if isinstance(e, dict)))
            return Reconciliation("unknown")
        if meta.get("next_token"):  # more posts in the window than one page shows
            return Reconciliation("unknown")
        if tweets or meta.get("result_count") == 0:
            return Reconciliation("absent")
        return Reconciliation("unknown")

    # -- the account ------------------------------------------------------------------------

    def who_am_i(self) -> str:
        """The account's username, from X (`GET /2/users/me`); checks the keys work."""
        return self._own_user()[1]

    def _own_user(self) -> tuple[str, str]:
        if self._me is None:
            response = self._call("checking the account (users/me)",
                                  lambda: self.client.get_me(user_auth=True))
            user = response.data
            if user is None or not getattr(user, "id", None):
                raise TransientError("X answered users/me without the account")
            self._me = (str(user.id), str(user.username))
        return self._me

    def _url(self, tweet_id: str) -> str:
        """`https://x.com/<username>/status/<id>`; without a known username, X's id-only link."""
        username = self.handle
        if not username:
            try:
                username = self._own_user()[1]
            except PublishError as exc:  # the post is out: never fail it for its URL
                log.warning("x: no username for the URL of %s (%s)", tweet_id, exc.message)
                return f"https://x.com/i/web/status/{tweet_id}"
        return f"https://x.com/{username}/status/{tweet_id}"

    def _call(self, action: str, call: Callable[[], T]) -> T:
        """Run one tweepy call, mapping its errors to the toolkit's."""
        try:
            return call()
        except tweepy.HTTPException as exc:
            raise error_for_response(exc.response, action, self._key_names) from exc
        except (requests.RequestException, tweepy.TweepyException) as exc:
            raise network_error(exc, action) from exc
