"""A site built from hostile records (tests/fixtures/kb/hostile), in a real browser.

Every field of those records carries markup: ``<script>``, ``<img onerror>``, ``<svg
onload>``, an ``<iframe srcdoc>``, a ``</title>`` break-out, quotes that would close an
attribute. Each payload, if it ran, would call the setter of ``window.__xss`` (trapped
by an init script) or add an element of class ``xss``. On every generated page, and
through the theme's search and the papers table filter, none may run or appear, the
record text must show literally, and the console must stay free of errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from lic_bench.kb import load_kb
from lic_bench.site._browser import find_chromium, launch
from lic_bench.site.serve import serve_in_thread, url_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no chromium binary (apt-get install chromium, or set LIC_BENCH_CHROMIUM)",
    ),
]
expect.set_options(timeout=20_000)

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "kb" / "hostile"

TRAP = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xssHits", {value: hits});
  Object.defineProperty(window, "__xss", {
    configurable: false,
    get() { return undefined; },
    set(v) { hits.push(String(v)); },
  });
})();
"""
INJECTED = (
    "() => Array.from(document.querySelectorAll("
    "'.xss, iframe, [onerror], [onload], [onmouseover], [onclick]'"
    ")).map(e => e.outerHTML.slice(0, 120))"
)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, project_root) -> Path:
    """``lic-bench site build`` (strict) on a project root holding the hostile records."""
    root = tmp_path_factory.mktemp("hostile-root")
    shutil.copy(project_root / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(project_root / "site", root / "site")
    for sub in ("taxonomy", "papers"):
        shutil.copytree(HOSTILE / sub, root / sub)
    (root / "results").mkdir()
    out = root / "built"
    env = dict(
        os.environ,
        LIC_BENCH_ROOT=str(root),
        LIC_BENCH_RESULTS=str(root / "results"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lic_bench", "site", "build", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300, cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def session(hostile_site, tmp_path_factory):
    server, _ = serve_in_thread(hostile_site, port=0)
    log: dict[str, list[str]] = {"errors": [], "requests": [], "dialogs": []}
    try:
        with sync_playwright() as pw:
            context = launch(pw, tmp_path_factory.mktemp("chromium-profile"))
            context.add_init_script(TRAP)
            context.on("request", lambda r: log["requests"].append(r.url))
            context.on("weberror", lambda e: log["errors"].append(f"page: {e.error}"))
            page = context.new_page()
            page.on(
                "console",
                lambda m: m.type == "error" and log["errors"].append(f"console: {m.text}"),
            )
            page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
            page.set_default_timeout(15_000)
            yield page, url_of(server), log
            context.close()
    finally:
        server.shutdown()
        server.server_close()


def assert_clean(page, where: str) -> None:
    assert page.evaluate("() => window.__xssHits") == [], where
    assert page.evaluate(INJECTED) == [], where


def test_every_generated_page_is_inert(session):
    page, base, log = session
    kb = load_kb(HOSTILE)
    paths = ["", "components/", "papers/", "trends/", "explorer/"]
    paths += [f"components/{cid}/" for cid in kb.components]
    paths += [f"papers/{pid}/" for pid in kb.papers]
    for path in paths:
        page.goto(base + path, wait_until="load")
        if page.locator(".plotly-graph-div").count():  # figures drew: their data was read
            expect(page.locator("svg.main-svg").first).to_be_attached()
        assert_clean(page, path)
    # the record text is shown as written, in the heading and the window title
    for pid, paper in kb.papers.items():
        page.goto(f"{base}papers/{pid}/")
        expect(page.locator("article h1")).to_contain_text(paper.title)
        assert paper.title in page.title()
        assert_clean(page, pid)
    page.goto(f"{base}components/uniform-quantization/")
    expect(page.locator("article h1")).to_contain_text(kb.components["uniform-quantization"].name)
    expect(page.locator("nav.md-nav").first).to_contain_text("<script>")  # nav titles: text
    assert_clean(page, "component again")


def test_search_and_table_filter_are_inert(session):
    page, base, _ = session
    page.goto(base)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("scrip")
    box.press("t")  # the theme searches on keyup
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    assert_clean(page, "search results")
    page.goto(f"{base}papers/")
    page.locator(".lb-filter input").fill("<img")
    expect(page.locator(".lb-count")).to_have_text("2 of 2")
    page.locator(".lb-sortable thead th").nth(1).click()  # sort by title
    assert_clean(page, "papers table")


def test_explorer_hover_is_inert(session):
    page, base, _ = session
    page.goto(f"{base}explorer/")
    expect(page.locator("#explorer-graph svg.main-svg").first).to_be_attached()
    points = page.locator("#explorer-graph g.points path.point")
    for i in range(points.count()):
        points.nth(i).hover(force=True)
        assert_clean(page, f"explorer point {i}")


def test_no_script_ran_no_console_error_no_request_out(session):
    """Runs last in this module: checks what the whole session above saw."""
    _, _, log = session
    assert log["dialogs"] == []
    assert log["errors"] == []
    assert all(u.startswith(("http://127.0.0.1", "data:", "blob:")) for u in log["requests"])
