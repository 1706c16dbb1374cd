"""The post library and its rules: statistics, messages, cards, claims and the
share kit's words loaded from `posts/` with their checks, the number and present-tense rules,
the fact record and the fact gate, and the four-eyes rule. It may import only `core`.

The post library: statistics with their sources, messages and graphic cards (posts/*.yaml).
"""

from toolkit.library.loader import load_library, read_library
from toolkit.library.models import Card, Claim, Library, Message, Statistic

__all__ = ["Card", "Claim", "Library", "Message", "Statistic", "load_library", "read_library"]
