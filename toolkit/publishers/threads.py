"""The Threads publisher: the Threads API (graph.threads.net) through our thin `httpx` client.

A post is a media container (`POST /{user}/threads`: `media_type` IMAGE with `image_url` and
`alt_text`, or TEXT) published with `POST /{user}/threads_publish`; the flow, the container
record and exactly-once settlement are `toolkit.publishers.containers`. Threads fetches the image
itself from the frozen image's public URL. Errors as every publisher: 429 or a throttling code
-> `RateLimited`, 5xx/timeouts -> `TransientError`, expired token (code 190) -> `AuthError`
"reconnect", other 4xx -> `PermanentError` with Threads' words.
"""

from __future__ import annotations

from toolkit.core.platforms import PLATFORMS
from toolkit.publishers.base import OutgoingPost
from toolkit.publishers.containers import ContainerPublisher

API = "https://graph.threads.net/v1.0"


class ThreadsPublisher(ContainerPublisher):
    """Publishes to one Threads profile with its long-lived user access token."""

    platform = "threads"
    info = PLATFORMS["threads"]
    api = API
    status_field = "status"
    text_field = "text"
    recent_edge = "threads"
    recent_fields = "id,text,timestamp,permalink"
    reconnect_hint = ("Threads rejected the account's access token (expired or revoked): "
                      "reconnect the account (a new long-lived token with threads_basic and "
                      "threads_content_publish, see docs/guide/platforms.md) and set {names}")

    create_edge = "threads"
    publish_edge = "threads_publish"

    def container_fields(self, post: OutgoingPost) -> dict:
        """IMAGE with its public URL and alt text, or TEXT."""
        if not post.media:
            return {"media_type": "TEXT", "text": post.text}
        item = post.media[0]
        return {"media_type": "IMAGE", "text": post.text or None, "alt_text": item.alt or None,
                "image_url": self.image_url(post)}

    def who_am_i(self) -> str:
        """The account's username (checks the token works)."""
        me = self._get("me", "checking the account (me)", fields="id,username")
        return str(me.get("username") or me.get("id"))
