"""A mentions file is ingested whole or not at all, even when it spans several lake batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialpulse.adapters.connectors.base import open_source
from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.errors import InvalidInput

ME = Actor.local("tester")


def _lines(n: int) -> list[str]:
    return [json.dumps({"id": f"m{i}", "text": f"Acme Outdoor jacket review {i}",
                        "published_at": "2026-10-01T10:00:00Z", "network": "x",
                        "author": f"user{i}"}) for i in range(n)]


def test_a_bad_record_late_in_a_file_writes_nothing(demo_app: App, tmp_path: Path) -> None:
    ws = demo_app.workspace("demo")
    before = [(b.id, b.status) for b in demo_app.store.batches(ws.id, None)]
    bad = tmp_path / "mentions.jsonl"
    bad.write_text("\n".join([*_lines(5), '{"id": "m9", "text": "Acme", "published_at": '
                              '"not a time"}']) + "\n")
    with pytest.raises(InvalidInput, match="mentions.jsonl:6"):
        demo_app.listening.ingest(ME, ws, open_source(bad), chunk=2)
    assert [(b.id, b.status) for b in demo_app.store.batches(ws.id, None)] == before
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(_lines(5)) + "\n")
    summary = demo_app.listening.ingest(ME, ws, open_source(good), chunk=2)
    assert summary.read == 5 and summary.batches == 3  # chunks of 2, 2 and 1
