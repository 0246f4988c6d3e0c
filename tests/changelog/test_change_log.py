"""The activity log: every change of the app's tables is recorded by the store, in the change's
own transaction, stamped with who `authorize` allowed; secrets never reach it; the CLI, the API
and the page read it, and only those who may."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Integer, String, delete, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from socialpulse.adapters.store.change_log_tables import ChangeLogRow
from socialpulse.adapters.store.tables import BrandRow, IngestBatchRow
from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Action, Actor, ActorKind, authorize
from socialpulse.domain.change_log import (
    HIDDEN,
    READ_ACTIONS,
    ChangeEntry,
    forget_authorization,
    is_secret,
    subject_label,
)
from socialpulse.domain.errors import Forbidden
from socialpulse.domain.roles import Role
from socialpulse.interfaces.cli.main import main
from socialpulse.interfaces.web.app import create_app
from tests.conftest import DEMO_UNTIL
from tests.webfixtures import browser_client

ALICE = Actor("user:alice", "Alice", ActorKind.LOCAL_USER)


def newest(app: App, n: int = 50, workspace: str | None = None) -> list[ChangeEntry]:
    return app.change_log.entries(local_actor(), workspace, None, n)


def log_rows(app: App) -> int:
    with app.store.session() as s:
        return len(s.scalars(select(ChangeLogRow.id)).all())


def test_a_settings_change_is_logged_with_who_what_and_before_after(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    demo_app.workspaces.update(ALICE, ws, name="Acme Outdoor")
    entry = newest(demo_app, 1)[0]
    assert (entry.actor_id, entry.actor_name, entry.action, entry.workspace) == (
        "user:alice", "Alice", "workspace.edit", "demo")
    assert (entry.subject, entry.subject_id, entry.change) == ("workspaces", str(ws.id),
                                                              "changed")
    assert entry.details == {"name": {"from": ws.name, "to": "Acme Outdoor"}}
    assert entry.summary() == f"workspace settings {ws.id} changed: name {ws.name} -> Acme Outdoor"
    assert newest(demo_app, 1, "other") == []  # filtered by workspace


def test_goal_check_in_and_archiving_are_logged(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    goal = demo_app.goals.list(ws, today=DEMO_UNTIL)[0].goal
    before = log_rows(demo_app)
    demo_app.goals.check_in(ALICE, ws, goal.id, "on track after the campaign", today=DEMO_UNTIL)
    demo_app.goals.archive(ALICE, ws, goal.id)
    entries = newest(demo_app, log_rows(demo_app) - before)
    assert {e.actor_name for e in entries} == {"Alice"}
    assert {e.action for e in entries} == {"goals.edit"}
    checkin = next(e for e in entries if e.subject == "goal_checkins")
    assert checkin.change == "created" and checkin.details["comment"] == \
        "on track after the campaign"
    archived = entries[0]
    assert (archived.subject, archived.subject_id, archived.change) == ("goals", str(goal.id),
                                                                       "changed")
    assert archived.details["archived_at"]["from"] is None
    assert archived.details["archived_at"]["to"] is not None


def test_a_change_that_rolls_back_leaves_no_entry(demo_app: App) -> None:
    before = log_rows(demo_app)
    authorize(ALICE, Action.WORKSPACE_EDIT, "demo")
    with pytest.raises(RuntimeError), demo_app.store.session() as s:
        s.add(BrandRow(workspace_id=demo_app.workspace("demo").id, name="Rolled back"))
        s.flush()  # the entry is written here, in the same transaction...
        raise RuntimeError("...which rolls back")
    assert log_rows(demo_app) == before


def test_bulk_updates_are_logged_per_row(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    authorize(ALICE, Action.WORKSPACE_EDIT, "demo")
    with demo_app.store.session() as s:
        ids = s.scalars(select(BrandRow.id).where(BrandRow.workspace_id == ws.id)).all()
        s.execute(update(BrandRow).where(BrandRow.workspace_id == ws.id).values(is_own=False))
    entries = newest(demo_app, len(ids))
    assert sorted(e.subject_id for e in entries) == sorted(str(i) for i in ids)
    assert {json.dumps(e.details) for e in entries} == {'{"is_own": {"to": false}}'}
    # bookkeeping (a lease renewal) is no entry; a bulk delete is one per row, stamped by
    # the last write allowed (reading the log in between does not restamp it)
    before = log_rows(demo_app)
    with demo_app.store.session() as s:
        s.execute(update(IngestBatchRow).where(IngestBatchRow.workspace_id == ws.id)
                  .values(lease_until=None))
    assert log_rows(demo_app) == before
    with demo_app.store.session() as s:
        s.add(BrandRow(workspace_id=ws.id, name="Short-lived"))
    with demo_app.store.session() as s:
        s.execute(delete(BrandRow).where(BrandRow.name == "Short-lived"))
    created, removed = newest(demo_app, 2)[::-1]
    assert (created.change, removed.change) == ("created", "removed")
    assert removed.subject_id == created.subject_id and removed.action == "workspace.edit"


class _SecretBase(DeclarativeBase):
    pass


class _Vault(_SecretBase):
    """A table of the shape sign-in and connections use: secrets beside plain fields."""

    __tablename__ = "test_vault"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(200))


def test_secrets_are_hidden_in_created_and_changed_entries(demo_app: App) -> None:
    _SecretBase.metadata.create_all(demo_app.store.engine)
    authorize(ALICE, Action.MEMBERS_EDIT, "demo")
    with demo_app.store.session() as s:
        s.add(_Vault(id=1, login="bob", password_hash="$argon2id$v=19$abc",
                     client_secret="s3cr3t", token="tok-123"))
    with demo_app.store.session() as s:
        row = s.get(_Vault, 1)
        assert row is not None
        row.password_hash = "$argon2id$v=19$new"
        row.login = "robert"
    changed, created = newest(demo_app, 2)
    assert created.details == {"login": "bob", "password_hash": HIDDEN,
                               "client_secret": HIDDEN, "token": HIDDEN}
    assert changed.details == {"login": {"from": "bob", "to": "robert"},
                               "password_hash": {"from": HIDDEN, "to": HIDDEN}}
    with demo_app.store.session() as s:
        text = json.dumps([r.details for r in s.scalars(select(ChangeLogRow))])
    for secret in ("argon2", "s3cr3t", "tok-123"):
        assert secret not in text
    assert created.subject_label == "test vault"


def test_secret_columns_and_labels_are_data() -> None:
    for name in ("password_hash", "secret_hash", "token_hash", "client_secret", "secret",
                 "refresh_token", "smtp_password"):
        assert is_secret(name), name
    for name in ("login", "token_workspaces_count", "key_result_id", "name"):
        assert not is_secret(name), name
    assert {Action.WORKSPACE_READ.value, Action.AUDIT_READ.value} == READ_ACTIONS
    assert subject_label("memberships") == "member"
    assert subject_label("api_tokens") == "API token"
    assert subject_label("widget_boxes") == "widget boxe"  # plain words, never a class name


def test_changes_without_an_authorized_write_are_marked_unknown(demo_app: App) -> None:
    forget_authorization()
    with demo_app.store.session() as s:
        s.add(BrandRow(workspace_id=demo_app.workspace("demo").id, name="Nobody's"))
    entry = newest(demo_app, 1)[0]
    assert (entry.actor_name, entry.action, entry.details["name"]) == ("unknown", None,
                                                                      "Nobody's")


def test_reading_needs_audit_read(demo_app: App) -> None:
    stranger = Actor("user:9", "Mallory", ActorKind.USER, user_id=9)
    with pytest.raises(Forbidden, match="read the activity log"):
        demo_app.change_log.entries(stranger, "demo")
    with pytest.raises(Forbidden):
        demo_app.change_log.entries(stranger, None)


def test_cli_prints_filters_and_refuses_bad_input(demo_app: App,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(demo_app.settings.home)]
    demo_app.workspaces.update(ALICE, demo_app.workspace("demo"), name="Acme Outdoor")
    assert main([*home, "audit-log", "-w", "demo", "--limit", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["when", "(UTC)", "who", "workspace", "change"]
    assert "Alice" in out[2] and "demo" in out[2] and "-> Acme Outdoor" in out[2]
    assert main([*home, "audit-log", "--json", "--limit", "1"]) == 0
    entry = json.loads(capsys.readouterr().out)[0]
    assert entry["actor"]["name"] == "Alice" and entry["subject"] == "workspace settings"
    assert main([*home, "audit-log", "--since", "2999-01-01"]) == 2  # beyond plausible
    assert main([*home, "audit-log", "-w", "nope"]) == 2
    assert main([*home, "audit-log", "--since", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.count("socialpulse: error:") == 3 and "Traceback" not in err


@pytest.fixture
def web(demo_app: App) -> Any:
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        yield c, demo_app


def test_api_and_page_show_the_workspace_log(web: Any) -> None:
    c, app = web
    assert c.patch("/api/workspaces/demo", json={"name": "Renamed by API"}).status_code == 200
    entries = c.get("/api/workspaces/demo/activity?limit=5").json()
    assert entries[0]["details"]["name"]["to"] == "Renamed by API"
    assert entries[0]["actor"]["kind"] == "local_user"
    assert len(entries) == 5
    page = c.get("/activity?workspace=demo")
    assert page.status_code == 200 and "Renamed by API" in page.text
    assert "<td>" in page.text and "workspace settings" in page.text
    for bad in ("limit=0", "limit=x", "since=2026-02-30"):
        resp = c.get(f"/api/workspaces/demo/activity?{bad}")
        assert resp.status_code == 400 and "\n" not in resp.json()["error"]["message"], bad
    assert c.get("/api/workspaces/nope/activity").status_code == 404


def test_everything_logged_is_json_and_has_a_label(demo_app_ro: App) -> None:
    """The demo build is logged whole: every entry reads back, none is bookkeeping."""
    entries = demo_app_ro.change_log.entries(local_actor(), None, None, 10_000)
    assert len(entries) > 20
    subjects = {e.subject for e in entries}
    assert {"goals", "workspaces", "accounts"} <= subjects
    assert not subjects & {"jobs", "maturity_benchmark_groups", "change_log"}
    for e in entries:
        json.dumps(e.as_json())
        assert "_" not in e.subject_label


def test_users_members_and_tokens_are_logged_without_their_secrets(demo_app: App) -> None:
    """The changes of sign-in and roles (issue 14) reach the log with no code of their own."""
    ws = demo_app.workspace("demo")
    before = log_rows(demo_app)
    demo_app.identity.add_user(ALICE, "vic", name="Vic Viewer",
                               password="a long enough passphrase 42")
    demo_app.members.add(ALICE, ws, "vic", Role.VIEWER)
    secret, token = demo_app.tokens.create(ALICE, "vic", "dashboard", read_only=True)
    assert demo_app.tokens.actor_for_token(secret) is not None  # "last used": bookkeeping
    demo_app.tokens.revoke(ALICE, token.id)
    entries = newest(demo_app, log_rows(demo_app) - before)[::-1]
    assert [(e.subject_label, e.change) for e in entries] == [
        ("user", "created"), ("member", "created"), ("API token", "created"),
        ("API token", "changed")]
    user, member, created, revoked = entries
    assert user.details["login"] == "vic" and user.details["password_hash"] == HIDDEN
    assert (member.details["role"], member.workspace, member.action) == (
        "viewer", "demo", "members.edit")
    assert created.details["secret_hash"] == HIDDEN and created.details["name"] == "dashboard"
    assert list(revoked.details) == ["revoked_at"]
    assert {e.actor_name for e in entries} == {"Alice"}
    text = json.dumps([e.as_json() for e in entries])
    assert secret not in text and "argon2" not in text
