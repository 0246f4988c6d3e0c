"""Where mentions come from: files today, live streams later, all behind ``MentionSource``."""

from .base import MAX_FILE_BYTES, MentionSource, detect_format, open_source
from .files import BlueskySource, CsvSource, JsonlSource, MastodonSource

__all__ = [
    "MAX_FILE_BYTES",
    "BlueskySource",
    "CsvSource",
    "JsonlSource",
    "MastodonSource",
    "MentionSource",
    "detect_format",
    "open_source",
]
