"""`lic-bench` commands: ``anchors run|list``, ``bd``, ``rd import|table`` (see lic_bench/cli/__init__.py).

Heavy libraries (torch, PyAV, Pillow, scipy) are imported inside the commands.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import DataDirOpt, OutputOpt
from lic_bench.errors import UsageError

anchors_app = typer.Typer(help="Classical anchor codecs (BPG-like x265, JPEG, JPEG 2000, WebP, AVIF, JPEG XL, VVC).",
                          no_args_is_help=True)
rd_app = typer.Typer(help="Rate-distortion curves: import reported curves, BD-rate tables.",
                     no_args_is_help=True)


class TextJson(str, Enum):
    text = "text"
    json = "json"


class Metric(str, Enum):
    psnr = "psnr-rgb"
    msssim = "ms-ssim-rgb"


class Method(str, Enum):
    pchip = "pchip"
    cubic = "cubic"
    akima = "akima"


class Provenance(str, Enum):
    reported = "reported"
    digitised = "digitised"
    measured = "measured"


def _resolve_dataset(dataset: str, data_dir: Optional[Path]) -> Path:
    from lic_bench.paths import data_dir as _data_dir

    path = Path(dataset).expanduser()
    if path.is_dir():
        return path.resolve()
    named = _data_dir(data_dir) / dataset
    if named.is_dir():
        return named
    raise UsageError(f"dataset {dataset!r}: no such folder (nor under {_data_dir(data_dir)})")


@anchors_app.command("list")
def anchors_list(
    fmt: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
) -> None:
    """List the anchor codecs, their default quality sweep and library versions."""
    from lic_bench.codecs import codec_names, codec_status

    rows = [codec_status(n) for n in codec_names()]
    if fmt is TextJson.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "ok" if row["available"] else f"UNAVAILABLE ({row['reason']})"
        versions = ", ".join(f"{k} {v}" for k, v in row["versions"].items())
        typer.echo(f"{row['name']:<12} {row['subsampling']}  {state}")
        typer.echo(f"    {row['description']}")
        typer.echo(f"    sweep ({row['quality_label']}): {row['qualities']}")
        if versions:
            typer.echo(f"    {versions}")


@anchors_app.command("run")
def anchors_run(
    codec: Annotated[str, typer.Option("--codec", "-c", help="Codec name (see `anchors list`).")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Image folder, or a dataset name under the data dir (e.g. kodak).")],
    output: OutputOpt = None,
    qualities: Annotated[Optional[list[str]], typer.Option("--qualities", "-q", help="Quality values: repeat the option or give a comma list (-q 30,40,50); default: the codec's sweep.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes (each single-threaded).")] = 1,
    preset: Annotated[Optional[str], typer.Option("--preset", help="Encoder preset (x265-bpg444, vvc420).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N images (for trials).")] = None,
    metrics: Annotated[Optional[str], typer.Option("--metrics", "-m", help="Metrics: psnr,ms-ssim (default), jpeg-ai (the JPEG AI suite), or a comma list (see `lic_bench.metrics.suite`).")] = None,
    target_bpp: Annotated[Optional[list[str]], typer.Option("--target-bpp", help="Target rates (bpp, comma list): search each image's quality to hit each within ±15%.")] = None,
    rates: Annotated[Optional[str], typer.Option("--rates", help="Preset target rates: jpeg-ai (0.06..2.0 bpp) or clic (0.075, 0.15, 0.3).")] = None,
    work_dir: Annotated[Optional[Path], typer.Option("--work-dir", help="Resumable cache of encodes, decoded images and metric values (default under ~/.cache/lic-bench).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Encode a dataset at every quality of a sweep, or at target rates; write results/anchors/<codec>/<dataset>.json."""
    from tqdm import tqdm

    from lic_bench.codecs import get_codec
    from lic_bench.codecs.rate_search import parse_targets
    from lic_bench.codecs.sweep import anchor_document, list_images
    from lic_bench.metrics.suite import parse_metrics
    from lic_bench.results import result_path, write_result

    folder = _resolve_dataset(dataset, data_dir)
    codec_obj = get_codec(codec)
    metric_names = parse_metrics(metrics)
    targets = parse_targets(target_bpp, rates)
    if targets is not None and qualities:
        raise UsageError("give --qualities or target rates (--target-bpp / --rates), not both")
    if targets is not None:
        _run_targets(codec, folder, targets, metric_names, jobs, preset, limit, work_dir, output)
        return
    if qualities:
        try:
            qualities = [int(q) for item in qualities for q in item.split(",") if q.strip()]
        except ValueError:
            raise UsageError(f"--qualities takes integers, got {' '.join(qualities)!r}") from None
    kwargs = {"preset": preset} if preset else {}
    n_q = len(qualities or codec_obj.qualities)
    n_img = len(list_images(folder)[:limit])
    with tqdm(total=n_q * n_img, desc=f"{codec} on {folder.name}", unit="enc") as bar:
        doc = anchor_document(codec, folder, qualities, jobs, kwargs, bar.update, limit,
                              metrics=metric_names)
    # the sweep sits beside the target-rate file of the same dataset (<dataset>.json)
    tag = f"{folder.name}-per-quality" if limit is None else f"{folder.name}-first{limit}-per-quality"
    path = write_result(doc, output or result_path("anchors", codec, tag))
    typer.echo(f"wrote {path} ({n_img} images x {n_q} qualities, {doc['meta']['wall_time_s']} s)")


