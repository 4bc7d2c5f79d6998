"""`lic-bench` commands: fit, validate, test (see lic_bench/cli/__init__.py).

Configs are YAML (see configs/protocols/ and configs/ablation/); ``--config`` may be
given several times (merged left to right) and ``--set key=value`` overrides any field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import DataDirOpt, OutputOpt, ThreadsOpt

ConfigOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--config", "-c", help="Config YAML (repeatable; later files win)."),
]
SetOpt = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a field: --set optim.lr=3e-4 (repeatable)."),
]
CheckpointOpt = Annotated[Path, typer.Option("--checkpoint", help="Checkpoint (.ckpt) of a fit run.")]


def _config(paths, sets, data_dir, threads, checkpoint: Path | None = None) -> dict:
    from lic_bench.engine.config import load_config

    extra: dict = {}
    if data_dir:
        extra.setdefault("data", {})["data_dir"] = str(data_dir)
    if threads:
        extra["threads"] = threads
    if not paths and checkpoint is not None:
        from lic_bench.engine.config import deep_merge, parse_set, resolve
        from lic_bench.engine.train import config_from_checkpoint

        cfg = deep_merge(config_from_checkpoint(checkpoint), extra)
        return resolve(deep_merge(cfg, parse_set(sets or [])))
    if not paths and not sets:
        from lic_bench.errors import UsageError

        raise UsageError("give --config FILE (e.g. configs/ablation/fp-gdn-q3.yaml) or --set items")
    return load_config(paths or [], sets or [], extra)


def fit(
    config: ConfigOpt = None,
    set_: SetOpt = None,
    resume: Annotated[
        Optional[Path], typer.Option("--resume", help="Continue exactly from this checkpoint.")
    ] = None,
    data_dir: DataDirOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    """Train a model (Lightning): checkpoints, logs and config.yaml go to runs/<name>/<time>/."""
    from lic_bench.engine.train import fit as _fit

    result = _fit(_config(config, set_, data_dir, threads), resume=resume)
    from lightning.pytorch.utilities.rank_zero import rank_zero_only

    if getattr(rank_zero_only, "rank", 0) == 0:  # one report per run, not one per DDP process
        typer.echo(json.dumps(result.__dict__, indent=2))


def validate(
    checkpoint: CheckpointOpt,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    data_dir: DataDirOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    """Validation metrics of a checkpoint on the config's data.val set."""
    from lic_bench.engine.train import validate as _validate

    cfg = _config(config, set_, data_dir, threads, checkpoint)
    typer.echo(json.dumps(_validate(cfg, checkpoint), indent=2))


def test(
    checkpoint: CheckpointOpt,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    dataset: Annotated[
        Optional[str], typer.Option("--dataset", help="Dataset name (kodak, wiki49, ...) or folder.")
    ] = None,
    split: Annotated[Optional[str], typer.Option("--split", help="Split of the dataset.")] = None,
    data_dir: DataDirOpt = None,
    threads: ThreadsOpt = None,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda, cuda:1, ...")] = "cpu",
    lpips_net: Annotated[
        Optional[str], typer.Option("--lpips", help="LPIPS backbone: alex (default) or vgg.")
    ] = None,
    limit: Annotated[
        Optional[int], typer.Option("--limit", min=1, help="Only the first N images.")
    ] = None,
    output: OutputOpt = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    metrics: Annotated[
        Optional[str], typer.Option("--metrics", "-m", help="psnr,ms-ssim (default; LPIPS always), jpeg-ai (the JPEG AI suite), or a comma list.")
    ] = None,
) -> None:
    """Evaluate a checkpoint with real bitstreams; write results/eval/<model>/<run>-<dataset>.json."""
    from lic_bench.engine.evaluate import run_test
    from lic_bench.metrics.suite import parse_metrics

    metric_names = parse_metrics(metrics)

    cfg = _config(config, set_, data_dir, threads, checkpoint)
    doc, path = run_test(checkpoint, config=cfg, dataset=dataset, split=split,
                         data_dir=str(data_dir) if data_dir else None, threads=threads,
                         device=device, lpips_net=lpips_net, progress=not no_progress,
                         limit=limit, output=output, metrics=metric_names)
    summary = {k: v[0] for k, v in doc["results"].items()}
    typer.echo(json.dumps({"written": str(path), "name": doc["name"], "mean": summary,
                           "lpips_unavailable": doc["meta"].get("lpips_unavailable")}, indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("fit")(fit)
    app.command("validate")(validate)
    app.command("test")(test)
