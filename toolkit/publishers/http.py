"""A thin `httpx` client for the platforms without a fitting maintained library (Meta's Graph APIs
for Threads, Instagram and Facebook Pages; LinkedIn's REST API), with the toolkit's error mapping:

- 429, or a Graph API throttling code (4, 17, 32, 613, 80001-80014) -> `RateLimited` until the
  platform's reset (`Retry-After`, Meta's `estimated_time_to_regain_access`, else LinkedIn's
  daily reset at midnight UTC, else 15 minutes);
- 5xx, timeouts and network errors -> `TransientError` (the outcome is unknown: reconcile first);
- 401, or Graph API code 190/102 (expired or revoked token) -> `AuthError` "reconnect", naming
  the account's environment variables;
- other 4xx -> `PermanentError` with the platform's own words.

Tokens travel as the platforms document (Graph: `access_token` parameter; LinkedIn: a bearer
header). httpx logs every request's URL at INFO, so building a client raises the `httpx` and
`httpcore` loggers to WARNING; `toolkit.core.redact` also masks `access_token=` in any URL a log
line
shows, and the registry registered each token's value before this client was built.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from toolkit.core import clock
from toolkit.core.errors import AuthError, PermanentError, PublishError, RateLimited, TransientError

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: Graph API error codes that mean "throttled" (application, user, page, custom and BUC limits)
META_THROTTLE = {4, 17, 32, 613} | set(range(80001, 80015))
#: Graph API error codes that mean "the token is expired, revoked or invalid"
META_AUTH = {102, 190}


def platform_words(response: httpx.Response) -> str:
    """The platform's own words for an error answer: `STATUS: message` (Graph's `error.message`
    and `error_user_msg`, LinkedIn's `message`), else the status line."""
    head = f"{response.status_code} {response.reason_phrase or ''}".strip()
    body = _json(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    words = [str(error[k]) for k in ("message", "error_user_msg", "error_message")
             if isinstance(error, dict) and error.get(k)]
    return f"{head}: {'; '.join(dict.fromkeys(words))}" if words else head


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def meta_code(response: httpx.Response) -> int | None:
    """The Graph API's `error.code` of an answer, or None."""
    error = _json(response).get("error")
    try:
        return int(error["code"]) if isinstance(error, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


def reset_time(headers: Mapping[str, str], now: datetime, daily_reset: bool = False
               ) -> datetime | None:
    """When a rate limit ends: `Retry-After` (seconds or an HTTP date), Meta's
    `estimated_time_to_regain_access` (minutes, in `X-Business-Use-Case-Usage` or
    `X-App-Usage`), else the next midnight UTC for a platform whose limits reset daily."""
    after = headers.get("retry-after")
    if after:
        try:
            return now + timedelta(seconds=int(after))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                return parsedate_to_datetime(after).astimezone(UTC)
            except (TypeError, ValueError):
                pass
    minutes = [m for name in ("x-business-use-case-usage", "x-app-usage", "x-page-usage")
               for m in _regain_minutes(headers.get(name))]
    if minutes and max(minutes) > 0:
        return now + timedelta(minutes=max(minutes))
    if daily_reset:
        return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1),
                                datetime.min.time(), UTC)
    return None


def _regain_minutes(value: str | None) -> list[int]:
    try:
        data = json.loads(value or "")
    except ValueError:
        return []
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "estimated_time_to_regain_access" and isinstance(item, int | float):
                    found.append(int(item))
                else:
                    walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return found


#: loggers that would print request URLs (Graph tokens travel in the query of GET requests)
URL_LOGGERS = ("httpx", "httpcore")


def quiet_url_loggers() -> None:
    """Keep httpx and httpcore below INFO: they log each request's URL there."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (0) included
            logger.setLevel(logging.WARNING)


class PlatformHttp:
    """One platform's HTTP client: requests with a timeout, answers mapped to toolkit errors."""

    def __init__(self, title: str, reconnect_hint: str, *, daily_reset: bool = False,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 headers: Mapping[str, str] | None = None) -> None:
        quiet_url_loggers()
        self.title = title
        self.reconnect_hint = reconnect_hint
        self.daily_reset = daily_reset
        self.client = httpx.Client(timeout=timeout, headers=dict(headers or {}),
                                   follow_redirects=False)

    def call(self, method: str, url: str, action: str, **kwargs: Any) -> httpx.Response:
        """Send one request; the answer when it is a success, else the toolkit's error."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"{self.title} did not answer {action} in time "
                                 f"({type(exc).__name__}); the outcome is unknown") from None
        except httpx.HTTPError as exc:
            raise TransientError(f"no answer from {self.title} for {action} "
                                 f"({type(exc).__name__}); the outcome is unknown") from None
        if response.is_success:
            return response
        raise self.error_for(response, action)

    def json(self, method: str, url: str, action: str, **kwargs: Any) -> dict:
        """`call`, then the answer's JSON object ({} for an empty answer)."""
        return _json(self.call(method, url, action, **kwargs))

    def error_for(self, response: httpx.Response, action: str) -> PublishError:
        """The toolkit error for a failed answer (see the module's docstring)."""
        status, code = response.status_code, meta_code(response)
        words = platform_words(response)
        if status == 429 or code in META_THROTTLE:
            until = reset_time(response.headers, clock.now(), self.daily_reset)
            when = until.isoformat().replace("+00:00", "Z") if until else "its reset time"
            return RateLimited(f"{self.title} rate limit reached for {action} until {when} "
                               f"({words})", retry_after=until)
        if status >= 500:
            return TransientError(f"{self.title} failed for {action} ({words}); the outcome "
                                  "is unknown")
        if status == 401 or code in META_AUTH:
            return AuthError(f"{self.reconnect_hint} ({words})")
        return PermanentError(f"{self.title} refused {action}: {words}")

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def epoch(value: object) -> datetime | None:
    """A positive epoch-seconds value as a UTC time; 0, None or junk: None."""
    try:
        seconds = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None


def debug_token_expiry(http: PlatformHttp, api: str, token: str) -> tuple[bool, datetime | None]:
    """(known, when) of a Meta token's expiry from `GET {api}/debug_token` (the token inspects
    itself); known with None: it does not expire (`expires_at` 0). A rejected token raises."""
    try:
        data = http.json("GET", f"{api}/debug_token", "reading the token's expiry",
                         params={"input_token": token, "access_token": token}).get("data") or {}
    except AuthError:
        raise
    except PermanentError:
        return False, None
    if not isinstance(data, dict) or "expires_at" not in data:
        return False, None
    return True, epoch(data.get("expires_at"))
