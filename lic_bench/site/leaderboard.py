"""The leaderboard page: BD-rates a researcher can cite.

One board per (dataset, anchor): every curve averaged over images like the anchor
(:mod:`lic_bench.rd.protocol`), folded into one row per model version and objective
(:mod:`lic_bench.rd.fold`). Three selects switch the view in the browser: the dataset,
the anchor (each named with its protocol and version) and the training objective (MSE-trained
models ranked on PSNR by default, MS-SSIM-trained ones on MS-SSIM). A fourth picks a
metric of the JPEG AI suite, ranked per curve where the anchor carries it. Each board
embeds its rows as JSON, from which the "CSV" and "JSON" buttons download the view shown
(``site/assets/javascripts/downloads.js``); ``lic-bench rd table --by-model`` prints the same.
"""

from __future__ import annotations

import json
from typing import Any

from lic_bench.codecs import DEFAULT_ANCHOR
from lic_bench.rd.fold import (
    DISAGREE_POINTS,
    FOLDED_COLUMNS,
    VIEWS,
    flat_row,
    fold_by_model,
    source_name,
)
from lic_bench.results.meta import DATASET_VALUES, PER_QUALITY, meta_of
from lic_bench.site import _md

__all__ = ["fold_by_model", "leaderboard_page", "metric_rows", "source_name"]

_VIEW_TEXT = {
    "mse": "MSE-trained models, ranked on PSNR",
    "ms-ssim": "MS-SSIM-trained models, ranked on MS-SSIM",
    "all": "every model, ranked on PSNR",
}
_DATASET_TEXT = {"kodak": "Kodak", "clic2020-pro-valid": "CLIC 2020 professional validation", "tecnick": "Tecnick"}


_DOWNLOADS = ('<span class="lb-downloads">Download this view: '
              '<button type="button" class="lb-dl" data-format="csv">CSV</button> '
              '<button type="button" class="lb-dl" data-format="json">JSON</button></span>')
#: columns of a metric board's download (one curve per row, not folded)
_METRIC_COLUMNS = ("rank", "label", "metric", "bd_rate", "bd_quality", "provenance", "dataset", "anchor",
                   "anchor_version", "anchor_averaging", "papers", "warnings")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:+.2f}&nbsp;%"


def _db(v: float | None) -> str:
    return "—" if v is None else f"{v:+.3f}&nbsp;dB"


def _num(v: float | None) -> str:
    return "" if v is None else repr(float(v))


