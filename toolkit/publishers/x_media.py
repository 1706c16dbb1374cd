"""Images for X: checks before any network call, v2 upload with alt text, and error mapping.

tweepy 4.17 has no v2 media upload and X retired the v1.1 one, so images go through X's v2
endpoints with requests, signed with the account's OAuth 1.0a user keys:

- `POST /2/media/upload` (multipart: `media` file, `media_category=tweet_image`) answers
  `{"data": {"id": "...", "media_key": "...", ...}}`;
- `POST /2/media/metadata` with `{"id": ..., "metadata": {"alt_text": {"text": ...}}}` sets the
  alt text; it must happen before the post that names the media is created.

`error_for_response` maps any X HTTP error (from these requests or from tweepy's) to the
toolkit's `PublishError`s, so both paths fail the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import requests

from toolkit.core.errors import (
    AuthError,
    DuplicateError,
    PermanentError,
    PublishError,
    RateLimited,
    TransientError,
)
from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import MediaItem, read_media
from toolkit.publishers.limits import check_media as check_platform_media

log = logging.getLogger("toolkit.publishers.x")

API_HOST = "https://api.x.com"
UPLOAD_PATH = "/2/media/upload"
METADATA_PATH = "/2/media/metadata"
X = PLATFORMS["x"]
MAX_IMAGE_BYTES = X.max_image_bytes
#: image types the one-shot upload takes, by file suffix
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}
#: default (connect, read) timeout in seconds for every request to X
DEFAULT_TIMEOUT = (10.0, 60.0)
#: rate-limit windows X reports in headers: the 15-minute one and the free tier's 24-hour ones
_LIMIT_WINDOWS = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")

RECONNECT_HINT = ("X rejected the account's keys: reconnect the account (check or regenerate its "
                  "keys and tokens in the X developer portal, then set {names})")
PERMISSIONS_HINT = ("X says the app may not post for this account: set the app's permissions to "
                    "'Read and write', then regenerate the access token and secret and set {names}")


def check_media(media: Sequence[MediaItem]) -> None:
    """Refuse what X would refuse, before any network call: `PermanentError` naming the problem.

    At most 4 images, each a PNG, JPEG or WebP file of at most 5 MB, alt text at most 1000
    characters (the table of platforms' entry for X).
    """
    check_platform_media(media, X)


def retry_after(headers: Mapping[str, str]) -> datetime | None:
    """When a 429 ends (UTC), from X's rate-limit headers; None if X did not say.

    `x-rate-limit-reset` (epoch seconds) is the usual answer; when a free-tier 24-hour window
    (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`) is the exhausted one, its later reset wins.
    """
    resets: dict[str, int] = {}
    exhausted: list[int] = []
    for window in _LIMIT_WINDOWS:
        try:
            reset = int(headers.get(f"{window}-reset", ""))
        except ValueError:
            continue
        resets[window] = reset
        if str(headers.get(f"{window}-remaining", "")).strip() == "0":
            exhausted.append(reset)
    if exhausted:
        chosen = max(exhausted)
    elif "x-rate-limit" in resets:
        chosen = resets["x-rate-limit"]
    elif resets:
        chosen = max(resets.values())
    else:
        return None
    return datetime.fromtimestamp(chosen, tz=UTC)


def x_message(response: requests.Response) -> str:
    """X's own words for an error response: `STATUS Reason: message; message`."""
    head = f"{response.status_code} {response.reason or ''}".strip()
    try:
        body = response.json()
    except ValueError:
        return head
    if not isinstance(body, dict):
        return head
    messages = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail")
        else:
            text = str(error)
        if text and text not in messages:
            messages.append(str(text))
    if not messages and body.get("detail"):
        messages.append(str(body["detail"]))
    if not messages and body.get("title"):
        messages.append(str(body["title"]))
    return f"{head}: {'; '.join(messages)}" if messages else head


def _problem_type(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""


def _is_duplicate(response: requests.Response, message: str) -> bool:
    if "duplicate" in message.lower():
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return any(isinstance(e, dict) and e.get("code") == 187 for e in errors or [])


def error_for_response(response: requests.Response, action: str,
                       key_names: Sequence[str] = ()) -> PublishError:
    """The toolkit error for an X error response to `action` (e.g. "the post").

    429 -> `RateLimited` (until X's reset), 5xx -> `TransientError`, 401 -> `AuthError`,
    403 "duplicate content" -> `DuplicateError`, 403 on app permissions -> `AuthError`, other
    4xx -> `PermanentError` with X's message. Only variable names, never keys, go in messages.
    """
    status = response.status_code
    message = x_message(response)
    names = ", ".join(key_names) or "the account's keys"
    if status == 429:
        until = retry_after(response.headers)
        when = until.isoformat().replace("+00:00", "Z") if until else "X's reset time"
        return RateLimited(f"X rate limit reached for {action} until {when} ({message})",
                           retry_after=until)
    if status >= 500:
        return TransientError(f"X server error for {action}: {message}")
    if status == 401:
        return AuthError(RECONNECT_HINT.format(names=names) + f" ({message})")
    if status == 403 and _is_duplicate(response, message):
        return DuplicateError(f"X refused {action} as duplicate content ({message})")
    if status == 403 and "oauth1-permissions" in _problem_type(response):
        return AuthError(PERMISSIONS_HINT.format(names=names) + f" ({message})")
    return PermanentError(f"X refused {action}: {message}")


def network_error(exc: Exception, action: str) -> TransientError:
    """A timeout or connection failure: the outcome is unknown, so reconcile before a retry."""
    return TransientError(f"no answer from X for {action} ({type(exc).__name__}); the outcome "
                          "is unknown")


class MediaUploader:
    """Uploads images to X's v2 media endpoints and sets their alt text."""

    def __init__(self, session: requests.Session, auth: requests.auth.AuthBase,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, host: str = API_HOST,
                 key_names: Sequence[str] = ()) -> None:
        self.session = session
        self.auth = auth
        self.timeout = timeout
        self.host = host.rstrip("/")
        self.key_names = tuple(key_names)

    def upload_all(self, media: Sequence[MediaItem]) -> list[str]:
        """Check, then upload every image in order with its alt text; their media ids."""
        check_media(media)
        return [self.upload(item) for item in media]

    def upload(self, item: MediaItem) -> str:
        """Upload one image (multipart, `tweet_image`), set its alt text; the media id."""
        path = Path(item.path)
        content_type = IMAGE_TYPES.get(path.suffix.lower(), "application/octet-stream")
        content = read_media(item)
        data = self._post(UPLOAD_PATH, f"the upload of {path.name}",
                          files={"media": (path.name, content, content_type)},
                          data={"media_category": "tweet_image", "media_type": content_type})
        media_id = (data.get("data") or {}).get("id") if isinstance(data, dict) else None
        if not media_id:
            raise TransientError(f"X answered the upload of {path.name} without a media id")
        media_id = str(media_id)
        log.debug("x: uploaded %s as media %s", path.name, media_id)
        if item.alt:
            self._post(METADATA_PATH, f"the alt text of {path.name}",
                       json={"id": media_id, "metadata": {"alt_text": {"text": item.alt}}})
        return media_id

    def _post(self, route: str, action: str, **kwargs: object) -> dict:
        try:
            response = self.session.post(self.host + route, auth=self.auth,
                                         timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise network_error(exc, action) from exc
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, action, self.key_names)
        try:
            body = response.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}
