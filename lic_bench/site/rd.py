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
from lic_bench.rd.fold import PROVENANCE_RANK
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
    url = None
    if isinstance(src, dict):
        where = str(src.get("repository", ""))
        path = str(src.get("path", ""))
        commit = str(src.get("commit", ""))
        loc = " ".join(x for x in (f"{where}/{path}" if where else path, f"@ {commit[:12]}" if commit else "") if x)
        url = _source_url(where, path, commit)
    else:
        loc = str(src or "")
        url = _md.href(loc) if loc.startswith(("http://", "https://")) else None
    by = meta.get("reported_by")
    out = words + (f" by {by}" if by and prov != "digitised" else "")
    if not loc:
        return out
    return out + (f"; source: [{_md.cell(loc)}]({url})" if url else f"; source: `{_md.cell(loc)}`")


def _source_url(repository: str, path: str, commit: str) -> str | None:
    """A link to a source file on GitHub at its commit (``github.com/owner/name``), or None."""
    import re

    repo = repository.removeprefix("https://").removeprefix("http://").rstrip("/")
    if not re.fullmatch(r"github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        return None
    if not re.fullmatch(r"[0-9a-f]{7,40}", commit) or not path or ".." in path:
        return None
    from urllib.parse import quote

    return f"https://{repo}/blob/{commit}/{quote(path.lstrip('/'))}"


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


#: model groups whose main curve a chart shows at first; with the two visible anchors
#: that is at most eight curves, the others one click away (legend or "All curves")
MAX_VISIBLE_MODELS = 6
# Twelve well-separated hues, one per model group; a group's other sources get lighter
# and darker shades of its hue, so no colour repeats within a chart.
_HUES = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
         "#8c564b", "#e377c2", "#bcbd22", "#393b79", "#637939", "#843c39"]
_ANCHOR_GREYS = ["#555555", "#777777", "#999999", "#b0b0b0", "#666666", "#888888", "#a5a5a5", "#bbbbbb"]


def is_training_run(doc: dict[str, Any]) -> bool:
    """A curve of a model trained here (``lic-bench test`` of a run's checkpoint): small
    CPU proxy runs so far, not comparable with published models."""
    meta = meta_of(doc)
    return bool(meta.get("training") or meta.get("run"))


