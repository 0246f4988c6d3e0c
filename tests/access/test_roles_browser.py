"""Pages hide what a role may not do: in headless Chromium, signed in through the sign-in form
on a real server over a copy of the demo, a viewer sees the workspace's data and no edit
button, form or write-only navigation entry; an analyst sees the goal forms but not the
workspace's settings or imports; the switcher lists only the user's workspaces."""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.roles import Role
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import serve_app

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test user's password
#: What a page offers to those who may write, as the templates mark it.
EDIT_MARKS = {
    "/goals": "form[data-new-goal]",
    "/okrs": "form[data-new-okr]",
    "/workspace": "form[data-settings-form]",
    "/import": "form#import-form",
    "/reports": "form[data-branding-form]",
    "/maturity": "form.profile-form",
}


def _sign_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-signin-form] button[type=submit]")
    page.wait_for_url(f"{base}/**")
    assert "/signin" not in page.url


@pytest.mark.browser
def test_a_viewer_sees_no_edit_buttons_and_an_analyst_only_theirs(
        demo_app: App, page: Any) -> None:
    me = local_actor()
    demo_app.identity.add_user(me, "owner", password=PASSWORD, site_admin=True)
    for login, role in (("exec", Role.VIEWER), ("ana", Role.ANALYST)):
        demo_app.identity.add_user(me, login, password=PASSWORD)
        demo_app.members.add(me, demo_app.workspace("demo"), login, role)
    demo_app.workspaces.create(me, "zq-client", "Zq Client")
    with serve_app(create_app(demo_app.settings, run_jobs=False)) as server:
        base = server.url
        _sign_in(page, base, "exec")
        page.goto(f"{base}/workspace?workspace=demo")
        assert "demo" in page.content() and "zq-client" not in page.content()
        assert "Zq Client" not in page.content()  # the switcher lists their workspace only
        for path, mark in EDIT_MARKS.items():
            page.goto(f"{base}{path}?workspace=demo")
            assert page.locator("main, body").first.inner_text().strip(), path  # it reads
            assert page.locator(mark).count() == 0, f"a viewer sees {mark} on {path}"
        page.goto(f"{base}/goals?workspace=demo")
        assert page.locator("table[data-goals-board]").count() == 1  # the data is there
        goal = page.locator("table[data-goals-board] a").first.get_attribute("href")
        page.goto(f"{base}{goal}")
        assert page.locator("form[data-revise], form.archive-form").count() == 0
        assert page.locator("nav a", has_text="Import").count() == 0
        assert page.locator("[data-role-hides]").count() == 0  # on the goal page, no note
        page.goto(f"{base}/import?workspace=demo")
        assert page.locator("[data-role-hides]").count() == 1
        page.goto(f"{base}/workspace?workspace=zq-client")
        assert "not found" in page.content()  # as if it did not exist

        page.context.clear_cookies()
        _sign_in(page, base, "ana")
        page.goto(f"{base}/goals?workspace=demo")
        assert page.locator("form[data-new-goal]").count() == 1
        page.goto(f"{base}/workspace?workspace=demo")
        assert page.locator("form[data-settings-form]").count() == 0
        assert page.locator("nav a", has_text="Import").count() == 0
