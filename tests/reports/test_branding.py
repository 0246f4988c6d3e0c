"""Branding: colours validated, logos size-limited, SVG logos sanitised, shown on the cover."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Forbidden, InvalidInput
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.cli import main
from socialpulse.services.report_branding import (
    MAX_LOGO_BYTES,
    check_colour,
    read_logo,
    sanitise_svg,
)
from socialpulse.services.report_render import render_html

EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="40" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://evil.example/x.css);</style>
  <image xlink:href="http://evil.example/track.png" width="10" height="10"/>
  <a href="javascript:alert(3)"><rect width="10" height="10"/></a>
  <rect width="120" height="40" fill="#0a6" style="fill:url(http://evil.example/p)"/>
  <rect width="60" height="40" fill="url(#g)"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <text x="5" y="25">ACME</text>
</svg>"""


def test_colours() -> None:
    assert check_colour("#0a6", "c") == "#00aa66"
    assert check_colour(" #0F766E ", "c") == "#0f766e"
    for bad in ("0a6", "#12345", "red", "#ggg", "#0a6;background:url(x)"):
        with pytest.raises(InvalidInput, match="is not a hex colour"):
            check_colour(bad, "primary colour")


def test_svg_is_sanitised() -> None:
    clean = sanitise_svg(EVIL_SVG, "logo").decode()
    for gone in ("onload", "<script", "alert(", "evil.example", "javascript:",
                 "foreignObject", "@import"):
        assert gone not in clean, gone
    assert "ACME" in clean and 'fill="url(#g)"' in clean


def test_logo_checks(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "#0a6").save(buf, "PNG")
    png = buf.getvalue()
    assert read_logo(png, "logo") == (png, "image/png")
    with pytest.raises(InvalidInput, match="must be a PNG or SVG"):
        read_logo(b"GIF89a....", "logo x.gif")
    with pytest.raises(InvalidInput, match="the limit is"):
        read_logo(png + b"\0" * MAX_LOGO_BYTES, "logo big.png")
    with pytest.raises(InvalidInput, match="not a safe SVG"):
        read_logo(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg>&a;</svg>',
                  "logo e.svg")


def test_branding_shows_on_the_report(demo_app: App, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(EVIL_SVG)
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    assert main(["report", "branding", "--name", "Acme Outdoor", "--colour", "#0a6",
                 "--accent", "#ff8800", "--logo", str(logo)]) == 0
    assert "primary #00aa66" in capsys.readouterr().out
    assert main(["report", "branding", "--colour", "teal"]) == 2
    assert main(["report", "branding", "--logo", str(tmp_path / "missing.png")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "is not a hex colour" in err[0] and "no such file" in err[1]
    ws = demo_app.workspace("demo")
    report = demo_app.reports.build(ws, parse_period("2026-W37"), sections=["kpis"])
    html = render_html(report)
    assert "--primary: #00aa66" in html and "--accent: #ff8800" in html
    assert "<h1>Acme Outdoor</h1>" in html
    uri = html.split('class="logo" src="', 1)[1].split('"', 1)[0]
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert "ACME" in svg and "script" not in svg and "evil.example" not in svg
    # unchanged fields keep their value; the logo can be removed
    view = demo_app.branding.update(local_actor(), ws, accent="#123", clear_logo=True)
    assert (view.name, view.primary, view.accent, view.logo_uri) == (
        "Acme Outdoor", "#00aa66", "#112233", None)


def test_branding_is_changed_only_by_an_allowed_actor(demo_app: App) -> None:
    """A change goes through `authorize`: an actor without the grant is refused and the
    branding stays as it was."""
    ws = demo_app.workspace("demo")
    before = demo_app.branding.view(ws)
    nobody = Actor("user:ann", "ann", ActorKind.USER)
    with pytest.raises(Forbidden, match=r"^ann \(user\) may not change reports and their "
                                        r"schedules in workspace 'demo'$"):
        demo_app.branding.update(nobody, ws, name="Hijacked", primary="#000")
    assert demo_app.branding.view(ws) == before
