"""The ``lic-bench`` command: one composition root that wires the command modules.

Each module in this package owns one group of commands and exposes
``register(app)``; commands stay thin and call importable functions that return
data. Command modules must not import torch at module level, so that
``lic-bench kb ...`` and ``lic-bench site ...`` work without the bench extra.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

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


def console() -> None:
    """The ``lic-bench`` process (console script and ``python -m lic_bench``): :func:`main`,
    then its exit.

    Once torch is loaded, Python's own finalisation (tearing down torch's and numba's
    native state, module by module) takes 0.3-0.8 s after the command has finished, as
    long as a short command itself. Here it is skipped: every output lic-bench writes is
    complete and closed when a command returns (``safe_write``), exit handlers still run
    (``atexit``: DataLoader workers, logging), the standard streams are flushed, and the
    exit status is the one ``sys.exit`` would give. A process with other threads still
    running, or without torch, exits the usual way.
    """
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if "torch" not in sys.modules or threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit does with a message
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)
