"""Plotly figures as inline HTML for Markdown pages.

plotly.js itself is not inlined: the theme override loads the copy the site serves
(``assets/javascripts/plotly.min.js``, copied from the installed plotly package at build
time) in the page ``<head>``, so every figure here is a ``<div>`` plus one small script.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

PLOTLY_JS = "assets/javascripts/plotly.min.js"

# One colour per taxonomy area, shared by every chart so an area looks the same everywhere.
AREA_COLOURS = {
    "quantization": "#1f77b4",
    "architectural-archetypes": "#ff7f0e",
    "context-models": "#2ca02c",
    "hierarchical-priors": "#d62728",
    "variable-rate": "#9467bd",
    "generative-codecs": "#e377c2",
    "overfitted-codecs": "#8c564b",
}

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}


def plotly_js_path() -> Path:
    """The ``plotly.min.js`` bundled with the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        from lic_bench.errors import MissingDependencyError

        raise MissingDependencyError(f"plotly.min.js not found at {path}; reinstall plotly")
    return path


def plain(text: Any) -> str:
    """Record text for a plotly label, legend entry or hover text.

    plotly.js renders a subset of HTML in those strings (``<b>``, ``<a href>``) and
    decodes entities, so escaping shows a record's ``<``, ``>`` and ``&`` as written.
    """
    return html.escape("" if text is None else str(text), quote=False)


_GRID = "#e5ecf6"
_TEMPLATE: Any = None


def site_template() -> Any:
    """A small white template for every figure of the site.

    plotly's own ``plotly_white`` would do, but it is embedded in every figure (~10 kB
    each) and setting it costs ~50 ms per figure; this one holds only what the site uses.
    """
    global _TEMPLATE
    if _TEMPLATE is None:
        import plotly.graph_objects as go

        axis = {"gridcolor": _GRID, "linecolor": _GRID, "zerolinecolor": _GRID, "automargin": True}
        _TEMPLATE = go.layout.Template(
            layout={
                "paper_bgcolor": "white",
                "plot_bgcolor": "white",
                "font": {"family": "inherit", "color": "#2a3f5f"},
                "colorway": [
                    "#636efa",
                    "#ef553b",
                    "#00cc96",
                    "#ab63fa",
                    "#ffa15a",
                    "#19d3f3",
                    "#ff6692",
                    "#b6e880",
                    "#ff97ff",
                    "#fecb52",
                ],  # fmt: skip
                "xaxis": axis,
                "yaxis": axis,
                "hoverlabel": {"align": "left"},
            }
        )
    return _TEMPLATE


_TEMPLATE_JSON: Any = None


def _template_json() -> dict:
    global _TEMPLATE_JSON
    if _TEMPLATE_JSON is None:
        _TEMPLATE_JSON = site_template().to_plotly_json()
    return _TEMPLATE_JSON


#: layout keys whose ``<key>_<prop>`` form means ``layout[key][prop]`` (plotly's "magic
#: underscores", for the few the site uses)
_NESTED = ("xaxis", "yaxis", "legend", "margin", "font")


class LiteFigure:
    """A plotly figure kept as plain dicts: ``add_trace`` / ``update_layout`` / ``to_html``.

    Building ``go.Figure`` objects validates every property, ~10 ms for a small chart;
    the site draws hundreds of them (every component page repeats the charts of the
    nodes below it), which was most of the build time before any paper page. The dicts
    here are what ``go.Figure.to_plotly_json()`` would give, written out without
    validation (``plotly.io.to_html(..., validate=False)``); traces come from
    :func:`trace`. Titles given as strings become ``{"text": ...}`` (plotly.js 3 wants
    the object).
    """

    def __init__(self) -> None:
        self.data: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}

    def add_trace(self, trace_dict: dict[str, Any]) -> LiteFigure:
        self.data.append(trace_dict)
        return self

    def update_layout(self, **props: Any) -> LiteFigure:
        for key, value in props.items():
            head, _, rest = key.partition("_")
            if rest and head in _NESTED:
                target = self.layout.setdefault(head, {})
                key = rest
            else:
                target = self.layout
            if key == "title" and isinstance(value, str):
                value = {"text": value}
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "layout": {"template": _template_json(), **self.layout}}

    def to_html(self, **kwargs: Any) -> str:
        import plotly.io as pio

        return pio.to_html(self.to_dict(), validate=False, **kwargs)


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """One trace of a :class:`LiteFigure`: ``trace("scatter", x=..., y=..., name=...)``."""
    return {"type": kind, **props}


def figure_html(fig: Any, div_id: str) -> str:
    """``fig`` as a ``<div>`` + script block, without plotly.js and without any CDN URL.

    ``fig`` is a ``go.Figure`` or a :class:`LiteFigure`.
    """
    if isinstance(fig, LiteFigure):
        height = fig.layout.get("height") or 450
    else:
        fig.update_layout(template=site_template())
        height = fig.layout.height or 450
    html = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=PLOT_CONFIG,
        default_height=height,
    )
    # One raw-HTML block for Markdown: no blank line may split it.
    lines = [line for line in html.splitlines() if line.strip()]
    return '<div class="lb-plot">' + "\n".join(lines) + "</div>"
