"""`lic-bench bench`: latency, throughput and complexity of one model configuration."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.bench.request import (
    DEFAULT_BATCHES,
    DEFAULT_REPEATS,
    DEFAULT_RESOLUTIONS,
    DEFAULT_WARMUP,
)
from lic_bench.cli._options import OutputOpt, ThreadsOpt
from lic_bench.errors import UsageError


class CompareWith(str, Enum):
    compressai = "compressai"


class BenchFormat(str, Enum):
    table = "table"
    json = "json"


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
    from lic_bench.bench.report import render_table, save_result
    from lic_bench.bench.request import BenchRequest, run_request
    from lic_bench.cli._progress import step_progress
    from lic_bench.engine.config import model_overrides

    request = BenchRequest(
        model=model, config=config, overrides=model_overrides(override or []), sweep=sweep, quick=quick,
        resolutions=resolutions, batch_sizes=batch_sizes, throughput_resolution=throughput_resolution,
        repeats=repeats, warmup=warmup, budget=budget, device=device, threads=threads, quality=quality,
        compare=compare.value if compare else None, image=image, transforms=transforms,
    )
    request.source()  # one-line errors before any work
    settings = request.settings()
    with step_progress(len(settings.resolutions) + len(settings.batch_sizes), "bench") as advance:
        docs = run_request(request, progress=advance)
    if output is not None and len(docs) > 1:
        raise UsageError("--output takes one file; with --sweep the files go under results/bench/")
    for doc in docs if save or output else ():
        typer.echo(f"wrote {save_result(doc, output)}", err=True)
    if fmt is BenchFormat.json:
        typer.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    else:
        typer.echo("\n\n".join(render_table(doc) for doc in docs))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("bench")(bench)
