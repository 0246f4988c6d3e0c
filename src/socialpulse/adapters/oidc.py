"""OpenID Connect against one provider (Google Workspace, Microsoft Entra, Keycloak...):
discovery, the authorization code flow with PKCE, and the ID token's validation.

Authlib's OAuth2 client (over httpx) builds the authorization URL (S256 code challenge, state,
nonce) and exchanges the code at the token endpoint, authenticating with the client secret;
joserfc (Authlib's JOSE library) checks the ID token: its signature against the provider's
JWKS, then ``iss`` (the configured issuer), ``aud`` (our client id), ``exp``/``iat`` (one
minute of clock skew) and ``nonce`` (this sign-in's). Any failure is one `OidcRefused` line
naming what was wrong, never the token or the secret.

This is the `OidcProvider` port of `services/ports.py`.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from socialpulse.domain.identity_oidc import OidcClaims, OidcRefused

#: Seconds a provider has to answer discovery, JWKS and token requests.
TIMEOUT_S = 10.0
#: Clock difference tolerated between the provider and this server.
LEEWAY_S = 60
#: Signature algorithms accepted for ID tokens (never "none", never a MAC keyed by the secret).
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
SCOPE = "openid email profile"


class OidcClient:
    """One provider, configured by issuer URL, client id and secret; metadata and keys are
    fetched on first use and kept (keys again when a token names an unknown key id)."""

    def __init__(self, issuer: str, client_id: str, client_secret: str,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._transport = transport
        self._meta: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def __repr__(self) -> str:  # never the secret
        return f"OidcClient({self.issuer!r}, client {self.client_id!r})"

    def _get(self, url: str, what: str) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=TIMEOUT_S, transport=self._transport) as http:
                resp = http.get(url)
            resp.raise_for_status()
            data = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcRefused(f"the sign-in provider's {what} could not be read "
                              f"({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise OidcRefused(f"the sign-in provider's {what} is not a JSON object")
        return data

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document; its issuer must be the one configured."""
        if self._meta is None:
            meta = self._get(f"{self.issuer}/.well-known/openid-configuration", "discovery")
            if str(meta.get("issuer", "")).rstrip("/") != self.issuer:
                raise OidcRefused("the sign-in provider names another issuer than "
                                  "SOCIALPULSE_OIDC_ISSUER in its discovery document")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(meta.get(key), str):
                    raise OidcRefused(f"the sign-in provider's discovery has no {key}")
            self._meta = meta
        return self._meta

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(self.client_id, self._secret, scope=SCOPE,
                            redirect_uri=redirect_uri, code_challenge_method="S256",
                            timeout=TIMEOUT_S, transport=self._transport)

    def authorization_url(self, redirect_uri: str, state: str, nonce: str,
                          code_verifier: str) -> str:
        """Where the browser goes to sign in (code flow, S256 PKCE challenge, state, nonce)."""
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=state, nonce=nonce,
                code_verifier=code_verifier)
        return str(url)

    def redeem(self, code: str, redirect_uri: str, code_verifier: str,
               nonce: str) -> OidcClaims:
        """Exchange the code for tokens and return the checked claims of the ID token."""
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(self.metadata()["token_endpoint"], code=code,
                                           code_verifier=code_verifier)
        except (OAuth2Error, httpx.HTTPError, ValueError) as exc:
            raise OidcRefused(f"the sign-in provider refused the code "
                              f"({getattr(exc, 'error', None) or type(exc).__name__})") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcRefused("the sign-in provider sent no ID token")
        return self.verify(id_token, nonce)

    def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            try:
                self._keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"],
                                                             "keys (JWKS)"))  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError):
                raise OidcRefused("the sign-in provider's keys (JWKS) are not valid") from None
        return self._keys

    def verify(self, id_token: str, nonce: str) -> OidcClaims:
        """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=ALGORITHMS)
            except (ValueError, JoseError) as exc:  # maybe keys were rotated: fetch them again
                if isinstance(exc, BadSignatureError):
                    raise
                token = jwt.decode(id_token, self._key_set(refresh=True), algorithms=ALGORITHMS)
            jwt.JWTClaimsRegistry(
                now=int(time.time()), leeway=LEEWAY_S,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True}, exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except BadSignatureError:
            raise OidcRefused("the ID token's signature does not match the provider's "
                              "keys") from None
        except ExpiredTokenError:
            raise OidcRefused("the ID token has expired") from None
        except (InvalidClaimError, MissingClaimError) as exc:
            claim = getattr(exc, "claim", "") or ""
            raise OidcRefused(f"the ID token's {_CLAIM_WORDS.get(claim, claim or 'claims')} "
                              "is not valid for this server") from None
        except (JoseError, ValueError) as exc:
            raise OidcRefused(f"the ID token is not valid ({type(exc).__name__})") from None
        claims = token.claims
        return OidcClaims(
            issuer=self.issuer, subject=str(claims["sub"]),
            email=_text(claims.get("email")),
            email_verified=claims.get("email_verified") is True,
            name=_text(claims.get("name")) or _text(claims.get("preferred_username")) or "")


_CLAIM_WORDS = {"iss": "issuer", "aud": "audience (it was issued to another application)",
                "nonce": "nonce (it belongs to another sign-in)", "sub": "subject",
                "exp": "expiry", "iat": "issue time", "nbf": "start time"}


def _text(value: Any) -> str | None:
    return value.strip()[:320] or None if isinstance(value, str) else None
