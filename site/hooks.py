"""MkDocs hooks: adapt lic_bench.site's pure renderers to MkDocs (no rendering logic here).

on_config   load the knowledge base and results, render every generated page, expand the nav
on_files    add the generated pages, redirect pages and plotly.min.js (from the installed plotly package)
on_page_markdown   fill the home page's statistics placeholder; flag pages with plotly figures
on_serve    rebuild when the knowledge base, results, study files or renderers change (`mkdocs serve`)
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from lic_bench.site import build as site_build
from lic_bench.site._plotly import PLOTLY_JS, plotly_js_path
from lic_bench.site.pages import stats_block

_state: dict = {}


def on_config(config):
    inputs = site_build.load_inputs()
    rendered = site_build.render_site(**inputs)
    _state.update(kb=inputs["kb"], rendered=rendered)
    docs = Path(config.docs_dir)

    def exists(path: str) -> bool:
        return path in rendered.pages or (docs / path).is_file()

    if config.nav:
        config.nav = site_build.expand_nav(config.nav, rendered.nav_expansions, exists)
    return config


def on_files(files, config):
    for path, markdown in _state["rendered"].pages.items():
        files.append(File.generated(config, path, content=markdown))
    for path, content in _state["rendered"].static.items():  # redirects of former paper ids
        files.append(File.generated(config, path, content=content))
    files.append(File.generated(config, PLOTLY_JS, abs_src_path=str(plotly_js_path())))
    return files


def on_page_markdown(markdown, page, config, files):
    if site_build.STATS_PLACEHOLDER in markdown:
        markdown = markdown.replace(site_build.STATS_PLACEHOLDER, stats_block(_state["kb"]))
    if "Plotly.newPlot" in markdown:
        page.meta["plotly"] = True  # overrides/main.html loads plotly.js only where needed
    return markdown


def on_serve(server, config, builder):
    from lic_bench.paths import papers_dir, project_root, results_dir, taxonomy_dir

    studies = project_root() / "configs" / "studies"
    for path in (taxonomy_dir(), papers_dir(), results_dir(), studies, Path(site_build.__file__).parent):
        if path.is_dir():
            server.watch(str(path))
    return server
