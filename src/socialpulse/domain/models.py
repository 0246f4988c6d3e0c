"""Entities of the domain as plain values.

Persistence lives in adapters; these classes are what services and interfaces pass around.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from .errors import InvalidInput
from .platforms import NETWORK_LABELS as NETWORK_LABELS  # the platform registry's
from .platforms import Network as Network


class Function(StrEnum):
    """The business function that owns an account (seed 000: mature programmes span many)."""

    MARKETING = "marketing"
    PR_COMMS = "pr_comms"
    CUSTOMER_SERVICE = "customer_service"
    HR = "hr"
    SALES = "sales"
    PRODUCT = "product"
    EXECUTIVE = "executive"
    OTHER = "other"


E = TypeVar("E", bound=StrEnum)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def parse_enum(kind: type[E], value: str, field_name: str) -> E:
    """Parse a user-given enum value, naming the allowed values when it is wrong."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(f"{field_name}: unknown value {value!r}; use one of {allowed}") from None


def check_slug(slug: str, field_name: str = "slug") -> str:
    if not _SLUG.match(slug):
        raise InvalidInput(
            f"{field_name}: {slug!r} must be lowercase letters, digits and dashes (max 63)"
        )
    return slug


@dataclass(frozen=True)
class Workspace:
    """A brand or client: everything else is scoped by it."""

    id: int
    slug: str
    name: str
    timezone: str = "UTC"
    languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class Brand:
    """The workspace's own brand or a competitor it watches."""

    id: int
    workspace_id: int
    name: str
    is_own: bool


@dataclass(frozen=True)
class Account:
    id: int
    workspace_id: int
    network: Network
    handle: str
    name: str
    url: str = ""
    function: Function = Function.MARKETING
    brand_id: int | None = None
    brand_name: str = ""
    is_own: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return f"{NETWORK_LABELS[self.network]} {self.handle}"


#: Largest id a stored row can have: id columns are INTEGER, 32-bit on PostgreSQL (64-bit on
#: SQLite), so the web and the CLI refuse larger ids before they reach the store, where
#: PostgreSQL answered "integer out of range" (a 500; found by the API fuzz with a token on
#: PostgreSQL, tests/access/test_fuzz_token.py).
MAX_ID = 2**31 - 1


def find_account(accounts: Sequence[Account], ref: str | int, what: str = "accounts") -> Account:
    """The account a user names by id, handle, or NETWORK:HANDLE when a handle is ambiguous."""
    text = str(ref).strip()
    if text.isascii() and text.isdigit():
        for a in accounts:
            if a.id == int(text):
                return a
    net, sep, handle = text.partition(":")
    matches = [a for a in accounts
               if (a.handle.lower() == (handle if sep else text).lower())
               and (not sep or a.network.value == net.lower())]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        example = f"{matches[0].network.value}:{matches[0].handle}"
        raise InvalidInput(f"{what}: {text!r} matches {len(matches)} accounts; write "
                           f"NETWORK:HANDLE, e.g. {example}")
    raise InvalidInput(f"{what}: no account {text!r} in this workspace; use an id, a handle "
                       "or NETWORK:HANDLE (see `socialpulse accounts list`)")


def http_url(url: str | None) -> str:
    """The URL if it is http(s), else "": account and mention URLs come from imported files,
    and a ``javascript:`` or ``data:`` URL must never become a link."""
    text = (url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""
