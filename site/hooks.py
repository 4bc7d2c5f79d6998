"""MkDocs hooks: adapt lic_bench.site's pure renderers to MkDocs (no rendering logic here).

on_config   load the knowledge base and results, render every generated page, expand the nav
on_files    add the generated pages, redirect pages and plotly.min.js (from the installed plotly package)
on_nav, on_env     render the theme's nav and tabs once for all paper pages (_page_render.PartialCache)
on_pre_page        convert pages with one shared Markdown instance (lic_bench.site._page_render)
on_page_markdown   fill the home page's statistics placeholder; flag pages with plotly figures
on_page_content    put in the pre-rendered HTML of the blocks search indexes (lic_bench.site._fragments)
on_page_context    ... and of the blocks search skips, after the search plugin read the page
on_post_page       escape any record or results markup a renderer left raw (lic_bench.site._html)
on_serve    rebuild when the knowledge base, results, study files or renderers change (`mkdocs serve`)
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.structure.files import File

from lic_bench.site import _html
from lic_bench.site import build as site_build
from lic_bench.site._fragments import ENV, Fragments
from lic_bench.site._page_render import PartialCache, Renderer
from lic_bench.site._plotly import PLOTLY_JS, plotly_js_path
from lic_bench.site.pages import stats_block

_state: dict = {}


def on_config(config):
    _state["markdown"] = None
    inputs = site_build.load_inputs()
    fragments = None if os.environ.get(ENV) == "markdown" else Fragments()
    rendered = site_build.render_site(
        **inputs, fragments=fragments, parallel=fragments is not None, convert=lambda md: _convert(config, md)
    )
    kb = inputs["kb"]
    _state["untrusted"] = _html.untrusted_fragments(
        list(kb.papers.values()), list(kb.components.values()), inputs["results"])
    _state.update(kb=inputs["kb"], rendered=rendered,
                  renderer=None if fragments is None else Renderer(),
                  partials=PartialCache(enabled=fragments is not None))
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


def on_nav(nav, config, files):
    _state["partials"].set_nav(nav)
    return nav


def on_env(env, config, files):
    import material

    _state["partials"].install(env, str(Path(material.__file__).parent / "templates"))
    return env


def on_pre_page(page, config, files):
    if _state["renderer"] is not None:
        _state["renderer"].install(page)  # one Markdown instance for all pages
    return page


def on_page_markdown(markdown, page, config, files):
    if site_build.STATS_PLACEHOLDER in markdown:
        markdown = markdown.replace(site_build.STATS_PLACEHOLDER, stats_block(_state["kb"]))
    if "Plotly.newPlot" in markdown:
        page.meta["plotly"] = True  # overrides/main.html loads plotly.js only where needed
    return markdown


def _convert(config, markdown: str) -> str:
    """A page-independent block (no links) through one reused Markdown instance set up
    like MkDocs' own: same extensions and settings, hence the same HTML."""
    import markdown as md_lib

    if _state["markdown"] is None:
        _state["markdown"] = md_lib.Markdown(
            extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {}
        )
    converter = _state["markdown"].reset()
    return converter.convert(markdown)


def on_page_content(html, page, config, files):
    fragments = _state["rendered"].fragments
    if fragments is None:
        return html
    return fragments.fill(html, True, lambda md: _convert(config, md))


def on_page_context(context, page, config, nav):
    # Hooks run after the plugins of mkdocs.yml: the search plugin has indexed the page
    # (and dropped its data-search-* attributes); the blocks it would skip go in now.
    fragments = _state["rendered"].fragments
    if fragments is not None and page.content:
        page.content = fragments.fill(page.content, False, lambda md: _convert(config, md))
    return context


def on_post_page(output, page, config):
    output, hits = _html.neutralise(output, _state.get("untrusted", ()))
    if hits:
        import logging

        logging.getLogger("mkdocs.lic_bench").info(
            "lic-bench: escaped at output on %s: record text a renderer left raw: %s",
            page.file.src_uri, "; ".join(h[:80] for h in hits[:3]))
    return output


def on_serve(server, config, builder):
    from lic_bench.paths import papers_dir, project_root, results_dir, taxonomy_dir

    studies = project_root() / "configs" / "studies"
    for path in (taxonomy_dir(), papers_dir(), results_dir(), studies, Path(site_build.__file__).parent):
        if path.is_dir():
            server.watch(str(path))
    return server
