"""Pages show the data home as it is now: a change made by another process (a rebuilt demo, an
import) shows on the next request of a running server, without a restart.

Two real processes: the server (uvicorn in this process, over a private copy of the demo home)
and `socialpulse` run as a subprocess into the same home.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import serve_app

SAMPLES = Path(__file__).parents[1] / "data" / "samples"


def cli(home: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "socialpulse.interfaces.cli", "--home", str(home),
                           *args], capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr


def tiles(base: str, query: str) -> dict[str, Any]:
    r = httpx.get(f"{base}/api/workspaces/demo/overview?{query}", timeout=120)
    assert r.status_code == 200, r.text
    return {t["id"]: t["value"] for t in r.json()["kpis"]}


def volume(base: str, query: str) -> list[Any]:
    r = httpx.get(f"{base}/api/workspaces/demo/listening/volume?{query}", timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["rows"] if isinstance(r.json(), dict) else r.json()


def test_a_rebuilt_demo_shows_on_the_next_request(demo_app: App) -> None:
    home = demo_app.settings.home
    with serve_app(create_app(demo_app.settings)) as server:
        q = "period=2026-Q3"
        before = tiles(server.url, q)
        mentions_before = volume(server.url, q)
        default_before = httpx.get(f"{server.url}/api/workspaces/demo/overview",
                                   timeout=120).json()["period"]
        assert tiles(server.url, q) == before  # the second answer (cached) is the same
        # another process rebuilds the demo with data ending mid-August: same batch ids and
        # file names, other content
        cli(home, "demo", "--no-serve", "--until", "2026-08-15")
        after = tiles(server.url, q)
        assert after != before
        assert after["impressions"] < before["impressions"]
        assert volume(server.url, q) != mentions_before
        default_after = httpx.get(f"{server.url}/api/workspaces/demo/overview",
                                  timeout=120).json()["period"]
        assert default_after["end"] == "2026-08-15" != default_before["end"]


def test_an_import_from_another_process_shows_on_the_next_request(demo_app: App) -> None:
    home = demo_app.settings.home
    with serve_app(create_app(demo_app.settings)) as server:
        q = "from=2021-11-01&to=2021-11-30"
        r = httpx.get(f"{server.url}/api/workspaces/demo/posts?{q}&all=true", timeout=120)
        assert r.status_code == 200, r.text
        before = r.json()
        cli(home, "import", "-q", "-w", "demo",
            str(SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"))
        r = httpx.get(f"{server.url}/api/workspaces/demo/posts?{q}&all=true", timeout=120)
        assert r.status_code == 200, r.text
        assert r.json() != before
        assert r.json()["total"] > 0
