"""A workspace's report branding as stored: display name, colours and logo, each None until set
(the reports then use the defaults). A value of the domain so that the branding service reads
and writes it through the repository port without importing the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Branding:
    display_name: str | None = None
    primary_colour: str | None = None
    accent_colour: str | None = None
    logo: bytes | None = None
    logo_type: str | None = None
