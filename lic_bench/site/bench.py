"""Latency and throughput charts for component, paper and benchmark pages.

Pure functions of benchmark results documents (``meta.kind == "bench"``, written
by ``lic-bench bench``); plotly figures are emitted without plotly.js, which the
site loads once in the page head.

Besides one trace per benchmarked configuration, a section shows *controlled
comparisons*: runs of the same model at the same widths that differ only in the
non-linearity (GDN vs 1DN vs GSDN vs ReLU, ``scripts/bench_all.py``). Those are
drawn together on every page that shows any one of them, so the GDN page shows
what GDN costs against its alternatives.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

from lic_bench.results.meta import meta_of
from lic_bench.site._plotly import LiteFigure, trace

_STAGE_TITLES = {
    "encode": "Encode (incl. entropy coding)",
    "decode": "Decode (incl. entropy coding)",
    "transform_encode": "Analysis transforms only",
    "transform_decode": "Synthesis transforms only",
}
_SWAPPED = "nonlinearity"
_REFERENCE = "768x512"


def _label(doc: dict[str, Any]) -> str:
    return meta_of(doc).get("label") or doc["name"]


def _machine(doc: dict[str, Any]) -> str:
    m = meta_of(doc)
    machine = m.get("machine") or {}
    where = machine.get("gpu") or machine.get("cpu_model") or m.get("gpu") or m.get("cpu") or "unknown CPU"
    load = machine.get("load_average")
    load_txt = f" · load {load[0]:.1f}" if load else ""
    return f"{m.get('device', '?')} · {where} · {m.get('threads', '?')} threads{load_txt} · {str(m.get('date', '?'))[:10]}"


def _figure_html(fig: Any, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, default_height=380)


def _layout(fig: Any, title: str, x: str, y: str) -> None:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        # beside the plot, not under it: a long legend below squeezed the plot to a strip
        # and sat on the x-axis title
        legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "font": {"size": 11}},
        margin={"t": 40, "l": 50, "r": 10, "b": 10},
    )


def latency_figure(docs: list[dict[str, Any]], stage: str, names: dict[int, str] | None = None) -> Any:
    fig = LiteFigure()
    for doc in docs:
        per_res = doc.get("latency", {}).get(stage)
        if not per_res:
            continue
        labels = [label for label in doc["results"]["resolution"] if label in per_res]
        stats = [per_res[label] for label in labels]
        fig.add_trace(
            trace(
                "scatter",
                x=labels,
                y=[s["median"] for s in stats],
                error_y={"type": "data", "array": [s["std"] for s in stats]},
                mode="lines+markers",
                name=(names or {}).get(id(doc), _label(doc)),
            )
        )
    _layout(fig, _STAGE_TITLES.get(stage, stage), "resolution (W×H)", "median latency (ms), batch 1")
    return fig


def throughput_figure(docs: list[dict[str, Any]], names: dict[int, str] | None = None) -> Any:
    fig = LiteFigure()
    for doc in docs:
        thr = doc.get("throughput") or {}
        for key, dash in (("encode_ips", "solid"), ("decode_ips", "dot")):
            if thr.get(key):
                fig.add_trace(
                    trace(
                        "scatter",
                        x=thr["batch_size"],
                        y=thr[key],
                        mode="lines+markers",
                        line={"dash": dash},
                        name=f"{(names or {}).get(id(doc), _label(doc))} {key.split('_')[0]}",
                    )
                )
    resolution = next((d["throughput"]["resolution"] for d in docs if d.get("throughput")), "?")
    _layout(fig, f"Throughput at {resolution}", "batch size", "images / s")
    # batch sizes are whole numbers: tick exactly the ones measured (no 2.5, 3.5)
    sizes = sorted({int(b) for d in docs for b in (d.get("throughput") or {}).get("batch_size") or []})
    fig.update_layout(xaxis={"tickmode": "array", "tickvals": sizes} if sizes else {"dtick": 1})
    return fig


def _reference(doc: dict[str, Any]) -> str:
    enc = doc.get("latency", {}).get("encode", {})
    return _REFERENCE if _REFERENCE in enc else doc["results"]["resolution"][-1]


_TABLE_HEAD = ("configuration", "params", "kMAC/px", "encode ms", "decode ms", "vs CompressAI (enc+dec)", "path")


def _table(docs: list[dict[str, Any]]) -> str:
    """One row per configuration; its machine and command fold into a row below it."""
    numeric = {1, 2, 3, 4, 5}
    right = ' style="text-align:right"'
    head = "".join(f"<th{right if i in numeric else ''}>{h}</th>" for i, h in enumerate(_TABLE_HEAD))
    body = []
    for doc in docs:
        cx = doc.get("complexity", {})
        lat = doc.get("latency", {})
        ref = _reference(doc)
        enc = lat.get("encode", {}).get(ref, {}).get("median")
        dec = lat.get("decode", {}).get(ref, {}).get("median")
        comp = doc.get("compare", {})
        ratio = comp.get("total_ratio")
        ratio_txt = "-"
        if ratio is not None:
            same = "bit-identical" if comp.get("identical_output") else "output differs"
            ratio_txt = f"{ratio:.2f}× ({same})"
        cells = [
            html.escape(_label(doc)),
            f"{cx.get('params', 0):,}",
            f"{cx.get('kmac_per_pixel', 0.0):.1f}",
            f"{enc:.1f} @ {ref}" if enc is not None else "-",
            f"{dec:.1f} @ {ref}" if dec is not None else "-",
            html.escape(ratio_txt),
            html.escape(str(doc.get("implementation", {}).get("path", "model"))),
        ]
        body.append("<tr>" + "".join(
            f"<td{right if i in numeric else ''}>{c}</td>" for i, c in enumerate(cells)) + "</tr>")
        body.append(
            f'<tr class="lb-details"><td colspan="{len(_TABLE_HEAD)}"><details><summary>machine and command'
            f"</summary>{html.escape(_machine(doc))}<br><code>{html.escape(meta_of(doc).get('command', ''))}</code>"
            "</details></td></tr>"
        )
    return f'<div class="lb-scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _group_key(doc: dict[str, Any]) -> str | None:
    """Model + every constructor argument except the non-linearity (None: not swappable)."""
    config = meta_of(doc).get("config") or {}
    args = dict(config.get("init_args") or {})
    if _SWAPPED not in args:
        return None
    args.pop(_SWAPPED)
    m = meta_of(doc)
    machine = (m.get("machine") or {}).get("cpu_model") or m.get("cpu")
    return json.dumps([doc["name"], args, m.get("device"), m.get("threads"), machine], sort_keys=True, default=str)


def _preference(doc: dict[str, Any]) -> tuple[bool, str]:
    """Prefer variants timed side by side (``--sweep``), then the newest run."""
    m = meta_of(doc)
    return (bool(m.get("interleaved_with")), str(m.get("date", "")))


def component_groups(
    docs: Iterable[dict[str, Any]], peers: Iterable[dict[str, Any]] = ()
) -> list[list[dict[str, Any]]]:
    """Controlled comparisons touching ``docs``: same model, widths and machine, ≥2 non-linearities.

    ``peers`` (e.g. every benchmark document) supplies the other members, so a
    page that holds only the GDN run still shows GDN against 1DN, GSDN and ReLU.
    """
    wanted = {k for d in docs if (k := _group_key(d)) is not None}
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in [*docs, *peers]:
        key = _group_key(doc)
        if key in wanted:
            nl = str(meta_of(doc)["config"]["init_args"][_SWAPPED])
            current = groups.setdefault(key, {}).get(nl)
            if current is None or _preference(doc) > _preference(current):
                groups[key][nl] = doc
    return [sorted(g.values(), key=lambda d: str(meta_of(d)["config"]["init_args"][_SWAPPED])) for g in groups.values() if len(g) > 1]


def comparison_figure(group: list[dict[str, Any]]) -> Any:
    """Grouped bars: encode / decode (full and transforms-only) latency per non-linearity."""
    ref = _reference(group[0])
    names = [str(meta_of(d)["config"]["init_args"][_SWAPPED]) for d in group]
    fig = LiteFigure()
    for stage in ("transform_encode", "transform_decode", "encode", "decode"):
        values = [d.get("latency", {}).get(stage, {}).get(ref, {}) for d in group]
        if not any(values):
            continue
        fig.add_trace(
            trace(
                "bar",
                x=names,
                y=[v.get("median") for v in values],
                error_y={"type": "data", "array": [v.get("std", 0.0) for v in values]},
                name=_STAGE_TITLES[stage],
            )
        )
    fig.update_layout(barmode="group")
    _layout(fig, f"Latency at {ref}, batch 1", "non-linearity", "median latency (ms)")
    return fig


def _comparison_section(group: list[dict[str, Any]], key: str, skip: str = "") -> list[str]:
    first = meta_of(group[0])
    args = {k: v for k, v in (first["config"].get("init_args") or {}).items() if k in ("N", "M")}
    width = ", ".join(f"{k}={v}" for k, v in args.items())
    nls = " vs ".join(str(meta_of(d)["config"]["init_args"][_SWAPPED]).upper() for d in group)
    names = {id(d): str(meta_of(d)["config"]["init_args"][_SWAPPED]) for d in group}
    slug = f"{key}-cmp-{group[0]['name']}"
    rows = ["| non-linearity | params | kMAC/px |", "|---|---:|---:|"]
    for d in group:
        cx = d.get("complexity", {})
        rows.append(f"| {names[id(d)]} | {cx.get('params', 0):,} | {cx.get('kmac_per_pixel', 0.0):.1f} |")
    return [
        f"#### {nls} on `{group[0]['name']}` ({width}){skip}",
        "",
        f"Same model, widths and machine; only the non-linearity differs. Machine: {html.escape(_machine(group[0]))}.",
        "",
        "\n".join(rows),
        "",
        _figure_html(comparison_figure(group), f"{slug}-bars"),
        "",
        _figure_html(latency_figure(group, "decode", names), f"{slug}-lat"),
        "",
        _figure_html(throughput_figure(group, names), f"{slug}-thr"),
        "",
    ]


def _machines(docs: list[dict[str, Any]]) -> str:
    seen = sorted({_machine(d).split(" · 20")[0] for d in docs})
    return "; ".join(html.escape(s) for s in seen)


def bench_section(
    results: list[dict[str, Any]], *, key: str = "bench", peers: Iterable[dict[str, Any]] | None = None
) -> str:
    """Markdown with latency and throughput charts for ``results``; "" when there are none.

    ``peers``: other benchmark documents that may complete a non-linearity
    comparison (default: every ``results/bench`` document on disk).
    """
    docs = [d for d in results if meta_of(d).get("kind") == "bench"]
    if not docs:
        return ""
    docs = sorted(docs, key=_label)
    if peers is None:
        peers = _disk_peers()
    # Component pages repeat the runs of every node below them (each quantizer page holds
    # the same GDN-vs-ReLU timings): only the overview page's copy goes into the search
    # index, or every such page outranked the component's own page.
    skip = "" if key == "overview" else " { data-search-exclude }"
    parts = [
        f"### Latency and throughput{skip}",
        "",
        "Measured here by `lic-bench bench` (random weights: speed does not depend on "
        "training). Medians after warm-up; every row names its machine and command. "
        f"Machines: {_machines(docs)}. The host is shared, so compare runs made side by "
        "side rather than absolute times.",
        "",
        _table(docs),
        "",
    ]
    for group in component_groups(docs, [p for p in peers if meta_of(p).get("kind") == "bench"]):
        parts += _comparison_section(group, key, skip)
    parts += [f"#### Every configuration on this page{skip}", ""]
    for stage in ("encode", "decode", "transform_encode", "transform_decode"):
        if any(stage in d.get("latency", {}) for d in docs):
            parts += [_figure_html(latency_figure(docs, stage), f"{key}-lat-{stage}"), ""]
    parts += [_figure_html(throughput_figure(docs), f"{key}-thr"), ""]
    return "\n".join(parts)


def _disk_peers() -> list[dict[str, Any]]:
    try:
        from lic_bench.results import load_results

        return load_results(kind="bench")
    except Exception:  # noqa: BLE001 - a missing/broken results tree must not cost the page
        return []


def compare_table(docs: list[dict[str, Any]]) -> str:
    """Ours vs CompressAI (same architecture and weights, one run): ratios and bit-identity."""
    rows = [
        "| model | resolution | encode ratio | decode ratio | enc+dec ratio | identical output | path |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    found = False
    for doc in docs:
        c = doc.get("compare")
        if not c:
            continue
        found = True
        rows.append(
            f"| {html.escape(_label(doc))} | {c['reference_resolution']} | {c['encode_ratio']:.3f} | "
            f"{c['decode_ratio']:.3f} | {c['total_ratio']:.3f} | {'yes' if c.get('identical_output') else 'no'} | "
            f"{html.escape(str(doc.get('implementation', {}).get('path', 'model')))} |"
        )
    return "\n".join(rows) if found else ""


def bench_page(results: list[dict[str, Any]]) -> str:
    """Markdown for the benchmark overview page; "" when there are no benchmark results."""
    docs = [d for d in results if meta_of(d).get("kind") == "bench"]
    section = bench_section(docs, key="overview", peers=docs)
    if not section:
        return ""
    parts = [
        "# Speed benchmark",
        "",
        "Encode/decode latency across resolutions (batch 1) and throughput across batch "
        "sizes, for every configuration benchmarked with `lic-bench bench`. Times are "
        "medians of repeated runs after warm-up; on CPU the thread count is part of "
        "the result.",
        "",
    ]
    table = compare_table(sorted(docs, key=_label))
    if table:
        parts += [
            "## Against CompressAI",
            "",
            "`lic-bench bench --compare compressai` loads the same weights into CompressAI's "
            "class of the same architecture and times both in one run; a ratio below 1 "
            "means ours is faster. *Identical output* checks that both give the same "
            "bitstream bytes and the same decoded pixels.",
            "",
            table,
            "",
        ]
    parts.append(section.replace("### Latency and throughput\n", "## All runs\n", 1))
    return "\n".join(parts)