def _json_script(data: Any, cls: str) -> str:
    """JSON in a ``<script type="application/json">`` that no value can close early."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" class="{cls}">{text}</script>'


def _source_html(src: dict[str, Any], primary: bool) -> str:
    name = _md.esc(src["source"])
    title = _md.esc(f"{src['label']} ({src['provenance']}): {src.get('path') or ''}")
    url = _md.href(src.get("url"))  # results files are untrusted: http(s) only
    text = (f'<a href="{_md.esc(url)}" title="{title}" rel="noopener">{name}</a>' if url
            else f'<span title="{title}">{name}</span>')
    if src["same_points"]:
        text += f' <span class="lb-same">(same points: {_md.esc(", ".join(src["same_points"]))})</span>'
    if primary:
        return f"<strong>{text}</strong>"
    return f"{text}: {_pct(src['bd_rate_psnr'])} / {_pct(src['bd_rate_ms-ssim'])}"


def _notes_html(row: dict[str, Any]) -> str:
    """What to read with care, in the row itself (not in a tooltip)."""
    parts = []
    gaps = {k: v for k, v in row["disagreement"].items() if v > DISAGREE_POINTS}
    if gaps:
        what = ", ".join(f"{v:.1f} points ({'PSNR' if k == 'bd_rate_psnr' else 'MS-SSIM'})" for k, v in gaps.items())
        parts.append(f'<span class="lb-disagree">⚠ sources differ by {what}</span>')
    if row.get("warnings"):
        items = "".join(f"<li>{_md.esc(w)}</li>" for w in row["warnings"])
        parts.append(f'<details class="lb-notes"><summary>⚠ {len(row["warnings"])} note(s)</summary>'
                     f"<ul>{items}</ul></details>")
    return "".join(parts)


def _board_html(folded: list[dict[str, Any]], anchor: dict[str, Any], info: dict[str, Any], method: str,
                page: str, hidden: bool) -> str:
    head = ("<tr><th>#</th><th>model</th><th>objective</th><th>BD-rate (PSNR)</th><th>BD-PSNR</th>"
            "<th>BD-rate (MS-SSIM)</th><th>sources (BD-rate PSNR / MS-SSIM)</th><th>papers</th><th>notes</th></tr>")
    body, data = [], []
    for i, r in enumerate(folded):
        papers = ", ".join(
            f'<a href="{_md.esc(_md.rel_url(page, _md.paper_path(p)))}">{_md.esc(p)}</a>' for p in r["papers"] or []
        )
        also = (f'<br><span class="lb-same">also as {_md.esc(", ".join(r["also_named"]))}</span>'
                if r.get("also_named") else "")
        sources = "<br>".join(_source_html(s, j == 0) for j, s in enumerate(r["sources"]))
        body.append(
            f'<tr data-i="{i}" data-objective="{_md.esc(r["objective"])}" data-psnr="{_num(r["bd_rate_psnr"])}" '
            f'data-msssim="{_num(r["bd_rate_ms-ssim"])}"><td>{i + 1}</td><td>{_md.esc(r["name"])}{also}</td>'
            f'<td>{_md.esc(r["objective"])}</td><td>{_pct(r["bd_rate_psnr"])}</td><td>{_db(r["bd_psnr_db"])}</td>'
            f'<td>{_pct(r["bd_rate_ms-ssim"])}</td><td class="lb-sources">{sources}</td><td>{papers}</td>'
            f"<td>{_notes_html(r)}</td></tr>"
        )
        data.append({view: flat_row(r, 0, method, view) for view in VIEWS if r["objective"] in VIEWS[view][0]})
    by = "measured here" if info["provenance"] == "measured" else f"reported by {info['reported_by']}"
    caption = (f'<p class="lb-caption">BD-rate ({method}) against <strong>{_md.esc(info["name"])}</strong> '
               f'({_md.esc(info["averaging"])}, {_md.esc(by)}; version: {_md.esc(info["version"])}), '
               f'on {_md.esc(_DATASET_TEXT.get(info["dataset"], info["dataset"]))}. '
               f"{_DOWNLOADS}</p>")
    meta = {"anchor": info, "method": method, "columns": list(FOLDED_COLUMNS), "rows": data}
    style = ' style="display:none"' if hidden else ""
    return (f'<div class="lb-board" data-anchor="{_md.esc(info["name"])}" data-averaging="{_md.esc(info["averaging"])}" '
            f'data-dataset="{_md.esc(info["dataset"])}" data-metric="default"{style}>{caption}'
            f'<table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>{_json_script(meta, "lb-data")}</div>')


def metric_rows(docs: list[dict[str, Any]], anchor: dict[str, Any], metric: str,
                method: str = "pchip") -> list[dict[str, Any]]:
    """BD-rate of every curve on the anchor's dataset and protocol against ``anchor`` on one
    metric (a results key, or ``jpeg-ai-average``), best first; each with its own warnings."""
    from lic_bench.errors import LicBenchError
    from lic_bench.metrics.specs import JPEG_AI_AVERAGE
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME, bd_average
    from lic_bench.rd.curves import has_metric
    from lic_bench.rd.protocol import averaging_of, dataset_of
    from lic_bench.rd.table import (  # the pairs the BD tables computed already
        _bd_cached,
        curve_label,
    )

    needs = JPEG_AI_AVERAGE if metric == JPEG_AI_AVERAGE_NAME else (metric,)
    if not all(has_metric(anchor, m) for m in needs):
        return []
    rows = []
    for doc in docs:
        if doc is anchor or dataset_of(doc) != dataset_of(anchor) or averaging_of(doc) != averaging_of(anchor):
            continue
        if not all(has_metric(doc, m) for m in needs):
            continue
        row = {"label": curve_label(doc), "provenance": meta_of(doc).get("provenance"),
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


def _metric_table_html(rows: list[dict[str, Any]], info: dict[str, Any], metric: str, page: str,
                       method: str) -> str:
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME
    from lic_bench.rd.curves import METRIC_LABELS

    name, unit = ("JPEG AI average of 7", "") if metric == JPEG_AI_AVERAGE_NAME else METRIC_LABELS[metric]

    def dq(v):
        return "—" if v is None else f"{v:+.3f}" + (f"&nbsp;{unit}" if unit else "")

    head = (f"<tr><th>#</th><th>curve</th><th>BD-rate ({_md.esc(name)})</th>"
            f"<th>BD-quality</th><th>provenance</th><th>papers</th><th>notes</th></tr>")
    body, data = [], []
    for i, r in enumerate(rows, 1):
        data.append({"all": {"rank": i, "label": r["label"], "metric": metric, "bd_rate": r["bd_rate"],
                             "bd_quality": r["bd_quality"], "provenance": r["provenance"],
                             "anchor": info["name"], "anchor_version": info["version"],
                             "anchor_averaging": info["averaging"], "dataset": info["dataset"],
                             "papers": "; ".join(r["papers"]), "warnings": "; ".join(r["warnings"])}})
        papers = ", ".join(
            f'<a href="{_md.esc(_md.rel_url(page, _md.paper_path(p)))}">{_md.esc(p)}</a>' for p in r["papers"]
        )
        notes = _notes_html({"disagreement": {}, "warnings": r["warnings"]})
        body.append(f'<tr data-i="{i - 1}"><td>{i}</td><td>{_md.esc(r["label"])}</td><td>{_pct(r["bd_rate"])}</td>'
                    f"<td>{dq(r['bd_quality'])}</td><td>{_md.esc(r['provenance'])}</td><td>{papers}</td>"
                    f"<td>{notes}</td></tr>")
    caption = (f'<p class="lb-caption">BD-rate on {_md.esc(name)} against <strong>{_md.esc(info["name"])}</strong> '
               f'({_md.esc(info["averaging"])}; version: {_md.esc(info["version"])}). {_DOWNLOADS}</p>')
    meta = {"anchor": info, "method": method, "columns": list(_METRIC_COLUMNS), "rows": data}
    return (f'<div class="lb-board" data-anchor="{_md.esc(info["name"])}" data-averaging="{_md.esc(info["averaging"])}" '
            f'data-dataset="{_md.esc(info["dataset"])}" data-metric="{_md.esc(metric)}" style="display:none">'
            f'{caption}<table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'
            f'{_json_script(meta, "lb-data")}</div>')


def _anchor_docs(results: list[dict[str, Any]], anchors: list[dict[str, Any]],
                 default_anchor: str) -> list[dict[str, Any]]:
    """Measured anchors (both protocols), then a reported VTM on every dataset that has one;
    the default anchor's per-quality sweep first."""
    from lic_bench.rd.anchor_choice import REPORTED_ANCHORS, anchor_candidates
    from lic_bench.rd.protocol import averaging_of, dataset_of

    def order(a: dict[str, Any]) -> tuple:
        return (a.get("name") != default_anchor, str(a.get("name")), str(a.get("_path")))

    per_quality = sorted((a for a in anchors if averaging_of(a) == PER_QUALITY), key=order)
    datasets = sorted({d for d in (dataset_of(doc) for doc in results) if d})
    reported = [found[0] for name in REPORTED_ANCHORS for dataset in datasets
                if (found := anchor_candidates(results, name, dataset))]
    target_rate = sorted((a for a in anchors if averaging_of(a) != PER_QUALITY), key=order)
    return per_quality[:1] + reported + per_quality[1:] + target_rate


