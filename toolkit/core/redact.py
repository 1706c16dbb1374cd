"""One redaction step: every configured secret value, and URL passwords in every form, masked.

Secrets are registered where they are read (`.env`, the environment variables the config names,
the store URL); `redact` masks them in any text. It runs on every `ToolkitError` message (so on
every error line, stored `last_error`, audit detail and page built from one), on every log
record (`RedactingFilter`), and again where the store writes errors and audit details.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote

MASK = "***"
#: values shorter than this are not masked (they would mask ordinary words)
MIN_LENGTH = 6
#: variable names whose values are secrets wherever they are set
SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|PASSWORD|PASSWD|KEY|WEBHOOK)$", re.IGNORECASE)

_secrets: set[str] = set()
_pattern: re.Pattern | None = None

#: `scheme://user:password@host`: the password may itself hold `@` (up to the last `@`)
#: (the patterns start at `://`, a literal the regex engine finds fast: no scheme needed)
_URL_USERINFO = re.compile(r"(://[^\s:/?#@]*:)\S+@")
#: `https://TOKEN@host`: a web URL's user part alone (no password) is a token (GitHub, GitLab
#: deploy URLs); a store URL's user name (`postgresql://campaign@host`) is no secret and stays
_URL_USER = re.compile(r"(://)(?:(?<=https://)|(?<=http://)|(?<=wss://)|(?<=ws://))"
                       r"[^\s:/?#@]{6,}@")
#: a sign-off link's token in a path (`/review/<token>`): a log line of a request never shows it
_REVIEW_TOKEN = re.compile(r"(/review/|/m/[^/\s]+/\d+/)[A-Za-z0-9_-]{16,}")
#: `key=value` whose value is a secret: in a URL's query or fragment (`?…&`, `#…`), a form body
#: and a libpq connection string (`host=db password='a b'`); the short generic keys (`code`,
#: `key`, `pass`, `pwd`) only in a query, fragment or form body, where they are no ordinary words
_KEY_VALUE = re.compile(
    r"([?&;#\s\"'(,{](?:(?<=[?&;#])(?:code|key|pass|pwd)|(?:password|passwd|sslpassword|"
    r"token|access_token|refresh_token|id_token|client_secret|oauth_token|oauth_token_secret|"
    r"oauth_verifier|app_password|secret|api_?key))=)('(?:[^'\\]|\\.)*'|[^&;\s#'\"]+)",
    re.IGNORECASE)
#: an `Authorization` header's value, and a `Bearer`/`Basic` credential wherever it is echoed
#: (not an ordinary word after it: "Basic authentication")
_AUTHORIZATION = re.compile(
    r"((?:[Aa]uthorization|AUTHORIZATION)[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|[Dd]igest)\s+)?)[^\s\"',;}]+")
_CREDENTIAL = re.compile(r"((?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s+)(?![A-Z]?[a-z]+\b)"
                         r"[A-Za-z0-9._~+/-]{8,}=*")
#: a text without any of these (lower-cased) has no `key=secret` to mask: the pattern is skipped
_KEY_MARKS = ("password=", "passwd=", "pass=", "pwd=", "token=", "secret=", "key=", "code=",
              "verifier=")
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_UNICODE_ESCAPE = re.compile(r"\\u[0-9a-f]{4}")
#: a URL part that is a host name or address, never a secret (`register_url` skips it)
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]")


def forms(value: str) -> set[str]:
    """The ways `value` shows in an echoed text: as is, percent-encoded (`%2F`, `%2f`, `+`
    for a space) and JSON-escaped (`\\"`, `\\/`, `\\u00e9` and `\\u00E9`)."""
    found = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    found |= {_PERCENT.sub(lambda m: m[0].lower(), f) for f in found}
    for escaped in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        found |= {escaped, escaped.replace("/", "\\/")}
        found |= {_UNICODE_ESCAPE.sub(lambda m: m[0].upper().replace("\\U", "\\u"), f)
                  for f in (escaped, escaped.replace("/", "\\/"))}
    return found


def register(values: Iterable[str | None]) -> None:
    """Mask these values, in every form they may be echoed in (`forms`), from now on; a
    percent-encoded value (a store URL's `p%40ss`) is masked decoded too."""
    global _pattern
    added = False
    for raw in values:
        # publishers send a value stripped (a secret file's newline): mask both forms
        stripped = (raw or "").strip()
        for value in {raw, stripped, unquote(stripped) if "%" in stripped else None}:
            if not value or len(value) < MIN_LENGTH:
                continue
            for form in forms(value) - _secrets:
                _secrets.add(form)
                added = True
    if added:
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(f) for f in ordered))


def register_url(url: str | None) -> None:
    """Mask every part of `url` that may be a secret: a notification channel's URL carries its
    tokens anywhere (`discord://ID/TOKEN`, `tgram://BOT:TOKEN/CHAT`), so each part but the
    scheme, host names, addresses and plain lower-case words (`webhooks`) is registered."""
    if not url:
        return
    register([url, url_password(url)])
    parts = re.split(r"[/:@?&=#,]+", url.split("://", 1)[-1])
    register(p for p in parts if not _HOST.fullmatch(p) and not re.fullmatch(r"[a-z_-]+", p))


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
    """`text` with every registered secret, URL password or user token, secret query, form or
    connection-string value and Authorization credential masked."""
    if not text:
        return text
    if _pattern is not None:
        text = _pattern.sub(MASK, text)
    # each pattern runs only when its marker shows (`in` is far faster than a regex scan):
    # the common log line pays for the registered secrets and a few substring checks
    low = text.lower()
    if "authorization" in low:
        text = _AUTHORIZATION.sub(rf"\g<1>{MASK}", text)
    if "bearer" in low or "basic" in low:
        text = _CREDENTIAL.sub(rf"\g<1>{MASK}", text)
    if "://" in text:
        text = _URL_USERINFO.sub(rf"\g<1>{MASK}@", text)
        text = _URL_USER.sub(rf"\g<1>{MASK}@", text)
    if any(mark in low for mark in _KEY_MARKS):
        # the pattern starts at the delimiter before the key (a fast scan): a text starting
        # with `key=` is given one, `&`, as a form body would have
        text = _KEY_VALUE.sub(rf"\g<1>{MASK}", "&" + text)[1:]
    return text


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
