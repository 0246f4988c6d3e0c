"""Vendored front-end files: pinned, licensed, served locally; templates load nothing remote."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from socialpulse.interfaces.web.common import STATIC_DIR, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parents[2]
VENDOR = STATIC_DIR / "vendor"


def test_vendored_versions_match_the_script() -> None:
    script = (ROOT / "scripts" / "vendor_js.sh").read_text()
    pins = dict(re.findall(r"^(VEGA|VEGA_INTERPRETER|VEGA_LITE|VEGA_EMBED|HTMX)=(\S+)", script,
                           re.M))
    versions = dict(line.split() for line in (VENDOR / "VERSIONS").read_text().splitlines())
    assert versions == {"vega": pins["VEGA"], "vega-interpreter": pins["VEGA_INTERPRETER"],
                        "vega-lite": pins["VEGA_LITE"],
                        "vega-embed": pins["VEGA_EMBED"], "htmx.org": pins["HTMX"]}
    assert versions["vega"].startswith("5.") and versions["vega-lite"].startswith("5.")
    assert versions["vega-embed"].startswith("6.") and versions["htmx.org"].startswith("2.0.")


def test_every_vendored_script_has_its_license() -> None:
    for js, lic in [("vega.min.js", "vega.LICENSE"),
                    ("vega-interpreter.min.js", "vega-interpreter.LICENSE"),
                    ("vega-lite.min.js", "vega-lite.LICENSE"),
                    ("vega-embed.min.js", "vega-embed.LICENSE"), ("htmx.min.js", "htmx.LICENSE")]:
        assert (VENDOR / js).stat().st_size > 4_000
        text = (VENDOR / lic).read_text()
        assert "Redistribution and use" in text or "Zero-Clause BSD" in text


def test_templates_reference_no_remote_resources() -> None:
    remote = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)
    for path in TEMPLATES_DIR.glob("*.html"):
        assert not remote.search(path.read_text()), f"{path.name} loads a remote resource"
    css = (STATIC_DIR / "app.css").read_text()
    assert "@import" not in css and "url(http" not in css


def test_static_files_are_served(client: TestClient) -> None:
    for name in ("app.js", "app.css", "favicon.svg", "vendor/vega.min.js",
                 "vendor/vega-interpreter.min.js",
                 "vendor/vega-lite.min.js", "vendor/vega-embed.min.js", "vendor/htmx.min.js"):
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200, name
    assert client.get("/static/nope.js").status_code == 404
