"""Rate-distortion sections for component and paper pages, and the BD-rate leaderboard.

Pure functions of results documents (no torch): PSNR-vs-bpp and MS-SSIM(dB)-vs-bpp
plotly charts of a page's curves drawn against the classical anchors measured here
(``results/anchors``), a BD-rate table against ``x265-bpg444`` (BPG 4:4:4, as in
ferrari2025-registry ch. 7), and, for every curve, where its numbers come from:
measured here (with the command), reported by the authors, or digitised from a
paper figure (with the public file and commit).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from lic_bench.codecs import DEFAULT_ANCHOR
from lic_bench.results.meta import meta_of
from lic_bench.site import _md

#: anchors drawn by default; the others start hidden (click the legend to show them)
_VISIBLE_ANCHORS = {DEFAULT_ANCHOR, "vvc420"}
_DASH = {"measured": "solid", "reported": "dash", "digitised": "dot"}
_PROVENANCE_WORDS = {
    "measured": "measured here",
    "reported": "reported",
    "digitised": "digitised from a paper figure",
}


def _dataset(doc: dict[str, Any]) -> str:
    from lic_bench.rd.table import doc_dataset

    return doc_dataset(doc) or "unknown dataset"


def label(doc: dict[str, Any]) -> str:
    """``name [source tag]``: several curves of one method stay apart."""
    from lic_bench.rd.table import curve_label

    return curve_label(doc)


def provenance_text(doc: dict[str, Any]) -> str:
    """One line saying where a curve's numbers come from (Markdown)."""
    meta = meta_of(doc)
    prov = str(meta.get("provenance") or "unknown")
    words = _PROVENANCE_WORDS.get(prov, prov)
    if prov == "measured":
        cmd = meta.get("command") or "?"
        commit = str(meta.get("git_commit") or "")[:12]
        return f"{words} with `{_md.cell(cmd)}`" + (f" (commit {commit})" if commit else "")
    src = meta.get("source")
    if isinstance(src, dict):
        where = src.get("repository", "")
        path = src.get("path", "")
        commit = str(src.get("commit", ""))[:12]
        loc = " ".join(x for x in (f"{where}/{path}" if where else path, f"@ {commit}" if commit else "") if x)
    else:
        loc = str(src or "")
    by = meta.get("reported_by")
    out = words + (f" by {by}" if by and prov != "digitised" else "")
    return out + (f"; source: `{_md.cell(loc)}`" if loc else "")


