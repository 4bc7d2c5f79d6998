"""A study's results: BD-rate and BD-PSNR against an anchor, mean ± std over seeds.

The layout of Ferrari 2025's Tables 7.1 and 7.6 (ferrari2025-registry, ch. 7: one row
per variant, BD-rate against BPG 4:4:4), plus the spread over seeds that the thesis does
not give. A variant is everything but seed and rate: each seed's cells make one RD
curve, BD is taken per curve (:mod:`lic_bench.rd.bd`, PCHIP), then averaged. Departure:
when the cells were tested on the first N images only (``test_limit``), the anchor is
averaged over the same images from its per-image values, so both curves describe the
same pictures.

With ``reference`` (published curves of the same variants), the report ranks the
variants by the study's mean BD-rate and by the published curves' BD-rate against the
same anchor, and gives Spearman's ρ between the two rankings; with ``baseline`` both
rankings are taken against that variant instead (see :func:`_ranking`). Missing or
partial cells are listed, never fatal.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError, UsageError
from lic_bench.study.grid import Cell, Study

METRIC = "psnr-rgb"


def _image_names(doc: dict[str, Any]) -> list[str]:
    return sorted({name.split("/", 1)[-1] for name in doc.get("per_image") or {}})


def anchor_on(anchor: dict[str, Any], images: list[str]) -> dict[str, Any]:
    """The anchor's curve averaged over ``images`` only (rates every one of them reached)."""
    per = anchor.get("per_image") or {}
    if not images or set(images) == set(per) or not set(images) <= set(per):
        return anchor
    rows = [per[n] for n in images]
    bpp, quality = [], []
    for j in range(min(len(r.get("bpp") or []) for r in rows)):
        pts = [(r["bpp"][j], (r.get(METRIC) or [None] * (j + 1))[j]) for r in rows]
        if all(b is not None and q is not None for b, q in pts):
            bpp.append(statistics.fmean(b for b, _ in pts))
            quality.append(statistics.fmean(q for _, q in pts))
    return {"name": anchor.get("name"), "results": {"bpp": bpp, METRIC: quality},
            "meta": {**(anchor.get("meta") or {}), "subset": images}}


