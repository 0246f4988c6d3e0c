"""The generic mapping format (with the documented example) and Meta Business Suite CSVs.

No public real Meta Business Suite export exists (see shared SOURCES.md), so those tests use
the documented headers, reordered and with columns missing, to check the tolerance the issue
asks for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from socialpulse.domain.errors import InvalidInput
from socialpulse.services.imports import ImportOptions

from .conftest import do_import, metric

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_documented_mapping_example(home, ws, tmp_path):
    csv_path = tmp_path / "posts.csv"
    shutil.copy(DOCS / "posts.csv", csv_path)
    opts = ImportOptions(mapping=DOCS / "import-mapping.yaml")
    res = do_import(home, ws, [(csv_path, csv_path.name)], opts)
    assert res.rows == {"posts": 2, "post_snapshots": 2}
    assert [a.label for a in home.store.accounts(ws.id)] == ["Facebook acme-outdoor"]
    assert metric(home, ws, "impressions") == 2000
    assert metric(home, ws, "reach") == 1550
    snaps = home.lake.read(ws.id, "post_snapshots").to_pylist()
    by_id = {s["post_id"]: s for s in snaps}
    assert by_id["1002"]["shares"] is None  # "-" stays empty
    assert by_id["1001"]["video_views"] is None  # not mapped: empty, not 0
    posts = {p["post_id"]: p for p in home.lake.read(ws.id, "posts").to_pylist()}
    # 10:00 in Madrid (CEST) is 08:00 UTC
    assert posts["1001"]["published_at"].isoformat() == "2026-09-01T08:00:00+00:00"


@pytest.mark.parametrize("change,match", [
    ("columns:\n  post_id: ID\n  published_at: Nope\n", "column 'Nope'"),
    ("columns:\n  post_id: ID\n  published_at: Published\n  views: Impressions\n",
     "columns.views: unknown field"),
    ("colums: {}\n", "unknown key 'colums'"),
])
def test_mapping_errors(home, ws, tmp_path, change, match):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("network: x\naccount: a\n" + change, encoding="utf-8")
    csv_path = tmp_path / "posts.csv"
    shutil.copy(DOCS / "posts.csv", csv_path)
    with pytest.raises(InvalidInput, match=match):
        do_import(home, ws, [(csv_path, csv_path.name)], ImportOptions(mapping=mapping))
    assert home.store.batches(ws.id, None) == []


FB_HEADER = ("Post ID,Page ID,Page name,Title,Description,Duration (sec),Publish time,"
             "Caption type,Permalink,Is crosspost,Is share,Post type,Languages,Custom labels,"
             "Funded content status,Data comment,Date,Views,Reach,"
             '"Reactions, Comments and Shares",Reactions,Comments,Shares,Total clicks,'
             "Other Clicks,Matched Audience Targeting Consumption (Photo Click)")


def test_meta_facebook_csv(home, ws, tmp_path):
    rows = [
        '111_1,111,Acme Outdoor,,Trail day!,,09/01/2026 10:00,,https://www.facebook.com/acme/'
        'posts/1,No,No,Photos,,,,,Lifetime,1500,1100,60,50,6,4,30,10,2',
        '111_2,111,Acme Outdoor,,Autumn,,09/02/2026 21:15,,https://www.facebook.com/acme/'
        'posts/2,No,No,Links,,,,,Lifetime,500,420,12,10,1,1,8,2,0',
    ]
    path = tmp_path / "Sep-01-2026_Sep-30-2026_123.csv"
    path.write_bytes(("\ufeff" + FB_HEADER + "\n" + "\n".join(rows) + "\n").encode())
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "meta-facebook"
    assert [a.label for a in home.store.accounts(ws.id)] == ["Facebook Acme Outdoor"]
    assert metric(home, ws, "impressions") == 2000  # Views: Meta's successor of impressions
    assert metric(home, ws, "engagements") == 72  # its own "Reactions, Comments and Shares"
    assert metric(home, ws, "likes") == 60


def test_meta_instagram_csv_tolerates_order_and_missing_columns(home, ws, tmp_path):
    header = "Account username,Publish time,Post ID,Post type,Reach,Likes,Comments,Saves,Permalink"
    rows = ["acme.outdoor,09/05/2026 12:00,178_1,IG reel,3000,200,12,30,https://instagram.com/p/x",
            "acme.outdoor,09/06/2026 08:00,178_2,IG carousel,1000,80,3,,https://instagram.com/p/y"]
    path = tmp_path / "instagram.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "meta-instagram"
    assert metric(home, ws, "reach") == 4000
    snaps = {s["post_id"]: s for s in home.lake.read(ws.id, "post_snapshots").to_pylist()}
    assert snaps["178_1"]["saves"] == 30 and snaps["178_2"]["saves"] is None
    assert snaps["178_1"]["impressions"] is None and snaps["178_1"]["shares"] is None
    assert snaps["178_1"]["engagements"] == 242  # likes + comments + saves (no shares column)
    posts = {p["post_id"]: p for p in home.lake.read(ws.id, "posts").to_pylist()}
    assert posts["178_1"]["post_type"] == "ig reel"
