"""In Chromium: the link of an alert message opens a page that acknowledges it with one click,
and the Listening page lists sources, rules and fired alerts with their explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules import RuleSpec
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.webfixtures import PageLog, serve_app

from .conftest import ME, open_live


@pytest.mark.browser
def test_acknowledge_from_the_link_in_chromium(live_home: Path, page: Any,
                                               page_log: PageLog) -> None:
    app = open_live(live_home)
    ws = app.workspace("acme")
    app.listening_live.add_source(ME, ws, "mastodon", "tag", "acme", "https://m.example")
    app.alert_rules.add_rule(ME, ws, "Acme", RuleSpec("keyword", 0, keyword="recall",
                                                      webhook_url="https://hooks.example/x"))
    now = datetime.now(UTC)
    app.listening.ingest(ME, ws, [RawMention(
        f"t:{i}", "mastodon", now - timedelta(minutes=i + 1), f"acme blender recall {i}",
        f"@user{i}", 1000 * (i + 1), "en", "") for i in range(3)], source_name="three")
    event = app.alert_rules.evaluate(ME, ws)[0]
    with serve_app(create_app(Settings(home=live_home))) as server:
        page.goto(f"{server.url}/listening?workspace=acme")
        section = page.locator("#live")
        assert "mastodon tag #acme" in section.inner_text()
        assert "recall" in section.locator("[data-alert-rules]").inner_text()
        fired = section.locator(f'[data-fired="{event.id}"]')
        assert "Top terms: blender (3)" in fired.inner_text()
        page.goto(f"{server.url}/alerts/ack/{event.token}")
        assert "3 mention(s) say 'recall'" in page.locator("h1").inner_text()
        page.click("[data-ack-button]")
        page.wait_for_selector('[data-alert-ack="acknowledged"]')
        assert "Acknowledged." in page.inner_text("body")
    assert app.alert_rules.events(ws)[0].status == "acknowledged"
    assert page_log.errors == [] and page_log.foreign_hosts() == []
    app.store.dispose()
