"""Listening's writes ask the permission chokepoint first; reads need no actor."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Forbidden

SAMPLES = Path(__file__).parents[1] / "data" / "samples" / "listening"
GUEST = Actor("user:7", "Grace", ActorKind.USER)  # a signed-in user: no grants until roles


def test_an_actor_without_the_grant_changes_nothing(demo_app: App) -> None:
    svc = demo_app.listening
    ws = demo_app.workspace("demo")
    batches = [b.id for b in demo_app.store.batches(ws.id, None)]
    brands = [(b.brand.name, b.query) for b in svc.brands(ws)]
    alerts = [(a.id, a.status) for a in svc.alerts(ws)]
    first = svc.mentions(ws, limit=1)["mentions"][0]
    writes = [
        lambda: svc.add_brand(GUEST, ws, "Peak Co", query="peakco"),
        lambda: svc.set_query(GUEST, ws, "TrailCo", "trailco"),
        lambda: svc.ingest_file(GUEST, ws, SAMPLES / "mentions.jsonl"),
        lambda: svc.correct(GUEST, ws, first["mention_id"], "positive"),
        lambda: svc.detect_alerts(GUEST, ws, threshold=1.0),
        lambda: svc.acknowledge(GUEST, ws, alerts[0][0]),
    ]
    for write in writes:
        with pytest.raises(Forbidden, match=r"^Grace \(user\) may not change listening topics "
                                             r"and mentions in workspace 'demo'$"):
            write()
    assert [b.id for b in demo_app.store.batches(ws.id, None)] == batches
    assert [(b.brand.name, b.query) for b in svc.brands(ws)] == brands
    assert [(a.id, a.status) for a in svc.alerts(ws)] == alerts
    assert svc.corrections(ws) == []
    # the local user may: the same acknowledgement goes through
    svc.acknowledge(Actor.local("ada"), ws, alerts[0][0])
    assert {a.id: a.status for a in svc.alerts(ws)}[alerts[0][0]] == "acknowledged"
