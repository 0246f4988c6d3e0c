"""Single sign-on (OpenID Connect): start a sign-in at the provider, finish it with a session.

Configured from the environment (`OidcConfig.from_env`): ``SOCIALPULSE_OIDC_ISSUER`` (the
provider's issuer URL, e.g. ``https://accounts.google.com`` or a Keycloak realm),
``SOCIALPULSE_OIDC_CLIENT_ID``, ``SOCIALPULSE_OIDC_CLIENT_SECRET`` (never logged nor shown)
and optionally ``SOCIALPULSE_OIDC_ALLOWED_DOMAINS`` (comma-separated e-mail domains whose
people get a user on their first sign-in). Without an issuer, single sign-on is off.

`begin` returns the provider's URL and what the browser must bring back (`PendingSignIn`:
state, nonce and the PKCE verifier, kept in a signed cookie by the web interface); `finish`
checks the state, has the provider's adapter redeem the code and check the ID token, matches
or creates the user (`domain.identity_oidc`) and starts a session with the identity service,
exactly like a password sign-in.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from socialpulse.domain.actor import Actor
from socialpulse.domain.identity import SignedInUser
from socialpulse.domain.identity_oidc import (
    OidcClaims,
    OidcRefused,
    login_candidates,
    may_create,
    refusal,
)
from socialpulse.services.identity import IdentityService
from socialpulse.services.ports import OidcLinks, OidcProvider

ENV_ISSUER = "SOCIALPULSE_OIDC_ISSUER"
ENV_CLIENT_ID = "SOCIALPULSE_OIDC_CLIENT_ID"
ENV_CLIENT_SECRET = "SOCIALPULSE_OIDC_CLIENT_SECRET"  # noqa: S105 - a variable's name
ENV_ALLOWED_DOMAINS = "SOCIALPULSE_OIDC_ALLOWED_DOMAINS"


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    allowed_domains: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcConfig | None:
        """The configuration in ``env``; None when no issuer is set (sign-on is off)."""
        issuer = (env.get(ENV_ISSUER) or "").strip()
        if not issuer:
            return None
        client_id = (env.get(ENV_CLIENT_ID) or "").strip()
        secret = (env.get(ENV_CLIENT_SECRET) or "").strip()
        if not issuer.startswith(("https://", "http://")):
            raise OidcRefused(f"{ENV_ISSUER}: {issuer[:80]!r} is not an https:// URL")
        if not client_id or not secret:
            missing = ENV_CLIENT_ID if not client_id else ENV_CLIENT_SECRET
            raise OidcRefused(f"{missing}: set it beside {ENV_ISSUER} (single sign-on needs "
                              "the client id and secret the provider gave this server)")
        domains = tuple(sorted({d.strip().lower().lstrip("@") for d in
                                (env.get(ENV_ALLOWED_DOMAINS) or "").split(",") if d.strip()}))
        return cls(issuer.rstrip("/"), client_id, secret, domains)


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser brings back from the provider: state (the answer belongs to this
    sign-in), nonce (the ID token was made for it), the PKCE verifier, and where to go next."""

    state: str
    nonce: str
    verifier: str
    next: str = "/"


#: Who creates and links users on their first single sign-on (not a person of this server).
SIGN_ON = Actor.system("single sign-on")


class OidcSignIn:
    def __init__(self, config: OidcConfig, provider: OidcProvider, links: OidcLinks,
                 identity: IdentityService) -> None:
        self.config = config
        self.provider = provider
        self.links = links
        self.identity = identity

    def begin(self, redirect_uri: str, next_path: str = "/") -> tuple[str, PendingSignIn]:
        """The provider's sign-in URL and the pending sign-in to keep until it answers."""
        pending = PendingSignIn(secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                                secrets.token_urlsafe(48), next_path)
        url = self.provider.authorization_url(redirect_uri, pending.state, pending.nonce,
                                              pending.verifier)
        return url, pending

    def finish(self, pending: PendingSignIn | None, state: str, code: str,
               redirect_uri: str) -> tuple[str, SignedInUser]:
        """A session for the person the provider vouches for (its cookie secret and the user);
        `OidcRefused` when the answer is not this sign-in's or the token does not hold."""
        if pending is None:
            raise OidcRefused("sign-in: this sign-in expired or was started in another "
                              "browser; start again")
        if not code or not secrets.compare_digest(state.encode(), pending.state.encode()):
            raise OidcRefused("sign-in: the provider's answer does not belong to this "
                              "sign-in (state); start again")
        claims = self.provider.redeem(code, redirect_uri, pending.verifier, pending.nonce)
        user_id = self._user_for(claims)
        secret = self.identity.start_session(user_id)
        user = self.identity.user_for_session(secret)
        if user is None:  # a disabled user
            self.identity.sign_out(secret)
            raise OidcRefused("sign-in: this user is disabled on this server")
        return secret, user

    def _user_for(self, claims: OidcClaims) -> int:
        found = self.links.user_for(claims.issuer, claims.subject)
        if found is not None:
            return found
        invited = (self.links.user_with_email(claims.email)
                   if claims.email and claims.email_verified else None)
        if invited is None:
            if not self.identity.has_users():  # the owner comes first, by the setup link
                raise OidcRefused("sign-in: this server has no owner yet; create it with the "
                                  "link `socialpulse serve` printed")
            if not may_create(claims, self.config.allowed_domains):
                raise OidcRefused(f"sign-in: {refusal(claims)}")
            login = next(c for c in login_candidates(claims) if not self.links.login_taken(c))
            invited = self.identity.add_user(SIGN_ON, login, name=claims.name,
                                             email=claims.email).id
        return self.links.link(claims.issuer, claims.subject, invited)
