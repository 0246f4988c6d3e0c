"""The outbox's chaos run, shared by the CI test (small) and bench/bench_publishing.py (1,000).

Three accounts (two Mastodon instances and a Bluesky PDS, fakes on 127.0.0.1 with the real
clock) in three workspaces; ``n`` posts approved and scheduled a few seconds ahead; the fakes
answer some publishing requests 429 or 503 before doing anything, and carry out others then
close the connection without an answer; real `socialpulse worker` processes (one-second
leases) are SIGKILLed at random moments and restarted, then one runs until every send is
settled. What it returns lets the caller check that every post exists exactly once on its
network with its platform id recorded.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.models import Network
from socialpulse.domain.publishing import Post, PostStatus, Variant
from socialpulse.services.connections import ConnectRequest
from tests.connectors.fakes import Fault

from .fakes import PublishingBluesky, PublishingMastodon

ME = Actor.local("chaos")
ZONE = "Europe/Madrid"


@dataclass
class ChaosResult:
    posts: list[Post]
    mastodon: list[PublishingMastodon]
    bluesky: PublishingBluesky
    kills: int
    seconds: float
    texts: dict[Network, list[str]]


def _now() -> datetime:
    return datetime.now(UTC)


def _worker(home: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SOCIALPULSE_HOME=str(home), SOCIALPULSE_JOB_LEASE_S="1")
    return subprocess.Popen([sys.executable, "-m", "socialpulse.interfaces.cli", "worker",
                             "--poll", "0.2"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _setup(app: App, masto: list[PublishingMastodon], sky: PublishingBluesky) -> list[str]:
    slugs = []
    for n, fake in enumerate(masto):
        slug = f"masto{n}"
        app.workspaces.create(ME, slug, f"Mastodon {n}", ZONE)
        app.connections.connect(ME, app.workspace(slug), ConnectRequest(
            Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
        slugs.append(slug)
    app.workspaces.create(ME, "sky", "Bluesky", ZONE)
    app.connections.connect(ME, app.workspace("sky"), ConnectRequest(
        Network.BLUESKY, ConnectionKind.OWN, handle="alice.test", server=sky.url,
        secret=Secret("abcd-efgh-ijkl-mnop")))
    return [*slugs, "sky"]


def _faults(masto: list[PublishingMastodon], sky: PublishingBluesky, rng: random.Random,
            n: int) -> None:
    for fake in masto:
        fake.drop_after_accept = max(1, n // 15)
        for _ in range(max(1, n // 20)):
            fake.faults.append(Fault("/api/v1/statuses", rng.choice([429, 503]),
                                     b'{"error": "Too many requests"}', {"Retry-After": "1"}))
    sky.drop_after_accept = max(1, n // 15)
    for _ in range(max(1, n // 20)):
        sky.faults.append(Fault("/xrpc/com.atproto.repo.createRecord", rng.choice([429, 502]),
                                b'{"error": "RateLimitExceeded", "message": "slow down"}',
                                {"Retry-After": "1"}))


def run_chaos(app: App, n: int, kills: int, seed: int = 17, settle_s: float = 600,
              note: Callable[[str], None] = lambda s: None) -> ChaosResult:
    rng = random.Random(seed)
    masto = [PublishingMastodon(_now), PublishingMastodon(_now)]
    sky = PublishingBluesky(_now)
    sky.add_account("alice.test", "did:plc:alice", followers=10, items=[])
    try:
        slugs = _setup(app, masto, sky)
        texts: dict[Network, list[str]] = {Network.MASTODON: [], Network.BLUESKY: []}
        approved = []
        for i in range(n):
            slug = slugs[i % 3]
            network = Network.BLUESKY if slug == "sky" else Network.MASTODON
            body = f"Post {i} from the chaos run https://shop.example/p/{i}"
            ws = app.workspace(slug)
            post = app.publishing.draft(ME, ws, [Variant(network, body)], campaign="chaos")
            app.publishing.submit(ME, ws, post.id)
            app.publishing.approve(ME, ws, post.id)
            approved.append((ws, post.id))
            texts[network].append(f"{body}?utm_campaign=chaos&utm_source={network.value}"
                                  "&utm_medium=social")
        soon = (_now() + timedelta(seconds=5 + n // 10)).astimezone(ZoneInfo(ZONE))
        at = soon.replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=1)
        for ws, post_id in approved:
            app.publishing.schedule(ME, ws, post_id, at)
        _faults(masto, sky, rng, n)
        due = at.replace(tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
        note(f"{n} posts scheduled for {due:%H:%M:%S} UTC")
        time.sleep(max(0.0, (due - _now()).total_seconds()))
        start = time.monotonic()
        done_kills = 0
        for _ in range(kills):
            proc = _worker(app.settings.home)
            time.sleep(rng.uniform(0.8, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            done_kills += 1
        proc = _worker(app.settings.home)
        try:
            posts = _settle(app, slugs, settle_s)
        finally:
            proc.terminate()  # a job waiting out a rate limit keeps it: then it is killed
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(30)
        return ChaosResult(posts, masto, sky, done_kills, time.monotonic() - start, texts)
    finally:
        for f in (*masto, sky):
            f.close()


def _settle(app: App, slugs: list[str], limit_s: float) -> list[Post]:
    """Wait until no post is still scheduled or sending (or the limit passes)."""
    deadline = time.monotonic() + limit_s
    while True:
        posts = [p for s in slugs for p in app.publishing.posts(app.workspace(s))]
        live = [p for p in posts if p.status in (PostStatus.SCHEDULED, PostStatus.SENDING)]
        if not live or time.monotonic() > deadline:
            return posts
        time.sleep(0.5)
