"""One exception tree for the whole toolkit.

Every error a user can cause is a `ToolkitError`, which is a `click.ClickException`: the command
line prints it as `Error: …` (one line; `ConfigError` adds one line per problem) and exits 1,
never a traceback. The dispatcher tells publishing errors apart by class (`except
PermanentError`, `DuplicateError`, `RateLimited` with its `retry_after`, any other
`PublishError`); `reconcile` marks those that leave the outcome unknown, so the platform is
asked before any retry.
"""

from __future__ import annotations

from datetime import datetime

import click


class ToolkitError(click.ClickException):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        from toolkit.core.redact import redact

        super().__init__(redact(message))

    def format_message(self) -> str:
        """The message, each line cut to `MESSAGE_MAX` characters: never a whole long value."""
        from toolkit.core.problems import cut

        return "\n".join(cut(line) for line in self.message.split("\n"))


class ConfigError(ToolkitError):
    """The configuration file is missing or invalid."""


class LibraryError(ToolkitError):
    """The post library (posts/*.yaml) cannot be loaded or fails its checks."""


class ComposeError(ToolkitError):
    """A message cannot be composed: unknown id, missing language, or it does not fit."""


class GraphicsError(ToolkitError):
    """A card cannot be rendered legibly, or the brand fails its contrast check."""


class StoreError(ToolkitError):
    """A state change was refused or the store is unusable."""


class NotFound(StoreError):
    """No post with that id."""


class InvalidTransition(StoreError):
    """The post is not in a state that allows the requested change."""


class StaleRevision(InvalidTransition):
    """The post changed since the revision the person acted on (nothing was changed)."""


class InputError(ToolkitError):
    """Bad user input: a CSV row, a time, an option value."""


class PublishError(ToolkitError):
    """Base of the errors a publisher raises; the dispatcher decides what each one means."""

    #: after this error the platform must be asked whether the post went out before a retry
    reconcile: bool = False
    #: the platform's HTTP status, where it answered one (set by the publisher that maps it)
    status: int | None = None


class PermanentError(PublishError):
    """The platform refused the post for good (bad request, forbidden); `failed`, reason kept."""


class AuthError(PermanentError):
    """The account's keys are missing, wrong or revoked: reconnect the account."""


class DuplicateError(PublishError):
    """The platform says this exact post is already there (X's 403 "duplicate content")."""

    reconcile = True


class TransientError(PublishError):
    """A server error or timeout: the outcome is unknown, so reconcile before any retry."""

    reconcile = True


class NotCreatedError(TransientError):
    """A transient failure that cannot have created the post: an upload before the post record,
    a refused connection. Retried after a backoff without asking the platform first."""

    reconcile = False


class RateLimited(PublishError):
    """The account hit its rate limit; only this account waits until `retry_after`."""

    def __init__(self, message: str, retry_after: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