def _script() -> str:
    # which options of the anchor select a dataset offers, and which board shows
    return (
        "<script>(function(){var d=document.getElementById('lb-dataset'),a=document.getElementById('lb-anchor'),"
        "o=document.getElementById('lb-objective'),m=document.getElementById('lb-metric');if(!a)return;"
        "var none=document.getElementById('lb-none');"
        "function anchors(){var first=null;Array.prototype.forEach.call(a.options,function(op){"
        "var on=op.dataset.dataset===d.value;op.hidden=!on;op.disabled=!on;if(on&&!first)first=op;});"
        "if(a.selectedOptions[0]&&a.selectedOptions[0].disabled&&first)a.value=first.value;}"
        "function rank(b){var view=o.value,key=view==='ms-ssim'?'msssim':'psnr',keep=view==='all'?null:[view,'none'];"
        "var rows=Array.prototype.slice.call(b.querySelectorAll('tbody tr[data-objective]'));"
        "rows.forEach(function(r){var v=r.dataset[key];r.hidden=v===''||(keep&&keep.indexOf(r.dataset.objective)<0);});"
        "rows.sort(function(x,y){return (x.hidden-y.hidden)||(parseFloat(x.dataset[key])-parseFloat(y.dataset[key]));});"
        "var tb=b.querySelector('tbody'),n=0;rows.forEach(function(r){tb.appendChild(r);if(!r.hidden){n+=1;"
        "r.cells[0].textContent=n;}});b.dataset.view=view;return n;}"
        "function show(){anchors();var v=a.value.split('|'),k=m?m.value:'default',n=0;"
        "document.querySelectorAll('.lb-board').forEach(function(b){"
        "var on=b.dataset.dataset===d.value&&b.dataset.anchor===v[0]&&b.dataset.averaging===v[1]"
        "&&(b.dataset.metric||'default')===k;b.style.display=on?'':'none';"
        "if(on){n+=b.dataset.metric==='default'?rank(b):b.querySelectorAll('tbody tr').length;}});"
        "if(none)none.hidden=n>0;}"
        "[d,a,o,m].forEach(function(s){if(s)s.addEventListener('change',show);});show();})();</script>"
    )


