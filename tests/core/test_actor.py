"""The actor and the permission chokepoint: what is decided today is tested here."""

from __future__ import annotations

import pytest

from socialpulse.domain.actor import (
    ACTION_HELP,
    GRANTS,
    Action,
    Actor,
    ActorKind,
    allowed,
    authorize,
)
from socialpulse.domain.errors import Forbidden, InvalidInput


def test_local_user_and_system_may_do_every_write_of_today() -> None:
    for actor in (Actor.local("ada"), Actor.system("scheduler")):
        for action in Action:
            authorize(actor, action, "demo")
            authorize(actor, action)


@pytest.mark.parametrize("kind", [ActorKind.USER, ActorKind.API_TOKEN])
def test_kinds_without_roles_are_refused_naming_who_what_where(kind: ActorKind) -> None:
    actor = Actor("u:7", "Grace", kind)
    assert not allowed(actor, Action.DATA_IMPORT, "acme")
    with pytest.raises(Forbidden) as err:
        authorize(actor, Action.DATA_IMPORT, "acme")
    assert err.value.message == f"Grace ({kind.value}) may not import data in workspace 'acme'"
    assert err.value.status_code == 403


def test_vocabulary_and_grants_cover_every_action_and_kind() -> None:
    assert set(ACTION_HELP) == set(Action)
    assert set(GRANTS) == set(ActorKind)


def test_constructors_give_stable_ids() -> None:
    assert Actor.local("ada") == Actor("local:ada", "ada", ActorKind.LOCAL_USER)
    assert Actor.local("  ").id == "local:local"
    assert Actor.system("worker") == Actor("system:worker", "socialpulse worker", ActorKind.SYSTEM)


def test_record_round_trip_and_bad_records() -> None:
    actor = Actor.system("scheduler")
    assert Actor.from_record(actor.as_record()) == actor
    with pytest.raises(InvalidInput, match="unreadable record"):
        Actor.from_record({"id": "x", "name": "x", "kind": "root"})
    with pytest.raises(InvalidInput, match="must not be empty"):
        Actor("", "x", ActorKind.SYSTEM)
