"""One redaction step: every configured secret value, and URL passwords in every form, masked.

Secrets are registered where they are read (`.env`, the environment variables the config names,
the store URL); `redact` masks them in any text. It runs on every `ToolkitError` message (so on
every error line, stored `last_error`, audit detail and page built from one), on every log
record (`RedactingFilter`), and again where the store writes errors and audit details.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
#: values shorter than this are not masked (they would mask ordinary words)
MIN_LENGTH = 6
#: variable names whose values are secrets wherever they are set
SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|PASSWORD|PASSWD|KEY|WEBHOOK)$", re.IGNORECASE)

_secrets: set[str] = set()
_pattern: re.Pattern | None = None

#: `scheme://user:password@host`: the password may itself hold `@` (up to the last `@`)
_URL_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/?#@]*:)\S+@(?=[^\s@/]*)", re.IGNORECASE)
#: `?password=…`, `&token=…` and the like in a URL's query
#: a sign-off link's token in a path (`/review/<token>`): a log line of a request never shows it
_REVIEW_TOKEN = re.compile(r"(/review/|/m/[^/\s]+/\d+/)[A-Za-z0-9_-]{16,}")
_URL_QUERY = re.compile(r"([?&;](?:password|passwd|pwd|pass|token|access_token|secret|"
                        r"api_?key|key)=)[^&;\s#'\"]+", re.IGNORECASE)


def register(values: Iterable[str | None]) -> None:
    """Mask these values (and their URL-encoded forms) from now on."""
    global _pattern
    added = False
    for raw in values:
        # publishers send a value stripped (a secret file's newline): mask both forms
        for value in {raw, (raw or "").strip()}:
            if not value or len(value) < MIN_LENGTH:
                continue
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                if form not in _secrets:
                    _secrets.add(form)
                    added = True
    if added:
        forms = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(f) for f in forms))


def register_environment(env: dict[str, str] | Iterable[tuple[str, str]],
                         names: Iterable[str] = ()) -> None:
    """Register the values of the variables `names` and of every secret-looking variable
    (…_TOKEN, …_SECRET, …_PASSWORD, …_KEY) in `env`, and the password of every URL value."""
    items = dict(env)
    wanted = set(names)
    register(v for k, v in items.items() if k in wanted or SECRET_NAME.search(k))
    register(url_password(v) for v in items.values() if "://" in (v or ""))


def url_password(url: str) -> str | None:
    """The password of a URL's user info (`scheme://user:PASSWORD@host`), if any."""
    m = re.match(r"[a-z][a-z0-9+.-]*://[^\s:/?#@]*:(\S+)@[^\s@]*$", url or "", re.IGNORECASE)
    return m[1] if m else None


def redact(text: str) -> str:
    """`text` with every registered secret and every URL password masked."""
    if not text:
        return text
    if _pattern is not None:
        text = _pattern.sub(MASK, text)
    text = _URL_USERINFO.sub(rf"\g<1>{MASK}@", text)
    return _URL_QUERY.sub(rf"\g<1>{MASK}", text)


def redact_log(text: str) -> str:
    """`redact`, and a sign-off link's token in a path masked too (a log line never needs it;
    a page that hands a new link out does)."""
    return _REVIEW_TOKEN.sub(rf"\g<1>{MASK}", redact(text))


class RedactingFilter(logging.Filter):
    """Masks secrets in every record passing through a handler (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact_log(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_log(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Add `RedactingFilter` to every handler of `logger` (the root logger by default), and to
    a named logger itself, so its records are masked for every handler they reach."""
    logger = logger or logging.getLogger()
    targets: list[logging.Filterer] = list(logger.handlers)
    if logger.name != "root":
        targets.append(logger)
    for target in targets:
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
