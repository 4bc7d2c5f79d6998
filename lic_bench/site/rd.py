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
    out = words + (f" by {_md.cell(by)}" if by and prov != "digitised" else "")
    return out + (f"; source: `{_md.cell(loc)}`" if loc else "")


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
        f"BD against **{anchor.get('name')}** on {_dataset(anchor)} ({method} interpolation; "
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
        here = [a for a in anchors if _dataset(a) == dataset]
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


_PROVENANCE_RANK = {"measured": 0, "reported": 1, "digitised": 2}


def source_name(row: dict[str, Any]) -> str:
    """Who a curve's numbers come from, in a few words: ``measured here``, ``C3 baselines``…"""
    if row.get("provenance") == "measured":
        who = "measured here"
    else:
        who = str(row.get("reported_by") or row.get("provenance") or "unknown source")
        if not who.startswith("paper figure"):
            who = who.split(", whose source")[0].split(" (")[0]
    if row.get("opt_metric") == "ms-ssim":
        who += " (MS-SSIM-trained)"
    return who


def _primary_key(row: dict[str, Any]) -> tuple:
    """Which of a model's curves gives its row's numbers: MSE-trained before MS-SSIM-trained,
    measured before reported before digitised, the authors' own numbers before third
    parties', then a curve with a PSNR BD-rate; the file path breaks ties."""
    return (
        row.get("opt_metric") == "ms-ssim",
        _PROVENANCE_RANK.get(str(row.get("provenance")), 3),
        "authors" not in str(row.get("reported_by") or "").casefold(),
        row.get("bd_rate_psnr") is None,
        str(row.get("path") or ""),
    )


def fold_by_model(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per model (results ``name``): the numbers of its primary curve (see
    :func:`_primary_key`), ``sources`` listing every curve of it (primary first) and the
    union of their papers; ranked by the primary PSNR BD-rate (missing ones last)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("name")), []).append(row)
    folded = []
    for name, members in groups.items():
        members = sorted(members, key=_primary_key)
        papers: list[str] = []
        for member in members:
            papers += [p for p in member.get("papers") or [] if p not in papers]
        folded.append({**members[0], "name": name, "papers": papers, "sources": members})
    folded.sort(key=lambda r: (r["bd_rate_psnr"] is None, r["bd_rate_psnr"] if r["bd_rate_psnr"] is not None else 0))
    return folded


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


def metric_rows(docs: list[dict[str, Any]], anchor: dict[str, Any], metric: str,
                method: str = "pchip") -> list[dict[str, Any]]:
    """BD-rate of every curve on the anchor's dataset against ``anchor`` on one metric
    (a results key, or ``jpeg-ai-average``), best first; each with its own warnings."""
    from lic_bench.errors import LicBenchError
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME, bd_average
    from lic_bench.rd.curves import JPEG_AI_AVERAGE, has_metric
    from lic_bench.rd.table import _bd_cached  # the pairs the BD tables computed already

    needs = JPEG_AI_AVERAGE if metric == JPEG_AI_AVERAGE_NAME else (metric,)
    if not all(has_metric(anchor, m) for m in needs):
        return []
    rows = []
    for doc in docs:
        if doc is anchor or _dataset(doc) != _dataset(anchor):
            continue
        if not all(has_metric(doc, m) for m in needs):
            continue
        row = {"label": label(doc), "provenance": meta_of(doc).get("provenance"),
               "papers": meta_of(doc).get("papers") or [], "bd_rate": None, "bd_quality": None,
               "warnings": []}
        try:
            if metric == JPEG_AI_AVERAGE_NAME:
                avg = bd_average(anchor, doc, method=method)
                row["bd_rate"] = avg["bd_rate"]
                for m, r in avg["per_metric"].items():
                    row["warnings"] += [f"{m}: {w}" for w in r.get("warnings", [])]
                    if r.get("error"):
                        row["warnings"].append(f"{m}: {r['error']}")
            else:
                res = _bd_cached(anchor, doc, metric, method)
                row["bd_rate"] = res.to_dict()["bd_rate"]
                row["bd_quality"] = res.to_dict()["bd_psnr"]
                row["warnings"] = [f"{metric}: {w}" for w in res.warnings]
        except LicBenchError as exc:
            row["warnings"].append(f"{metric}: {exc}")
        rows.append(row)
    rows.sort(key=lambda r: (r["bd_rate"] is None, r["bd_rate"] if r["bd_rate"] is not None else 0))
    return rows


