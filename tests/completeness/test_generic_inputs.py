"""Every catalogue input imports through the generic mapping, and `import --template` writes
files that import as they are filled (one file may hold several networks)."""

from __future__ import annotations

import pytest
import yaml

from socialpulse.adapters.importers.generic import FIELDS
from socialpulse.domain.errors import InvalidInput
from socialpulse.interfaces.cli import main
from socialpulse.services.import_templates import templates, write_templates
from socialpulse.services.imports import ImportOptions
from tests.completeness.files import write_csv
from tests.importers.conftest import do_import


def test_every_catalogue_input_is_a_mapping_field(home):
    for m in home.catalogue.measures.values():
        if m.dataset != "mentions" and m.column:
            assert m.column in FIELDS[m.dataset], m.id


def test_every_daily_input_imports_with_its_value(home, ws, tmp_path):
    daily = sorted({m.column for m in home.catalogue.measures.values()
                    if m.dataset == "account_daily" and m.column})
    assert {"conversions", "social_sessions", "csat_ratings", "nps_promoters", "ad_spend",
            "first_response_seconds"} <= set(daily)
    values = {c: i + 3 for i, c in enumerate(daily)}
    path = tmp_path / "web.csv"
    write_csv(path, ["Day", *daily], [["2026-03-01", *values.values()]])
    mapping = tmp_path / "web.yaml"
    mapping.write_text(yaml.safe_dump({"network": "facebook", "account": "acme",
                                       "dataset": "account_daily",
                                       "columns": {"date": "Day", **{c: c for c in daily}}}))
    do_import(home, ws, [(path, path.name)], ImportOptions(mapping=mapping))
    [row] = home.lake.read(ws.id, "account_daily").to_pylist()
    for c, v in values.items():
        assert row[c] == v, c


def test_a_generic_file_may_hold_several_networks(home, ws, tmp_path):
    path = tmp_path / "posts.csv"
    write_csv(path, ["net", "who", "id", "when", "views"], [
        ["x", "acme", "1", "2026-03-01 10:00", 10], ["tiktok", "acme", "2", "2026-03-02 10:00", 20],
        ["TikTok", "acme", "3", "2026-03-03 10:00", 30]])
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"network_column": "net", "account_column": "who",
                                       "columns": {"post_id": "id", "published_at": "when",
                                                   "video_views": "views"}}))
    do_import(home, ws, [(path, path.name)], ImportOptions(mapping=mapping))
    accounts = {(a.network.value, a.handle) for a in home.store.accounts(ws.id)}
    assert accounts == {("x", "acme"), ("tiktok", "acme")}
    t = home.metrics.compute(ws, [("video_views", None)], networks=["tiktok"])
    assert t.records()[0]["video_views"] == 50
    path.write_text("net,who,id,when,views\nmyspace,acme,4,2026-03-01 10:00,1\n"
                    "x,acme,5,2026-03-01 10:00,1\n")
    with pytest.raises(InvalidInput, match=r"posts.csv: row 2, column 'net': network: unknown"):
        do_import(home, ws, [(path, path.name)], ImportOptions(mapping=mapping))


def test_conversions_template_round_trip(home, ws, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.settings.home))
    assert main(["import", "--template", "conversions", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    daily_csv = tmp_path / "conversions-daily.csv"
    assert f"wrote {daily_csv}" in out and "--mapping" in out
    header = daily_csv.read_text().strip().split(",")
    assert header[:3] == ["network", "account", "date"]
    assert {"conversions", "social_sessions", "all_conversions", "ad_spend"} <= set(header)
    rows = []
    for day, net, sessions, conv in [("2026-03-01", "facebook", 200, 4),
                                     ("2026-03-02", "facebook", 100, 2),
                                     ("2026-03-01", "linkedin", 50, 3)]:
        rows.append([{"network": net, "account": "acme", "date": day, "social_sessions": sessions,
                      "conversions": conv}.get(c, 1) for c in header])
    write_csv(daily_csv, header, rows)
    assert main(["import", str(daily_csv), "--mapping", str(tmp_path / "conversions-daily.yaml"),
                 "-w", "acme", "-q"]) == 0
    capsys.readouterr()
    t = home.metrics.compute(ws, [("conversion_rate", "by_sessions")])
    assert t.records()[0]["conversion_rate:by_sessions"] == pytest.approx(100 * (4 + 2 + 3) / 350)
    t = home.metrics.compute(ws, [("conversion_rate", "by_sessions")], networks=["linkedin"])
    assert t.records()[0]["conversion_rate:by_sessions"] == pytest.approx(100 * 3 / 50)
    # a second run does not overwrite the filled file
    assert main(["import", "--template", "conversions", "--out", str(tmp_path)]) == 2
    assert "exists" in capsys.readouterr().err


def test_every_goal_type_with_imported_inputs_has_templates(home, tmp_path):
    for goal_type, kind in home.catalogue.goal_types.items():
        wanted = {m.column for mid in kind.metrics
                  for v in home.catalogue.metric(mid).variants
                  for m in home.catalogue.inputs(home.catalogue.metric(mid), v)
                  if m.dataset != "mentions" and m.column}
        if not wanted and not any(m.dataset == "posts" for mid in kind.metrics
                                  for m in home.catalogue.inputs(home.catalogue.metric(mid))):
            with pytest.raises(InvalidInput, match="no imported inputs"):
                templates(home.catalogue, goal_type)
            continue
        found, _ = templates(home.catalogue, goal_type)
        columns = {c for t in found for c in t.header}
        assert wanted <= columns, goal_type
        paths = write_templates(found, tmp_path / goal_type)
        for t in found:  # each mapping names exactly its CSV's columns
            mapping = yaml.safe_load((tmp_path / goal_type / t.name).with_suffix(".yaml")
                                     .read_text())
            assert set(mapping["columns"]) | {"network", "account"} == set(t.header)
        assert len(paths) == 2 * len(found)
    with pytest.raises(InvalidInput, match="unknown goal type 'sales'"):
        templates(home.catalogue, "sales")


def test_import_without_files_or_template_is_one_line(home, capsys, monkeypatch):
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.settings.home))
    assert main(["import"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("socialpulse: error: name the export files or folders to import "
                           "(or --template TYPE for empty files to fill)")
    assert main(["import", "--template", "customer_insight"]) == 2
    assert "its goals are milestones" in capsys.readouterr().err
