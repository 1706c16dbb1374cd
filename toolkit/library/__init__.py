"""The post library: statistics with their sources, messages and graphic cards (posts/*.yaml)."""

from toolkit.library.loader import load_library, read_library
from toolkit.library.models import Card, Claim, Library, Message, Statistic

__all__ = ["Card", "Claim", "Library", "Message", "Statistic", "load_library", "read_library"]
