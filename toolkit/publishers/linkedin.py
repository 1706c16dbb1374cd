"""The LinkedIn publisher: LinkedIn's Posts API (api.linkedin.com/rest) through our thin `httpx`
client, posting as an organisation page with an OAuth token (`w_organization_social`).

- An image goes up first: `POST /rest/images?action=initializeUpload` (owner: the organisation)
  gives an upload URL and an image URN; the frozen bytes are `PUT` there. The post is
  `POST /rest/posts` with `commentary` (LinkedIn's "little text": reserved characters escaped,
  hashtags as hashtag templates), `content.media.id` and `altText`; LinkedIn answers 201 with the
  post's URN in `x-restli-id`.
- At most once, reconciled by text: after a lost answer `reconcile` reads the organisation's
  posts (`GET /rest/posts?q=author&author=…`) and compares their commentary with the text.
- LinkedIn's limits reset daily at midnight UTC: a 429 holds the account until then.
- `accounts test` reads the token's expiry by introspection when the account maps `client_id`
  and `client_secret` (LinkedIn's introspection needs the app's credentials).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote

from toolkit.core.config import Account, Config
from toolkit.core.errors import AuthError, PermanentError, TransientError
from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import (
    MediaItem,
    OutgoingPost,
    PublishResult,
    Reconciliation,
    read_media,
)
from toolkit.publishers.http import PlatformHttp, epoch
from toolkit.publishers.limits import check_media
from toolkit.publishers.textmatch import settle

API = "https://api.linkedin.com/rest"
INTROSPECT = "https://www.linkedin.com/oauth/v2/introspectToken"
#: the Posts API version this client was written against (LinkedIn supports each for a year)
VERSION = "202411"
INFO = PLATFORMS["linkedin"]
RECENT_PAGE = 25
RESERVED = set("\\|{}@[]()<>#*_~")
RECONNECT_HINT = ("LinkedIn rejected the account's access token (expired or revoked): reconnect "
                  "the account (a new token with w_organization_social, see "
                  "docs/guide/platforms.md) and set {names}")


def little_text(text: str) -> str:
    """`text` as LinkedIn's commentary: `#Tag` as a hashtag template, every other reserved
    character escaped with a backslash; links left as they are."""
    out = []
    for part in re.split(r"(https?://\S+)", text):
        if part.startswith(("http://", "https://")):
            out.append(part)
            continue
        pieces = re.split(r"(?<![\w#])#(\w+)", part)
        for i, piece in enumerate(pieces):
            if i % 2:
                out.append("{hashtag|\\#|" + piece + "}")
            else:
                out.append("".join("\\" + c if c in RESERVED else c for c in piece))
    return "".join(out)


def plain_commentary(text: str) -> str:
    """LinkedIn's commentary back as plain text: hashtag templates as `#Tag`, escapes undone."""
    text = re.sub(r"\{hashtag\|\\?#\|([^}]*)\}", r"#\1", text or "")
    return re.sub(r"\\(.)", r"\1", text)


class LinkedInPublisher:
    """Publishes to one LinkedIn organisation page."""

    platform = "linkedin"

    def __init__(self, account: Account, organization_id: str, access_token: str, *,
                 client_id: str | None = None, client_secret: str | None = None) -> None:
        self.account = account
        self.author = (organization_id if organization_id.startswith("urn:li:")
                       else f"urn:li:organization:{organization_id}")
        self._token = access_token
        self._client = (client_id, client_secret) if client_id and client_secret else None
        names = ", ".join(account.env.get(r, r) for r in INFO.keys)
        self.http = PlatformHttp(INFO.title, RECONNECT_HINT.format(names=names),
                                 daily_reset=True, headers={
                                     "Authorization": f"Bearer {access_token}",
                                     "LinkedIn-Version": VERSION,
                                     "X-Restli-Protocol-Version": "2.0.0"})

    def __repr__(self) -> str:
        return f"LinkedInPublisher(account={self.account.name!r}, author={self.author!r})"

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> LinkedInPublisher:
        """The publisher for `account`: organisation and token from the environment, and the
        app's client id and secret when the account maps them (for the token's expiry)."""
        def optional(role: str) -> str | None:
            var = account.env.get(role)
            return (env.get(var) or "").strip() or None if var else None

        return cls(account, env[account.env["organization_id"]].strip(),
                   env[account.env["access_token"]].strip(),
                   client_id=optional("client_id"), client_secret=optional("client_secret"))

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Upload the image, then create the post once; its URN and link."""
        if not post.text.strip() and not post.media:
            raise PermanentError(f"post {post.id} has neither text nor images")
        check_media(post.media, INFO)
        body: dict = {"author": self.author, "commentary": little_text(post.text),
                      "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                      "isReshareDisabledByAuthor": False,
                      "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                       "thirdPartyDistributionChannels": []}}
        if post.media:
            item = post.media[0]
            body["content"] = {"media": {"id": self._upload(item), "altText": item.alt}}
        response = self.http.call("POST", f"{API}/posts", "the post", json=body)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise TransientError("LinkedIn answered the post without its id; the outcome is "
                                 "unknown")
        return PublishResult(urn, f"https://www.linkedin.com/feed/update/{urn}/",
                             {"image": body.get("content", {}).get("media", {}).get("id")})

    def _upload(self, item: MediaItem) -> str:
        data = read_media(item)
        answer = self.http.json("POST", f"{API}/images", "the image upload (initialize)",
                                params={"action": "initializeUpload"},
                                json={"initializeUploadRequest": {"owner": self.author}})
        value = answer.get("value") or {}
        if not value.get("uploadUrl") or not value.get("image"):
            raise PermanentError("LinkedIn answered the image upload without its URL")
        self.http.call("PUT", value["uploadUrl"], "the image upload", content=data)
        return str(value["image"])

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published if the text is among the organisation's posts since shortly before due."""
        body = self.http.json(
            "GET", f"{API}/posts?author={quote(self.author, safe='')}&q=author"
            f"&count={RECENT_PAGE}&sortBy=CREATED", "reading the page's posts",
            headers={"X-RestLi-Method": "FINDER"})
        items = [{**e, "text": plain_commentary(str(e.get("commentary") or ""))}
                 for e in body.get("elements") or [] if isinstance(e, dict)]
        return settle(post, items, RECENT_PAGE, text_key="text", time_key="createdAt",
                      result=lambda m: PublishResult(
                          str(m.get("id")), f"https://www.linkedin.com/feed/update/{m.get('id')}/"))

    def who_am_i(self) -> str:
        """`Organisation name (urn)`: checks the token works."""
        org_id = self.author.rsplit(":", 1)[-1]
        org = self.http.json("GET", f"{API}/organizations/{org_id}", "checking the page")
        return f"{org.get('localizedName') or org_id} ({self.author})"

    def token_expiry(self) -> tuple[bool, datetime | None]:
        """(known, when) by token introspection (needs the app's client id and secret)."""
        if self._client is None:
            return False, None
        client_id, secret = self._client
        answer = self.http.json("POST", INTROSPECT, "reading the token's expiry",
                                data={"client_id": client_id, "client_secret": secret,
                                      "token": self._token})
        if answer.get("active") is False:
            raise AuthError(self.http.reconnect_hint + " (LinkedIn: the token is not active)")
        return "expires_at" in answer, epoch(answer.get("expires_at"))
