"""Post length as each platform counts it.

- `x`: twitter-text v3 weighted length (URLs 23, emoji 2, CJK 2, NFC), via twitter-text-parser;
- `graphemes`: Bluesky's 300 user-perceived characters (grapheme clusters);
- `mastodon`: grapheme clusters with every URL counted as 23 and `@user@domain` as `@user`;
- `threads`: grapheme clusters, each emoji counted as its UTF-8 bytes (Threads' own rule).

The parsers are imported lazily: importing twitter_text compiles large regexes (~0.3-0.6 s).
`count` keeps every length it measured in a `LengthCache`: per process always, and across runs in
a file when a command names one (`use_cache`), so a text is counted again only when it changed
or the counter did (a new twitter-text-parser or graphemeu, or an edit of this module).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from pathlib import Path

MASTODON_URL_LENGTH = 23
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w")


def _twitter_text():  # the twitter_text module
    """Import twitter-text-parser once, quietly (its pkg_resources use warns on import)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import twitter_text
    return twitter_text


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3 rules)."""
    return _twitter_text().parse_tweet(text).weightedLength


def x_valid(text: str) -> bool:
    """Whether X accepts the text (length and characters), per twitter-text v3."""
    return _twitter_text().parse_tweet(text).valid


def grapheme_length(text: str) -> int:
    """Grapheme clusters in the NFC form of `text` (Bluesky's count)."""
    import grapheme

    return grapheme.length(unicodedata.normalize("NFC", text))


def bluesky_length(text: str) -> int:
    """Bluesky's count of what it shows: graphemes, a UTM-tagged link in its short form
    (the link facet carries the full URL; `toolkit.compose.utm.bluesky_display`)."""
    if "utm_" in text:
        from toolkit.compose.utm import bluesky_display

        text = bluesky_display(text)[0]
    return grapheme_length(text)


def mastodon_length(text: str, url_length: int = MASTODON_URL_LENGTH) -> int:
    """Mastodon's count: graphemes, each URL as `url_length` (the instance's
    `characters_reserved_per_url`, 23 by default), remote mentions by user only."""
    urls = _twitter_text().extract_urls_with_indices(text, False)
    parts, last = [], 0
    for u in sorted(urls, key=lambda u: u["indices"][0]):
        start, end = u["indices"]
        parts.append(text[last:start])
        parts.append("x" * url_length)
        last = end
    parts.append(text[last:])
    countable = _REMOTE_MENTION.sub(r"@\1", "".join(parts))
    return grapheme_length(countable)


def _is_emoji(cluster: str) -> bool:
    return any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF or c in "\u200d\ufe0f"
               for c in cluster)


def threads_length(text: str) -> int:
    """Threads' count: grapheme clusters, each emoji as the number of its UTF-8 bytes (the
    Threads API's documented rule for its 500-character limit)."""
    import grapheme

    return sum(len(g.encode("utf-8")) if _is_emoji(g) else 1
               for g in grapheme.graphemes(unicodedata.normalize("NFC", text)))


COUNTERS = {"x": x_length, "graphemes": bluesky_length, "mastodon": mastodon_length,
            "threads": threads_length}


def count(text: str, counter: str, url_length: int | None = None) -> int:
    """The length of `text` under the named counter (`x`, `graphemes`, `mastodon`);
    `url_length` overrides what one link counts for Mastodon (an instance's own setting)."""
    custom = counter == "mastodon" and url_length is not None
    known = _cache.lengths.setdefault(f"{counter}:{url_length}" if custom else counter, {})
    length = known.get(text)
    if length is None:
        if len(known) >= LengthCache.MAX_TEXTS:  # a long-running process stays bounded
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # other threads
                del known[next(iter(known))]
        # type: ignore[arg-type]
        length = known[text] = (mastodon_length(text, url_length) if custom
                                else COUNTERS[counter](text))
        _cache.dirty = True
    return length


def counter_version() -> str:
    """What the counts depend on: this module and the parsers' installed files (path, size and
    modification time), found without importing them."""
    import importlib.util

    parts = [__file__]
    for module in ("twitter_text", "grapheme"):
        spec = importlib.util.find_spec(module)
        parts.append(spec.origin if spec and spec.origin else f"{module}: missing")
    stamps = []
    for part in parts:
        try:
            st = Path(part).stat()
            stamps.append(f"{part}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(part)
    return "|".join(stamps)


class LengthCache:
    """Lengths by counter and text; read from and written to a JSON file when given one.

    A missing, unreadable or foreign file (another counter version) starts empty: the cache only
    ever saves work. Writing goes through a temporary file and a rename, so a reader never sees
    half a file; of two commands writing at once, the last one's lengths are kept.
    """

    #: more texts than this are not written back (the oldest are dropped)
    MAX_TEXTS = 20_000

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lengths: dict[str, dict[str, int]] = {}
        self.dirty = False
        self.version = ""
        if path is not None:
            self.version = counter_version()
            self._read(path)

    def _read(self, path: Path) -> None:
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != self.version:
            return
        lengths = data.get("lengths")
        if not isinstance(lengths, dict):
            return
        for counter, known in lengths.items():
            if counter.split(":")[0] in COUNTERS and isinstance(known, dict):
                self.lengths[counter] = {t: n for t, n in known.items()
                                         if isinstance(n, int) and not isinstance(n, bool)}

    def save(self) -> None:
        """Write the lengths back to the file, if any were added (errors are ignored)."""
        if self.path is None or not self.dirty:
            return
        import json

        from toolkit.core.atomic import write_atomic

        budget, kept = self.MAX_TEXTS, {}
        for counter, known in self.lengths.items():
            items = list(known.items())[-budget:] if budget > 0 else []
            budget -= len(items)
            kept[counter] = dict(items)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps({"version": self.version, "lengths": kept},
                                               ensure_ascii=False), durable=False)  # a cache
            self.dirty = False
        except OSError:
            pass


_cache = LengthCache()


def use_cache(path: Path | None) -> LengthCache:
    """Measure through the length file at `path` from now on (None: this process only)."""
    global _cache
    _cache = LengthCache(path)
    return _cache


def save_cache() -> None:
    """Write the lengths measured so far to the cache file in use, if any."""
    _cache.save()
