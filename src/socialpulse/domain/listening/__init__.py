"""Listening rules, pure: the Boolean query language and spike detection (no I/O)."""

from .mention import RawMention
from .query import Document, Query, parse_query
from .spikes import DayCount, Spike, detect_spikes

__all__ = ["DayCount", "Document", "Query", "RawMention", "Spike", "detect_spikes", "parse_query"]
