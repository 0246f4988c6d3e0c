"""The inbox at full size: 1,000,000 messages, the default view and each filter, p95.

Builds a home with one workspace and ``--messages`` messages in half as many conversations
(networks, sentiments, languages, statuses, assignees, tags and answers spread over them),
written straight into the inbox's tables in bulk (the threading path is measured by the
tests, not here). Then each view asks `InboxService.page` for its first page of 50, ``--repeat``
times, against a baseline measured in the same run: the hand-written SQL of the same page on a
raw sqlite3 connection. The rows must be the same ids in the same order (else exit 1).

    .venv/bin/python bench/bench_inbox.py [--messages 1000000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import record  # noqa: E402
from socialpulse.adapters.store.inbox_tables import (  # noqa: E402
    ConversationRow,
    MessageRow,
    TagRow,
)
from socialpulse.bootstrap import App, local_actor, open_home  # noqa: E402
from socialpulse.domain.inbox import InboxFilter, Status  # noqa: E402
from socialpulse.settings import Settings  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
NETWORKS = ("mastodon", "bluesky", "youtube", "facebook")
SENTIMENTS = ("positive", "neutral", "neutral", "negative")
AGENTS = ("ana", "ben", "cleo", None)
PAGE = 50


def fill(app: App, ws_id: int, messages: int) -> None:
    """``messages`` messages in ``messages // 2`` conversations, in bulk."""
    convs = messages // 2
    engine = app.store.engine
    chunk = 50_000
    with engine.begin() as c:
        for lo in range(0, convs, chunk):
            rows, msgs, tags = [], [], []
            for i in range(lo, min(lo + chunk, convs)):
                at = START + timedelta(seconds=37 * i)
                answered = i % 5 != 0
                rows.append({
                    "id": i + 1, "workspace_id": ws_id, "network": NETWORKS[i % 4],
                    "account": "acme", "root_id": f"r{i}", "kind": "mention",
                    "author": f"person{i % 9973}", "preview": f"message {i}",
                    "status": ("closed", "open", "pending")[i % 3], "priority": i % 90,
                    "language": "de" if i % 7 == 0 else "en",
                    "sentiment": SENTIMENTS[i % 4], "assignee": AGENTS[i % 4],
                    "claimed_by": None, "claimed_at": None, "first_message_at": at,
                    "last_message_at": at + timedelta(minutes=30),
                    "first_response_at": at + timedelta(minutes=30) if answered else None,
                    "responder": "ana" if answered else None, "answered_elsewhere": False,
                    "closed_at": None, "closed_by": None})
                for j, ours in ((0, False), (1, answered)):
                    msgs.append({
                        "workspace_id": ws_id, "conversation_id": i + 1,
                        "network": NETWORKS[i % 4], "account": "acme",
                        "external_id": f"r{i}" if j == 0 else f"r{i}-{j}",
                        "in_reply_to": None if j == 0 else f"r{i}", "kind": "mention",
                        "author": "acme" if ours else f"person{i % 9973}",
                        "author_followers": i % 5000, "text": f"message {i} {j}",
                        "language": "en", "sentiment": SENTIMENTS[i % 4], "ours": ours,
                        "url": "", "created_at": at + timedelta(minutes=30 * j)})
                if i % 50 == 0:
                    tags.append({"conversation_id": i + 1, "tag": "vip"})
            c.execute(ConversationRow.__table__.insert(), rows)
            c.execute(MessageRow.__table__.insert(), msgs)
            if tags:
                c.execute(TagRow.__table__.insert(), tags)
    with engine.begin() as c:
        c.exec_driver_sql("ANALYZE")


VIEWS: dict[str, tuple[InboxFilter, str, tuple[Any, ...]]] = {
    "default": (InboxFilter(), "", ()),
    "status_open": (InboxFilter(status=Status.OPEN), "AND status = ?", ("open",)),
    "network": (InboxFilter(network="bluesky"), "AND network = ?", ("bluesky",)),
    "assignee": (InboxFilter(assignee="ben"), "AND assignee = ?", ("ben",)),
    "sentiment": (InboxFilter(sentiment="negative"), "AND sentiment = ?", ("negative",)),
    "language": (InboxFilter(language="de"), "AND language = ?", ("de",)),
    "tag": (InboxFilter(tag="vip"), "AND EXISTS (SELECT 1 FROM inbox_tags t WHERE "
            "t.conversation_id = c.id AND t.tag = ?)", ("vip",)),
    "unanswered": (InboxFilter(unanswered=True), "AND first_response_at IS NULL", ()),
}


def p95(fn: Callable[[], list[int]], repeat: int) -> tuple[float, list[int]]:
    times, out = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0], out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = open_home(Settings(home=Path(tmp) / "home"), create=True)
        ws = app.workspaces.create(local_actor(), "acme", "Acme", "Europe/Berlin")
        app.inbox.set_sla(local_actor(), ws, 60, "mon-fri 09:00-17:00")
        t0 = time.perf_counter()
        fill(app, ws.id, args.messages)
        print(f"filled {args.messages} messages in {time.perf_counter() - t0:.1f} s")
        raw = sqlite3.connect(str(Path(tmp) / "home" / "socialpulse.db"))
        failed = False
        for name, (f, where, params) in VIEWS.items():
            sql = (f"SELECT id FROM inbox_conversations c WHERE workspace_id = ? {where} "
                   "ORDER BY last_message_at DESC, id DESC LIMIT ?")

            def ours(f: InboxFilter = f) -> list[int]:
                return [r.conversation.id for r in app.inbox.page(ws, f, PAGE).rows]

            def hand(sql: str = sql, params: tuple[Any, ...] = params) -> list[int]:
                return [r[0] for r in raw.execute(sql, (ws.id, *params, PAGE + 1))][:PAGE]

            value, got = p95(ours, args.repeat)
            baseline, want = p95(hand, args.repeat)
            if got != want:
                print(f"{name}: the inbox's page differs from the hand-written query's")
                failed = True
            record(f"inbox_page_p95_{name}", value, baseline, "ms", messages=args.messages,
                   page=PAGE, repeat=args.repeat)
            print(f"{name:12} p95 {value:7.2f} ms   hand-written SQL {baseline:7.2f} ms")
        raw.close()
        app.store.dispose()
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