def leaderboard_page(
    results: list[dict[str, Any]],
    anchors: list[dict[str, Any]],
    *,
    method: str = "pchip",
    default_anchor: str = DEFAULT_ANCHOR,
) -> str:
    """Markdown for the leaderboard page; "" until there is something to rank."""
    from lic_bench.errors import LicBenchError
    from lic_bench.rd.anchor_choice import anchor_info
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME
    from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, METRICS
    from lic_bench.rd.table import bd_rows

    page = _md.LEADERBOARD
    everything = list(results) + [a for a in anchors if not any(a is r for r in results)]
    boards: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for anchor in _anchor_docs(results, anchors, default_anchor):
        try:
            rows = bd_rows(everything, anchor, method=method)
        except LicBenchError:
            continue
        if rows:
            info = anchor_info(anchor)
            boards.append((anchor, info, _board_html(fold_by_model(rows), anchor, info, method, page, bool(boards))))
    if not boards:
        return ""
    order = {d: i for i, d in enumerate(DATASET_VALUES)}
    datasets = sorted({info["dataset"] for _, info, _ in boards}, key=lambda d: (order.get(d, len(order)), d))
    dataset_options = "".join(
        f'<option value="{_md.esc(d)}">{_md.esc(_DATASET_TEXT.get(d, d))}</option>' for d in datasets)
    anchor_options = "".join(
        f'<option value="{_md.esc(info["name"])}|{_md.esc(info["averaging"])}|{_md.esc(info["dataset"])}" '
        f'data-dataset="{_md.esc(info["dataset"])}">'
        f'{_md.esc(info["name"])} — {_md.esc(info["averaging"])}'
        f'{" (reported)" if info["provenance"] != "measured" else ""}</option>'
        for _, info, _ in boards)
    view_options = "".join(f'<option value="{v}">{_md.esc(t)}</option>' for v, t in _VIEW_TEXT.items())
    tables = "".join(html for _, _, html in boards)
    extra_metrics = [m for m in ALL_METRICS if m not in METRICS] + [JPEG_AI_AVERAGE_NAME]
    metric_options = ['<option value="default">PSNR and MS-SSIM (RGB)</option>']
    for metric in extra_metrics:
        found = False
        for anchor, info, _ in boards:
            rows = metric_rows(everything, anchor, metric, method)
            if rows:
                found = True
                tables += _metric_table_html(rows, info, metric, page, method)
        if found:
            text = ("BD-rate averaged over the JPEG AI seven" if metric == JPEG_AI_AVERAGE_NAME
                    else METRIC_LABELS[metric][0])
            metric_options.append(f'<option value="{_md.esc(metric)}">{_md.esc(text)}</option>')
    return "\n".join([
        "# Leaderboard",
        "",
        "Every model with a rate–distortion curve in `results/`, ranked by its Bjøntegaard delta rate "
        f"against an anchor codec ({method} interpolation; negative = fewer bits than the anchor at equal "
        "quality). Each board names its anchor with the anchor's version and its **averaging protocol**: "
        "*per-quality* curves average the images at one quality value or λ per point (every learned "
        "curve in papers and CompressAI), *per-target-rate* ones code each image at a target bpp (the "
        "JPEG AI CTC); a curve is only compared with an anchor of its own protocol. "
        "One row is one model version and training objective; by default MSE-trained models are "
        "ranked on PSNR, MS-SSIM-trained ones on MS-SSIM. A row's numbers come from its first (bold) "
        "source — measured here first, then the authors' own numbers, then third parties, then digitised "
        "figures — and its other sources follow with their BD-rates; curves with the same points under "
        "several names or files count once. ⚠ in the notes: sources more than "
        f"{DISAGREE_POINTS:g} points apart, few points, a non-monotone curve or little range overlap. "
        "Recompute any number with `lic-bench bd ANCHOR.json TEST.json`, a board with "
        "`lic-bench rd table --anchor NAME --averaging PROTOCOL`, and the view shown with "
        "`lic-bench rd table --by-model --objective mse --format csv`.",
        "",
        f'<div class="lb-leaderboard"><label for="lb-dataset">Dataset: </label><select id="lb-dataset">{dataset_options}</select> '
        f'<label for="lb-anchor">Anchor: </label><select id="lb-anchor">{anchor_options}</select> '
        f'<label for="lb-objective">Models: </label><select id="lb-objective">{view_options}</select> '
        f'<label for="lb-metric">Metric: </label><select id="lb-metric">{"".join(metric_options)}</select>'
        f'<p id="lb-none" hidden>No curve has this metric against this anchor.</p>'
        f"{tables}</div>",
        _script(),
        "",
    ])
