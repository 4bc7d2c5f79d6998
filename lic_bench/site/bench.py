"""Latency and throughput charts for component, paper and benchmark pages.

Pure functions of benchmark results documents (``meta.kind == "bench"``, written
by ``lic-bench bench``); plotly figures are emitted without plotly.js, which the
site loads once in the page head.
"""

from __future__ import annotations

import html
from typing import Any

_STAGE_TITLES = {
    "encode": "Encode (incl. entropy coding)",
    "decode": "Decode (incl. entropy coding)",
    "transform_encode": "Analysis transforms only",
    "transform_decode": "Synthesis transforms only",
}


def _label(doc: dict[str, Any]) -> str:
    return doc.get("meta", {}).get("label") or doc["name"]


def _machine(doc: dict[str, Any]) -> str:
    m = doc.get("meta", {})
    where = m.get("gpu") or m.get("cpu") or "unknown CPU"
    return f"{m.get('device', '?')} · {where} · {m.get('threads', '?')} threads · {m.get('date', '?')[:10]}"


def _figure_html(fig: Any, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, default_height=380)


def latency_figure(docs: list[dict[str, Any]], stage: str) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for doc in docs:
        per_res = doc.get("latency", {}).get(stage)
        if not per_res:
            continue
        labels = doc["results"]["resolution"]
        stats = [per_res[label] for label in labels if label in per_res]
        fig.add_trace(
            go.Scatter(
                x=[label for label in labels if label in per_res],
                y=[s["median"] for s in stats],
                error_y={"type": "data", "array": [s["std"] for s in stats]},
                mode="lines+markers",
                name=_label(doc),
            )
        )
    fig.update_layout(
        title=_STAGE_TITLES.get(stage, stage),
        xaxis_title="resolution (W×H)",
        yaxis_title="median latency (ms)",
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 40, "l": 50, "r": 10, "b": 10},
    )
    return fig


def throughput_figure(docs: list[dict[str, Any]]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for doc in docs:
        thr = doc.get("throughput") or {}
        for key, dash in (("encode_ips", "solid"), ("decode_ips", "dot")):
            if thr.get(key):
                fig.add_trace(
                    go.Scatter(
                        x=thr["batch_size"],
                        y=thr[key],
                        mode="lines+markers",
                        line={"dash": dash},
                        name=f"{_label(doc)} {key.split('_')[0]}",
                    )
                )
    resolution = next((d["throughput"]["resolution"] for d in docs if d.get("throughput")), "?")
    fig.update_layout(
        title=f"Throughput at {resolution}",
        xaxis_title="batch size",
        yaxis_title="images / s",
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 40, "l": 50, "r": 10, "b": 10},
    )
    return fig


def _table(docs: list[dict[str, Any]]) -> str:
    rows = [
        "| configuration | params | kMAC/px | encode ms | decode ms | vs CompressAI (enc+dec) | machine | command |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for doc in docs:
        cx = doc.get("complexity", {})
        lat = doc.get("latency", {})
        ref = "768x512" if "768x512" in lat.get("encode", {}) else doc["results"]["resolution"][-1]
        enc = lat.get("encode", {}).get(ref, {}).get("median")
        dec = lat.get("decode", {}).get(ref, {}).get("median")
        comp = doc.get("compare", {}).get("total_ratio")
        rows.append(
            "| {} | {:,} | {:.1f} | {} | {} | {} | {} | `{}` |".format(
                html.escape(_label(doc)),
                cx.get("params", 0),
                cx.get("kmac_per_pixel", 0.0),
                f"{enc:.1f} @ {ref}" if enc is not None else "-",
                f"{dec:.1f} @ {ref}" if dec is not None else "-",
                f"{comp:.2f}×" if comp is not None else "-",
                html.escape(_machine(doc)),
                html.escape(doc.get("meta", {}).get("command", "")),
            )
        )
    return "\n".join(rows)


def bench_section(results: list[dict[str, Any]], *, key: str = "bench") -> str:
    """Markdown with latency and throughput charts for ``results``; "" when there are none."""
    docs = [d for d in results if d.get("meta", {}).get("kind") == "bench"]
    if not docs:
        return ""
    docs = sorted(docs, key=_label)
    parts = [
        "### Latency and throughput",
        "",
        "Measured here by `lic-bench bench`; every row names its machine and command.",
        "",
        _table(docs),
        "",
    ]
    for stage in ("encode", "decode", "transform_encode", "transform_decode"):
        if any(stage in d.get("latency", {}) for d in docs):
            parts += [_figure_html(latency_figure(docs, stage), f"{key}-lat-{stage}"), ""]
    parts += [_figure_html(throughput_figure(docs), f"{key}-thr"), ""]
    return "\n".join(parts)


def bench_page(results: list[dict[str, Any]]) -> str:
    """Markdown for the benchmark overview page; "" when there are no benchmark results."""
    section = bench_section(results, key="overview")
    if not section:
        return ""
    return "\n".join(
        [
            "# Speed benchmark",
            "",
            "Encode/decode latency across resolutions (batch 1) and throughput across batch "
            "sizes, for every configuration benchmarked with `lic-bench bench`. Times are "
            "medians of repeated runs after warm-up; on CPU the thread count is part of "
            "the result.",
            "",
            section.replace("### Latency and throughput\n", "", 1),
        ]
    )
