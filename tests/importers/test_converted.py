"""The CSV forms of the legacy Facebook and LinkedIn exports, built from the real workbooks.

Facebook's legacy CSV puts the breakdown sheets' columns beside the key metrics, named
"<metric> - <action>"; LinkedIn's CSV keeps the note in row 1. The numbers must come out the
same as from the workbooks.
"""

from __future__ import annotations

import csv

from socialpulse.adapters.importers import Limits
from socialpulse.adapters.importers.readers import workbook

from .conftest import SAMPLES, do_import, metric, sample_files

FB = SAMPLES / "facebook" / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls"
LI = SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def test_facebook_legacy_csv_matches_the_workbook(home, ws, tmp_path):
    sheets = workbook(FB.read_bytes(), FB.name, "spreadsheetml", Limits())
    key = sheets["Key Metrics"]
    header, desc, rows = list(key[0]), list(key[1]), [list(r) for r in key[2:]]
    stories = sheets["Lifetime Post Stories by act..."]
    s_head = stories[0]
    by_post = {r[s_head.index("Post ID")]: r for r in stories[1:]}
    for action in ("like", "comment", "share"):
        header.append(f"Lifetime Post Stories by action type - {action}")
        desc.append("Lifetime: The number of stories created about your Page post, by action "
                    "type. (Total Count)")
        for r in rows:
            src = by_post.get(r[0])
            r.append(src[s_head.index(action)] if src else None)
    path = tmp_path / "Facebook Insights Data Export (Post Level).csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(desc)
        for r in rows:
            w.writerow([_cell(v) for v in r] + [""] * (len(header) - len(r)))
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "facebook-posts"
    from_csv = {m: metric(home, ws, m) for m in ("reach", "impressions", "likes", "shares")}

    other = home.store.create_workspace("other", "Other", "Europe/Madrid")
    do_import(home, other, sample_files("facebook"))
    from_xls = {m: metric(home, other, m) for m in ("reach", "impressions", "likes", "shares")}
    assert from_csv == from_xls and from_xls["likes"] > 0


def test_linkedin_csv_with_a_note_row(home, ws, tmp_path):
    sheets = workbook(LI.read_bytes(), LI.name, "xls", Limits())
    rows = sheets["Update Engagement"]
    path = tmp_path / "nplf_updates.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        for r in rows:
            w.writerow([_cell(v) for v in r])
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "linkedin-updates"
    assert res.rows["posts"] == 10
    header = rows[1]
    imp = sum(r[header.index("Impressions")] for r in rows[2:])
    assert metric(home, ws, "impressions") == imp


def test_utf16_tab_separated_export(home, ws, tmp_path):
    """Some exports come as UTF-16 with tabs (an Excel "Unicode text" save)."""
    src = SAMPLES / "youtube" / "priyankapatel05_Table data.csv"
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "priyankapatel05_Table data.csv"
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    path.write_bytes(text.encode("utf-16"))
    res = do_import(home, ws, [(path, path.name)])
    assert res.rows["posts"] == len(rows) - 2  # header and the "Total" row
    assert metric(home, ws, "video_views") == sum(int(r[4]) for r in rows[2:])


def test_linkedin_xlsx_with_followers_sheet(home, ws, tmp_path):
    """The same workbook saved as XLSX (openpyxl path), plus a followers sheet."""
    import openpyxl

    sheets = workbook(LI.read_bytes(), LI.name, "xls", Limits())
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        sh = wb.create_sheet(name[:31])
        for r in rows:
            sh.append([None if v == "" else v for v in r])
    fol = wb.create_sheet("New followers")
    fol.append(["Date", "Sponsored followers", "Organic followers", "Auto-invited followers",
                "Total followers"])
    fol.append(["06/30/2020", 0, 3, 0, 3])
    path = tmp_path / "NPLF_LinkedIn_Q1.xlsx"
    wb.save(path)
    res = do_import(home, ws, [(path, path.name)])
    f = res.plan.files[0]
    assert "followers" in f.format and "updates" in f.format
    assert res.rows["posts"] == 10
    assert any("new followers" in k for k in f.skipped)
    xls = home.store.create_workspace("xls", "XLS", "Europe/Madrid")
    do_import(home, xls, sample_files("linkedin"))
    for m in ("impressions", "engagements", "profile_views"):
        assert metric(home, ws, m) == metric(home, xls, m)
