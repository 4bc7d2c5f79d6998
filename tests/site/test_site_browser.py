"""The built site in a real browser: headless Chromium from Debian, driven by playwright.

One session: search finds a paper by its title, a component page lists its papers, the
trend charts and the graph explorer render (their plotly SVG is in the DOM), the papers
table filters and sorts, the leaderboard switches quality metric, and throughout no request
leaves 127.0.0.1 and no console error occurs. A second session, on a "living" copy of the
project (a renamed record, survey entries; see ``conftest.make_living_project``), follows a
former id's redirect and switches the trends page to the survey's view. Skips only when no
chromium binary is installed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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

SEARCH_PAPER = "he2021-checkerboard"
# expect() waits this long (ms); the search worker indexes every page first, on 2 shared cores
expect.set_options(timeout=20_000)
COMPONENT = "checkerboard"


def heading(text: str) -> re.Pattern:
    """The page title as rendered: the text, then the theme's permalink sign."""
    return re.compile(rf"^\s*{re.escape(text)}\s*¶?\s*$")


@pytest.fixture(scope="module")
def browser_session(built_site, tmp_path_factory):
    yield from _session(built_site["dir"], tmp_path_factory)


def _session(site_dir, tmp_path_factory):
    """(page, base URL, log) of a headless browser on the site in ``site_dir``."""
    server, _ = serve_in_thread(site_dir, port=0)
    base = url_of(server)
    log = {"requests": [], "errors": []}

    def on_request(request):
        log["requests"].append(request.url)

    def on_console(message):
        if message.type == "error":
            log["errors"].append(f"console: {message.text} ({message.location.get('url')})")

    try:
        with sync_playwright() as pw:
            context = launch(pw, tmp_path_factory.mktemp("chromium-profile"))
            context.on("request", on_request)
            context.on("weberror", lambda err: log["errors"].append(f"page: {err.error}"))
            page = context.new_page()
            page.on("console", on_console)
            page.set_default_timeout(15_000)
            yield page, base, log
            context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_search_finds_a_paper_by_title(browser_session):
    page, base, _ = browser_session
    title = load_kb().papers[SEARCH_PAPER].title
    page.goto(base)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # The theme searches on keyup, which fill() alone does not send: type the last key.
    box = page.locator("input.md-search__input")
    box.fill(title[:-1])
    box.press(title[-1])
    hit = page.locator(f'.md-search-result__item a[href*="papers/{SEARCH_PAPER}/"]').first
    expect(hit).to_be_visible()
    hit.click()
    page.wait_for_url(f"**/papers/{SEARCH_PAPER}/**")
    expect(page.locator("article h1")).to_have_text(heading(title))
    # the BibTeX block got the theme's copy button
    copy = page.locator("#bibtex + .highlight [data-clipboard-target]")
    expect(copy).to_have_count(1)


def test_component_page(browser_session):
    page, base, _ = browser_session
    kb = load_kb()
    page.goto(f"{base}components/{COMPONENT}/")
    expect(page.locator("article h1")).to_have_text(heading(kb.components[COMPONENT].name))
    expect(page.locator("article").get_by_text("Taxonomy", exact=True).first).to_be_visible()
    n_papers = len(kb.papers_using(COMPONENT))
    rows = page.locator("#papers ~ div table").first.locator("tbody tr")
    expect(rows).to_have_count(n_papers)
    link = page.locator(f'article a[href*="papers/{SEARCH_PAPER}/"]').first
    link.click()
    page.wait_for_url(f"**/papers/{SEARCH_PAPER}/**")


def test_component_page_shows_its_studies(browser_session):
    """gsdn is varied by the non-linearity study: its table, with the thesis's reported row."""
    page, base, _ = browser_session
    page.goto(f"{base}components/gsdn/")
    expect(page.locator("article h2#studies")).to_have_count(1)
    row = page.locator("article table tr", has_text="fp-gsdn").first
    expect(row).to_contain_text("+44.21")
    expect(row).to_contain_text("reported (Ferrari 2025, Table 7.1")


