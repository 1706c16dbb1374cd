"""The Facebook Page publisher: the Graph API (graph.facebook.com) through our thin `httpx`
client, with a long-lived Page access token.

- A post with an image: `POST /{page-id}/photos` with the frozen bytes uploaded as `source`
  (multipart), `message` and `alt_text_custom`; a text post: `POST /{page-id}/feed` with
  `message` and the first link as `link`.
- At most once, reconciled by text: the Graph API takes no idempotency key, so after a lost
  answer `reconcile` looks for the text among the Page's posts since shortly before it was due
  (`GET /{page-id}/posts`); only a post the Page's recent posts cannot settle is `needs_check`.
- Errors as every publisher (`toolkit.publishers.http`); `debug_token` gives the token's expiry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from toolkit.core.config import Account, Config
from toolkit.core.errors import PermanentError, TransientError
from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import OutgoingPost, PublishResult, Reconciliation, read_media
from toolkit.publishers.http import PlatformHttp, debug_token_expiry
from toolkit.publishers.limits import check_media
from toolkit.publishers.textmatch import settle, window_start

API = "https://graph.facebook.com/v21.0"
INFO = PLATFORMS["facebook"]
RECENT_PAGE = 25
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
RECONNECT_HINT = ("Facebook rejected the Page's access token (expired or revoked): reconnect the "
                  "account (a new long-lived Page token with pages_manage_posts, see "
                  "docs/guide/platforms.md) and set {names}")


class FacebookPublisher:
    """Publishes to one Facebook Page with its Page access token."""

    platform = "facebook"

    def __init__(self, account: Account, page_id: str, access_token: str) -> None:
        self.account = account
        self.page_id = page_id
        self._token = access_token
        names = ", ".join(account.env.get(r, r) for r in INFO.keys)
        self.http = PlatformHttp(INFO.title, RECONNECT_HINT.format(names=names))

    def __repr__(self) -> str:
        return f"FacebookPublisher(account={self.account.name!r}, page={self.page_id!r})"

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> FacebookPublisher:
        """The publisher for `account`: Page id and token from the environment."""
        return cls(account, env[account.env["page_id"]].strip(),
                   env[account.env["access_token"]].strip())

    def _request(self, method: str, path: str, action: str, *, params: dict | None = None,
                 data: dict | None = None, files: dict | None = None) -> dict:
        auth = {"access_token": self._token}
        if method == "GET":
            return self.http.json(method, f"{API}/{path}", action, params={**(params or {}),
                                                                            **auth})
        return self.http.json(method, f"{API}/{path}", action,
                              data={**{k: v for k, v in (data or {}).items() if v},
                                    **auth}, files=files)

    def publish(self, post: OutgoingPost) -> PublishResult:
        """The photo with its message, or the text post with its link; once."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        check_media(post.media, INFO)
        if post.media:
            item = post.media[0]
            name = Path(item.path).name
            data = read_media(item)
            answer = self._request(
                "POST", f"{self.page_id}/photos", "the photo post",
                data={"message": post.text, "alt_text_custom": item.alt, "published": "true"},
                files={"source": (name, data, MIME.get(Path(name).suffix.lower(),
                                                       "application/octet-stream"))})
            post_id = answer.get("post_id") or answer.get("id")
        else:
            link = re.search(r"https?://\S+", post.text)
            answer = self._request("POST", f"{self.page_id}/feed", "the post",
                                   data={"message": post.text,
                                         "link": link.group(0) if link else None})
            post_id = answer.get("id")
        if not post_id:
            raise TransientError("Facebook answered the post without an id; the outcome is "
                                 "unknown")
        return PublishResult(str(post_id), f"https://www.facebook.com/{post_id}",
                             {"photo_id": answer.get("id")} if post.media else {})

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published if the text is among the Page's posts since shortly before it was due."""
        since = window_start(post.scheduled_at)
        body = self._request("GET", f"{self.page_id}/posts", "reading the Page's posts",
                             params={"fields": "id,message,created_time,permalink_url",
                                     "since": int(since.timestamp()), "limit": RECENT_PAGE})
        items = [d for d in body.get("data") or [] if isinstance(d, dict)]
        return settle(post, items, RECENT_PAGE, text_key="message", time_key="created_time",
                      result=lambda m: PublishResult(
                          str(m.get("id")), m.get("permalink_url")
                          or f"https://www.facebook.com/{m.get('id')}"))

    def who_am_i(self) -> str:
        """`Page name (page id)`: checks the token works."""
        page = self._request("GET", self.page_id, "checking the Page", params={"fields":
                                                                               "id,name"})
        return f"{page.get('name')} (page {page.get('id')})"

    def token_expiry(self) -> tuple[bool, datetime | None]:
        """(known, when): a Page token from a long-lived user token never expires."""
        return debug_token_expiry(self.http, API, self._token)
