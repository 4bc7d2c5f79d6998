"""`lic-bench eval`: a measured RD curve of a learned model (see lic_bench/engine/rd_eval.py).

Torch is imported inside the command only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import DataDirOpt, OutputOpt, ThreadsOpt


def eval_curve(
    model: Annotated[str, typer.Option("--model", "-m", help="Registered model name (e.g. mbt2018-mean).")],
    pretrained: Annotated[
        Optional[str], typer.Option("--pretrained", help="Published weights by source: compressai.")
    ] = None,
    quality: Annotated[
        Optional[str], typer.Option("--quality", "-q", help="Published qualities: 3, 1..8 or 1,3,5.")
    ] = None,
    metric: Annotated[str, typer.Option("--metric", help="Published weights trained for mse or ms-ssim.")] = "mse",
    checkpoint: Annotated[
        Optional[list[Path]],
        typer.Option("--checkpoint", help="A weights file per point, instead of --pretrained (repeatable)."),
    ] = None,
    name: Annotated[
        Optional[str], typer.Option("--name", help="Source part of the output name (default: compressai / checkpoints).")
    ] = None,
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset name (kodak, ...) or folder.")] = "kodak",
    split: Annotated[Optional[str], typer.Option("--split", help="Split of the dataset.")] = None,
    data_dir: DataDirOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N images.")] = None,
    metrics: Annotated[
        Optional[str],
        typer.Option("--metrics", help="psnr,ms-ssim (default), jpeg-ai (the JPEG AI suite), or a comma list."),
    ] = None,
    lpips_net: Annotated[Optional[str], typer.Option("--lpips", help="Also LPIPS: alex or vgg.")] = None,
    weights_dir: Annotated[
        Optional[Path],
        typer.Option("--weights-dir", help="Folder of published weights files (default: $LIC_BENCH_WEIGHTS, "
                     "then torch's hub cache)."),
    ] = None,
    work_dir: Annotated[
        Optional[Path],
        typer.Option("--work-dir", help="Where bitstreams and progress go (default: runs/eval/<model>/<source>-<dataset>)."),
    ] = None,
    output: OutputOpt = None,
    threads: ThreadsOpt = None,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda, cuda:1, ...")] = "cpu",
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Measure a rate-distortion curve with real bitstreams; write results/eval/<model>/<source>-<dataset>.json.

    Each point is a published quality (--pretrained compressai --quality 1..8) or a
    --checkpoint file. Resumable: a rerun keeps the images already measured.
    """
    from lic_bench.engine.rd_eval import parse_qualities, run_eval
    from lic_bench.errors import UsageError
    from lic_bench.metrics.suite import parse_metrics

    if not checkpoint and not pretrained:
        raise UsageError("eval needs weights: --pretrained compressai --quality 1..8, or --checkpoint files")
    if checkpoint and quality:
        raise UsageError("--quality picks published weights; with --checkpoint files, leave it out")
    qualities = parse_qualities(quality) if not checkpoint else None
    doc, path = run_eval(
        model, pretrained=pretrained, qualities=qualities,
        metric=metric, checkpoints=checkpoint, source_name=name, dataset=dataset, split=split,
        data_dir=data_dir, limit=limit, metrics=parse_metrics(metrics), lpips_net=lpips_net,
        weights_dir=weights_dir, work_dir=work_dir, output=output, threads=threads, device=device,
        progress=not no_progress,
    )
    res = doc["results"]
    points = doc["meta"]["points"]
    typer.echo(json.dumps({
        "written": str(path),
        "name": doc["name"],
        "points": {p: {"bpp": res["bpp"][i], "psnr-rgb": res["psnr-rgb"][i]} for i, p in enumerate(points)},
        "counts": doc["meta"]["counts"],
    }, indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("eval")(eval_curve)