def _shade(hex_colour: str, step: int) -> str:
    """``step`` 0: the hue itself; 1, 2, ...: alternately lighter and darker."""
    if step == 0:
        return hex_colour
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    amount = min(0.18 * ((step + 1) // 2), 0.7)
    if step % 2:  # toward white
        r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    else:  # toward black
        r, g, b = (round(c * (1 - amount)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _source_rank(doc: dict[str, Any]) -> tuple:
    """Which curve of a model its group shows first: measured here, then the authors'
    reported numbers, then third parties', then digitised; MSE-trained before
    MS-SSIM-trained (the ``ms-ssim`` in a source tag)."""
    meta = meta_of(doc)
    prov = str(meta.get("provenance") or "")
    return ("ms-ssim" in label(doc).casefold(), PROVENANCE_RANK.get(prov, 3),
            "authors" not in str(meta.get("reported_by") or "").casefold(), label(doc))


def _source_words(doc: dict[str, Any]) -> str:
    """A legend entry inside a model's group: the source tag and its provenance."""
    meta = meta_of(doc)
    text = label(doc)
    tag = text[text.find("[") + 1:-1] if text.endswith("]") and "[" in text else text
    if is_training_run(doc):
        steps = (meta.get("training") or {}).get("global_step") if isinstance(meta.get("training"), dict) else None
        tag = tag.removesuffix(f"-{_dataset(doc)}")
        return f"{tag}: trained here{f', {steps} steps' if steps else ''}"
    prov = str(meta.get("provenance") or "unknown")
    # the chart's heading names the dataset, the line style the provenance: keep it short
    tag = tag.removesuffix(f"-{_dataset(doc)}")
    return tag if prov == "reported" else f"{tag} ({prov})"


def model_title(doc: dict[str, Any]) -> str:
    """A curve's model as the legend names it: the results name and, from its first paper
    id, whose model it is (``wyh · Wang 2022``), so short third-party names read."""
    import re

    name = str(doc.get("name"))
    papers = meta_of(doc).get("papers") or []
    first = str(papers[0]) if isinstance(papers, list) and papers else ""
    found = re.match(r"([a-z]+)(\d{4})", first)
    if not found:
        return name
    who = f"{found.group(1).capitalize()} {found.group(2)}"
    return f"{name} · {who}"


def rd_figure(results: list[dict[str, Any]], anchors: list[dict[str, Any]], metric: str) -> Any:
    """A plotly figure of ``metric`` (a results key; MS-SSIM in dB) against bpp; None if nothing to draw.

    Curves are grouped by model (the results ``name``) in the legend, and a click on any
    entry of a group shows or hides all its sources together. At first each of the first
    :data:`MAX_VISIBLE_MODELS` models shows its main source (:func:`_source_rank`) and
    the two reference anchors show; the "All curves" button (or the legend) shows the
    rest. Curves of models trained here (CPU proxy runs) form their own group, labelled
    so, and start hidden. Every trace has its own colour.
    """
    from lic_bench.errors import LicBenchError
    from lic_bench.metrics.specs import result_key
    from lic_bench.rd.curves import METRIC_LABELS, curve, has_metric
    from lic_bench.site._plotly import LiteFigure, trace

    label_, unit = METRIC_LABELS[metric]
    # a value compared in dB (MS-SSIM) says how: -10 log10(1 - value)
    title = f"{label_}, −10·log10(1 − {label_.split(' (')[0]})" if result_key(metric).scale == "db" else label_
    drawable: list[tuple[dict[str, Any], Any]] = []
    for doc in results + anchors:
        if not has_metric(doc, metric):
            continue
        try:
            drawable.append((doc, curve(doc, metric)))
        except LicBenchError:
            continue
    anchor_ids = {id(a) for a in anchors}
    groups: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for doc, cv in drawable:
        if id(doc) in anchor_ids:
            continue
        key = model_title(doc) + (" — trained here (CPU proxy)" if is_training_run(doc) else "")
        groups.setdefault(key, []).append((doc, cv))
    if not groups:
        return None
    # published/measured models first (those with a measured curve lead), proxies last
    order = sorted(groups, key=lambda k: (is_training_run(groups[k][0][0]), k))
    fig = LiteFigure()
    default: list[bool] = []
    hover_unit = f" {unit}" if unit else ""
    shown_models = 0
    for gi, key in enumerate(order):
        members = sorted(groups[key], key=lambda dc: _source_rank(dc[0]))
        proxy = is_training_run(members[0][0])
        lead = not proxy and shown_models < MAX_VISIBLE_MODELS
        shown_models += lead
        hue = _HUES[gi % len(_HUES)]
        for j, (doc, cv) in enumerate(members):
            prov = str(meta_of(doc).get("provenance") or "")
            colour = "#7f7f7f" if proxy and j == 0 else _shade(hue if not proxy else "#7f7f7f", j + (gi // len(_HUES)))
            on = lead and j == 0
            default.append(on)
            name = _source_words(doc)
            fig.add_trace(trace(
                "scatter", x=cv.rate.tolist(), y=cv.quality.tolist(), name=name, mode="lines+markers",
                legendgroup=key, legendgrouptitle={"text": key} if j == 0 else None,
                line={"dash": _DASH.get(prov, "solid"), "width": 2.2, "color": colour},
                marker={"size": 7, "symbol": "x" if proxy else "circle", "color": colour},
                visible=True if on else "legendonly",
                hovertemplate="%{x:.3f} bpp, %{y:.3f}" + hover_unit
                              + "<extra>" + _md.esc(f"{key}: {name}") + "</extra>",
            ))
    for k, doc in enumerate(d for d, _ in drawable if id(d) in anchor_ids):
        cv = next(c for d, c in drawable if d is doc)
        is_default = doc.get("name") == DEFAULT_ANCHOR
        on = doc.get("name") in _VISIBLE_ANCHORS
        default.append(on)
        colour = "#000000" if is_default else _ANCHOR_GREYS[k % len(_ANCHOR_GREYS)]
        fig.add_trace(trace(
            "scatter", x=cv.rate.tolist(), y=cv.quality.tolist(), name=str(doc.get("name")),
            mode="lines+markers", legendgroup="anchors",
            legendgrouptitle={"text": "classical anchors (measured here)"} if k == 0 else None,
            line={"dash": "solid", "width": 2.8 if is_default else 1.5, "color": colour},
            marker={"size": 5, "symbol": "circle-open", "color": colour},
            visible=True if on else "legendonly",
            hovertemplate="%{x:.3f} bpp, %{y:.3f}" + hover_unit
                          + "<extra>" + _md.esc(f"{doc.get('name')} (anchor)") + "</extra>",
        ))
    for t in fig.data:  # plotly.js rejects a null group title
        if t.get("legendgrouptitle") is None:
            t.pop("legendgrouptitle", None)
    n_all = len(fig.data)
    buttons = [
        {"label": f"Main curves ({sum(default)})", "method": "restyle",
         "args": [{"visible": [True if on else "legendonly" for on in default]}]},
        {"label": f"All curves ({n_all})", "method": "restyle", "args": [{"visible": [True] * n_all}]},
    ]
    fig.update_layout(
        title={"text": title, "x": 0, "xref": "paper", "xanchor": "left"}, xaxis_title="bits per pixel",
        yaxis_title=title.split(",")[0] + (f" [{unit}]" if unit else ""),
        # beside the plot: below it, the legend sat on the x-axis title
        legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "groupclick": "togglegroup",
                "tracegroupgap": 8, "font": {"size": 11}, "grouptitlefont": {"size": 12}},
        updatemenus=[{"type": "buttons", "direction": "right", "showactive": True, "active": 0,
                      "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom", "pad": {"b": 4},
                      "buttons": buttons}],
        margin={"t": 70, "l": 55, "r": 10, "b": 10}, height=520,
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

    proxies = {label(d) for d in results if is_training_run(d)}
    notes: list[str] = []
    lines = [
        f"BD against **{_md.cell(anchor_text(anchor))}** on {_dataset(anchor)} ({method} interpolation; "
        "negative BD-rate = fewer bits than the anchor for the same quality; "
        "`lic-bench bd` reproduces each number from the files named below).",
        "",
        "| curve | BD-rate (PSNR) | BD-PSNR | BD-rate (MS-SSIM) | BD-MS-SSIM | provenance |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        warn = ""
        if r["warnings"]:
            notes.append(f"{len(notes) + 1}. **{_md.cell(r['label'])}**: {_md.cell('; '.join(r['warnings']))}")
            warn = f" ⚠ note {len(notes)}"
        proxy = " (trained here, CPU proxy)" if r["label"] in proxies else ""
        lines.append(
            f"| {_md.cell(r['label'])}{proxy}{warn} | {pct(r['bd_rate_psnr'])} | {db(r['bd_psnr_db'])} | "
            f"{pct(r['bd_rate_ms-ssim'])} | {db(r['bd_ms-ssim_db'])} | {_md.cell(r['provenance'])} |"
        )
    if notes:
        lines += ["", "⚠ Numbers to read with care:", "", *notes]
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
        else:
            parts.append("_Perceptual metrics (LPIPS, or the JPEG AI suite's VMAF, FSIM, NLPD, …): none "
                         "available for these curves, whose sources give PSNR and MS-SSIM only._")
        parts.append(
            "Curves are grouped by model in the legend, with each model's sources under it: "
            "click a model in the legend to show or hide all its sources at once (double-click: "
            "that model alone). "
            f"At first each of up to {MAX_VISIBLE_MODELS} models shows its main source (measured here, "
            "else its authors' numbers, MSE-trained first) next to the two reference anchors; "
            "**All curves** shows the rest. Solid lines: measured here; dashed: reported; dotted: "
            "digitised from a figure. Anchors are classical codecs measured here "
            "(`lic-bench anchors run`). Crosses in grey shades are models trained here in small "
            "CPU proxy runs, labelled so in the legend and hidden at first: they are not "
            "comparable with the published curves."
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