def _run_targets(codec: str, folder: Path, targets: list[float], metric_names: list[str], jobs: int,
                 preset: Optional[str], limit: Optional[int], work_dir: Optional[Path],
                 output: Optional[Path]) -> None:
    """``anchors run --target-bpp/--rates``: quality search per image, then the metrics."""
    import warnings

    from tqdm import tqdm

    from lic_bench.codecs.sweep import list_images
    from lic_bench.codecs.targets import TargetSkipWarning, target_document
    from lic_bench.results import result_path, write_result

    kwargs = {"preset": preset} if preset else {}
    n_img = len(list_images(folder)[:limit])
    enc_bar = tqdm(total=n_img, desc=f"{codec} encode", unit="img")
    met_bar = None

    def metric_step(label: str) -> None:
        nonlocal met_bar
        if met_bar is None:
            enc_bar.close()
            met_bar = tqdm(total=n_img * len(targets) * len(metric_names), desc=f"{codec} metrics",
                           unit="metric")
        met_bar.set_postfix_str(label, refresh=False)
        met_bar.update(1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TargetSkipWarning)
        try:
            doc = target_document(codec, folder, targets, metric_names, jobs, kwargs, limit, work_dir,
                                  enc_bar.update, metric_step)
        finally:
            enc_bar.close()
            if met_bar is not None:
                met_bar.close()
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    tag = folder.name if limit is None else f"{folder.name}-first{limit}"
    path = write_result(doc, output or result_path("anchors", codec, tag))
    reached = len(doc["results"]["target_bpp"])
    typer.echo(f"wrote {path} ({n_img} images x {reached}/{len(targets)} target rates, "
               f"{doc['meta']['wall_time_s']} s)")


def _read(path: Path) -> dict:
    from lic_bench.results.io import read_result

    doc = read_result(path)
    doc.setdefault("_path", str(path))
    return doc