def _metric_table_html(rows: list[dict[str, Any]], anchor: str, dataset: str, metric: str,
                       page: str) -> str:
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME
    from lic_bench.rd.curves import METRIC_LABELS

    if metric == JPEG_AI_AVERAGE_NAME:
        name, unit = "JPEG AI average of 7", ""
    else:
        name, unit = METRIC_LABELS[metric]

    def pct(v):
        return "—" if v is None else f"{v:+.2f}&nbsp;%"

    def dq(v):
        return "—" if v is None else f"{v:+.3f}" + (f"&nbsp;{unit}" if unit else "")

    head = (f"<tr><th>#</th><th>curve</th><th>BD-rate ({_md.esc(name)})</th>"
            f"<th>BD-quality</th><th>provenance</th><th>papers</th></tr>")
    body = []
    for i, r in enumerate(rows, 1):
        papers = ", ".join(
            f'<a href="{_md.esc(_md.rel_url(page, _md.paper_path(p)))}">{_md.esc(p)}</a>' for p in r["papers"]
        )
        warn = (f' <span class="lb-warn" title="{_md.esc("; ".join(r["warnings"]))}">⚠</span>'
                if r["warnings"] else "")
        body.append(f"<tr><td>{i}</td><td>{_md.esc(r['label'])}{warn}</td><td>{pct(r['bd_rate'])}</td>"
                    f"<td>{dq(r['bd_quality'])}</td><td>{_md.esc(r['provenance'])}</td><td>{papers}</td></tr>")
    return (f'<div class="lb-board" data-anchor="{_md.esc(anchor)}" data-dataset="{_md.esc(dataset)}" '
            f'data-metric="{_md.esc(metric)}" style="display:none">'
            f'<table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>')


def _leaderboard_table_html(rows: list[dict[str, Any]], anchor: str, dataset: str, hidden: bool,
                            page: str) -> str:
    def pct(v):
        return "—" if v is None else f"{v:+.2f}&nbsp;%"

    def db(v):
        return "—" if v is None else f"{v:+.3f}&nbsp;dB"

    head = ("<tr><th>#</th><th>model</th><th>BD-rate (PSNR)</th><th>BD-PSNR</th>"
            "<th>BD-rate (MS-SSIM)</th><th>sources</th><th>papers</th></tr>")
    body = []
    for i, r in enumerate(fold_by_model(rows), 1):
        papers = ", ".join(
            f'<a href="{_md.esc(_md.rel_url(page, _md.paper_path(p)))}">{_md.esc(p)}</a>' for p in r["papers"] or []
        )
        warn = (f' <span class="lb-warn" title="{_md.esc("; ".join(r["warnings"]))}">⚠</span>'
                if r["warnings"] else "")
        sources = []
        for j, src in enumerate(r["sources"]):
            text = (f'<span title="{_md.esc(src["label"])} ({_md.esc(src["provenance"])})">'
                    f"{_md.esc(source_name(src))}</span>")
            if j == 0:
                sources.append(f"<strong>{text}</strong>")
            else:
                sources.append(f"{text}: {pct(src['bd_rate_psnr'])}")
        body.append(
            f"<tr><td>{i}</td><td>{_md.esc(r['name'])}{warn}</td><td>{pct(r['bd_rate_psnr'])}</td>"
            f"<td>{db(r['bd_psnr_db'])}</td><td>{pct(r['bd_rate_ms-ssim'])}</td>"
            f'<td class="lb-sources">{"<br>".join(sources)}</td><td>{papers}</td></tr>'
        )
    style = ' style="display:none"' if hidden else ""
    return (f'<div class="lb-board" data-anchor="{_md.esc(anchor)}" data-dataset="{_md.esc(dataset)}" '
            f'data-metric="default"{style}>'
            f'<table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>')


