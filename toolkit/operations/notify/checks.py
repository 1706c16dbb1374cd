"""`toolkit check`'s rule for notification channels: each URL variable is set and valid."""

from __future__ import annotations

from toolkit.core.config import Config
from toolkit.core.problems import Problems
from toolkit.core.secrets import load_dotenv_file


def check_channels(config: Config, library: object, problems: Problems) -> None:
    """A channel whose variable is unset is noted (the scheduler skips it); one that holds no
    valid apprise URL is an error. Only variable names are ever shown."""
    if not config.notify.channels:
        return
    load_dotenv_file(config.root)
    from toolkit.operations.notify.sender import AppriseSender

    sender = AppriseSender()
    for ch in config.notify.channels.values():
        url = sender.url_of(ch)
        if url is None:
            problems.notes.append(f"notification channel '{ch.name}': {ch.url_env} is not set; "
                                  "it is skipped")
            continue
        import apprise

        if not apprise.Apprise().add(url):
            problems.error(config.path, 1, f"notification channel '{ch.name}': {ch.url_env} "
                           "does not hold a valid apprise URL")