def bd(
    anchor: Annotated[Path, typer.Argument(help="Anchor results JSON (e.g. results/anchors/x265-bpg444/kodak-per-quality.json).")],
    test: Annotated[Path, typer.Argument(help="Test results JSON.")],
    metric: Annotated[str, typer.Option("--metric", "-m", help="Quality metric: a results key (psnr-rgb, ms-ssim-rgb, ms-ssim-y, vif, fsim, nlpd, iw-ssim, vmaf, psnr-hvs, psnr-hvs-m, psnr-y/u/v, lpips) or jpeg-ai-average (mean BD-rate over the JPEG AI seven). MS-SSIM is compared in dB, NLPD/LPIPS negated.")] = Metric.psnr.value,
    method: Annotated[Method, typer.Option("--method", help="Interpolation: pchip (default), cubic, akima.")] = Method.pchip,
    per_image: Annotated[bool, typer.Option("--per-image", help="JPEG AI CTC method: BD-rate of each image's own curve, averaged over images (both files need per-image points).")] = False,
    allow_mismatch: Annotated[bool, typer.Option("--allow-protocol-mismatch", help="Compare curves averaged over images in different ways (meta.averaging: per-quality vs per-target-rate); the output then carries a warning.")] = False,
    fmt: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
) -> None:
    """Bjøntegaard delta rate (%) and delta quality of TEST against ANCHOR.

    Both files must average over images the same way (meta.averaging); a mismatch is
    refused unless --allow-protocol-mismatch.
    """
    from lic_bench.rd.bd import JPEG_AI_AVERAGE_NAME, bd_average, bd_documents, bd_per_image
    from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, metric_key

    metric = metric_key(metric)  # VMAF, PSNR (RGB), ms-ssim-RGB: as the site spells them
    if metric not in ALL_METRICS and metric != JPEG_AI_AVERAGE_NAME:
        raise UsageError(f"unknown metric {metric!r}; use {JPEG_AI_AVERAGE_NAME} or one of {', '.join(ALL_METRICS)}")
    if per_image:
        if metric == JPEG_AI_AVERAGE_NAME:
            raise UsageError(f"--per-image takes one metric, not {JPEG_AI_AVERAGE_NAME}")
        out = bd_per_image(_read(anchor), _read(test), metric, method.value)
        if fmt is TextJson.json:
            typer.echo(json.dumps(out, indent=2))
            return
        for w in out["warnings"]:
            typer.echo(f"warning: {w}", err=True)
        if out["bd_rate"] is None:
            raise UsageError(f"--per-image: no BD-rate on {len(out['missing'])} of {out['images']} image(s): "
                             f"{', '.join(out['missing'][:5])}")
        typer.echo(f"BD-rate  ({metric}, {method.value}, per image, mean of {out['images']}): {out['bd_rate']:+.4f} %")
        return
    if metric == JPEG_AI_AVERAGE_NAME:
        avg = bd_average(_read(anchor), _read(test), method=method.value, allow_protocol_mismatch=allow_mismatch)
        if fmt is TextJson.json:
            typer.echo(json.dumps(avg, indent=2))
            return
        for w in avg["warnings"]:
            typer.echo(f"warning: {w}", err=True)
        for m, r in avg["per_metric"].items():
            value = "n/a" if r["bd_rate"] is None else f"{r['bd_rate']:+.4f} %"
            typer.echo(f"BD-rate  ({m}, {method.value}): {value}")
            for w in r.get("warnings", []):
                typer.echo(f"warning: {m}: {w}", err=True)
            if r.get("error"):
                typer.echo(f"warning: {m}: {r['error']}", err=True)
        if avg["bd_rate"] is None:
            raise UsageError(f"{JPEG_AI_AVERAGE_NAME} needs a BD-rate on each of its seven metrics; "
                             f"missing: {', '.join(avg['missing'])}")
        typer.echo(f"BD-rate  ({JPEG_AI_AVERAGE_NAME}, {method.value}): {avg['bd_rate']:+.4f} %")
        return
    res = bd_documents(_read(anchor), _read(test), metric, method.value, allow_protocol_mismatch=allow_mismatch)
    if fmt is TextJson.json:
        typer.echo(json.dumps(res.to_dict(), indent=2))
        return
    label, unit = METRIC_LABELS[metric]
    q = "BD-PSNR" if metric == "psnr-rgb" else "BD-MS-SSIM" if metric == "ms-ssim-rgb" else f"BD-{label}"
    typer.echo(f"BD-rate  ({metric}, {method.value}): {res.bd_rate:+.4f} %")
    typer.echo(f"{q:<8} ({metric}, {method.value}): {res.bd_psnr:+.4f}{' ' + unit if unit else ''}")
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)


@rd_app.command("import")
def rd_import(
    files: Annotated[list[Path], typer.Argument(help="Public RD files (CompressAI/MLIC/C3 JSON, tfc .txt, ELIC .csv, Cool-Chic .tsv).")],
    paper: Annotated[Optional[list[str]], typer.Option("--paper", help="Paper id(s) in papers/ (default: looked up from the curve's name / arXiv URL).")] = None,
    provenance: Annotated[Optional[Provenance], typer.Option("--provenance", help="Override: reported (by the authors), digitised (from a figure), measured.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Results name (default: the registry-style name of the curve).")] = None,
    curve: Annotated[Optional[str], typer.Option("--curve", help="Pick one curve from a multi-curve file (C3 baselines).")] = None,
    dataset: Annotated[Optional[str], typer.Option("--dataset", help="Dataset (default: from the path, e.g. kodak).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be written.")] = False,
) -> None:
    """Import reported RD curves into results/reported/<name>/<source-tag>.json."""
    from lic_bench.rd.importers import import_file, write_imported

    if len(files) > 1 and (paper or name or curve):
        raise UsageError("--paper/--name/--curve apply to one file at a time")
    for path in files:
        docs = import_file(path, paper=paper, provenance=provenance.value if provenance else None,
                           name=name, curve=curve, dataset=dataset)
        if dry_run:
            for doc in docs:
                typer.echo(f"{doc['name']}/{doc['meta']['tag']}: {doc['meta']['provenance']}, papers={doc['meta']['papers']}")
            continue
        for out in write_imported(docs):
            typer.echo(f"wrote {out}")