def _mean_std(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def _bd(anchor: dict[str, Any], results: dict[str, list], label: str) -> dict[str, Any]:
    from lic_bench.rd.bd import bd_curves
    from lic_bench.rd.curves import curve

    try:
        res = bd_curves(curve(anchor, METRIC), curve({"results": results}, METRIC, label=label))
    except LicBenchError as exc:
        return {"bd_rate": None, "bd_psnr": None, "warnings": [str(exc)]}
    out = res.to_dict()
    return {"bd_rate": out["bd_rate"], "bd_psnr": out["bd_psnr"], "warnings": res.warnings}


def load_cells(cells: list[Cell], results_dir: Path) -> tuple[dict[str, dict], list[str], list[str]]:
    """(cell id -> results document, missing cell ids, notes on unreadable or stale files)."""
    from lic_bench.results.io import read_result

    found, notes = {}, []
    for cell in cells:
        path = results_dir / f"{cell.id}.json"
        if not path.is_file():
            continue
        try:
            found[cell.id] = read_result(path)
        except LicBenchError as exc:
            notes.append(f"{cell.id}: unreadable ({exc})")
    docs, missing, stale = check_cells(cells, found)
    return docs, missing, notes + stale


def check_cells(cells: list[Cell], found: dict[str, dict]) -> tuple[dict[str, dict], list[str], list[str]]:
    """``found`` (cell id -> document, read already) as (documents, missing ids, stale notes)."""
    docs, missing, notes = {}, [], []
    for cell in cells:
        doc = found.get(cell.id)
        if doc is None:
            missing.append(cell.id)
            continue
        meta = doc.get("meta") or {}
        # protocol_hash: cells written before it was recorded are judged by their settings only
        if meta.get("config_hash") != cell.config_hash or (
                meta.get("protocol_hash") and cell.protocol_hash and meta["protocol_hash"] != cell.protocol_hash):
            notes.append(f"{cell.id}: made with other settings than the study file now gives (stale)")
        docs[cell.id] = doc
    return docs, missing, notes


def build_report(study: Study, cells: list[Cell], results_dir: Path, anchor_name: str | None = None) -> dict:
    """The report as data (what ``--format json`` prints)."""
    from lic_bench.paths import results_dir as results_root
    from lic_bench.results.io import read_result

    anchor_name = anchor_name or study.anchor
    anchor_path = results_root() / "anchors" / anchor_name / f"{study.dataset}.json"
    if not anchor_path.is_file():
        raise UsageError(f"no anchor {anchor_name!r} on {study.dataset!r} ({anchor_path} does not exist)")
    anchor = read_result(anchor_path)
    docs, missing, notes = load_cells(cells, results_dir)
    return summarise(study, cells, docs, missing, notes, anchor, anchor_name)


def summarise(study: Study, cells: list[Cell], docs: dict[str, dict], missing: list[str], notes: list[str],
              anchor: dict[str, Any], anchor_name: str, read: Any = None) -> dict:
    """The report from documents already read (:func:`build_report` reads them from disk;
    the site hands over the ones it loaded). ``read(path)`` reads a reference curve
    (default :func:`lic_bench.results.io.read_result`)."""
    variants: dict[str, dict[str, Any]] = {}
    for cell in cells:
        v = variants.setdefault(cell.variant, {"model": cell.model, "swap": cell.swap, "seeds": {},
                                               "cells_missing": []})
        if cell.id not in docs:
            v["cells_missing"].append(cell.id)
            continue
        res = docs[cell.id]["results"]
        seed = v["seeds"].setdefault(str(cell.seed), {"bpp": [], METRIC: [], "images": None})
        seed["bpp"] += res["bpp"]
        seed[METRIC] += res[METRIC]
        seed["images"] = _image_names(docs[cell.id])

    cost = {"cells": len(docs), "cpu_hours": 0.0, "gpu_hours": 0.0, "wall_hours": 0.0}
    for doc in docs.values():
        meta = doc.get("meta") or {}
        cost["cpu_hours"] += float(meta.get("cpu_s") or 0) / 3600
        cost["gpu_hours"] += float(meta.get("gpu_s") or 0) / 3600
        cost["wall_hours"] += float(meta.get("wall_s") or 0) / 3600
    cost = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in cost.items()}

    anchor_curve = anchor["results"]
    for name, v in variants.items():
        rates, psnrs = [], []
        for seed, pts in v["seeds"].items():
            used = anchor_on(anchor, pts.pop("images"))
            anchor_curve = used["results"]  # cells share their test images: one anchor curve
            bd = _bd(used, pts, f"{name} seed {seed}")
            pts.update(bd)
            if bd["bd_rate"] is not None:
                rates.append(bd["bd_rate"])
            if bd["bd_psnr"] is not None:
                psnrs.append(bd["bd_psnr"])
        v["bd_rate_mean"], v["bd_rate_std"] = _mean_std(rates)
        v["bd_psnr_mean"], v["bd_psnr_std"] = _mean_std(psnrs)
        v["n_seeds"] = len(v["seeds"])  # seeds with results (BD may still be undefined for some)

    report: dict[str, Any] = {"study": study.name, "anchor": anchor_name, "dataset": study.dataset,
                              "metric": METRIC, "test_limit": study.test_limit, "variants": variants,
                              "missing": missing, "cost": cost, "notes": notes,
                              "anchor_curve": {"bpp": anchor_curve["bpp"], METRIC: anchor_curve[METRIC]}}
    if study.baseline:
        report["baseline"] = study.baseline
        report["baseline_curve"] = _against_baseline(study.baseline, variants, notes)
    if study.reference:
        report.update(_ranking(study, variants, anchor, read))
    return report


def mean_curve(seeds: dict[str, dict]) -> dict[str, list] | None:
    """A variant's curve averaged over seeds, level by level (the seeds share λ levels)."""
    curves = [pts for pts in seeds.values() if pts.get("bpp")]
    if not curves:
        return None
    n = min(len(c["bpp"]) for c in curves)
    return {key: [statistics.fmean(c[key][i] for c in curves) for i in range(n)] for key in ("bpp", METRIC)}


def _against_baseline(base: str, variants: dict[str, dict], notes: list[str]) -> dict[str, list] | None:
    """BD of every seed curve against the baseline variant's seed-mean curve, as
    ``baseline_bd_rate_mean`` (etc.) of each variant; returns that curve."""
    curve = mean_curve(variants.get(base, {}).get("seeds", {}))
    if curve is None or len(curve["bpp"]) < 2:
        notes.append(f"baseline {base}: no results yet")
        curve = None
    for name, v in variants.items():
        rates, psnrs = [], []
        for seed, pts in v["seeds"].items():
            if curve is None:
                continue
            bd = _bd({"results": curve}, {"bpp": pts["bpp"], METRIC: pts[METRIC]}, f"{name} seed {seed}")
            pts["vs_baseline"] = {"bd_rate": bd["bd_rate"], "bd_psnr": bd["bd_psnr"]}
            if bd["bd_rate"] is not None and math.isfinite(bd["bd_rate"]):
                rates.append(bd["bd_rate"])
            if bd["bd_psnr"] is not None and math.isfinite(bd["bd_psnr"]):
                psnrs.append(bd["bd_psnr"])
            notes += [f"{name} seed {seed} vs {base}: {w}" for w in bd["warnings"]]
        v["baseline_bd_rate_mean"], v["baseline_bd_rate_std"] = _mean_std(rates)
        v["baseline_bd_psnr_mean"], v["baseline_bd_psnr_std"] = _mean_std(psnrs)
    return curve


