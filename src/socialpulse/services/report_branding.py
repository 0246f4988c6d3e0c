"""Per-workspace branding of reports: display name, primary and accent colours, logo.

Logos are PNG or SVG files of at most `MAX_LOGO_BYTES`. A logo is only ever shown as an image
(``<img src="data:...">``), never inlined into the page, so an SVG's scripts cannot run; on top
of that SVGs are sanitised on upload (no scripts, no event handlers, no external references,
no entities), because WeasyPrint would otherwise fetch what an SVG points to.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.branding import Branding
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Workspace
from socialpulse.services.ports import BrandingRepository

MAX_LOGO_BYTES = 512 * 1024
DEFAULT_PRIMARY = "#0f766e"
DEFAULT_ACCENT = "#f59e0b"
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"
#: SVG elements that can run code, embed other documents or pull in remote content.
_SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video",
                  "animate", "set", "animateMotion", "animateTransform", "handler", "listener"}


def check_colour(value: str, field_name: str) -> str:
    """``#0a6`` or ``#00aa66`` -> ``#00aa66`` (lower case, six digits)."""
    v = value.strip()
    if not _HEX.match(v):
        raise InvalidInput(f"{field_name}: {value!r} is not a hex colour; use e.g. #0a6 or "
                           "#0f766e")
    if len(v) == 4:
        v = "#" + "".join(ch * 2 for ch in v[1:])
    return v.lower()


def sanitise_svg(data: bytes, where: str) -> bytes:
    """The SVG without scripts, event handlers, external links or entity declarations."""
    from xml.etree import ElementTree as ET

    from defusedxml import ElementTree as DET
    from defusedxml.common import DefusedXmlException

    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ET.ParseError) as exc:
        raise InvalidInput(f"{where}: not a safe SVG file ({exc})") from None
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        raise InvalidInput(f"{where}: the root element is {root.tag!r}, not <svg>")
    for parent in list(root.iter()):
        for child in list(parent):
            local = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if local in _SVG_FORBIDDEN:
                parent.remove(child)
    for el in root.iter():
        for attr in list(el.attrib):
            if _unsafe_attribute(attr, el.attrib[attr]):
                del el.attrib[attr]
        if el.tag.split("}")[-1] == "style" and el.text and ("@import" in el.text
                                                              or "url(" in el.text):
            el.text = ""
    ET.register_namespace("", _SVG_NS[1:-1])
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    out: bytes = ET.tostring(root, encoding="utf-8")
    return out


def _unsafe_attribute(name: str, value: str) -> bool:
    """Event handlers, links out of the file, and ``url(...)`` other than ``url(#id)``."""
    local = name.split("}")[-1].lower()
    v = value.strip().lower()
    if local.startswith("on"):
        return True
    if (name == _XLINK or local == "href") and not (v.startswith("#")
                                                    or v.startswith("data:image/png")):
        return True
    return "url(" in v and not re.fullmatch(r"[^()]*url\(\s*#[^)]*\)[^()]*", v)


def read_logo(data: bytes, where: str) -> tuple[bytes, str]:
    """Validate a logo's bytes: PNG (by its signature) or SVG (sanitised); size-limited."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput(f"{where}: logo is {len(data):,} bytes; the limit is "
                           f"{MAX_LOGO_BYTES:,} (512 KB)")
    if not data:
        raise InvalidInput(f"{where}: the logo file is empty")
    if data.startswith(_PNG_MAGIC):
        return data, "image/png"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return sanitise_svg(data, where), "image/svg+xml"
    raise InvalidInput(f"{where}: the logo must be a PNG or SVG file")


@dataclass(frozen=True)
class BrandingView:
    """Branding as reports use it: defaults filled in, the logo as a data URI."""

    name: str
    primary: str
    accent: str
    logo_uri: str | None
    custom: bool

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "primary_colour": self.primary,
                "accent_colour": self.accent, "has_logo": self.logo_uri is not None,
                "custom": self.custom}


def view_of(b: Branding, workspace: Workspace) -> BrandingView:
    """Stored branding as reports show it: defaults for what is unset, the logo as a data URI."""
    uri = None
    if b.logo and b.logo_type:
        uri = f"data:{b.logo_type};base64,{base64.b64encode(b.logo).decode('ascii')}"
    return BrandingView(
        name=b.display_name or workspace.name or workspace.slug,
        primary=b.primary_colour or DEFAULT_PRIMARY,
        accent=b.accent_colour or DEFAULT_ACCENT,
        logo_uri=uri,
        custom=any([b.display_name, b.primary_colour, b.accent_colour, b.logo]),
    )


def _logo_bytes(logo: Path | bytes, logo_name: str) -> tuple[bytes, str]:
    """A logo from a file (CLI) or uploaded bytes (pages), checked by `read_logo`."""
    if isinstance(logo, Path):
        where = f"--logo {logo}"
        if not logo.is_file():
            raise InvalidInput(f"{where}: no such file")
        if logo.stat().st_size > MAX_LOGO_BYTES:
            raise InvalidInput(f"{where}: logo is {logo.stat().st_size:,} bytes; the limit "
                               f"is {MAX_LOGO_BYTES:,} (512 KB)")
        return read_logo(logo.read_bytes(), where)
    return read_logo(logo, f"logo {logo_name}")


class BrandingService:
    """Reads and changes a workspace's report branding through the repository port."""

    def __init__(self, repo: BrandingRepository) -> None:
        self.repo = repo

    def view(self, workspace: Workspace) -> BrandingView:
        return view_of(self.repo.branding(workspace.id), workspace)

    def update(
        self,
        actor: Actor,
        workspace: Workspace,
        *,
        name: str | None = None,
        primary: str | None = None,
        accent: str | None = None,
        logo: Path | bytes | None = None,
        logo_name: str = "logo",
        clear_logo: bool = False,
    ) -> BrandingView:
        """Change some branding fields (others keep their value); everything is checked first."""
        authorize(actor, Action.REPORTS_EDIT, workspace.slug)
        cur = self.repo.branding(workspace.id)
        logo_bytes, logo_type = cur.logo, cur.logo_type
        if clear_logo:
            logo_bytes, logo_type = None, None
        if logo is not None:
            logo_bytes, logo_type = _logo_bytes(logo, logo_name)
        display = cur.display_name
        if name is not None:
            display = name.strip() or None
            if display and len(display) > 200:
                raise InvalidInput("name: at most 200 characters")
        new = Branding(
            display_name=display,
            primary_colour=(check_colour(primary, "primary colour") if primary
                            else cur.primary_colour),
            accent_colour=check_colour(accent, "accent colour") if accent else cur.accent_colour,
            logo=logo_bytes, logo_type=logo_type,
        )
        self.repo.save_branding(workspace.id, new)
        return view_of(new, workspace)
