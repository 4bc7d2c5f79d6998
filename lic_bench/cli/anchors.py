"""`lic-bench` commands: ``anchors run|list``, ``bd``, ``rd import|table`` (see lic_bench/cli/__init__.py).

Heavy libraries (torch, PyAV, Pillow, scipy) are imported inside the commands.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import DataDirOpt, OutputOpt
from lic_bench.errors import UsageError

anchors_app = typer.Typer(help="Classical anchor codecs (BPG-like x265, JPEG, JPEG 2000, WebP, AVIF, JPEG XL, VVC).",
                          no_args_is_help=True)
rd_app = typer.Typer(help="Rate-distortion curves: import reported curves, BD-rate tables.",
                     no_args_is_help=True)


class TextJson(str, Enum):
    text = "text"
    json = "json"


class Metric(str, Enum):
    psnr = "psnr-rgb"
    msssim = "ms-ssim-rgb"


class Method(str, Enum):
    pchip = "pchip"
    cubic = "cubic"
    akima = "akima"


class Provenance(str, Enum):
    reported = "reported"
    digitised = "digitised"
    measured = "measured"


def _resolve_dataset(dataset: str, data_dir: Optional[Path]) -> Path:
    from lic_bench.paths import data_dir as _data_dir

    path = Path(dataset).expanduser()
    if path.is_dir():
        return path.resolve()
    named = _data_dir(data_dir) / dataset
    if named.is_dir():
        return named
    raise UsageError(f"dataset {dataset!r}: no such folder (nor under {_data_dir(data_dir)})")


@anchors_app.command("list")
def anchors_list(
    fmt: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
) -> None:
    """List the anchor codecs, their default quality sweep and library versions."""
    from lic_bench.codecs import codec_names, codec_status

    rows = [codec_status(n) for n in codec_names()]
    if fmt is TextJson.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "ok" if row["available"] else f"UNAVAILABLE ({row['reason']})"
        versions = ", ".join(f"{k} {v}" for k, v in row["versions"].items())
        typer.echo(f"{row['name']:<12} {row['subsampling']}  {state}")
        typer.echo(f"    {row['description']}")
        typer.echo(f"    sweep ({row['quality_label']}): {row['qualities']}")
        if versions:
            typer.echo(f"    {versions}")


@anchors_app.command("run")
def anchors_run(
    codec: Annotated[str, typer.Option("--codec", "-c", help="Codec name (see `anchors list`).")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Image folder, or a dataset name under the data dir (e.g. kodak).")],
    output: OutputOpt = None,
    qualities: Annotated[Optional[list[int]], typer.Option("--qualities", "-q", help="Quality values (repeat the option); default: the codec's sweep.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes (each single-threaded).")] = 1,
    preset: Annotated[Optional[str], typer.Option("--preset", help="Encoder preset (x265-bpg444, vvc420).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the first N images (for trials).")] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Encode a dataset at every quality of a sweep; write results/anchors/<codec>/<dataset>.json."""
    from tqdm import tqdm

    from lic_bench.codecs import get_codec
    from lic_bench.codecs.sweep import anchor_document, list_images
    from lic_bench.results import result_path, write_result

    folder = _resolve_dataset(dataset, data_dir)
    codec_obj = get_codec(codec)
    kwargs = {"preset": preset} if preset else {}
    n_q = len(qualities or codec_obj.qualities)
    n_img = len(list_images(folder)[:limit])
    with tqdm(total=n_q * n_img, desc=f"{codec} on {folder.name}", unit="enc") as bar:
        doc = anchor_document(codec, folder, qualities, jobs, kwargs, bar.update, limit)
    tag = folder.name if limit is None else f"{folder.name}-first{limit}"
    path = write_result(doc, output or result_path("anchors", codec, tag))
    typer.echo(f"wrote {path} ({n_img} images x {n_q} qualities, {doc['meta']['wall_time_s']} s)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(anchors_app, name="anchors")
    app.add_typer(rd_app, name="rd")
