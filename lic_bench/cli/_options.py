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
    """The model keys of ``--set`` (:func:`lic_bench.engine.config.model_overrides`;
    imported on use, so ``--help`` stays fast)."""
    from lic_bench.engine.config import model_overrides as parse

    return parse(items)
