"""Firehose ingest: recorded Jetstream-shaped events at full speed from a local websocket into
listening (filtered by the brand queries, enriched, stored in batches), against parsing alone.

    .venv/bin/python -m bench.bench_firehose [--events 60000] [--rate 500] [--seconds 10]

Two phases, each against a websocket server in another process (so the consumer keeps its
core; the consumer process is pinned to one CPU, numeric libraries to one thread):

1. **Throughput**: the server sends ``--events`` events as fast as it can; `listen stream`'s
   consumer (`LiveListening.stream`: JSON -> post -> brand query match -> language and
   sentiment of the matches -> one lake batch and a saved cursor every second or 500 events)
   reads them all, after a warm-up that loads the language and sentiment models (a running
   consumer has them loaded; loading takes a few seconds once). Baseline: parsing the same
   messages alone (JSON and the post record) in
   the same process. Target: >= 2,000 events/s.
2. **Searchable within 5 s**: the server sends at a steady ``--rate`` for ``--seconds``, each
   event stamped with its send time (Jetstream's ``time_us``); after every batch the consumer
   searches the store for the batch's oldest matching post, and the latency is search answer
   minus send time. The entry's baseline is the 5 s target.

The events mix what ``wantedCollections=app.bsky.feed.post`` delivers: new posts (about 1 in
12 names a brand), deletes, and identity and account events.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bench.results import record  # noqa: E402

BRAND_TEXTS = [
    "my acme blender died after two weeks, not happy", "acme support fixed it in a day!",
    "anyone tried the new acme trail shoes?", "globex prices went up again",
    "switching from globex to acme, wish me luck", "#acme launch event tonight",
]
OTHER_TEXTS = [
    "good morning everyone", "the match last night was unreal", "new blog post is up",
    "cats are the best coworkers", "rainy day, more coffee", "reading a great book on rust",
    "que buen dia hace hoy", "je cherche un bon restaurant", "heute ist ein guter tag",
]


def recorded_events(n: int, seed: int = 7, stamp: float | None = None) -> list[dict[str, Any]]:
    """``n`` Jetstream events shaped as the service sends them (deterministic)."""
    rng = random.Random(seed)
    base_us = int((stamp or time.time()) * 1e6)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    out: list[dict[str, Any]] = []
    for i in range(n):
        did = f"did:plc:{rng.getrandbits(64):016x}"
        t_us = base_us + i
        roll = rng.random()
        if roll < 0.88:
            brand = rng.random() < 1 / 12
            text = (rng.choice(BRAND_TEXTS) if brand else rng.choice(OTHER_TEXTS)) + f" {i}"
            out.append({"did": did, "time_us": t_us, "kind": "commit", "commit": {
                "rev": f"3l{i:010d}", "operation": "create", "collection": "app.bsky.feed.post",
                "rkey": f"3k{i:010d}", "cid": f"bafyrei{i:020d}",
                "record": {"$type": "app.bsky.feed.post", "createdAt": created,
                           "langs": ["en"], "text": text}}})
        elif roll < 0.94:
            out.append({"did": did, "time_us": t_us, "kind": "commit", "commit": {
                "rev": f"3l{i:010d}", "operation": "delete",
                "collection": "app.bsky.feed.post", "rkey": f"3j{i:010d}"}})
        elif roll < 0.97:
            out.append({"did": did, "time_us": t_us, "kind": "identity", "identity": {
                "did": did, "handle": f"user{i}.bsky.social", "seq": i, "time": created}})
        else:
            out.append({"did": did, "time_us": t_us, "kind": "account", "account": {
                "active": True, "did": did, "seq": i, "time": created}})
    return out


# --- the server (another process) ---------------------------------------------------------------


def _serve(port_out: Any, mode: str, n: int, rate: float, seconds: float) -> None:
    from websockets.sync.server import ServerConnection, serve

    messages = [json.dumps(e) for e in recorded_events(n)] if mode == "burst" else []

    def handler(ws: ServerConnection) -> None:
        if mode == "burst":
            for m in messages:
                ws.send(m)
        else:  # paced: stamp each event with its send time, as Jetstream's time_us is
            gap, t0, i = 1.0 / rate, time.monotonic(), 0
            while time.monotonic() - t0 < seconds:
                e = recorded_events(1, seed=i, stamp=time.time())[0]
                if "commit" in e:  # unique post ids, and a token to search each post by
                    e["commit"]["rkey"] = f"p{i:010d}"
                    if "record" in e["commit"]:
                        e["commit"]["record"]["text"] += f" tok{i:010d}"
                ws.send(json.dumps(e))
                i += 1
                time.sleep(max(0.0, t0 + i * gap - time.monotonic()))
        try:
            ws.recv(timeout=120)
        except Exception:  # noqa: BLE001 - the client went away: the run is over
            return

    with serve(handler, "127.0.0.1", 0, compression=None, max_queue=None) as server:
        port_out.put(server.socket.getsockname()[1])
        server.serve_forever()


def start_server(mode: str, n: int = 0, rate: float = 0.0, seconds: float = 0.0
                 ) -> tuple[mp.Process, str]:
    q: Any = mp.Queue()
    p = mp.Process(target=_serve, args=(q, mode, n, rate, seconds), daemon=True)
    p.start()
    return p, f"ws://127.0.0.1:{q.get(timeout=120)}"


# --- the consumer (this process) ----------------------------------------------------------------


def new_home(url: str) -> tuple[Any, Any]:
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.actor import Actor
    from socialpulse.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="bench-firehose-")) / "home"
    app = open_home(Settings(home=home), create=True)
    me = Actor.local("bench")
    ws = app.workspaces.create(me, "bench", "Bench")
    app.listening.add_brand(me, ws, "Acme", own=True, query="acme OR #acme")
    app.listening.add_brand(me, ws, "Globex", query="globex")
    app.listening_live.add_source(me, ws, "jetstream", instance_url=url)
    return app, ws


def warm_up(app: Any, ws: Any) -> None:
    """Load the language and sentiment models once (a running consumer has them loaded)."""
    from socialpulse.domain.actor import Actor
    from socialpulse.domain.listening.mention import RawMention
    from socialpulse.services.listening_live import STREAM_MODE

    app.listening.ingest(Actor.local("bench"), ws, [RawMention(
        "warm-up", "bluesky", datetime.now(UTC), "acme warm-up", "@bench")],
        mode=STREAM_MODE, source_name="warm-up")


def parse_only(messages: list[str]) -> float:
    """Events per second of parsing alone: JSON, then the post record as a mention."""
    from socialpulse.adapters.listening_sources.jetstream import JetstreamFirehose

    fh = JetstreamFirehose("ws://unused", lambda: date.today())
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for m in messages:
            fh.parse(m)
        best = min(best, time.perf_counter() - t0)
    return len(messages) / best


def throughput(n: int) -> tuple[float, int]:
    """Events per second filtered and stored by the stream consumer, and mentions stored."""
    from socialpulse.domain.actor import Actor

    server, url = start_server("burst", n=n)
    try:
        app, ws = new_home(url)
        warm_up(app, ws)
        t0 = time.perf_counter()
        s = app.listening_live.stream(Actor.local("bench"), ws, threading.Event(),
                                      max_events=n)
        elapsed = time.perf_counter() - t0
        stored = len(app.listening.queries.scan(ws.id)) - 1  # the warm-up mention
        if s.events != n or stored != s.stored:
            raise SystemExit(f"consumer saw {s.events} of {n} events, stored {stored} "
                             f"(summary says {s.stored})")
        return n / elapsed, stored
    finally:
        server.terminate()


class _Stamped:
    """Wraps the firehose to remember the send time of each matching post since the last
    batch (its ``time_us``)."""

    def __init__(self, access: Any) -> None:
        self.access = access
        self.pending: list[tuple[int, str]] = []

    def check(self, *a: Any) -> str:
        return str(self.access.check(*a))

    def poll(self, source: Any) -> Any:
        return self.access.poll(source)

    def firehose(self, source: Any, stop: threading.Event, tick_s: float = 0.25
                 ) -> Iterator[Any]:
        for item in self.access.firehose(source, stop, tick_s):
            m = item.mention
            if m is not None and ("acme" in m.text or "globex" in m.text):
                self.pending.append((item.time_us, m.text.rsplit(" ", 1)[-1]))
            yield item


def latency(rate: float, seconds: float) -> tuple[float, float, int]:
    """Worst and median seconds from an event's send to a search finding it, and samples."""
    from socialpulse.domain.actor import Actor
    from socialpulse.domain.listening.selection import MentionSelection

    server, url = start_server("paced", rate=rate, seconds=seconds)
    try:
        app, ws = new_home(url)
        warm_up(app, ws)
        stamped = _Stamped(app.listening_live.access)
        app.listening_live.access = stamped
        samples: list[float] = []

        def on_batch(summary: Any) -> None:
            if not stamped.pending:
                return
            oldest_us, token = min(stamped.pending)
            stamped.pending.clear()
            total, _ = app.listening.queries.mentions(
                MentionSelection(ws.id, search=token), 1, 0)
            if total != 1:
                raise SystemExit(f"mention {token} not searchable after its batch")
            samples.append(time.time() - oldest_us / 1e6)

        stop = threading.Event()
        timer = threading.Timer(seconds + 2.0, stop.set)
        timer.start()
        app.listening_live.stream(Actor.local("bench"), ws, stop, on_batch=on_batch)
        timer.cancel()
        samples.sort()
        return samples[-1], samples[len(samples) // 2], len(samples)
    finally:
        server.terminate()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=60_000)
    ap.add_argument("--rate", type=float, default=500.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    base = parse_only([json.dumps(e) for e in recorded_events(args.events)])
    value, stored = throughput(args.events)
    record("firehose_ingest_vs_parse_only", value, base, "events/s",
           events=args.events, mentions_stored=stored, target=2000)
    worst, median, n = latency(args.rate, args.seconds)
    record("firehose_searchable_latency", worst, 5.0, "seconds (baseline: the 5 s target)",
           median_s=median, batches=n, rate_events_per_s=args.rate, seconds=args.seconds)


if __name__ == "__main__":
    main()
