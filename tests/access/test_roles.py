"""The permission table and `allowed` for signed-in users and tokens (pure, no app)."""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.domain.actor import Action, Actor, ActorKind, allowed, authorize
from socialpulse.domain.errors import Forbidden, InvalidInput
from socialpulse.domain.roles import ROLE_GRANTS, ROLE_HELP, SITE_ACTIONS, Role, parse_role


def user(role: Role | None = None, ws: str = "acme", **kw: Any) -> Actor:
    roles = ((ws, role),) if role else ()
    return Actor("user:1", "Grace", ActorKind.USER, user_id=1, roles=roles, **kw)


def token(role: Role, ws: str = "acme", **kw: Any) -> Actor:
    return Actor("token:9", "Grace's script", ActorKind.API_TOKEN, user_id=1,
                 roles=((ws, role),), **kw)


def test_every_role_has_grants_and_words() -> None:
    assert set(ROLE_GRANTS) == set(Role) == set(ROLE_HELP)
    for role, grants in ROLE_GRANTS.items():
        assert Action.WORKSPACE_READ in grants, role
        assert not grants & SITE_ACTIONS, role


def test_site_actions_belong_to_no_role() -> None:
    assert {Action.WORKSPACE_CREATE, Action.DEMO_BUILD, Action.JOBS_RUN,
            Action.TOKENS_EDIT} <= SITE_ACTIONS
    assert Action.WORKSPACE_READ not in SITE_ACTIONS


def test_the_table_says_what_the_issue_asks() -> None:
    assert ROLE_GRANTS[Role.OWNER] - ROLE_GRANTS[Role.ADMIN] == {Action.OWNERS_EDIT}
    assert ROLE_GRANTS[Role.VIEWER] == {Action.WORKSPACE_READ}
    assert {Action.GOALS_EDIT, Action.REPORTS_EDIT} <= ROLE_GRANTS[Role.ANALYST]
    assert Action.DATA_IMPORT not in ROLE_GRANTS[Role.ANALYST]
    assert Action.MEMBERS_EDIT in ROLE_GRANTS[Role.ADMIN]
    assert Action.MEMBERS_EDIT not in ROLE_GRANTS[Role.ANALYST]
    assert Action.AUDIT_READ not in ROLE_GRANTS[Role.ANALYST]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_a_member_holds_exactly_their_roles_grants_in_their_workspace(
        role: Role, action: Action) -> None:
    assert allowed(user(role), action, "acme") is (action in ROLE_GRANTS[role])
    assert not allowed(user(role), action, "other")  # not a member there
    assert not allowed(user(role), action)  # nothing outside a workspace


def test_a_user_without_memberships_holds_nothing() -> None:
    for action in Action:
        assert not allowed(user(), action, "acme")
    with pytest.raises(Forbidden, match="Grace .* may not see this workspace in workspace 'x'"):
        authorize(user(), Action.WORKSPACE_READ, "x")


def test_a_site_admin_holds_everything_everywhere() -> None:
    admin = user(site_admin=True)
    for action in Action:
        assert allowed(admin, action, "anything") and allowed(admin, action)


def test_a_token_acts_for_its_user_within_its_scope() -> None:
    assert allowed(token(Role.ADMIN), Action.DATA_IMPORT, "acme")
    assert not allowed(token(Role.VIEWER), Action.DATA_IMPORT, "acme")  # the user's role bounds it
    ro = token(Role.ADMIN, read_only=True)
    assert allowed(ro, Action.WORKSPACE_READ, "acme")
    assert not allowed(ro, Action.DATA_IMPORT, "acme")
    ro_site = token(Role.ADMIN, site_admin=True, read_only=True)
    assert not allowed(ro_site, Action.GOALS_EDIT, "acme")
    scoped = Actor("token:9", "s", ActorKind.API_TOKEN, user_id=1,
                   roles=(("acme", Role.OWNER), ("beta", Role.OWNER)), token_workspaces=("beta",))
    assert allowed(scoped, Action.GOALS_EDIT, "beta")
    assert not allowed(scoped, Action.WORKSPACE_READ, "acme")
    site = Actor("token:9", "s", ActorKind.API_TOKEN, user_id=1, site_admin=True,
                 token_workspaces=("beta",))
    assert allowed(site, Action.GOALS_EDIT, "beta")
    assert not allowed(site, Action.WORKSPACE_READ, "acme")
    assert not allowed(site, Action.WORKSPACE_CREATE)  # outside its workspaces


def test_role_in_and_parse_role() -> None:
    a = Actor("user:1", "G", ActorKind.USER, roles=(("a", Role.VIEWER), ("b", Role.OWNER)))
    assert a.role_in("b") is Role.OWNER and a.role_in("c") is None
    assert parse_role(" Analyst ") is Role.ANALYST
    with pytest.raises(InvalidInput, match="role: unknown role 'boss'; use one of owner, admin"):
        parse_role("boss")