def test_trend_charts_render(browser_session):
    page, base, _ = browser_session
    page.goto(f"{base}trends/")
    for div in ("trend-by-area", "trend-by-component", "cooccurrence"):
        expect(page.locator(f"#{div} svg.main-svg").first).to_be_attached()
    bars = page.locator("#trend-by-area g.trace.bars g.point")
    assert bars.count() >= 5
    expect(page.locator("#cooccurrence g.hm image").first).to_be_attached()


def test_graph_explorer_click_opens_the_page(browser_session):
    page, base, _ = browser_session
    page.goto(f"{base}explorer/")
    expect(page.locator("#explorer-graph svg.main-svg").first).to_be_attached()
    # Screen position of the area node "context-models" (a large diamond), from plotly's axes.
    target = page.evaluate(
        """() => {
          const gd = document.getElementById("explorer-graph");
          const L = gd._fullLayout;
          for (const trace of gd.data) {
            if (!Array.isArray(trace.customdata)) continue;
            const i = trace.customdata.findIndex(u => u.endsWith("components/context-models/"));
            if (i < 0) continue;
            const box = gd.getBoundingClientRect();
            return {x: box.left + L._size.l + L.xaxis.l2p(trace.x[i]),
                    y: box.top + L._size.t + L.yaxis.l2p(trace.y[i])};
          }
          return null;
        }"""
    )
    assert target is not None
    # Paper points are placed among the components and may lie on top of this marker:
    # the node is clicked as plotly reports a click on it (the page's own handler runs).
    page.evaluate(
        """() => {
          const gd = document.getElementById("explorer-graph");
          for (const trace of gd.data) {
            if (!Array.isArray(trace.customdata)) continue;
            const i = trace.customdata.findIndex(u => u.endsWith("components/context-models/"));
            if (i >= 0) { gd.emit("plotly_click", {points: [{customdata: trace.customdata[i]}]}); return; }
          }
        }"""
    )
    page.wait_for_url("**/components/**")
    assert page.locator("article h1").count() == 1


