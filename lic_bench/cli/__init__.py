"""The ``lic-bench`` command: one composition root that wires the command modules.

Each module in this package owns one group of commands and exposes
``register(app)``; commands stay thin and call importable functions that return
data. Command modules must not import torch at module level, so that
``lic-bench kb ...`` and ``lic-bench site ...`` work without the bench extra.
"""

from __future__ import annotations

import sys

import click
import typer
import typer.main

from lic_bench.cli import (
    anchors,
    bench,
    claims,
    codec,
    data,
    determinism,
    kb,
    registry,
    site,
    study,
    train,
)
from lic_bench.cli import eval as eval_cli
from lic_bench.errors import LicBenchError

app = typer.Typer(
    name="lic-bench",
    help="Knowledge base and benchmark for learned lossy image compression.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

@app.callback()
def _root() -> None:
    """Knowledge base and benchmark for learned lossy image compression."""


for _module in (kb, site, registry, codec, data, train, eval_cli, anchors, claims, bench, determinism, study):
    _module.register(app)


@app.command()
def version() -> None:
    """Print the installed lic-bench version."""
    from importlib.metadata import version as _version

    typer.echo(_version("lic-bench"))


def main(argv: list[str] | None = None, command: click.Command | None = None) -> None:
    """Console entry point: user errors become one line on stderr and a non-zero exit.

    ``command`` is the click command built from :data:`app` beforehand
    (``typer.main.get_command(app)``). Building it evaluates every command's type hints,
    which is most of a short command's start-up; a process that runs many commands from
    one warm parent (``scripts/fuzz_bitstreams.py``) builds it once.
    """
    try:
        (command or typer.main.get_command(app))(args=argv, prog_name="lic-bench")
    except LicBenchError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
