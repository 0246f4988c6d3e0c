"""The outbox at full size: 1,000 scheduled posts across 3 accounts, workers SIGKILLed.

Runs tests/publishing/chaos.py (the CI test runs it with 60 posts): two fake Mastodon
instances and a fake Bluesky PDS on 127.0.0.1 answering some requests 429 or 5xx and
dropping answers after carrying requests out, real `socialpulse worker` processes killed at
random moments and restarted. It records the seconds from the posts being due until every
one is settled, against a baseline measured in the same run: the same number of posts sent
straight to one fake by one HTTP client (no queue, no lake, no faults). It also records what
matters more than speed: posts missing or duplicated on the networks (both must be 0).

    .venv/bin/python bench/bench_publishing.py [--posts 1000] [--kills 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.publishing.chaos import run_chaos  # noqa: E402
from tests.publishing.fakes import PublishingMastodon  # noqa: E402

from bench.results import record  # noqa: E402
from socialpulse.bootstrap import open_home  # noqa: E402
from socialpulse.domain.models import Network  # noqa: E402
from socialpulse.domain.publishing import PostStatus  # noqa: E402
from socialpulse.settings import Settings  # noqa: E402


def direct(n: int) -> float:
    """Seconds to POST ``n`` statuses to one fake Mastodon with one client, nothing else."""
    fake = PublishingMastodon(lambda: datetime.now(UTC))
    fake.limit = 10 * n + 300  # the baseline measures sending, not the fake's rate limit
    try:
        with httpx.Client(base_url=fake.url) as client:
            t0 = time.perf_counter()
            for i in range(n):
                client.post("/api/v1/statuses", json={"status": f"direct {i}"},
                            headers={"Authorization": "Bearer good-token",
                                     "Idempotency-Key": f"k{i}"}).raise_for_status()
            return time.perf_counter() - t0
    finally:
        fake.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--name", default="publish_chaos_1000")
    args = ap.parse_args()
    baseline = direct(args.posts)  # first: a failure here must not cost the long run
    with tempfile.TemporaryDirectory() as tmp:
        app = open_home(Settings(home=Path(tmp) / "home"), create=True)
        try:
            res = run_chaos(app, args.posts, args.kills, note=print)
        finally:
            app.store.dispose()
    made: Counter[str] = Counter()
    for fake in res.mastodon:
        made.update(fake.texts())
    made.update(r["value"]["text"] for r in res.bluesky.records.values())
    wanted = Counter(res.texts[Network.MASTODON] + res.texts[Network.BLUESKY])
    missing = sum((wanted - made).values())
    duplicated = sum((made - wanted).values())
    settled = Counter(p.status.value for p in res.posts)
    recorded = sum(1 for p in res.posts for s in p.sends if s.platform_id)
    record(args.name, res.seconds, baseline,
           "seconds from due to every post settled (vs the same posts POSTed directly)",
           posts=args.posts, kills=res.kills, missing_on_network=missing,
           duplicated_on_network=duplicated, platform_ids_recorded=recorded,
           statuses=dict(settled), published=settled.get(PostStatus.PUBLISHED.value, 0),
           dropped_answers=sum(f.dropped for f in res.mastodon) + res.bluesky.dropped,
           baseline_what="one httpx client POSTing the same number of statuses to one fake")
    if missing or duplicated or recorded != args.posts:
        raise SystemExit(f"publishing lost {missing} and duplicated {duplicated} posts; "
                         f"{recorded} of {args.posts} platform ids recorded")


if __name__ == "__main__":
    main()
