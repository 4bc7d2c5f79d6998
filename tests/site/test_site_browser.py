"""The built site in a real browser: headless Chromium from Debian, driven by playwright.

One session: search finds a paper by its title, a component page lists its papers, the
trend charts and the graph explorer render (their plotly SVG is in the DOM), the papers
table filters and sorts, the leaderboard switches quality metric, objective and dataset and
downloads the view shown (and a chart's points), and throughout no request
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
    dataset = target.get_attribute("data-dataset")
    anchor = f'{target.get_attribute("data-anchor")}|{target.get_attribute("data-averaging")}|{dataset}'
    page.select_option("#lb-dataset", dataset)
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


def _shown_rows(board):
    return board.locator("tbody tr[data-objective]:not([hidden])")


def test_leaderboard_objective_and_dataset_filters(browser_session):
    """Default view: Kodak, the per-quality x265-bpg444 sweep, MSE-trained models (and
    classical codecs) ranked on PSNR; the objective select swaps to MS-SSIM-trained models
    ranked on MS-SSIM; the dataset select offers only that dataset's anchors."""
    page, base, _ = browser_session
    page.goto(f"{base}results/leaderboard/")
    expect(page.locator("#lb-dataset")).to_have_value("kodak")
    expect(page.locator("#lb-objective")).to_have_value("mse")
    board = page.locator(".lb-board:visible")
    expect(board).to_have_count(1)
    assert (board.get_attribute("data-anchor"), board.get_attribute("data-averaging")) == ("x265-bpg444", "per-quality")
    expect(board.locator(".lb-caption")).to_contain_text("version: x265")

    def ranked(key):
        rows = _shown_rows(board)
        objectives = set(rows.evaluate_all("rs => rs.map(r => r.dataset.objective)"))
        values = [float(v) for v in rows.evaluate_all(f"rs => rs.map(r => r.dataset.{key})")]
        numbers = [int(t) for t in rows.evaluate_all("rs => rs.map(r => r.cells[0].textContent)")]
        assert values == sorted(values) and numbers == list(range(1, len(values) + 1))
        return objectives, rows.evaluate_all("rs => rs.map(r => r.cells[1].childNodes[0].textContent)")

    objectives, names = ranked("psnr")
    assert objectives == {"mse", "none"} and len(names) >= 20
    # one row per Cool-Chic version
    assert {"cool-chic-2023", "cool-chic-v2", "cool-chic-v5"} <= set(names)
    page.select_option("#lb-objective", "ms-ssim")
    objectives, ssim_names = ranked("msssim")
    assert "ms-ssim" in objectives and objectives <= {"ms-ssim", "none"}
    assert ssim_names != names
    page.select_option("#lb-objective", "all")
    objectives, _ = ranked("psnr")
    assert {"mse", "ms-ssim", "none"} <= objectives
    # another dataset: its own anchors only (a reported VTM, with its version), its own curves
    page.select_option("#lb-objective", "mse")
    page.select_option("#lb-dataset", "tecnick")
    offered = page.locator("#lb-anchor option:not([disabled])").evaluate_all("os => os.map(o => o.value)")
    assert offered and all(v.endswith("|tecnick") for v in offered)
    expect(board).to_have_count(1)
    assert board.get_attribute("data-dataset") == "tecnick"
    expect(board.locator(".lb-caption")).to_contain_text("version: VTM")
    assert _shown_rows(board).count() >= 3
    page.select_option("#lb-dataset", "kodak")
    assert board.get_attribute("data-anchor") == "x265-bpg444"


def test_leaderboard_and_chart_downloads(browser_session, tmp_path):
    """The CSV of the view shown holds its rows in its order, with the anchor named; the JSON
    the same; a chart's points come as CSV too."""
    import csv
    import json

    from lic_bench.rd.fold import FOLDED_COLUMNS

    page, base, _ = browser_session
    page.goto(f"{base}results/leaderboard/")
    page.select_option("#lb-objective", "ms-ssim")
    board = page.locator(".lb-board:visible")
    shown = _shown_rows(board).evaluate_all("rs => rs.map(r => r.cells[1].childNodes[0].textContent)")
    with page.expect_download() as info:
        board.locator('.lb-dl[data-format="csv"]').click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "leaderboard-kodak-x265-bpg444-per-quality-ms-ssim.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(FOLDED_COLUMNS)
    assert [r["name"] for r in rows] == shown and [r["rank"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert {r["objective"] for r in rows} <= {"ms-ssim", "none"}
    assert all(r["anchor"] == "x265-bpg444" and r["anchor_averaging"] == "per-quality" and r["anchor_version"]
               for r in rows)
    with page.expect_download() as info:
        board.locator('.lb-dl[data-format="json"]').click()
    data = json.loads(open(info.value.path()).read())
    assert data["view"] == "ms-ssim" and [r["name"] for r in data["rows"]] == shown
    # a chart's points (a paper page with RD curves)
    page.goto(f"{base}papers/minnen2018-joint/")
    plot = page.locator(".lb-plot").first
    expect(plot.locator(".lb-chart-downloads .lb-dl")).to_have_count(2)
    with page.expect_download() as info:
        plot.locator('.lb-dl[data-format="csv"]').click()
    lines = open(info.value.path()).read().splitlines()
    assert lines[0].startswith("# x: bits per pixel") and lines[1] == "trace,x,y" and len(lines) > 10


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
