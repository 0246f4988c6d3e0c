"""Single sign-on against a local OpenID provider (tests/deploy/fake_oidc.py): the code flow
with PKCE, state and nonce through the real app; users matched by (issuer, subject), invited
by e-mail or created for allowed domains; and every broken answer refused with one line and
no session: wrong audience, expired token, bad signature, another nonce or issuer, a state
that is not this sign-in's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.identity_oidc import OidcClaims, login_candidates, may_create
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.oidc_signin import OidcConfig
from tests.deploy.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider, fake_provider
from tests.webfixtures import BASE_URL

PERSON = {"sub": "248289761001", "email": "ana@acme.example", "email_verified": True,
          "name": "Ana Analyst"}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    with fake_provider() as p:
        monkeypatch.setenv("SOCIALPULSE_OIDC_ISSUER", p.url)
        monkeypatch.setenv("SOCIALPULSE_OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("SOCIALPULSE_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("SOCIALPULSE_OIDC_ALLOWED_DOMAINS", "acme.example")
        p.person = dict(PERSON)
        yield p


@pytest.fixture
def team(empty_app: App) -> App:
    """A home whose owner exists: pages need signing in."""
    empty_app.identity.add_user(local_actor(), "owner", name="Olga Owner",
                                password="correct horse battery staple")
    empty_app.workspaces.create(local_actor(), "acme", "Acme")
    return empty_app


@pytest.fixture
def client(team: App, provider: FakeProvider) -> Iterator[TestClient]:
    with TestClient(create_app(team.settings, run_jobs=False), base_url=BASE_URL,
                    raise_server_exceptions=False) as c:
        yield c


def sign_on(c: TestClient, next_path: str = "/api/workspaces",
            state: str | None = None) -> Any:
    """The browser's round trip: our start page -> the provider -> our callback."""
    start = c.get(f"/oidc/signin?next={next_path}", follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = urlsplit(at_provider.headers["location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    if state is not None:
        query["state"] = state
    return c.get(back.path, params=query, follow_redirects=False)


def test_sign_on_creates_a_user_of_an_allowed_domain_and_starts_a_session(
        client: TestClient, provider: FakeProvider, team: App) -> None:
    start = client.get("/oidc/signin", follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["redirect_uri"] == [f"{BASE_URL}/oidc/callback"]
    assert query["state"][0] and query["nonce"][0] and "code_verifier" not in query
    assert client.get("/api/workspaces").status_code == 401  # not signed in yet

    done = sign_on(client)
    assert done.status_code == 303 and done.headers["location"] == "/api/workspaces"
    assert "httponly" in done.headers["set-cookie"].lower()
    assert client.get("/api/workspaces").status_code == 200
    ana = team.identity.user("ana")
    assert (ana.name, ana.email, ana.has_password, ana.site_admin) == (
        "Ana Analyst", "ana@acme.example", False, False)
    assert provider.token_requests[0]["code_verifier"]  # PKCE: the verifier went to the token

    # the next sign-in is the same user, matched by subject even with a new e-mail
    client.cookies.clear()
    provider.person["email"] = "ana.new@acme.example"
    assert sign_on(client).status_code == 303
    assert sorted(u.login for u in team.identity.users()) == ["ana", "owner"]


def test_an_invited_user_is_linked_by_verified_email(client: TestClient, provider: FakeProvider,
                                                     team: App) -> None:
    team.identity.add_user(local_actor(), "bruno", name="Bruno", email="Bruno@Partner.example")
    provider.person = {"sub": "b-1", "email": "bruno@partner.example", "email_verified": True}
    assert sign_on(client).status_code == 303
    assert sorted(u.login for u in team.identity.users()) == ["bruno", "owner"]
    # an unverified e-mail links nobody and, outside the allowed domains, creates nobody
    client.cookies.clear()
    provider.person = {"sub": "b-2", "email": "bruno@partner.example", "email_verified": False}
    refused = sign_on(client)
    assert refused.status_code == 401 and "has no user on this server" in refused.text
    assert len(team.identity.users()) == 2


@pytest.mark.parametrize(("tamper", "words"), [
    ("audience", "audience"), ("expired", "expired"), ("signature", "signature"),
    ("nonce", "nonce"), ("issuer", "issuer")])
def test_a_broken_id_token_is_refused_without_a_session(
        client: TestClient, provider: FakeProvider, team: App, tamper: str, words: str) -> None:
    provider.tamper = tamper
    resp = sign_on(client)
    assert resp.status_code == 401, resp.text
    assert words in resp.text and "Traceback" not in resp.text
    assert "set-cookie" not in resp.headers or "socialpulse_session" not in \
        resp.headers["set-cookie"]
    assert client.get("/api/workspaces").status_code == 401
    assert [u.login for u in team.identity.users()] == ["owner"]


def test_a_state_that_is_not_this_sign_ins_is_refused(client: TestClient,
                                                      provider: FakeProvider) -> None:
    resp = sign_on(client, state="forged-state")
    assert resp.status_code == 401 and "state" in resp.text
    assert provider.token_requests == []  # the code was never redeemed
    client.cookies.clear()  # no pending sign-in at all (another browser)
    resp = client.get("/oidc/callback?code=abc&state=xyz")
    assert resp.status_code == 401 and "start again" in resp.text
    api = client.get("/oidc/callback?error=access_denied")
    assert api.status_code == 401 and "access_denied" in api.text


def test_the_secret_is_never_shown(client: TestClient, provider: FakeProvider,
                                   team: App) -> None:
    provider.tamper = "audience"
    texts = [sign_on(client).text, repr(team.oidc), repr(team.oidc.config if team.oidc else "")]
    assert all(CLIENT_SECRET not in t for t in texts)


def test_without_configuration_there_is_no_single_sign_on(team: App) -> None:
    with TestClient(create_app(team.settings, run_jobs=False), base_url=BASE_URL) as c:
        resp = c.get("/oidc/signin")
        assert resp.status_code == 404 and "not configured" in resp.text
        assert "data-sso" not in c.get("/signin").text


def test_the_sign_in_page_offers_it(client: TestClient) -> None:
    assert "/oidc/signin?next=" in client.get("/signin?next=/goals").text


def test_configuration_errors_name_the_variable() -> None:
    assert OidcConfig.from_env({}) is None
    with pytest.raises(Exception, match="SOCIALPULSE_OIDC_CLIENT_SECRET"):
        OidcConfig.from_env({"SOCIALPULSE_OIDC_ISSUER": "https://id.example",
                             "SOCIALPULSE_OIDC_CLIENT_ID": "x"})
    config = OidcConfig.from_env({"SOCIALPULSE_OIDC_ISSUER": "https://id.example/",
                                  "SOCIALPULSE_OIDC_CLIENT_ID": "x",
                                  "SOCIALPULSE_OIDC_CLIENT_SECRET": "s",
                                  "SOCIALPULSE_OIDC_ALLOWED_DOMAINS": " Acme.example, @b.org "})
    assert config is not None and config.issuer == "https://id.example"
    assert config.allowed_domains == ("acme.example", "b.org")
    assert "client_secret" not in repr(config)


def test_new_logins_and_domains_are_decided_in_the_domain() -> None:
    claims = OidcClaims("https://id", "1", "Ana.Maria+x@Acme.example", True, "Ana")
    assert login_candidates(claims)[:2] == ["ana.maria-x", "ana.maria-x@acme.example"]
    assert may_create(claims, ("acme.example",)) and not may_create(claims, ("b.org",))
    unverified: Any = OidcClaims("https://id", "1", "a@acme.example", False, "A")
    assert not may_create(unverified, ("acme.example",))
