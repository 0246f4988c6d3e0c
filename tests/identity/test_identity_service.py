"""IdentityService on a real app database (SQLite and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

import pytest

from socialpulse.adapters.store import Store
from socialpulse.bootstrap import local_actor
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialpulse.domain.identity import (
    LINK_INVALID,
    SIGNIN_FAILED,
    LinkPurpose,
    SignInRefused,
    TooManyAttempts,
)
from socialpulse.services.identity import IdentityService, digest

from .conftest import MovingClock, cheap_hasher, service

PASSWORD = "correct horse battery"
ADDRESS = "192.0.2.10"
ME = local_actor()


def _with_user(identity: IdentityService, login: str = "ana", **kw: object) -> None:
    identity.add_user(ME, login, name="Ana Silva", password=PASSWORD, **kw)


def test_first_user_is_site_admin_and_logins_are_case_insensitive(
        identity: IdentityService) -> None:
    assert not identity.has_users()
    first = identity.add_user(ME, " Ana ", password=PASSWORD)
    second = identity.add_user(ME, "bob", name="Bob", email="bob@example.org",
                               password=PASSWORD)
    assert (first.login, first.site_admin, first.name) == ("ana", True, "ana")
    assert (second.site_admin, second.email) == (False, "bob@example.org")
    assert identity.has_users()
    with pytest.raises(Conflict, match="login: a user 'ana' already exists"):
        identity.add_user(ME, "ANA", password=PASSWORD)
    _, user = identity.sign_in("ANA", PASSWORD, ADDRESS)
    assert user.login == "ana"
    assert [u.login for u in identity.users()] == ["ana", "bob"]


def test_password_policy_and_bad_input_name_the_field(identity: IdentityService) -> None:
    with pytest.raises(InvalidInput, match="password: at least 10 characters"):
        identity.add_user(ME, "ana", password="short")
    with pytest.raises(InvalidInput, match="password: must not be the login"):
        identity.add_user(ME, "ana.silva.1", password="ANA.SILVA.1")
    with pytest.raises(InvalidInput, match="^login: "):
        identity.add_user(ME, "ana silva", password=PASSWORD)
    with pytest.raises(InvalidInput, match="^email: "):
        identity.add_user(ME, "ana", email="not-an-address", password=PASSWORD)
    assert identity.users() == []  # nothing half-written


def test_only_site_admins_and_the_local_user_manage_users(identity: IdentityService) -> None:
    _with_user(identity)
    bob = identity.add_user(ME, "bob", password=PASSWORD)
    as_bob = Actor(f"user:{bob.id}", "bob", ActorKind.USER, user_id=bob.id)
    with pytest.raises(Forbidden, match="may not add, disable or enable users"):
        identity.add_user(as_bob, "eve", password=PASSWORD)
    with pytest.raises(Forbidden):
        identity.reset_link(as_bob, "ana", "http://127.0.0.1:8000")
    admin = Actor("user:1", "ana", ActorKind.USER, user_id=1, site_admin=True)
    assert identity.add_user(admin, "eve", password=PASSWORD).login == "eve"


def test_hash_is_argon2id_and_wrong_passwords_fail_with_one_message(
        store: Store, identity: IdentityService) -> None:
    _with_user(identity)
    user = identity.user("ana")
    from socialpulse.adapters.store.identity_repo import IdentityRepo

    encoded = IdentityRepo(store).password_hash(user.id)
    assert encoded is not None and encoded.startswith("$argon2id$")
    assert PASSWORD not in encoded
    for login, password in (("ana", "wrong password!"), ("nobody", PASSWORD), ("", "")):
        with pytest.raises(SignInRefused) as caught:
            identity.sign_in(login, password, ADDRESS)
        assert caught.value.message == SIGNIN_FAILED


class CountingHasher:
    """The real argon2 hasher, counting verifications."""

    def __init__(self) -> None:
        self.real = cheap_hasher()
        self.verified = 0

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        self.verified += 1
        return self.real.verify(encoded, password)

    def needs_rehash(self, encoded: str) -> bool:
        return self.real.needs_rehash(encoded)


def test_unknown_logins_and_disabled_users_cost_one_verification_too(
        store: Store, clock: MovingClock) -> None:
    """Timing does not tell which logins exist: every attempt runs argon2 verify once."""
    hasher = CountingHasher()
    identity = IdentityService(__import__("socialpulse.adapters.store.identity_repo",
                                          fromlist=["IdentityRepo"]).IdentityRepo(store),
                               hasher, clock)
    _with_user(identity)
    identity.add_user(ME, "carl", password=PASSWORD)
    identity.set_disabled(ME, "carl", True)
    for login in ("ana", "nobody", "carl"):
        before = hasher.verified
        with pytest.raises(SignInRefused):
            identity.sign_in(login, "wrong password!" if login == "ana" else PASSWORD,
                             ADDRESS)
        assert hasher.verified == before + 1, login


def test_rehash_on_sign_in_when_parameters_change(store: Store, clock: MovingClock) -> None:
    from argon2 import PasswordHasher

    from socialpulse.adapters.passwords import Argon2Passwords
    from socialpulse.adapters.store.identity_repo import IdentityRepo

    weak = service(store, clock, hasher=Argon2Passwords(time_cost=1, memory_cost=1024,
                                                         parallelism=1))
    _with_user(weak)
    repo = IdentityRepo(store)
    user_id = weak.user("ana").id
    old = repo.password_hash(user_id)
    changed_at = weak.user("ana").password_changed_at
    stronger = service(store, clock, hasher=Argon2Passwords(time_cost=2, memory_cost=2048,
                                                             parallelism=1))
    clock.advance(days=3)
    stronger.sign_in("ana", PASSWORD, ADDRESS)
    new = repo.password_hash(user_id)
    assert old is not None and new is not None and new != old
    assert "m=2048,t=2,p=1" in new and "m=1024,t=1,p=1" in old
    assert PasswordHasher().verify(new, PASSWORD)
    assert stronger.user("ana").password_changed_at == changed_at  # same password
    stronger.sign_in("ana", PASSWORD, ADDRESS)
    assert repo.password_hash(user_id) == new  # no rehash when current


def test_throttling_per_login_then_the_window_passes(identity: IdentityService,
                                                     clock: MovingClock) -> None:
    _with_user(identity)
    for i in range(5):
        with pytest.raises(SignInRefused):
            identity.sign_in("ana", f"wrong password {i}", f"198.51.100.{i}")
    with pytest.raises(TooManyAttempts, match="too many failed sign-ins .* wait 15 minutes"):
        identity.sign_in("ana", PASSWORD, "203.0.113.7")  # right password, another address
    clock.advance(minutes=15)
    secret, user = identity.sign_in("ana", PASSWORD, "203.0.113.7")
    assert user.login == "ana" and identity.user_for_session(secret) == user


def test_throttling_per_address_across_logins(identity: IdentityService,
                                              clock: MovingClock) -> None:
    _with_user(identity)
    for i in range(20):
        with pytest.raises(SignInRefused):
            identity.sign_in(f"guess{i}", "wrong password", ADDRESS)
    with pytest.raises(TooManyAttempts):
        identity.sign_in("ana", PASSWORD, ADDRESS)
    _, user = identity.sign_in("ana", PASSWORD, "192.0.2.99")  # another address is fine
    assert user.login == "ana"


def test_throttling_is_shared_by_server_processes(store: Store, clock: MovingClock) -> None:
    """Failures are rows of the app database: another service instance (another process
    holding its own Store) sees them."""
    one = service(store, clock)
    _with_user(one)
    other_store = Store(store.url)
    try:
        other = service(other_store, clock)
        for i in range(5):
            with pytest.raises(SignInRefused):
                (one if i % 2 else other).sign_in("ana", "wrong password", ADDRESS)
        with pytest.raises(TooManyAttempts):
            other.sign_in("ana", PASSWORD, "192.0.2.99")
    finally:
        other_store.dispose()


def test_success_clears_the_logins_failures(identity: IdentityService) -> None:
    _with_user(identity)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            identity.sign_in("ana", "wrong password", ADDRESS)
    identity.sign_in("ana", PASSWORD, ADDRESS)
    for _ in range(4):  # four more failures do not lock: the count started again
        with pytest.raises(SignInRefused):
            identity.sign_in("ana", "wrong password", ADDRESS)
    identity.sign_in("ana", PASSWORD, ADDRESS)


def test_session_idle_expiry(identity: IdentityService, clock: MovingClock) -> None:
    _with_user(identity)
    secret, user = identity.sign_in("ana", PASSWORD, ADDRESS)
    clock.advance(hours=11, minutes=59)
    assert identity.user_for_session(secret) == user  # used: idle time starts again
    clock.advance(hours=11, minutes=59)
    assert identity.user_for_session(secret) == user
    clock.advance(hours=12)
    assert identity.user_for_session(secret) is None
    clock.advance(hours=-12)  # an expired session is deleted, not only refused
    assert identity.user_for_session(secret) is None


def test_session_absolute_expiry_even_when_used(identity: IdentityService,
                                                clock: MovingClock) -> None:
    _with_user(identity)
    secret, user = identity.sign_in("ana", PASSWORD, ADDRESS)
    for _ in range(30):  # 330 hours, never 12 idle: still signed in
        clock.advance(hours=11)
        assert identity.user_for_session(secret) == user
    clock.advance(hours=6)  # 14 days after sign-in
    assert identity.user_for_session(secret) is None


def test_sessions_are_stored_hashed(store: Store, identity: IdentityService) -> None:
    from sqlalchemy import text

    _with_user(identity)
    secret, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    with store.engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT secret_hash FROM user_sessions"))]
    assert stored == [digest(secret)] and secret not in stored
    assert identity.user_for_session("x" * 43) is None
    assert identity.user_for_session("") is None


def test_sign_out_and_sign_out_everywhere(identity: IdentityService) -> None:
    _with_user(identity)
    identity.add_user(ME, "bob", password=PASSWORD)
    laptop, ana = identity.sign_in("ana", PASSWORD, ADDRESS)
    phone, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    tablet, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    bobs, bob = identity.sign_in("bob", PASSWORD, ADDRESS)
    identity.sign_out(laptop)
    assert identity.user_for_session(laptop) is None
    assert identity.user_for_session(phone) == ana
    assert identity.sign_out_everywhere(ana.id) == 2
    assert identity.user_for_session(phone) is None
    assert identity.user_for_session(tablet) is None
    assert identity.user_for_session(bobs) == bob  # others keep theirs


def test_password_change_signs_out_the_other_sessions(identity: IdentityService) -> None:
    _with_user(identity)
    here, ana = identity.sign_in("ana", PASSWORD, ADDRESS)
    there, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    with pytest.raises(SignInRefused, match="current password"):
        identity.change_password(ana.id, "not my password", "a new long password", here)
    identity.change_password(ana.id, PASSWORD, "a new long password", here)
    assert identity.user_for_session(here) == ana
    assert identity.user_for_session(there) is None
    with pytest.raises(SignInRefused):
        identity.sign_in("ana", PASSWORD, ADDRESS)
    identity.sign_in("ana", "a new long password", ADDRESS)


def test_disabled_user_has_no_session_and_cannot_sign_in(identity: IdentityService) -> None:
    _with_user(identity)
    secret, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    assert identity.set_disabled(ME, "ana", True).disabled
    assert identity.user_for_session(secret) is None
    with pytest.raises(SignInRefused, match=SIGNIN_FAILED):
        identity.sign_in("ana", PASSWORD, ADDRESS)
    identity.set_disabled(ME, "ana", False)
    identity.sign_in("ana", PASSWORD, ADDRESS)
    with pytest.raises(NotFound, match="login: no user 'zed'"):
        identity.set_disabled(ME, "zed", True)


def test_reset_link_works_once_and_signs_out_everywhere(identity: IdentityService) -> None:
    _with_user(identity)
    old_session, _ = identity.sign_in("ana", PASSWORD, ADDRESS)
    link = identity.reset_link(ME, "ana", "http://127.0.0.1:8000/")
    prefix = "http://127.0.0.1:8000/reset/"
    assert link.url.startswith(prefix) and link.emailed_to is None
    token = link.url.removeprefix(prefix)
    assert identity.link_user(LinkPurpose.RESET, token) is not None
    with pytest.raises(InvalidInput, match="password: at least"):
        identity.reset_password(token, "short")
    secret, user = identity.reset_password(token, "a brand new password")  # still usable
    assert identity.user_for_session(secret) == user
    assert identity.user_for_session(old_session) is None
    with pytest.raises(SignInRefused, match="already used, has expired"):
        identity.reset_password(token, "yet another password")
    identity.sign_in("ana", "a brand new password", ADDRESS)
    with pytest.raises(SignInRefused):
        identity.link_user(LinkPurpose.SETUP, token)  # a reset token is not a setup token


def test_reset_link_expires_after_an_hour(identity: IdentityService,
                                          clock: MovingClock) -> None:
    _with_user(identity)
    token = identity.reset_link(ME, "ana", "http://h").url.rpartition("/")[2]
    clock.advance(minutes=59)
    identity.link_user(LinkPurpose.RESET, token)
    clock.advance(minutes=1)
    with pytest.raises(SignInRefused) as caught:
        identity.reset_password(token, "a brand new password")
    assert caught.value.message == LINK_INVALID
    identity.sign_in("ana", PASSWORD, ADDRESS)  # the old password still works


def test_setup_link_creates_the_owner_once(identity: IdentityService) -> None:
    url = identity.setup_link("http://example.org:8000")
    assert url is not None and url.startswith("http://example.org:8000/setup/")
    token = url.rpartition("/")[2]
    assert identity.link_user(LinkPurpose.SETUP, token) is None
    with pytest.raises(InvalidInput, match="^login: "):
        identity.create_owner(token, "bad login!", "", None, PASSWORD)
    secret, owner = identity.create_owner(token, "Boss", "The Boss", "boss@example.org",
                                          PASSWORD)
    assert (owner.login, owner.site_admin) == ("boss", True)
    assert identity.user_for_session(secret) == owner
    with pytest.raises(SignInRefused, match="already used"):
        identity.create_owner(token, "second", "", None, PASSWORD)
    assert identity.setup_link("http://example.org:8000") is None  # there is a user now
    assert [u.login for u in identity.users()] == ["boss"]


def test_a_second_setup_link_stops_working_once_there_is_an_owner(
        identity: IdentityService) -> None:
    one = identity.setup_link("http://h")
    two = identity.setup_link("http://h")
    assert one and two and one != two
    identity.create_owner(one.rpartition("/")[2], "boss", "", None, PASSWORD)
    with pytest.raises(SignInRefused):
        identity.create_owner(two.rpartition("/")[2], "intruder", "", None, PASSWORD)
    assert [u.login for u in identity.users()] == ["boss"]
