"""`lic-bench` commands: data list, data fetch (see lic_bench/cli/__init__.py)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import DataDirOpt, FormatOpt, OutputFormat

data_app = typer.Typer(help="Datasets: list what is known and present, download official copies.",
                       no_args_is_help=True)


@data_app.command("list")
def list_(data_dir: DataDirOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Known datasets, their splits and how many images are present locally."""
    from lic_bench.data.catalogue import dataset_table

    rows = dataset_table(data_dir)
    if fmt == OutputFormat.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if fmt == OutputFormat.csv:
        typer.echo("dataset,split,images,folder,downloadable")
        for r in rows:
            typer.echo(f"{r['dataset']},{r['split']},{r['images']},{r['folder']},{r['downloadable']}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("dataset", "split", "images", "download", "folder")
    for r in rows:
        table.add_row(r["dataset"], r["split"], str(r["images"]) if r["images"] else "-",
                      "yes" if r["downloadable"] else "-", r["folder"])
    Console().print(table)


@data_app.command("fetch")
def fetch(
    dataset: Annotated[str, typer.Argument(help="kodak, bsds500 or clic2020.")],
    split: Annotated[
        Optional[list[str]], typer.Option("--split", help="Only these splits (repeatable).")
    ] = None,
    data_dir: DataDirOpt = None,
    mirror: Annotated[
        Optional[str], typer.Option("--mirror", help="Server with the official paths (replaces the host).")
    ] = None,
    keep_archives: Annotated[bool, typer.Option("--keep-archives", help="Keep downloaded archives.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Download a dataset from its official source, resuming and verifying checksums."""
    from lic_bench.data.fetch import fetch_dataset

    report = fetch_dataset(dataset, data_dir, splits=split or None, mirror=mirror,
                           progress=not no_progress, keep_archives=keep_archives)
    typer.echo(
        f"{report.dataset}: {len(report.downloaded)} downloaded, {len(report.already_present)} already "
        f"present, {report.verified} verified by SHA-256, {len(report.unverified)} without a checksum "
        f"-> {report.folder}"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(data_app, name="data")