def _ranking(study: Study, variants: dict[str, dict], anchor: dict[str, Any], read: Any = None) -> dict[str, Any]:
    """Spearman's ρ between the study's BD-rates and the reported curves' BD-rates.

    Both rankings are taken against the codec anchor, or, when the study names a
    ``baseline`` variant, against that variant: its seed-mean curve for the study's
    cells (:func:`_against_baseline`) and its reported curve for the references. A short training cannot reach a
    classical codec's quality range, and BD is undefined without overlap; against a
    variant trained the same way it is defined, and a ranking does not depend on which
    common curve it is measured against as long as both curves overlap each other.
    """
    from lic_bench.results.io import read_result

    read_result = read or read_result
    curves: dict[str, dict] = {}
    notes: list[str] = []
    for name, path in study.reference.items():
        try:
            curves[name] = read_result(path)["results"]
        except LicBenchError as exc:
            notes.append(f"reference {name}: {exc}")
    base = study.baseline
    if base:
        ref_anchor = {"results": curves[base]} if base in curves else None
        if ref_anchor is None:
            notes.append(f"baseline {base} has no reference curve: the reported ranking is not computed")
    else:
        ref_anchor = anchor
    reference: dict[str, float | None] = {n: None for n in study.reference}
    if ref_anchor is not None:
        for name, res in curves.items():
            reference[name] = _bd(ref_anchor, res, f"{name} (reported)")["bd_rate"]
    key = "baseline_bd_rate" if base else "bd_rate"
    ranked = {name: {"bd_rate_mean": variants[name][f"{key}_mean"], "bd_rate_std": variants[name][f"{key}_std"]}
              for name in study.reference if name in variants}
    both = [n for n in reference if reference[n] is not None
            and (ranked.get(n) or {}).get("bd_rate_mean") is not None]
    rho = None
    if len(both) >= 2:
        from scipy.stats import spearmanr

        rho = float(spearmanr([ranked[n]["bd_rate_mean"] for n in both], [reference[n] for n in both])[0])
        rho = None if math.isnan(rho) else rho
    if len(both) < len(reference):
        notes.append(f"Spearman over {len(both)} of {len(reference)} reference variants "
                     f"(no result yet: {', '.join(n for n in reference if n not in both)})")
    return {"spearman": rho, "spearman_n": len(both), "models": ranked,
            "ranked_against": base or study.anchor,
            "reference": {"bd_rate": reference, "files": {n: str(p) for n, p in study.reference.items()}},
            "ranking_notes": notes}


def pm_text(mean: float | None, std: float | None, unit: str) -> str:
    if mean is None:
        return "n/a"
    return f"{mean:+.2f}{unit}" + (f" ± {std:.2f}" if std is not None else "")