def test_papers_table_filters_and_sorts(browser_session):
    page, base, _ = browser_session
    page.goto(f"{base}papers/")
    rows = page.locator(".lb-sortable tbody tr")
    total = rows.count()
    assert total == len(load_kb().papers)
    page.locator(".lb-filter input").fill("checkerboard")
    visible = page.locator(".lb-sortable tbody tr:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total
    expect(page.locator(".lb-count")).to_have_text(f"{shown} of {total}")
    year = page.locator(".lb-sortable thead th").first
    year.click()
    years = [int(t) for t in page.locator(".lb-sortable tbody tr td:first-child").all_inner_texts()]
    assert years == sorted(years)
    year.click()
    years = [int(t) for t in page.locator(".lb-sortable tbody tr td:first-child").all_inner_texts()]
    assert years == sorted(years, reverse=True)


def test_leaderboard_switches_metric(browser_session):
    """The metric selector swaps the ranking: a JPEG AI suite metric, then back to PSNR."""
    page, base, _ = browser_session
    page.goto(f"{base}results/leaderboard/")
    metric = page.locator("#lb-metric")
    expect(metric).to_have_count(1)
    values = metric.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert values[0] == "default" and "vmaf" in values  # the committed anchors carry the suite
    shown = page.locator(".lb-board:visible")
    expect(shown).to_have_count(1)
    assert shown.get_attribute("data-metric") == "default"
    # an anchor that has a VMAF ranking, then VMAF: exactly that board shows
    target = page.locator('.lb-board[data-metric="vmaf"]').first
    anchor = f'{target.get_attribute("data-anchor")}|{target.get_attribute("data-dataset")}'
    page.select_option("#lb-anchor", anchor)
    page.select_option("#lb-metric", "vmaf")
    expect(shown).to_have_count(1)
    assert shown.get_attribute("data-metric") == "vmaf"
    expect(shown.locator("thead")).to_contain_text("BD-rate (VMAF)")
    assert shown.locator("tbody tr").count() >= 1
    expect(page.locator("#lb-none")).to_be_hidden()
    if "jpeg-ai-average" in values:
        page.select_option("#lb-metric", "jpeg-ai-average")
        expect(page.locator('.lb-board:visible[data-metric="jpeg-ai-average"]').or_(
            page.locator("#lb-none:visible"))).to_have_count(1)
    page.select_option("#lb-metric", "default")
    expect(shown).to_have_count(1)
    assert shown.get_attribute("data-metric") == "default"
    expect(shown.locator("thead")).to_contain_text("BD-rate (PSNR)")


def test_every_section_page_loads(browser_session, built_site):
    """The top page of each tab (results pages only once they exist) renders its figures."""
    page, base, _ = browser_session
    site = built_site["dir"]
    paths = ["", "components/", "papers/", "guides/run-benchmarks/"]
    paths += [p for p in ("results/leaderboard/", "results/benchmarks/") if (site / p).is_dir()]
    for path in paths:
        page.goto(base + path, wait_until="load")
        expect(page.locator("article h1")).to_have_count(1)
        figures = page.locator(".plotly-graph-div")  # set in the HTML, before plotly runs
        for i in range(figures.count()):
            expect(figures.nth(i).locator("svg.main-svg").first).to_be_attached()


def test_nothing_left_localhost_and_no_errors(browser_session):
    """Runs last in this module: checks everything the session above requested."""
    _, base, log = browser_session
    requested = log["requests"]
    # the log sees the search worker's fetch too, so an empty "outside" list means something
    assert any(url.endswith("search/search_index.json") for url in requested)
    assert any(url.endswith("assets/javascripts/plotly.min.js") for url in requested)
    outside = [
        url
        for url in requested
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == []
    assert log["errors"] == []


@pytest.fixture(scope="module")
def living_base(living_site):
    """Base URL of the living copy's site, served beside the real one (same browser)."""
    server, _ = serve_in_thread(living_site["dir"], port=0)
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()


def test_former_id_redirects_to_the_renamed_paper(browser_session, living_base, living_site):
    page, _, log = browser_session
    base = living_base
    alias, target = living_site["alias"], living_site["target"]
    page.goto(f"{base}papers/{alias}/")
    page.wait_for_url(f"**/papers/{target}/**")
    expect(page.locator("article h1")).to_have_count(1)
    expect(page.locator("article")).to_contain_text(f"id {target}")
    assert log["errors"] == []


def test_trends_page_switches_to_the_survey_view(browser_session, living_base):
    page, _, log = browser_session
    base = living_base
    page.goto(f"{base}trends/")
    survey = page.locator('.lb-view[data-view="ferrari2025-registry"]').first
    everything = page.locator('.lb-view[data-view="all"]').first
    expect(everything).to_be_visible()
    expect(survey).to_be_hidden()
    page.locator('input[name="lb-view"][value="ferrari2025-registry"]').check()
    expect(survey).to_be_visible()
    expect(everything).to_be_hidden()
    bars = page.locator("#trend-by-area--ferrari2025-registry g.trace.bars g.point")
    expect(bars.first).to_be_attached()
    assert bars.count() >= 5
    # after the switch plotly was resized to the now visible panel: it has a real width
    width = page.evaluate(
        "() => document.getElementById('trend-by-area--ferrari2025-registry').getBoundingClientRect().width"
    )
    assert width > 300
    page.locator('input[name="lb-view"][value="all"]').check()
    expect(everything).to_be_visible()
    expect(survey).to_be_hidden()
    outside = [u for u in log["requests"] if not u.startswith(("data:", "blob:")) and urlsplit(u).hostname != "127.0.0.1"]
    assert outside == [] and log["errors"] == []
