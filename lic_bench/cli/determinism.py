"""`lic-bench determinism`: does each model decode to the same image on every backend?"""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from lic_bench.errors import UsageError


def _crop(text: str) -> tuple[int, int] | None:
    if text == "full":
        return None
    from lic_bench.bench.runner import parse_resolution

    return tuple(parse_resolution(text))


def determinism(
    model: Annotated[
        Optional[list[str]],
        typer.Option("--model", "-m", help="Registry name (repeatable; default: every model)."),
    ] = None,
    image: Annotated[
        Optional[str], typer.Option(help="Image to encode (default: Kodak's kodim23.png).")
    ] = None,
    crop: Annotated[
        str, typer.Option(help="Centre crop SIZE or WIDTHxHEIGHT, or 'full' for the whole image.")
    ] = "256",
    save: Annotated[bool, typer.Option(help="Write results/determinism/<model>/<config hash>.json.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documents as JSON.")] = False,
) -> None:
    """Encode one image per model, decode it in fresh processes with 1 and 2 threads,
    oneDNN on and off (and on CUDA where present); report whether the images match."""
    from lic_bench.bench.determinism import check_models, render_text, save_document
    from lic_bench.cli._progress import step_progress
    from lic_bench.registry import MODELS, load_all

    load_all()
    names = list(model or MODELS.list())
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise UsageError(f"unknown model(s) {', '.join(unknown)}; see lic-bench models list")
    size = _crop(crop)
    from lic_bench.bench.determinism import BACKENDS

    with step_progress(len(names) + len(BACKENDS), "determinism") as advance:
        docs = check_models(names, image=image, crop=size, progress=advance)
    if save:
        for doc in docs:
            typer.echo(f"wrote {save_document(doc)}", err=True)
    typer.echo(json.dumps(docs, indent=2) if as_json else render_text(docs))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("determinism")(determinism)
