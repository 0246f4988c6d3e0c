"""API tokens: a user's credentials for scripts, sent as ``Authorization: Bearer <secret>``.

A token is a random 32-byte secret (``sp_`` + 43 URL-safe characters), shown once when it is
created. Only its sha256 is stored: for a secret with 256 bits of entropy a fast hash is
right, because nobody can guess secrets to try against a stolen hash (a slow password hash
protects low-entropy passwords, at a cost on every API call that would buy nothing here). The
lookup is by the hash, so no comparison of the secret itself takes place that timing could
reveal. A token acts for its user: never more than the user's roles allow, and less when it is
read-only or limited to some workspaces. It stops working when it expires, when it is revoked,
and while its user is disabled.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from socialpulse.domain.access import MAX_TOKEN_DAYS, MAX_TOKEN_NAME, ApiToken, UserRef
from socialpulse.domain.actor import Action, Actor, ActorKind, allowed, authorize
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.services.access_ports import AccessRepository, Clock, WorkspaceLookup

#: What every token's secret starts with, so secret scanners and people recognise one.
TOKEN_PREFIX = "sp_"  # noqa: S105 - a public marker, not a secret
#: Days a token lives unless told otherwise.
DEFAULT_TOKEN_DAYS = 90
#: How stale ``last_used_at`` may get before a use writes it again (one write per token a
#: minute at most, not one per API call).
LAST_USED_PRECISION = timedelta(minutes=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def secret_hash(secret: str) -> str:
    """What is stored of a secret: its sha256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class TokensService:
    def __init__(self, repo: AccessRepository, workspaces: WorkspaceLookup,
                 clock: Clock = _utc_now) -> None:
        self.repo = repo
        self.workspaces = workspaces
        self.clock = clock

    def actor_for_token(self, secret: str) -> Actor | None:
        """The acting token of a request (None: unknown, expired, revoked, or its user is
        disabled). Its roles are its user's, read now, so a membership removed takes effect
        on the next call."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        token = self.repo.token_by_hash(secret_hash(secret))
        now = self.clock()
        if token is None or not token.usable_at(now):
            return None
        user = self.repo.user_by_id(token.user_id)
        if user is None or user.disabled:
            return None
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            self.repo.touch_token(token.id, now)
        return Actor(f"token:{token.id}", f"{user.name} (token {token.name})",
                     ActorKind.API_TOKEN, user_id=user.id, site_admin=user.site_admin,
                     roles=tuple(self.repo.roles_of(user.id)), read_only=token.read_only,
                     token_workspaces=token.workspaces)

    def create(self, actor: Actor, login: str, name: str = "",
               workspaces: Sequence[str] | None = None, read_only: bool = False,
               expires_days: int = DEFAULT_TOKEN_DAYS) -> tuple[str, ApiToken]:
        """A new token for the user of ``login``: its secret (shown once) and what is stored.

        ``workspaces`` (slugs; None or empty: every workspace the user may see) must name
        workspaces that exist and ``actor`` may see."""
        user = self._user(login)
        self._may_manage(actor, user.id)
        clean = name.strip() or "token"
        if len(clean) > MAX_TOKEN_NAME or any(ord(c) < 32 for c in clean):
            raise InvalidInput(f"name: at most {MAX_TOKEN_NAME} printable characters")
        if not 1 <= expires_days <= MAX_TOKEN_DAYS:
            raise InvalidInput(f"expires-days: give a number of days from 1 to {MAX_TOKEN_DAYS}"
                               f" (got {expires_days})")
        ids = None
        if workspaces:
            ids = [self._workspace_id(actor, slug) for slug in workspaces]
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        token = self.repo.add_token(user.id, clean, secret[:10], secret_hash(secret), ids,
                                    read_only, now=now,
                                    expires_at=now + timedelta(days=expires_days))
        return secret, token

    def list(self, actor: Actor, login: str | None = None) -> builtins.list[ApiToken]:
        """The tokens of ``login`` (None: the acting user's own; for the local user and site
        admins, everyone's)."""
        if login is not None:
            user = self._user(login)
            self._may_manage(actor, user.id)
            return self.repo.tokens(user.id)
        if actor.kind is ActorKind.USER and actor.user_id is not None:
            return self.repo.tokens(actor.user_id)
        authorize(actor, Action.TOKENS_EDIT)
        return self.repo.tokens(None)

    def revoke(self, actor: Actor, token_id: int) -> ApiToken:
        """Revoke a token at once (revoking it again changes nothing)."""
        token = self.repo.token(token_id)
        if token is None or not self._manages(actor, token.user_id):
            raise NotFound(f"token {token_id}: no such token; `socialpulse tokens list` "
                           "shows their ids")
        self._may_manage(actor, token.user_id)
        self.repo.revoke_token(token.id, self.clock())
        return self.repo.token(token.id) or token

    @staticmethod
    def _manages(actor: Actor, user_id: int) -> bool:
        """A person manages their own tokens (signed in, not through a token: a token must
        not mint a wider one); other people's need `Action.TOKENS_EDIT` (site admins, the
        local user)."""
        own = actor.kind is ActorKind.USER and actor.user_id == user_id
        return own or allowed(actor, Action.TOKENS_EDIT)

    def _may_manage(self, actor: Actor, user_id: int) -> None:
        if not (actor.kind is ActorKind.USER and actor.user_id == user_id):
            authorize(actor, Action.TOKENS_EDIT)

    def _user(self, login: str) -> UserRef:
        user = self.repo.user_by_login(login)
        if user is None:
            raise NotFound(f"user {login.strip()[:100]!r}: no such user; add them with "
                           f"`socialpulse users add {login.strip()[:100]}`")
        return user

    def _workspace_id(self, actor: Actor, slug: str) -> int:
        ws = self.workspaces.find(slug.strip())
        if ws is None or not allowed(actor, Action.WORKSPACE_READ, ws.slug):
            raise NotFound(f"workspace {slug.strip()[:63]!r}: no such workspace")
        return ws.id
