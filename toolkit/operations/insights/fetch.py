"""Public engagement counts from each platform's read API, many posts a call where it allows.

- Bluesky: `app.bsky.feed.getPosts` on an AppView (no sign-in), up to 25 AT URIs a call; a post
  missing from the answer is gone (deleted or taken down).
- Mastodon: `GET /api/v1/statuses/:id` on the account's instance, one status a call; 404 (or
  410) means deleted.
- X: `GET /2/tweets?ids=…&tweet.fields=public_metrics` with the account's user keys, up to 100
  ids a call; a deleted tweet comes back in `errors` as `resource-not-found`.

A 429 raises `RateLimited` with the time the platform's reset header names (none: 15 minutes).
Every answer is a `Fetched`: counts per platform post id, and the ids found deleted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from toolkit.core.errors import RateLimited, TransientError

DEFAULT_APPVIEW = "https://public.api.bsky.app"
X_API = "https://api.twitter.com"
BATCH = {"bluesky": 25, "mastodon": 1, "x": 100}
TIMEOUT = (5.0, 20.0)
#: how long a 429 without a reset header keeps a platform waiting
DEFAULT_BACKOFF = timedelta(minutes=15)


@dataclass
class Fetched:
    """Counts read: `counts[platform id] = (likes, reposts, replies, quotes)` (quotes None
    where the platform has none) and the ids the platform says are gone."""

    counts: dict[str, tuple[int | None, ...]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)


def reset_time(headers: Mapping[str, str], now: datetime) -> datetime:
    """When a 429 ends: `ratelimit-reset`/`x-rate-limit-reset` (epoch seconds),
    `X-RateLimit-Reset` (ISO 8601, Mastodon), else `Retry-After` as the publishers read it
    (`toolkit.publishers.http.reset_time`); none: 15 minutes from now."""
    from toolkit.publishers.http import reset_time as retry_after

    lower = {k.lower(): v for k, v in headers.items()}
    for name in ("x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset"):
        value = (lower.get(name) or "").strip()
        if not value:
            continue
        try:
            return datetime.fromtimestamp(int(float(value)), tz=UTC)
        except ValueError:
            try:
                found = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return found if found.tzinfo else found.replace(tzinfo=UTC)
            except ValueError:
                continue
    return retry_after(lower, now) or now + DEFAULT_BACKOFF


def _get(session: requests.Session, url: str, what: str, now: datetime,
         **kw: object) -> requests.Response:
    try:
        response = session.get(url, timeout=TIMEOUT, **kw)
    except requests.RequestException as exc:
        raise TransientError(f"{what}: {exc.__class__.__name__}") from None
    if response.status_code == 429:
        raise RateLimited(f"{what}: rate limited", reset_time(response.headers, now))
    if response.status_code >= 500:
        raise TransientError(f"{what}: {response.status_code}")
    return response


def bluesky_counts(session: requests.Session, appview: str, uris: Sequence[str],
                   now: datetime) -> Fetched:
    """Counts of up to 25 Bluesky posts by AT URI; those absent from the answer are gone."""
    response = _get(session, f"{appview.rstrip('/')}/xrpc/app.bsky.feed.getPosts",
                    "Bluesky getPosts", now, params=[("uris", u) for u in uris])
    if response.status_code != 200:
        raise TransientError(f"Bluesky getPosts: {response.status_code}")
    out = Fetched()
    for post in response.json().get("posts", []):
        out.counts[post["uri"]] = (post.get("likeCount", 0), post.get("repostCount", 0),
                                   post.get("replyCount", 0), post.get("quoteCount", 0))
    out.deleted = {u for u in uris if u not in out.counts}
    return out


def mastodon_counts(session: requests.Session, base_url: str, status_id: str, now: datetime,
                    token: str | None = None) -> Fetched:
    """Counts of one Mastodon status; 404/410 means it was deleted."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = _get(session, f"{base_url.rstrip('/')}/api/v1/statuses/{status_id}",
                    "Mastodon status", now, headers=headers)
    out = Fetched()
    if response.status_code in (404, 410):
        out.deleted.add(status_id)
    elif response.status_code != 200:
        raise TransientError(f"Mastodon status: {response.status_code}")
    else:
        s = response.json()
        out.counts[status_id] = (s.get("favourites_count", 0), s.get("reblogs_count", 0),
                                 s.get("replies_count", 0), None)
    return out


def x_counts(session: requests.Session, auth: object, ids: Sequence[str],
             now: datetime) -> Fetched:
    """`public_metrics` of up to 100 tweets; ids answered with `resource-not-found` are gone."""
    response = _get(session, f"{X_API}/2/tweets", "X tweets lookup", now, auth=auth,
                    params={"ids": ",".join(ids), "tweet.fields": "public_metrics"})
    if response.status_code != 200:
        raise TransientError(f"X tweets lookup: {response.status_code}")
    body = response.json()
    out = Fetched()
    for tweet in body.get("data", []) or []:
        m = tweet.get("public_metrics", {})
        out.counts[tweet["id"]] = (m.get("like_count", 0), m.get("retweet_count", 0),
                                   m.get("reply_count", 0), m.get("quote_count", 0))
    for err in body.get("errors", []) or []:
        rid = err.get("resource_id") or err.get("value")
        if rid in ids and str(err.get("type", "")).endswith("resource-not-found"):
            out.deleted.add(rid)
    return out


def x_auth(env_names: Mapping[str, str], env: Mapping[str, str] = os.environ) -> object | None:
    """OAuth 1.0a user auth for requests from the account's keys; None when any is missing."""
    from toolkit.core.platforms import PLATFORMS

    roles = PLATFORMS["x"].keys
    if any(not env.get(env_names.get(r, "")) for r in roles):
        return None
    from requests_oauthlib import OAuth1

    k = {r: env[env_names[r]].strip() for r in roles}
    return OAuth1(k["api_key"], k["api_secret"], k["access_token"], k["access_secret"])