def to_text(report: dict[str, Any]) -> str:
    """The table (mean ± std over seeds), ranking, cost and what is missing."""
    ref = (report.get("reference") or {}).get("bd_rate") or {}
    # the reported column sits beside BD vs the codec anchor only when that is what it measures
    ref_main = ref if report.get("ranked_against", report["anchor"]) == report["anchor"] else {}
    lines = [f"study {report['study']}: BD vs {report['anchor']} on {report['dataset']} "
             f"(PCHIP, {report['metric']}; negative BD-rate = fewer bits than the anchor; mean ± std over seeds)",
             f"{'variant':<34} {'seeds':>5} {'BD-rate %':>17} {'BD-PSNR dB':>17}"
             + (f" {'vs ' + report['baseline'][:14] + ' %':>20}" if report.get("baseline") else "")
             + ("  reported BD-rate %" if ref_main else "")]
    order = sorted(report["variants"].items(),
                   key=lambda kv: (kv[1]["bd_rate_mean"] is None, kv[1]["bd_rate_mean"] or 0))
    for name, v in order:
        line = (f"{name[:34]:<34} {v['n_seeds']:>5} {pm_text(v['bd_rate_mean'], v['bd_rate_std'], ''):>17} "
                f"{pm_text(v['bd_psnr_mean'], v['bd_psnr_std'], ''):>17}")
        if report.get("baseline"):
            line += f" {pm_text(v.get('baseline_bd_rate_mean'), v.get('baseline_bd_rate_std'), ''):>20}"
        if ref_main:
            line += f"  {pm_text(ref.get(name), None, '') if name in ref else '':>18}"
        lines.append(line)
    if "spearman" in report:
        rho, against = report["spearman"], report.get("ranked_against")
        if against and against != report["anchor"]:
            lines.append(f"ranking: BD-rate % vs {against} (the study's seed-mean curve; the reported curve for the references)")
            for name, m in report["models"].items():
                lines.append(f"  {name[:32]:<32} {pm_text(m['bd_rate_mean'], m['bd_rate_std'], ''):>17}"
                             f"  reported {pm_text(ref.get(name), None, '')}")
        lines.append(f"Spearman ρ (study vs reported ranking, {report['spearman_n']} variants): "
                     + ("n/a" if rho is None else f"{rho:+.3f}"))
    c = report["cost"]
    lines.append(f"cost: {c['cpu_hours']:.3f} CPU-hours, {c['gpu_hours']:.3f} GPU-hours, "
                 f"{c['wall_hours']:.3f} h wall over {c['cells']} cells")
    if report.get("test_limit"):
        lines.append(f"tested on the first {report['test_limit']} images only; the anchor is averaged over the same")
    missing = report["missing"]
    if missing:
        shown = ", ".join(missing[:6]) + (f" (+{len(missing) - 6} more)" if len(missing) > 6 else "")
        lines.append(f"missing: {len(missing)} cell(s): {shown}")
    warned = sorted({w for v in report["variants"].values() for s in v["seeds"].values() for w in s["warnings"]})
    for note in [*report["notes"], *report.get("ranking_notes", []), *warned]:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def rd_figure(report: dict[str, Any]):
    """Plotly figure: each variant's mean curve over seeds with a min-max band across seeds.

    Seeds reach different rates, so each seed's curve is interpolated (in log-rate) on a
    grid over the range all seeds share; outside it only the points are drawn.
    """
    import numpy as np
    import plotly.graph_objects as go

    fig = go.Figure()
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf"]
    anchor = report["anchor_curve"]  # on the images the cells were tested on
    fig.add_scatter(x=anchor["bpp"], y=anchor[METRIC], name=report["anchor"], mode="lines+markers",
                    line={"color": "black", "dash": "dot"})
    for i, (name, v) in enumerate(sorted(report["variants"].items())):
        colour = palette[i % len(palette)]
        curves = []
        for seed, pts in v["seeds"].items():
            order = np.argsort(pts["bpp"])
            x, y = np.asarray(pts["bpp"])[order], np.asarray(pts[METRIC])[order]
            fig.add_scatter(x=x, y=y, mode="markers", marker={"color": colour, "size": 5}, name=f"{name} s{seed}",
                            legendgroup=name, showlegend=False)
            if len(x) >= 2:
                curves.append((np.log(x), y))
        if not curves:
            continue
        lo, hi = max(c[0].min() for c in curves), min(c[0].max() for c in curves)
        if hi <= lo:
            continue
        grid = np.linspace(lo, hi, 40)
        ys = np.stack([np.interp(grid, cx, cy) for cx, cy in curves])
        x = np.exp(grid)
        fig.add_scatter(x=np.concatenate([x, x[::-1]]), y=np.concatenate([ys.max(0), ys.min(0)[::-1]]),
                        fill="toself", fillcolor=colour, opacity=0.2, line={"width": 0}, legendgroup=name,
                        showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=x, y=ys.mean(0), mode="lines", line={"color": colour}, name=f"{name} ({len(curves)} seeds)",
                        legendgroup=name)
    fig.update_layout(title=f"{report['study']} on {report['dataset']}: mean over seeds, band = min-max",
                      xaxis_title="bpp", yaxis_title="PSNR-RGB (dB)", template="plotly_white")
    return fig


def write_plot(report: dict[str, Any], path: Path, *, force: bool = True) -> Path:
    """The RD plot as HTML (plotly.js from its CDN) or PNG/SVG (needs kaleido) by suffix,
    through :mod:`lic_bench.safe_write` (an existing file is kept unless ``force``)."""
    from lic_bench import safe_write

    fig = rd_figure(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".html":
        return safe_write.write_text(path, fig.to_html(include_plotlyjs="cdn"), force=force)
    safe_write.check_target(path, force=force)
    try:
        data = fig.to_image(format=path.suffix.lstrip(".") or "png")
    except (ValueError, ImportError, RuntimeError) as exc:
        raise UsageError(f"cannot write {path.suffix} (plotly needs kaleido for images): use .html") from exc
    return safe_write.write_bytes(path, data, force=force)