class Averaging(str, Enum):
    per_quality = "per-quality"
    per_target_rate = "per-target-rate"


class Objective(str, Enum):
    all = "all"
    mse = "mse"
    ms_ssim = "ms-ssim"
    other = "other"


@rd_app.command("table")
def rd_table(
    anchor: Annotated[str, typer.Option("--anchor", "-a", help="Anchor: a codec measured here (x265-bpg444, ...) or vtm (a reported VTM curve, with its version).")] = "x265-bpg444",
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset name (kodak, clic2020-pro-valid, tecnick).")] = "kodak",
    averaging: Annotated[Averaging, typer.Option("--averaging", help="The anchor's averaging protocol; only curves averaged the same way are compared.")] = Averaging.per_quality,
    objective: Annotated[Objective, typer.Option("--objective", help="Only models trained for this objective (classical codecs always stay); ms-ssim ranks on the MS-SSIM BD-rate.")] = Objective.all,
    method: Annotated[Method, typer.Option("--method", help="Interpolation.")] = Method.pchip,
    kinds: Annotated[Optional[list[str]], typer.Option("--kind", help="Only these result kinds (anchor, reported, eval); repeatable.")] = None,
    by_model: Annotated[bool, typer.Option("--by-model", help="One row per model version and objective, as the leaderboard shows it (its CSV download of the --objective view; json/csv only).")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json, csv or markdown.")] = "text",
    output: OutputOpt = None,
) -> None:
    """BD-rate (PSNR and MS-SSIM) of every results curve on DATASET against ANCHOR.

    Only curves averaged over images like the anchor (meta.averaging) are compared;
    every row names the anchor, its version and protocol.
    """
    from lic_bench.rd.table import (
        bd_rows,
        find_anchor,
        rows_to_csv,
        rows_to_markdown,
        rows_to_text,
        table_document,
    )
    from lic_bench.results import load_results

    if fmt not in ("text", "json", "csv", "markdown"):
        raise UsageError(f"unknown format {fmt!r} (text, json, csv, markdown)")
    docs = [d for d in load_results() if (d.get("meta") or {}).get("kind") not in ("bench", "determinism", "study")]
    anchor_doc = find_anchor(docs, anchor, dataset, averaging.value)
    if kinds:
        docs = [d for d in docs if (d.get("meta") or {}).get("kind") in kinds]
    obj = None if objective is Objective.all else objective.value
    rows = bd_rows(docs, anchor_doc, method=method.value, objective=obj)
    table = table_document(rows, anchor_doc, method.value)
    label = f"{table['anchor_text']} [{anchor_doc['_path']}]"
    if by_model:
        from lic_bench.rd.fold import fold_by_model, view_rows
        from lic_bench.rd.table import folded_csv

        if fmt not in ("json", "csv"):
            raise UsageError("--by-model prints json or csv")
        folded = fold_by_model(bd_rows(docs, anchor_doc, method=method.value))
        view = objective.value if objective is not Objective.other else "all"
        if fmt == "csv":
            text = folded_csv(folded, method.value, view).rstrip("\n")
        else:
            text = json.dumps({**table, "view": view, "rows": view_rows(folded, view)}, indent=2)
    elif fmt == "json":
        text = json.dumps(table, indent=2)
    elif fmt == "csv":
        text = rows_to_csv(rows, method.value).rstrip("\n")
    elif fmt == "markdown":
        text = rows_to_markdown(rows, label, method.value)
    else:
        text = rows_to_text(rows, label, method.value)
    if output:
        output.write_text(text + "\n")
        typer.echo(f"wrote {output} ({len(rows)} curves)")
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(anchors_app, name="anchors")
    app.add_typer(rd_app, name="rd")
    app.command("bd")(bd)
