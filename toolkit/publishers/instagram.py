"""The Instagram publisher: the Instagram Graph API (professional account, graph.facebook.com)
through our thin `httpx` client.

A post is a media container (`POST /{ig-user-id}/media` with `image_url`, `caption` and
`alt_text`) published with `POST /{ig-user-id}/media_publish`; the container's `status_code`
settles a lost answer (`toolkit.publishers.containers`). An image is required (a text-only message
is refused when queued) and it is the JPEG frozen at approval, fetched by Instagram from its
public URL. The account's 24-hour publishing quota (`content_publishing_limit`) is read before
each post: a used-up quota holds the account like a 429.
"""

from __future__ import annotations

from datetime import timedelta

from toolkit.core import clock
from toolkit.core.errors import PermanentError, RateLimited
from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import OutgoingPost, PublishResult
from toolkit.publishers.containers import ContainerPublisher

API = "https://graph.facebook.com/v21.0"
#: a used-up publishing quota is asked about again after this long (it is a moving 24 hours)
QUOTA_HOLD = timedelta(hours=1)


class InstagramPublisher(ContainerPublisher):
    """Publishes to one Instagram professional account with a long-lived token."""

    platform = "instagram"
    info = PLATFORMS["instagram"]
    api = API
    status_field = "status_code"
    text_field = "caption"
    recent_edge = "media"
    recent_fields = "id,caption,timestamp,permalink"
    reconnect_hint = ("Instagram rejected the account's access token (expired or revoked): "
                      "reconnect the account (a new long-lived token with "
                      "instagram_content_publish, see docs/guide/platforms.md) and set {names}")

    create_edge = "media"
    publish_edge = "media_publish"

    def check(self, post: OutgoingPost) -> None:
        """An image is required; the rest as for every container platform."""
        if not post.media:
            raise PermanentError(f"post {post.id}: Instagram needs an image; this post has none")
        super().check(post)

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Refuse early when the 24-hour quota is used up, then the container flow."""
        self.check(post)
        if self.recorded(post) is None:
            self._check_quota()
        return super().publish(post)

    def _check_quota(self) -> None:
        body = self._get(f"{self.user_id}/content_publishing_limit",
                         "reading the publishing quota", fields="quota_usage,config")
        rows = body.get("data") or [{}]
        usage = rows[0].get("quota_usage") if isinstance(rows[0], dict) else None
        total = ((rows[0].get("config") or {}).get("quota_total")
                 if isinstance(rows[0], dict) else None)
        if isinstance(usage, int) and isinstance(total, int) and usage >= total:
            until = clock.now() + QUOTA_HOLD
            raise RateLimited(f"Instagram's 24-hour publishing quota is used up ({usage} of "
                              f"{total}); asking again at {until.isoformat()}",
                              retry_after=until)

    def container_fields(self, post: OutgoingPost) -> dict:
        """The image's public URL, the caption and the alt text."""
        item = post.media[0]
        return {"image_url": self.image_url(post),
                "caption": post.text or None, "alt_text": item.alt or None}

    def who_am_i(self) -> str:
        """The account's username (checks the token works)."""
        me = self._get(self.user_id, "checking the account", fields="id,username")
        return str(me.get("username") or me.get("id"))
