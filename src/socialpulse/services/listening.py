"""Listening: brand queries, mention ingest and enrichment, analysis and spike alerts.

One service made of four parts, one module each: brands and queries
(`listening_brands`), mentions in and corrections (`listening_ingest`), what the mentions say
(`listening_analysis`) and spike alerts (`listening_alerts`). It reaches the lake, the app
database, the NLP models and mention sources only through the ports of `services/ports.py`
(wired in `bootstrap.py`); every mention query runs on the App's engine (DuckDB or PySpark).
Writes take the acting user (`domain/actor.Actor`); reads do not.
"""

from __future__ import annotations

from socialpulse.domain.listening.selection import SENTIMENTS
from socialpulse.services.listening_alerts import ALERT_KINDS, Alert, AlertMention, SpikeAlerts
from socialpulse.services.listening_analysis import FigureExplanation
from socialpulse.services.listening_brands import BrandQuery
from socialpulse.services.listening_ingest import (
    INGEST_CHUNK,
    IngestSummary,
    MentionIngest,
    classified,
)

__all__ = ["ALERT_KINDS", "INGEST_CHUNK", "SENTIMENTS", "Alert", "AlertMention", "BrandQuery",
           "FigureExplanation", "IngestSummary", "ListeningService", "classified"]


class ListeningService(SpikeAlerts, MentionIngest):
    """Use cases of listening for one data home (see the module docstring for its parts)."""
