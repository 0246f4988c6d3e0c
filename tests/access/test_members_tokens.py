"""Memberships and API tokens through their services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Action, ActorKind, allowed
from socialpulse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialpulse.domain.roles import Role
from socialpulse.services.tokens import TokensService, secret_hash

from .conftest import add_user

ME = local_actor()


def test_members_add_change_remove_and_the_last_owner(access_app: App) -> None:
    app = access_app
    ana, bob = add_user(app, "ana"), add_user(app, "bob")
    acme = app.workspaces.create(ME, "acme", "Acme")
    app.workspaces.create(ME, "beta", "Beta")
    app.members.add(ME, acme, "ANA", Role.OWNER)
    app.members.add(ME, acme, "bob", Role.VIEWER)
    assert [(m.login, m.role) for m in app.members.list(acme)] == [
        ("ana", Role.OWNER), ("bob", Role.VIEWER)]
    with pytest.raises(Conflict, match="already a member, as viewer"):
        app.members.add(ME, acme, "bob", Role.ANALYST)
    with pytest.raises(Conflict, match="last owner"):
        app.members.remove(ME, acme, "ana")
    with pytest.raises(Conflict, match="last owner"):
        app.members.set_role(ME, acme, "ana", Role.ADMIN)
    with pytest.raises(NotFound, match="user 'zed': no such user"):
        app.members.add(ME, acme, "zed", Role.VIEWER)
    viewer = app.members.actor_for(bob)
    assert viewer.kind is ActorKind.USER and viewer.roles == (("acme", Role.VIEWER),)
    assert app.members.workspaces_of(viewer) == ["acme"]
    with pytest.raises(Forbidden, match="Bob \\(user\\) may not change the workspace's members"):
        app.members.set_role(viewer, acme, "bob", Role.OWNER)
    owner = app.members.actor_for(ana)
    app.members.set_role(owner, acme, "bob", Role.ADMIN)
    admin = app.members.actor_for(bob)
    with pytest.raises(Forbidden, match="may not make, change or remove the workspace's owners"):
        app.members.remove(admin, acme, "ana")
    with pytest.raises(Forbidden, match="owners"):
        app.members.set_role(admin, acme, "bob", Role.OWNER)
    assert {m.login: m.role for m in app.members.list(acme)} == {
        "ana": Role.OWNER, "bob": Role.ADMIN}
    app.members.remove(admin, acme, "bob")  # an admin may leave
    with pytest.raises(NotFound, match="'bob' is not a member of workspace 'acme'"):
        app.members.remove(owner, acme, "bob")
    assert app.members.workspaces_of(app.members.actor_for(bob)) == []
    assert app.members.workspaces_of(ME) == ["acme", "beta"]


def test_a_workspace_created_by_a_user_has_them_as_owner(access_app: App) -> None:
    app = access_app
    boss = add_user(app, "boss", site_admin=True)
    plain = add_user(app, "plain")
    ws = app.workspaces.create(app.members.actor_for(boss), "made", "Made")
    assert [(m.login, m.role) for m in app.members.list(ws)] == [("boss", Role.OWNER)]
    with pytest.raises(Forbidden, match="Plain \\(user\\) may not create a workspace"):
        app.workspaces.create(app.members.actor_for(plain), "nope", "Nope")
    assert app.workspaces.find("nope") is None
    app.workspaces.create(ME, "local", "Local")  # the local user is no user: no member row
    assert app.members.list(app.workspaces.get("local")) == []


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_tokens_scope_expiry_revocation_and_disabled_users(access_app: App) -> None:
    app = access_app
    grace = add_user(app, "grace")
    add_user(app, "other")
    acme = app.workspaces.create(ME, "acme", "Acme")
    beta = app.workspaces.create(ME, "beta", "Beta")
    app.members.add(ME, acme, "grace", Role.ADMIN)
    app.members.add(ME, beta, "grace", Role.VIEWER)
    clock = Clock()
    tokens = TokensService(app.tokens.repo, app.workspaces, clock)
    me = app.members.actor_for(grace)
    secret, token = tokens.create(me, "grace", "ci", expires_days=30)
    assert secret.startswith("sp_") and len(secret) == 46 and token.prefix == secret[:10]
    assert tokens.repo.token_by_hash(secret_hash(secret)) == token  # only the hash is kept
    actor = tokens.actor_for_token(secret)
    assert actor is not None and actor.kind is ActorKind.API_TOKEN
    assert allowed(actor, Action.DATA_IMPORT, "acme") and not allowed(actor, Action.GOALS_EDIT,
                                                                       "beta")
    assert tokens.list(me)[0].last_used_at == clock.now
    assert tokens.actor_for_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert tokens.actor_for_token("not a token") is None

    ro, _ = tokens.create(me, "grace", "dash", workspaces=["beta"], read_only=True)
    ro_actor = tokens.actor_for_token(ro)
    assert ro_actor is not None and ro_actor.token_workspaces == ("beta",)
    assert allowed(ro_actor, Action.WORKSPACE_READ, "beta")
    assert not allowed(ro_actor, Action.WORKSPACE_READ, "acme")
    assert not allowed(ro_actor, Action.MEMBERS_EDIT, "beta")

    clock.now += timedelta(days=30)  # expired at exactly its expiry time
    assert tokens.actor_for_token(secret) is None
    assert tokens.list(me)[1].state(clock.now) == "expired"
    assert tokens.actor_for_token(ro) is not None
    tokens.revoke(me, tokens.list(me)[0].id)
    assert tokens.actor_for_token(ro) is None
    assert tokens.list(me)[0].state(clock.now) == "revoked"


def test_who_may_manage_tokens(access_app: App) -> None:
    app = access_app
    grace = add_user(app, "grace")
    add_user(app, "other")
    boss = add_user(app, "boss", site_admin=True)
    app.workspaces.create(ME, "acme", "Acme")
    app.workspaces.create(ME, "hidden", "Hidden")
    app.members.add(ME, app.workspaces.get("acme"), "grace", Role.VIEWER)
    me = app.members.actor_for(grace)
    with pytest.raises(Forbidden, match="may not manage other people's API tokens"):
        app.tokens.create(me, "other", "x")
    with pytest.raises(NotFound, match="workspace 'hidden': no such workspace"):
        app.tokens.create(me, "grace", "x", workspaces=["hidden"])
    with pytest.raises(InvalidInput, match="expires-days: give a number of days from 1 to 3650"):
        app.tokens.create(me, "grace", "x", expires_days=0)
    secret, mine = app.tokens.create(me, "grace", "mine")
    _, theirs = app.tokens.create(app.members.actor_for(boss), "other", "theirs")
    _, local = app.tokens.create(ME, "other", "local")
    assert [t.name for t in app.tokens.list(me)] == ["mine"]
    assert [t.name for t in app.tokens.list(ME)] == ["local", "theirs", "mine"]
    with pytest.raises(NotFound, match=f"token {theirs.id}: no such token"):
        app.tokens.revoke(me, theirs.id)  # someone else's: not even its existence shows
    token_actor = app.tokens.actor_for_token(secret)
    assert token_actor is not None
    with pytest.raises(Forbidden):  # a token never mints tokens, not even its user's
        app.tokens.create(token_actor, "grace", "wider")
    assert app.tokens.revoke(me, mine.id).revoked_at is not None


def test_a_disabled_user_has_no_token(access_app: App) -> None:
    app = access_app
    add_user(app, "gone", disabled=True)
    secret, _ = app.tokens.create(ME, "gone", "old")
    assert app.tokens.actor_for_token(secret) is None
