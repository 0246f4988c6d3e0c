"""Benchmark: the dashboard's pages under many users, on a real server on 127.0.0.1.

Three phases against one ``socialpulse serve`` process over one data home (the demo, built when
``--home`` is not given):

1. **Think time**: ``--users`` users (50) each load a page every ``--think`` seconds on average
   (exponential pauses, so about users/think requests a second in all), picking the Overview,
   Posts or Metrics page, or a static file, at random, for ``--seconds``. Reported: p95 latency
   of each page against the p95 of the static file served by the same server in the same run
   (the floor: what the server costs with no query at all).
2. **Closed loop**: ``--clients`` clients with no pause for ``--closed-seconds``: requests a
   second for the Overview against the same for the static file.
3. **Writes**: phase 1 again while another process imports a file and compacts the lake
   (``--no-writes`` skips it): errors and timeouts are counted; p95 reported as in phase 1.

Every request is bounded (``--timeout``); a timed-out or failed request counts as an error and
the script exits non-zero if any request failed, so a smoke test can run it small.

    python -m bench.bench_pages [--home DIR] [--users 50] [--think 5] [--seconds 60]
                                [--workers 1] [--label demo]

Writes pages_* entries to bench/results.json (see bench/results.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.results import record  # noqa: E402

PAGES = {"overview": "/", "posts": "/posts", "metrics": "/metrics"}
#: Seconds each first, untimed load of a page may take.
WARM_UP_TIMEOUT = 300.0
STATIC = "/static/app.css"
SAMPLE = ROOT.parent / "tests" / "data" / "samples" / "x" / \
    "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"


@dataclass
class Tally:
    """Latencies (seconds) per target and the failures seen."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, target: str, seconds: float) -> None:
        self.times.setdefault(target, []).append(seconds)

    def p(self, target: str, q: float) -> float:
        xs = sorted(self.times.get(target, []))
        if not xs:
            return float("nan")
        return xs[min(len(xs) - 1, int(q * len(xs)))]


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "socialpulse.interfaces.cli", "--home", str(home), *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(_cli(home, "serve", "--port", str(port), "--workers", str(workers)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + STATIC, timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


async def _get(client: httpx.AsyncClient, tally: Tally, name: str, path: str) -> None:
    t0 = time.perf_counter()
    try:
        resp = await client.get(path)
        if resp.status_code != 200:
            tally.errors.append(f"{path}: HTTP {resp.status_code}")
            return
    except httpx.HTTPError as exc:
        tally.errors.append(f"{path}: {type(exc).__name__}")
        return
    tally.add(name, time.perf_counter() - t0)


async def think_time(url: str, users: int, think: float, seconds: float,
                     timeout: float) -> Tally:
    """Users who each load a random page, then pause (exponential, mean ``think``)."""
    tally = Tally()
    targets = [*PAGES.items(), ("static", STATIC)]
    deadline = time.monotonic() + seconds
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def user() -> None:
            await asyncio.sleep(rng.uniform(0, think))
            while time.monotonic() < deadline:
                name, path = rng.choice(targets)
                await _get(client, tally, name, path)
                await asyncio.sleep(rng.expovariate(1 / think))

        await asyncio.gather(*(user() for _ in range(users)))
    return tally


async def closed_loop(url: str, path: str, clients: int, seconds: float,
                      timeout: float) -> tuple[float, Tally]:
    """Requests a second with ``clients`` clients and no pause."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:

        async def loop() -> None:
            while time.monotonic() < deadline:
                await _get(client, tally, path, path)

        t0 = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return len(tally.times.get(path, [])) / elapsed, tally


def writer(home: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Another process that imports a file and compacts the lake, over and over."""
    script = (
        f"end=$((SECONDS+{int(seconds)})); while [ $SECONDS -lt $end ]; do "
        f"{' '.join(_cli(home, 'import', str(SAMPLE), '-q'))} >/dev/null 2>&1; "
        f"{' '.join(_cli(home, 'lake', 'compact'))} >/dev/null 2>&1; done"
    )
    return subprocess.Popen(["bash", "-c", script])


def build_demo(home: Path) -> None:
    subprocess.run(_cli(home, "demo", "--no-serve", "--until", "2026-10-31"), check=True,
                   stdout=subprocess.DEVNULL)


def report(tally: Tally, label: str, users: int, think: float, workers: int = 1) -> None:
    static95 = tally.p("static", 0.95) * 1000
    for name in PAGES:
        p95 = tally.p(name, 0.95) * 1000
        record(f"pages_{name}_p95_{label}", p95, static95, "ms (p95)", users=users,
               think_s=think, requests=len(tally.times.get(name, [])), workers=workers,
               p50_ms=tally.p(name, 0.5) * 1000, failed_in_phase=len(tally.errors),
               load_1min=round(os.getloadavg()[0], 1),
               baseline_what="p95 of a static file from the same server in the same run")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="data home to serve (default: a new demo home)")
    ap.add_argument("--label", default="demo")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--think", type=float, default=5.0)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--closed-seconds", type=float, default=15.0)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--no-writes", action="store_true")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes (`serve --workers`); memos are per process")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            build_demo(home)
        proc, url = start_server(home, args.workers)
        errors: list[str] = []
        try:
            # first loads fill caches, as for a user; not timed, so a cold start on a busy
            # machine (imports, compiling every query) gets longer than a request
            for path in [*PAGES.values(), STATIC]:
                httpx.get(url + path, timeout=max(args.timeout, WARM_UP_TIMEOUT))
            tally = asyncio.run(think_time(url, args.users, args.think, args.seconds,
                                           args.timeout))
            errors += tally.errors
            report(tally, args.label, args.users, args.think, args.workers)
            rates = {}
            for path in ("/", STATIC):
                rate, t = asyncio.run(closed_loop(url, path, args.clients, args.closed_seconds,
                                                  args.timeout))
                rates[path] = rate
                errors += t.errors
            record(f"pages_overview_closed_loop_{args.label}", rates["/"], rates[STATIC],
                   "requests/s", clients=args.clients, workers=args.workers,
                   load_1min=round(os.getloadavg()[0], 1),
                   baseline_what="requests/s for a static file, same server, same run")
            if not args.no_writes:
                w = writer(home, args.seconds)
                try:
                    tally = asyncio.run(think_time(url, args.users, args.think, args.seconds,
                                                   args.timeout))
                finally:
                    w.wait(timeout=args.seconds + 600)
                errors += tally.errors
                report(tally, f"{args.label}_with_writes", args.users, args.think,
                       args.workers)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    if errors:
        print(f"{len(errors)} failed requests, e.g. {errors[:5]}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