def _per_quality_first(anchors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One curve per anchor codec: its per-quality sweep where it has one (the protocol of
    the learned curves these pages draw), else its target-rate run."""
    from lic_bench.rd.protocol import averaging_of
    from lic_bench.results.meta import PER_QUALITY

    ordered = sorted(anchors, key=lambda a: averaging_of(a) != PER_QUALITY)
    seen: set[str] = set()
    return [a for a in ordered if not (a.get("name") in seen or seen.add(str(a.get("name"))))]


def _div_id(prefix: str, docs: list[dict[str, Any]]) -> str:
    key = "|".join(sorted(label(d) + _dataset(d) for d in docs))
    return f"{prefix}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def rd_figure(results: list[dict[str, Any]], anchors: list[dict[str, Any]], metric: str) -> Any:
    """A plotly figure of ``metric`` (a results key; MS-SSIM in dB) against bpp; None if nothing to draw."""
    from lic_bench.errors import LicBenchError
    from lic_bench.rd.curves import METRIC_LABELS, curve, has_metric
    from lic_bench.site._plotly import LiteFigure, trace

    label_, unit = METRIC_LABELS[metric]
    title = ("MS-SSIM (RGB), −10·log10(1 − MS-SSIM)" if metric == "ms-ssim-rgb"
             else "MS-SSIM (Y), −10·log10(1 − MS-SSIM)" if metric == "ms-ssim-y" else label_)
    fig = LiteFigure()
    drawn = 0
    for doc, is_anchor in [(d, False) for d in results] + [(a, True) for a in anchors]:
        if not has_metric(doc, metric):
            continue
        try:
            cv = curve(doc, metric)
        except LicBenchError:
            continue
        prov = str(meta_of(doc).get("provenance") or "")
        name = (f"{doc.get('name')} (anchor)" if is_anchor else label(doc)) + (
            "" if is_anchor or prov == "measured" else f" — {prov}")
        fig.add_trace(trace(
            "scatter", x=cv.rate.tolist(), y=cv.quality.tolist(), name=name, mode="lines+markers",
            line={"dash": _DASH.get(prov, "solid"), "width": 1.5 if is_anchor else 2.2,
                  **({"color": "#888888"} if is_anchor and doc.get("name") != DEFAULT_ANCHOR else {}),
                  **({"color": "#000000", "width": 2.8} if is_anchor and doc.get("name") == DEFAULT_ANCHOR else {})},
            marker={"size": 5 if is_anchor else 7, "symbol": "circle-open" if is_anchor else "circle"},
            visible=True if not is_anchor or doc.get("name") in _VISIBLE_ANCHORS else "legendonly",
            hovertemplate="%{x:.3f} bpp, %{y:.3f}" + (f" {unit}" if unit else "")
                          + "<extra>" + _md.esc(name) + "</extra>",
        ))
        drawn += 0 if is_anchor else 1
    if not drawn:
        return None
    fig.update_layout(
        title=title, xaxis_title="bits per pixel",
        yaxis_title=title.split(",")[0] + (f" [{unit}]" if unit else ""),
        legend={"orientation": "h", "y": -0.22}, margin={"t": 40, "l": 55, "r": 10, "b": 10}, height=480,
    )
    return fig


def _bd_table_md(results: list[dict[str, Any]], anchor: dict[str, Any], method: str) -> str:
    from lic_bench.errors import LicBenchError
    from lic_bench.rd.anchor_choice import anchor_text
    from lic_bench.rd.table import bd_rows

    try:
        rows = bd_rows(results, anchor, method=method)
    except LicBenchError as exc:  # e.g. the bjontegaard package is not installed
        return f"_BD-rate not computed: {_md.cell(exc)}_"
    if not rows:
        return ""

    def pct(v):
        return "n/a" if v is None else f"{v:+.2f} %"

    def db(v):
        return "n/a" if v is None else f"{v:+.3f} dB"

    lines = [
        f"BD against **{_md.cell(anchor_text(anchor))}** on {_dataset(anchor)} ({method} interpolation; "
        "negative BD-rate = fewer bits than the anchor for the same quality; "
        "`lic-bench bd` reproduces each number from the files named below).",
        "",
        "| curve | BD-rate (PSNR) | BD-PSNR | BD-rate (MS-SSIM) | BD-MS-SSIM | provenance |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        warn = f" ⚠ <span title=\"{_md.esc('; '.join(r['warnings']))}\">(see note)</span>" if r["warnings"] else ""
        lines.append(
            f"| {_md.cell(r['label'])}{warn} | {pct(r['bd_rate_psnr'])} | {db(r['bd_psnr_db'])} | "
            f"{pct(r['bd_rate_ms-ssim'])} | {db(r['bd_ms-ssim_db'])} | {_md.cell(r['provenance'])} |"
        )
    return "\n".join(lines)


def rd_section(
    results: list[dict[str, Any]],
    anchors: list[dict[str, Any]],
    *,
    anchor_name: str = DEFAULT_ANCHOR,
    method: str = "pchip",
) -> str:
    """Markdown/HTML for RD curves of ``results`` against ``anchors``; "" when there are none.

    One block per dataset: two charts, a BD table against ``anchor_name`` (when that
    anchor was measured on the dataset) and the provenance of every curve.
    """
    from lic_bench.rd.curves import has_metric
    from lic_bench.site._plotly import figure_html

    rd_docs = [d for d in results if any(has_metric(d, m) for m in ("psnr-rgb", "ms-ssim-rgb"))
               and "bpp" in d.get("results", {})]
    if not rd_docs:
        return ""
    by_dataset: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in rd_docs:
        by_dataset[_dataset(doc)].append(doc)
    parts = ["### Rate–distortion"]
    for dataset in sorted(by_dataset, key=lambda d: (d != "kodak", d)):
        docs = sorted(by_dataset[dataset], key=label)
        here = _per_quality_first([a for a in anchors if _dataset(a) == dataset])
        parts.append(f"#### {_md.cell(dataset.capitalize() if dataset == 'kodak' else dataset)}")
        for metric, prefix in (("psnr-rgb", "rd-psnr"), ("ms-ssim-rgb", "rd-msssim")):
            fig = rd_figure(docs, here, metric)
            if fig is not None:
                parts.append(figure_html(fig, _div_id(prefix, docs)))
        extra = _metric_charts(docs, here)
        if extra:
            parts.append(extra)
        parts.append(
            "Solid lines: measured here; dashed: reported; dotted: digitised from a figure. "
            "Anchors are classical codecs measured here (`lic-bench anchors run`); grey ones start "
            "hidden — click the legend to show them."
        )
        anchor = next((a for a in here if a.get("name") == anchor_name), None)
        if anchor is not None:
            table = _bd_table_md(docs, anchor, method)
            if table:
                parts.append(table)
        else:
            parts.append(f"_No {anchor_name} anchor measured on {_md.cell(dataset)}: no BD-rate table._")
        prov = ["Where each curve comes from:", ""]
        prov += [f"- **{_md.cell(label(d))}**: {provenance_text(d)}" for d in docs]
        for a in here:
            prov.append(f"- **{_md.cell(a.get('name'))} (anchor)**: {provenance_text(a)}")
        parts.append("\n".join(prov))
    return "\n\n".join(parts) + "\n"


#: switches the charts of a ``.rd-metric-block`` (component and paper pages)
_METRIC_CHART_SCRIPT = (
    "<script>(function(){document.querySelectorAll('.rd-metric-block').forEach(function(b){"
    "if(b.dataset.bound)return;b.dataset.bound='1';var s=b.querySelector('select');"
    "function show(){b.querySelectorAll('.rd-metric').forEach(function(d){var on=d.dataset.metric===s.value;"
    "d.style.display=on?'':'none';if(on&&window.Plotly){d.querySelectorAll('.plotly-graph-div')"
    ".forEach(function(g){try{Plotly.Plots.resize(g);}catch(e){}});}});}"
    "s.addEventListener('change',show);show();});})();</script>"
)


def _metric_charts(docs: list[dict[str, Any]], anchors: list[dict[str, Any]]) -> str:
    """RD charts of the metrics beyond PSNR and MS-SSIM (RGB), one shown at a time."""
    from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, METRICS
    from lic_bench.site._plotly import figure_html

    blocks, options = [], []
    for metric in (m for m in ALL_METRICS if m not in METRICS):
        fig = rd_figure(docs, anchors, metric)
        if fig is None:
            continue
        hidden = ' style="display:none"' if blocks else ""
        blocks.append(f'<div class="rd-metric" data-metric="{_md.esc(metric)}"{hidden}>'
                      f'{figure_html(fig, _div_id("rd-" + metric, docs))}</div>')
        options.append(f'<option value="{_md.esc(metric)}">{_md.esc(METRIC_LABELS[metric][0])}</option>')
    if not blocks:
        return ""
    return (f'<div class="rd-metric-block"><label>More metrics (JPEG AI suite): '
            f'<select class="rd-metric-select">{"".join(options)}</select></label>'
            f'{"".join(blocks)}</div>\n{_METRIC_CHART_SCRIPT}')


# The leaderboard page lives in its own module; these names stay importable from here.
from lic_bench.site.leaderboard import (  # noqa: E402
    fold_by_model,
    leaderboard_page,
    metric_rows,
    source_name,
)

__all__ = ["fold_by_model", "label", "leaderboard_page", "metric_rows", "provenance_text", "rd_figure",
           "rd_section", "source_name"]
