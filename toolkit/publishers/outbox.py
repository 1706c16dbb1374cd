"""The outbox publisher: each post becomes `OUTBOX/<post-id>.json` (a design contract).

Each image is read through `read_media` first (the frozen bytes, their hash checked) and
`media[].path` names a file holding them: the frozen copy in `store.media`, or (the bytes being
in the store) a copy in `OUTBOX/media/<sha256>.png`. Written atomically (temporary file, then a
link that fails if the target exists), never overwritten: publishing a post whose file exists
appends a line to `duplicates.jsonl` and raises `DuplicateError`, like X's "duplicate content".
`reconcile` is exact: the file is there or not.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from toolkit.core.atomic import fsync_dir, write_atomic
from toolkit.core.config import Account, Config
from toolkit.core.errors import DuplicateError, TransientError
from toolkit.publishers.base import (
    MediaItem,
    OutgoingPost,
    PublishResult,
    Reconciliation,
    read_media,
)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class OutboxPublisher:
    """Publishes posts as JSON files in a folder."""

    def __init__(self, folder: Path, platform: str = "outbox",
                 clock: type[datetime] = datetime) -> None:
        self.folder = Path(folder)
        self.platform = platform
        self._clock = clock

    @classmethod
    def from_config(cls, config: Config, account: Account,
                    env: Mapping[str, str]) -> OutboxPublisher:
        """The outbox of the campaign, for an account of the `outbox` platform."""
        return cls(config.outbox_dir, account.platform)

    def who_am_i(self) -> str:
        """The folder posts are written to."""
        return str(self.folder)

    def path_for(self, post_id: str) -> Path:
        """Where the post's file goes."""
        return self.folder / f"{post_id}.json"

    def publish(self, post: OutgoingPost) -> PublishResult:
        """Write the post's file atomically; `DuplicateError` if it already exists."""
        try:
            return self._write(post)
        except OSError as exc:  # disk full, read-only folder: nothing or something was written
            raise TransientError(f"outbox write failed: {exc.strerror or exc}") from None

    def _write(self, post: OutgoingPost) -> PublishResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        paths = [self._uploaded(item) for item in post.media]
        target = self.path_for(post.id)
        now = self._clock.now(UTC)
        record = {
            "post_id": post.id, "platform": post.platform, "account": post.account,
            "lang": post.lang, "text": post.text,
            "media": [{"path": path, "alt": m.alt, "sha256": m.sha256}
                      for path, m in zip(paths, post.media, strict=True)],
            "scheduled_at": _iso(post.scheduled_at), "published_at": _iso(now),
        }
        fd, tmp = tempfile.mkstemp(prefix=f".{post.id}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False, indent=2)
                f.flush()
                os.fsync(f.fileno())  # reconcile trusts the file: on disk before it is linked
            try:
                os.link(tmp, target)  # atomic and never overwrites, unlike rename
            except FileExistsError:
                self._note_duplicate(post, now)
                raise DuplicateError(f"outbox already holds post {post.id}") from None
            fsync_dir(self.folder)
        finally:
            os.unlink(tmp)
        return PublishResult(platform_id=post.id, url=target.resolve().as_uri())

    def _uploaded(self, item: MediaItem) -> str:
        """Read an image as an upload would (the frozen bytes, hash checked) and return the
        file the record names: its own file when it has one, else (its bytes are in the store)
        a copy in `OUTBOX/media/`, content-addressed, so the record names a readable file."""
        data = read_media(item)
        if Path(item.path).is_absolute():
            return item.path
        copy = self.folder / "media" / Path(item.path).name
        if not copy.is_file():
            copy.parent.mkdir(exist_ok=True)
            write_atomic(copy, data)
        return str(copy.resolve())

    def reconcile(self, post: OutgoingPost) -> Reconciliation:
        """Published if the post's file exists, else absent (never unknown)."""
        target = self.path_for(post.id)
        if target.exists():
            return Reconciliation("published", PublishResult(post.id, target.resolve().as_uri()))
        return Reconciliation("absent")

    def _note_duplicate(self, post: OutgoingPost, now: datetime) -> None:
        line = json.dumps({"post_id": post.id, "platform": post.platform, "at": _iso(now)})
        with open(self.folder / "duplicates.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")
