"""Spike alerts (the daily detection of `listen alerts`) name what drives them: the spike's most
frequent terms over every mention it counted, and its authors with most reach."""

from __future__ import annotations

from socialpulse.bootstrap import App


def test_demo_spikes_name_their_terms_and_authors(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    alerts = demo_app_ro.listening.alerts(ws)
    assert alerts
    # the demo's crisis: a volume spike in early July about leaking rain jackets
    crisis = [a for a in alerts if a.kind == "volume" and a.start.isoformat() < "2026-07-10"
              and a.end.isoformat() >= "2026-07-03"]
    assert crisis, [a.title for a in alerts]
    terms = [t["term"] for t in crisis[0].drivers["terms"]]
    assert {"rain", "jacket", "leaking"} <= set(terms)
    assert not {"acme", "outdoor", "acmeoutdoor"} & set(terms)  # the brand's own words
    authors = crisis[0].drivers["authors"]
    assert authors and authors[0]["followers"] == max(a["followers"] or 0 for a in authors)
    assert crisis[0].as_dict()["drivers"] == crisis[0].drivers
    # the Overview's panel reads alerts without drivers (no query per alert there)
    latest = demo_app_ro.listening.latest_alert(ws)
    assert latest is not None and latest.drivers == {}
