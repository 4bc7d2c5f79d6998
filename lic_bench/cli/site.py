"""`lic-bench site build|serve`: the MkDocs site generated from the knowledge base and results.

Neither command needs torch: the site reads ``taxonomy/``, ``papers/`` and ``results/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

site_app = typer.Typer(
    help="Build or serve the website (taxonomy, papers, trends, results).",
    no_args_is_help=True,
)

OutOpt = Annotated[
    Optional[Path],
    typer.Option("--out", "-o", help="Folder to build into (default: build/site)."),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict/--no-strict", help="Fail on any MkDocs warning (e.g. a dead link)."),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show MkDocs' progress.")]


def _build(out: Path | None, strict: bool, verbose: bool) -> Path:
    from lic_bench.site.build import build_site

    folder, seconds = build_site(out, strict=strict, verbose=verbose)
    pages = sum(1 for _ in folder.rglob("index.html"))
    typer.echo(f"built {pages} pages into {folder} in {seconds:.1f} s", err=True)
    return folder


@site_app.command("build")
def build_cmd(out: OutOpt = None, strict: StrictOpt = True, verbose: VerboseOpt = False) -> None:
    """Generate every page from the knowledge base and results, then build the site."""
    _build(out, strict, verbose)


@site_app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port.")] = 8000,
    out: OutOpt = None,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Serve the folder as it is, without rebuilding.")
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Build the site, then serve it on http://127.0.0.1:PORT (localhost only; Ctrl-C stops)."""
    from lic_bench.site.serve import make_server, serve_forever, url_of

    if no_build:
        from lic_bench.paths import project_root

        folder = out or project_root() / "build" / "site"
    else:
        folder = _build(out, True, verbose)
    server = make_server(folder, port, verbose=verbose)
    typer.echo(f"serving {folder} at {url_of(server)} (Ctrl-C to stop)", err=True)
    serve_forever(server)
    typer.echo("stopped", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(site_app, name="site")
