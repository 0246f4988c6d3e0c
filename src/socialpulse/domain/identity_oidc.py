"""Single sign-on (OpenID Connect): the claims a provider vouches for, and who they let in.

A person signed in through the provider is matched to a user by (issuer, subject): the
provider's stable id, never the e-mail, which can change hands. The first time, they are
linked to the user the owner added with the same e-mail (an invitation), provided the
provider says it verified that address; else created, if their verified e-mail's domain is
one the server allows (``SOCIALPULSE_OIDC_ALLOWED_DOMAINS``); else refused.

Pure: the adapter checks the token; this module decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import SocialPulseError


class OidcRefused(SocialPulseError):
    """Sign-in through the provider failed: a token, a state or an account that does not hold."""

    status_code = 401


@dataclass(frozen=True)
class OidcClaims:
    """What a checked ID token says about the person."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def may_create(claims: OidcClaims, allowed_domains: tuple[str, ...]) -> bool:
    """Whether a person with no user yet gets one: a verified e-mail in an allowed domain."""
    return (claims.email is not None and claims.email_verified
            and email_domain(claims.email) in allowed_domains)


def refusal(claims: OidcClaims) -> str:
    """The one line a person without a user and no right to one reads."""
    who = claims.email or claims.name or "this account"
    return (f"{who} has no user on this server; ask its owner to add you "
            "(socialpulse users add) with this e-mail")


_NOT_LOGIN = re.compile(r"[^a-z0-9._@-]+")


def login_candidates(claims: OidcClaims) -> list[str]:
    """Logins to try for a new user, in order: the e-mail's local part, the whole e-mail, then
    numbered variants (the first that is free is taken)."""
    bases: list[str] = []
    for raw in (claims.email.partition("@")[0] if claims.email else "", claims.email or "",
                claims.name, "user"):
        base = _NOT_LOGIN.sub("-", raw.strip().lower()).strip("-._@")[:90]
        if base and base[0].isalnum() and base not in bases:
            bases.append(base)
    return bases + [f"{bases[0]}-{n}" for n in range(2, 50)]
