"""Storing an audit run is a write by an actor; running one is a read."""

from __future__ import annotations

from datetime import date

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Forbidden
from socialpulse.domain.periods import DateRange

Q3 = DateRange(date(2026, 7, 1), date(2026, 9, 30))


def test_only_an_authorized_actor_stores_a_run(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    assert demo_app.audit.run(ws, Q3).run_id is None  # a read stores nothing
    with pytest.raises(Forbidden, match="may not .* in workspace 'demo'"):
        demo_app.audit.save(Actor("user:ann", "ann", ActorKind.USER), ws, Q3)
    assert demo_app.audit.runs(ws) == [] and demo_app.audit.baselines(ws) == []
    saved = demo_app.audit.save(Actor.local("tester"), ws, Q3)
    assert [r.id for r in demo_app.audit.runs(ws)] == [saved.run_id]