def leaderboard_page(
    results: list[dict[str, Any]],
    anchors: list[dict[str, Any]],
    *,
    method: str = "pchip",
    default_anchor: str = DEFAULT_ANCHOR,
) -> str:
    """Markdown for the leaderboard page; "" until there is something to rank.

    One precomputed ranking per (dataset, anchor); a select box switches between them
    with a few lines of inline JavaScript. Other anchors are ranked too, as rows.
    """
    from lic_bench.errors import LicBenchError
    from lic_bench.rd.table import bd_rows

    page = _md.LEADERBOARD
    boards: list[tuple[str, str, list[dict[str, Any]]]] = []
    for anchor in sorted(anchors, key=lambda a: (a.get("name") != default_anchor, str(a.get("name")))):
        dataset = _dataset(anchor)
        others = [a for a in anchors if a is not anchor]
        try:
            rows = bd_rows(list(results) + others, anchor, method=method)
        except LicBenchError:
            continue
        if rows:
            boards.append((str(anchor.get("name")), dataset, rows))
    if not boards:
        return ""
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME
    from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, METRICS

    options = "".join(
        f'<option value="{_md.esc(a)}|{_md.esc(d)}">{_md.esc(a)} — {_md.esc(d)}</option>' for a, d, _ in boards
    )
    tables = "".join(_leaderboard_table_html(rows, a, d, i > 0, page) for i, (a, d, rows) in enumerate(boards))
    # one more ranking per (anchor, metric of the JPEG AI suite) where both sides have it
    extra_metrics = [m for m in ALL_METRICS if m not in METRICS] + [JPEG_AI_AVERAGE_NAME]
    metric_options = ['<option value="default">PSNR and MS-SSIM (RGB)</option>']
    for metric in extra_metrics:
        found = False
        for anchor in anchors:
            name, dataset = str(anchor.get("name")), _dataset(anchor)
            if not any(a == name and d == dataset for a, d, _ in boards):
                continue
            others = [a for a in anchors if a is not anchor]
            rows = metric_rows(list(results) + others, anchor, metric, method)
            if rows:
                found = True
                tables += _metric_table_html(rows, name, dataset, metric, page)
        if found:
            text = ("BD-rate averaged over the JPEG AI seven" if metric == JPEG_AI_AVERAGE_NAME
                    else METRIC_LABELS[metric][0])
            metric_options.append(f'<option value="{_md.esc(metric)}">{_md.esc(text)}</option>')
    script = (
        "<script>(function(){var s=document.getElementById('lb-anchor'),m=document.getElementById('lb-metric');"
        "if(!s)return;var none=document.getElementById('lb-none');"
        "function show(){var v=s.value.split('|'),k=m?m.value:'default',n=0;"
        "document.querySelectorAll('.lb-board').forEach(function(b){"
        "var on=b.dataset.anchor===v[0]&&b.dataset.dataset===v[1]&&(b.dataset.metric||'default')===k;"
        "b.style.display=on?'':'none';n+=on?1:0;});if(none)none.hidden=n>0;}"
        "s.addEventListener('change',show);if(m)m.addEventListener('change',show);show();})();</script>"
    )
    return "\n".join([
        "# Leaderboard",
        "",
        "Every model with a rate–distortion curve in `results/`, ranked by its Bjøntegaard delta rate "
        f"against an anchor codec ({method} interpolation; negative = fewer bits than the anchor at equal "
        "quality). Choose the anchor and the quality metric below (the JPEG AI suite's metrics appear "
        "where both the anchor and the curve carry them). A model's curves may come from several sources "
        "— measured here, its authors, CompressAI, C3's baselines, digitised paper figures: the default "
        "view shows the numbers of the source in bold (measured here first, then the authors' own, "
        "MSE-trained before MS-SSIM-trained) and lists the others with their BD-rate (PSNR); hover a "
        "source for its file. ⚠ marks numbers to read with care "
        "(few points, non-monotone curve or little range overlap; hover for details). "
        "Recompute any number with `lic-bench bd ANCHOR.json TEST.json --metric NAME`, or the whole table with "
        "`lic-bench rd table --anchor NAME`.",
        "",
        f'<div class="lb-leaderboard"><label for="lb-anchor">Anchor: </label><select id="lb-anchor">{options}</select> '
        f'<label for="lb-metric">Metric: </label><select id="lb-metric">{"".join(metric_options)}</select>'
        f'<p id="lb-none" hidden>No curve has this metric against this anchor.</p>'
        f"{tables}</div>",
        script,
        "",
    ])
