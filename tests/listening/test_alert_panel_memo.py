"""The Overview's alert panel answers from memory while the mention files stay the same, and
a mentions ingest (new files) shows at once: a new mention in the alert, a new alert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.registry import OVERVIEW_PANELS

ME = Actor.local("tester")


def _panel(app: App) -> dict[str, Any]:
    import socialpulse.interfaces.web.app  # noqa: F401  (registers the Overview panels)

    ws = app.workspace("demo")
    period = app.overview.resolve_period(ws, None).range
    panel = next(p for p in OVERVIEW_PANELS if p.id == "listening-alert")
    data = panel.build(app, ws, period)
    assert data is not None
    return data


def _ingest(app: App, capsys: pytest.CaptureFixture[str], path: Path,
            posts: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(p) + "\n" for p in posts))
    code = main(["--home", str(app.settings.home), "listen", "ingest", str(path)])
    assert code == 0, capsys.readouterr().err


def _post(n: int, day: date, author: str, followers: int, text: str) -> dict[str, Any]:
    at = datetime.combine(day, time(12, n % 60), tzinfo=UTC)
    return {"id": f"memo-{author}-{n}", "text": text, "published_at": at.isoformat(),
            "author": author, "author_followers": followers, "network": "x"}


def test_the_panel_reads_memory_until_an_ingest_adds_a_mention(
        demo_app: App, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    queries: Any = demo_app.listening.queries
    real = queries._alert_mentions
    runs: list[int] = []

    def counted(sels: Any, limit: int) -> Any:
        runs.append(limit)
        return real(sels, limit)

    queries._alert_mentions = counted
    first = _panel(demo_app)
    assert _panel(demo_app) == first
    assert len(runs) == 1  # the second load asked nothing of the engine
    alert = demo_app.listening.latest_alert(demo_app.workspace("demo"))
    assert alert is not None and alert.kind == "volume"
    assert len(runs) == 1
    # the most followed author yet, inside the alert's days: a new file, a new key
    _ingest(demo_app, capsys, tmp_path / "loud.jsonl", [_post(
        1, alert.peak_day, "@loudest_voice", 10**9, "Pitched my Acme Outdoor tent by the lake")])
    after = _panel(demo_app)
    assert len(runs) == 2
    assert after["items"][0]["label"].startswith("@loudest_voice: Pitched my Acme Outdoor")
    assert after["text"] == first["text"]


def test_a_mentions_ingest_shows_its_new_alert(
        demo_app: App, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = demo_app.workspace("demo")
    before = _panel(demo_app)
    day = date(2026, 11, 1)  # the day after the demo's last mention
    burst = [_post(n, day, f"@camper{n}", 100 + n,
                   f"Everyone at the trailhead has an Acme Outdoor tent today ({n})")
             for n in range(150)]
    _ingest(demo_app, capsys, tmp_path / "burst.jsonl", burst)
    demo_app.listening.detect_alerts(ME, ws)
    after = _panel(demo_app)
    assert after != before
    assert after["text"].startswith("Acme Outdoor: mention volume spike, 150 mentions on "
                                    "2026-11-01")
    assert after["items"][0]["label"].startswith("@camper149: Everyone at the trailhead")
