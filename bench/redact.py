"""How long `redact_log` takes on a 2 KB log line with 10 registered secrets (it runs on every
log record), median of several timeit rounds: a plain line, and one that holds every marker
(a URL with user info, `token=`, an Authorization header) so every pattern runs."""

from __future__ import annotations

import random
import statistics
import string
import timeit

from toolkit.core.redact import redact_log, register

CALLS = 2000
ROUNDS = 5


def line_of(chunk: str) -> str:
    """`chunk` repeated to 2048 characters."""
    return (chunk * (2048 // len(chunk) + 1))[:2048]


def main() -> None:
    rng = random.Random(1)
    register("".join(rng.choices(string.ascii_letters + string.digits + "/+@é", k=32))
             for _ in range(10))
    plain = line_of("INFO publish attempt for post 1234 on mastodon at https://example.social/"
                    "api/v1/statuses status=422 body={\"error\":\"Text is too long\"} ")
    marked = line_of("WARN 401 from https://u:pw@h/x?token=abc123&a=1 with Authorization: "
                     "Bearer eyJhbGciOi.J9xx ")
    for name, line in (("plain", plain), ("every marker", marked)):
        rounds = timeit.repeat(lambda line=line: redact_log(line), number=CALLS, repeat=ROUNDS)
        print(f"redact_log, {len(line)}-char {name} line, 10 secrets: "
              f"{statistics.median(rounds) / CALLS * 1e6:.1f} µs per line")


if __name__ == "__main__":
    main()
