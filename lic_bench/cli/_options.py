"""Options shared by several commands (``Annotated`` aliases)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
DataDirOpt = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Dataset folder (default: $LIC_BENCH_DATA or ../shared/data)."),
]
ThreadsOpt = Annotated[
    Optional[int], typer.Option("--threads", min=1, help="CPU threads for torch (default: torch's).")
]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file.")]

ModelSetOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--set", "-s",
        help="Swap or set a model component by name: --set model.context=checkerboard, "
        "--set model.variable_rate=gain-units, --set model.N=128 (YAML values; repeatable).",
    ),
]


def model_overrides(items: list[str] | None) -> dict:
    """``["model.context=checkerboard", "N=64"]`` -> ``{"context": "checkerboard", "N": 64}``.

    The one ``--set`` parser (:func:`lic_bench.engine.config.parse_set`); commands that
    only build a model take ``model.KEY`` or a bare ``KEY``.
    """
    from lic_bench.engine.config import parse_set
    from lic_bench.errors import UsageError

    parsed = parse_set(items or [])
    model = parsed.pop("model", {})
    if not isinstance(model, dict):
        raise UsageError("--set model=... needs a key: --set model.KEY=VALUE")
    nested = [k for k, v in parsed.items() if isinstance(v, dict)]
    if nested:
        raise UsageError(f"--set {nested[0]}.…: this command sets model keys only (model.KEY=VALUE)")
    return {**parsed, **model}
