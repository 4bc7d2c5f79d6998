"""`lic-bench compress` / `lic-bench decompress` (see lic_bench/cli/__init__.py).

Torch is imported inside the commands only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from lic_bench.cli._options import FormatOpt, ModelSetOpt, OutputFormat, ThreadsOpt, model_overrides

CheckpointOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--checkpoint",
        help="Trained weights. Without one the model is initialised from its config with a "
        "fixed seed: a pipeline test of real entropy coding, not a codec of any quality.",
    ),
]


ForceOpt = Annotated[
    bool,
    typer.Option("--force", "-f", help="Replace the output file if it exists (never the input). "
                 "Outputs are written to a temporary file and renamed, so none is left half-written."),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""

    @app.command()
    def compress(
        image: Annotated[Path, typer.Argument(help="Input image (PNG, JPEG, ...; converted to 8-bit RGB).")],
        output: Annotated[Path, typer.Option("--output", "-o", help="Bitstream file to write.")],
        model: Annotated[Optional[str], typer.Option("--model", "-m", help="Registered model name.")] = None,
        config: Annotated[Optional[Path], typer.Option("--config", help="Model config YAML.")] = None,
        checkpoint: CheckpointOpt = None,
        quality: Annotated[
            Optional[float], typer.Option("--quality", "-q", help="Rate level of a variable-rate model (float).")
        ] = None,
        threads: ThreadsOpt = None,
        force: ForceOpt = False,
        set_: ModelSetOpt = None,
    ) -> None:
        """Compress an image into a self-describing bitstream; prints bpp (from the file size)."""
        from lic_bench.bitstream.codec import compress_file

        info = compress_file(
            image, output, model=model, config=config, checkpoint=checkpoint, quality=quality,
            threads=threads, force=force, overrides=model_overrides(set_),
        )
        for note in info["notes"]:
            typer.echo(f"note: {note}", err=True)
        q = f"  quality {info['quality']:g}" if info["quality"] is not None else ""
        typer.echo(
            f"{info['output']}: {info['model']}{q}  {info['size'][1]}x{info['size'][0]}  "
            f"{info['bytes']} bytes  {info['bpp']:.4f} bpp  {info['seconds']:.3f} s "
            f"({info['threads']} threads)"
        )

    @app.command()
    def decompress(
        bitstream: Annotated[Path, typer.Argument(help="Bitstream written by `lic-bench compress`.")],
        output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")],
        checkpoint: CheckpointOpt = None,
        threads: ThreadsOpt = None,
        force: ForceOpt = False,
    ) -> None:
        """Decode a bitstream into a PNG; the model is rebuilt from the file's header."""
        from lic_bench.bitstream.codec import decompress_file

        info = decompress_file(bitstream, output, checkpoint=checkpoint, threads=threads, force=force)
        typer.echo(
            f"{info['output']}: {info['model']}  {info['size'][1]}x{info['size'][0]}  "
            f"{info['seconds']:.3f} s ({info['threads']} threads)"
        )

    @app.command()
    def inspect(
        bitstream: Annotated[Path, typer.Argument(help="Bitstream written by `lic-bench compress`.")],
        fmt: FormatOpt = OutputFormat.table,
    ) -> None:
        """Show a bitstream's header (model, hashes, sizes, quality) after checking it."""
        import json

        from lic_bench.bitstream.format import BitstreamError, unpack

        try:
            data = bitstream.read_bytes()
        except OSError as exc:
            raise BitstreamError(f"{bitstream}: cannot read ({exc.strerror})") from None
        header, _ = unpack(data)
        # A header that names code or unknown settings is reported, never shown as valid.
        from lic_bench.bitstream.codec import check_header_config

        check_header_config(header)
        if fmt is OutputFormat.json:
            typer.echo(json.dumps({**header, "bytes": len(data)}, indent=2))
            return
        h, w = header["size"]
        for key, value in (
            ("model", header["model"]),
            ("size", f"{w}x{h} (coded {header['padded'][1]}x{header['padded'][0]})"),
            ("bytes", f"{len(data)} ({len(data) * 8 / (h * w):.4f} bpp)"),
            ("quality", header["quality"]),
            ("config hash", header.get("config_hash")),
            ("weights", f"{header['weights_hash']} {header['weights']}"),
            ("init args", header["config"].get("init_args")),
        ):
            typer.echo(f"{key:12} {value}")
