"""Pages fit the window in a real Chromium, on a laptop (1440 px) and on a phone (390 px).

No element may stick out of the viewport horizontally unless it sits inside something that
scrolls (a wide table scrolls inside its card, never the page). The Posts table shows every
column at 1440 px. A file name of 150 characters wraps inside the Workspace's batch list and
the import preview instead of widening the page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.web.test_reads_pure import get_routes
from tests.webfixtures import LiveServer, serve_app

SAMPLES = Path(__file__).parents[1] / "data" / "samples"
SAMPLE = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
LONG_NAME = ("tweet_activity_metrics_" + "quarterly_campaign_review_for_the_board_" * 3
             + "rOpenSci_20211101_20211201_en.csv")

#: every element that reaches past the viewport's right edge without a scrolling ancestor
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    let p = el.parentElement, inside = false;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { inside = true; break; }
      p = p.parentElement;
    }
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (!inside) out.push(`${name} ends at ${Math.round(r.right)}`);
  }
  return {width, scroll: document.documentElement.scrollWidth, out: out.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def server(demo_home_template: Path, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[LiveServer]:
    """The demo, plus a batch imported from a file with a very long name."""
    tmp = tmp_path_factory.mktemp("layout")
    home = tmp / "home"
    shutil.copytree(demo_home_template, home)
    long_file = tmp / LONG_NAME
    shutil.copy(SAMPLE, long_file)
    assert main(["--home", str(home), "import", "-q", "-w", "demo", str(long_file)]) == 0
    with serve_app(create_app(Settings(home=home))) as s:
        yield s


def pages(web: Any) -> list[str]:
    """Every page without a path parameter (the API and the schema are not pages)."""
    return [p for p in sorted(set(get_routes(web.routes)))
            if "{" not in p and not p.startswith("/api") and p != "/openapi.json"]


def overflow(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate(OVERFLOW_JS)  # type: ignore[no-any-return]


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390])
def test_no_page_is_wider_than_the_window(server: LiveServer, browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        found = []
        for path in pages(server.app):
            got = overflow(page, f"{server.url}{path}")
            if got["out"] or got["scroll"] > width:
                found.append(f"{path} at {width}px: page {got['scroll']}px wide; {got['out']}")
        assert not found, "\n".join(found)
        # the long file name is on the Workspace page, wrapped inside its card
        page.goto(f"{server.url}/workspace")
        assert page.get_by_text(LONG_NAME).count() >= 1
    finally:
        context.close()


@pytest.mark.browser
def test_posts_table_shows_every_column_on_a_laptop_and_scrolls_inside_on_a_phone(
    server: LiveServer, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server.url}/posts?period=2026-Q3")
        wrap = page.locator(".table-wrap").filter(has=page.locator("table[data-posts]"))
        sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert sizes[0] <= sizes[1] + 1, f"columns hidden at 1440 px: {sizes}"
        last = page.locator("table[data-posts] thead th").last
        assert last.inner_text().replace("\n", " ") == "Video views" and last.is_visible()
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
        assert sizes[0] > sizes[1], "on a phone the table scrolls inside its wrapper"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.browser
def test_a_long_file_name_wraps_in_the_import_preview(server: LiveServer, browser: Any,
                                                      tmp_path: Path) -> None:
    long_file = tmp_path / LONG_NAME.replace("rOpenSci", "rOpenSci_again")
    shutil.copy(SAMPLE, long_file)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server.url}/import")
        page.locator("[data-import-files]").set_input_files(str(long_file))
        page.get_by_role("button", name="Upload and preview").click()
        # the preview (htmx, in place) lists the files it read, by name
        page.locator("#import-job").get_by_text(long_file.name).first.wait_for()
        got = page.evaluate(OVERFLOW_JS)
        assert not got["out"] and got["scroll"] <= 390, got
    finally:
        context.close()
