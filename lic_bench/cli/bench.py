"""`lic-bench bench`: latency, throughput and complexity of one model configuration."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import OutputOpt, ThreadsOpt
from lic_bench.errors import UsageError


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


def bench(
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Registry name, e.g. mbt2018-mean.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="Model config YAML.")] = None,
    resolutions: Annotated[
        str, typer.Option(help="Comma-separated SIZE or WIDTHxHEIGHT list.")
    ] = "256,384,512,640,768,896,1024",
    batch_sizes: Annotated[str, typer.Option(help="Batch sizes for throughput.")] = "2,4,8,16",
    throughput_resolution: Annotated[str, typer.Option(help="Resolution for throughput.")] = "256",
    repeats: Annotated[int, typer.Option(min=1, help="Timed runs per measurement.")] = 50,
    warmup: Annotated[int, typer.Option(min=0, help="Untimed runs before each measurement.")] = 3,
    device: Annotated[str, typer.Option(help="cpu, cuda or cuda:N.")] = "cpu",
    threads: ThreadsOpt = None,
    compare: Annotated[
        Optional[CompareWith], typer.Option(help="Also time this implementation with the same weights.")
    ] = None,
    image: Annotated[Optional[Path], typer.Option(help="Use this image (resized) instead of random ones.")] = None,
    transforms: Annotated[bool, typer.Option(help="Also time the transforms without entropy coding.")] = True,
    output: OutputOpt = None,
    save: Annotated[bool, typer.Option(help="Write the results JSON under results/bench/.")] = True,
    fmt: Annotated[BenchFormat, typer.Option("--format", "-f", help="Output on stdout.")] = BenchFormat.table,
) -> None:
    """Time encode/decode across resolutions and batch sizes; count parameters, kMAC/px, memory."""
    if (model is None) == (config is None):
        raise UsageError("give exactly one of --model NAME or --config YAML")
    if image is not None and not image.is_file():
        raise UsageError(f"{image}: no such image")
    from lic_bench.bench.report import render_table, save_result
    from lic_bench.bench.runner import BenchSettings, parse_resolution, run_benchmark
    from lic_bench.cli._progress import step_progress

    settings = BenchSettings(
        resolutions=[parse_resolution(r) for r in resolutions.split(",") if r.strip()],
        batch_sizes=_ints(batch_sizes, "--batch-sizes"),
        throughput_resolution=parse_resolution(throughput_resolution),
        repeats=repeats,
        warmup=warmup,
        device=device,
        threads=threads,
        compare=compare.value if compare else None,
        image=str(image) if image else None,
        stages=("transforms", "full") if transforms else ("full",),
    )
    total = len(settings.resolutions) + len(settings.batch_sizes)
    with step_progress(total, "bench") as advance:
        doc = run_benchmark(str(config) if config else model, settings, progress=advance)
    if save or output:
        path = save_result(doc, output)
        typer.echo(f"wrote {path}", err=True)
    if fmt is BenchFormat.json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        typer.echo(render_table(doc))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("bench")(bench)
