"""`lic-bench bench`: latency, throughput and complexity of one model configuration."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import OutputOpt, ThreadsOpt
from lic_bench.errors import UsageError

# The defaults (seed 000 §7.3.3); --quick replaces any that are not given.
DEFAULT_RESOLUTIONS = "256,384,512,640,768,896,1024"
DEFAULT_BATCHES = "2,4,8,16"
DEFAULT_REPEATS = 50
DEFAULT_WARMUP = 3


class CompareWith(str, Enum):
    compressai = "compressai"


class BenchFormat(str, Enum):
    table = "table"
    json = "json"


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UsageError(f"{what} must be comma-separated whole numbers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise UsageError(f"{what} must be positive whole numbers, got {text!r}")
    return values


def _resolutions(text: str):
    from lic_bench.bench.runner import parse_resolution

    values = [parse_resolution(r.strip()) for r in text.split(",") if r.strip()]
    if not values:
        raise UsageError(f"--resolutions needs at least one SIZE or WIDTHxHEIGHT, got {text!r}")
    return values


def _overrides(pairs: list[str]) -> dict:
    from lic_bench.cli._options import model_overrides

    return model_overrides(pairs)


def bench(
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Registry name, e.g. mbt2018-mean.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="Model config YAML.")] = None,
    override: Annotated[
        Optional[list[str]],
        typer.Option(
            "--set",
            help="Swap or set a model key, model.KEY=VALUE (YAML value), e.g. "
            "--set model.context=checkerboard --set model.N=128 (bare KEY=VALUE also works). Repeatable.",
        ),
    ] = None,
    sweep: Annotated[
        Optional[str],
        typer.Option(
            help="Benchmark variants side by side, KEY=V1,V2,... (e.g. nonlinearity=gdn,1dn,gsdn,relu): "
            "calls alternate between them, one results file each.",
        ),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="CPU preset: resolutions 256,512,768x512; batches 2,4; 5 repeats, 1 warm-up, "
            "60 s budget per measurement. Options given explicitly still win.",
        ),
    ] = False,
    resolutions: Annotated[
        Optional[str],
        typer.Option(help=f"Comma-separated SIZE or WIDTHxHEIGHT list (default {DEFAULT_RESOLUTIONS})."),
    ] = None,
    batch_sizes: Annotated[
        Optional[str], typer.Option(help=f"Batch sizes for throughput (default {DEFAULT_BATCHES}).")
    ] = None,
    throughput_resolution: Annotated[str, typer.Option(help="Resolution for throughput.")] = "256",
    repeats: Annotated[
        Optional[int], typer.Option(min=1, help=f"Timed runs per measurement (default {DEFAULT_REPEATS}).")
    ] = None,
    warmup: Annotated[
        Optional[int], typer.Option(min=0, help=f"Untimed runs before each measurement (default {DEFAULT_WARMUP}).")
    ] = None,
    budget: Annotated[
        Optional[float],
        typer.Option(min=0.0, help="Stop repeating a measurement after this many seconds (min. 2 runs)."),
    ] = None,
    device: Annotated[str, typer.Option(help="cpu, cuda or cuda:N.")] = "cpu",
    threads: ThreadsOpt = None,
    quality: Annotated[
        Optional[float], typer.Option(help="Rate level of a variable-rate model (e.g. cui2022-gained-mean).")
    ] = None,
    compare: Annotated[
        Optional[CompareWith],
        typer.Option(help="Also time CompressAI's same architecture with identical weights, in this run."),
    ] = None,
    image: Annotated[Optional[Path], typer.Option(help="Use this image (resized) instead of random ones.")] = None,
    transforms: Annotated[bool, typer.Option(help="Also time the transforms without entropy coding.")] = True,
    output: OutputOpt = None,
    save: Annotated[bool, typer.Option(help="Write the results JSON under results/bench/ (off by default: "
                                             "a look at the numbers must not change the project).")] = False,
    fmt: Annotated[BenchFormat, typer.Option("--format", "-f", help="Output on stdout.")] = BenchFormat.table,
) -> None:
    """Time encode/decode across resolutions and batch sizes; count parameters, kMAC/px, memory."""
    if (model is None) == (config is None):
        raise UsageError("give exactly one of --model NAME or --config YAML")
    if config is not None and not config.is_file():
        raise UsageError(f"{config}: no such config file")
    if image is not None and not image.is_file():
        raise UsageError(f"{image}: no such image")
    from lic_bench.bench.runner import BenchSettings, parse_resolution, quick_settings

    overrides = _overrides(override or [])
    variants = [overrides]
    if sweep is not None:
        key, sep, values = sweep.partition("=")
        if not sep or not key.strip() or not values.strip():
            raise UsageError(f"--sweep expects KEY=V1,V2,..., got {sweep!r}")
        variants = [{**overrides, **_overrides([f"{key.strip()}={v.strip()}"])} for v in values.split(",") if v.strip()]

    base = quick_settings() if quick else BenchSettings(
        resolutions=_resolutions(DEFAULT_RESOLUTIONS),
        batch_sizes=_ints(DEFAULT_BATCHES, "--batch-sizes"),
        repeats=DEFAULT_REPEATS,
        warmup=DEFAULT_WARMUP,
    )
    if resolutions is not None:
        base.resolutions = _resolutions(resolutions)
    if batch_sizes is not None:
        base.batch_sizes = _ints(batch_sizes, "--batch-sizes")
    if repeats is not None:
        base.repeats = repeats
    if warmup is not None:
        base.warmup = warmup
    if budget is not None:
        base.budget = budget or None
    base.throughput_resolution = parse_resolution(throughput_resolution)
    base.device, base.threads, base.quality = device, threads, quality
    base.compare = compare.value if compare else None
    base.image = str(image) if image else None
    base.stages = ("transforms", "full") if transforms else ("full",)

    from lic_bench.bench.report import render_table, save_result
    from lic_bench.bench.runner import run_benchmarks
    from lic_bench.cli._progress import step_progress

    total = len(base.resolutions) + len(base.batch_sizes)
    with step_progress(total, "bench") as advance:
        docs = run_benchmarks(str(config) if config else model, base, progress=advance, variants=variants)
    if output is not None and len(docs) > 1:
        raise UsageError("--output takes one file; with --sweep the files go under results/bench/")
    if save or output:
        for doc in docs:
            path = save_result(doc, output)
            typer.echo(f"wrote {path}", err=True)
    if fmt is BenchFormat.json:
        typer.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    else:
        typer.echo("\n\n".join(render_table(doc) for doc in docs))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("bench")(bench)
