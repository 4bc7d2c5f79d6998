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
    typer.Option("--checkpoint", help="Trained weights (a lic-bench or CompressAI-layout checkpoint)."),
]
PretrainedOpt = Annotated[
    Optional[str],
    typer.Option(
        "--pretrained",
        help="Published weights of --model by source: 'compressai' (bmshj2018-factorized, "
        "bmshj2018-hyperprior, mbt2018-mean, mbt2018: quality 1-8; cheng2020-anchor, "
        "cheng2020-attn: 1-6). Downloaded once into torch's hub cache, checked against "
        "the hash in the file name.",
    ),
]
MetricOpt = Annotated[
    str, typer.Option("--metric", help="Which published weights: trained for 'mse' or 'ms-ssim'.")
]
WeightsDirOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--weights-dir",
        help="Folder holding published weights files under their published names (machines "
        "without internet; default: $LIC_BENCH_WEIGHTS, then torch's hub cache).",
    ),
]
RandomWeightsOpt = Annotated[
    bool,
    typer.Option(
        "--random-weights",
        help="Run the model with seeded random weights: a test of real entropy coding, not a "
        "codec (the picture comes out flat). Refused without this flag.",
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
            Optional[float],
            typer.Option("--quality", "-q", help="With --pretrained: which published file (1-8). "
                         "Else the rate level of a variable-rate model (float)."),
        ] = None,
        pretrained: PretrainedOpt = None,
        metric: MetricOpt = "mse",
        weights_dir: WeightsDirOpt = None,
        random_weights: RandomWeightsOpt = False,
        threads: ThreadsOpt = None,
        force: ForceOpt = False,
        set_: ModelSetOpt = None,
    ) -> None:
        """Compress an image into a self-describing bitstream; prints bpp (from the file size)."""
        from lic_bench.bitstream.codec import compress_file

        info = compress_file(
            image, output, model=model, config=config, checkpoint=checkpoint, quality=quality,
            threads=threads, force=force, overrides=model_overrides(set_),
            pretrained=pretrained, metric=metric, weights_dir=weights_dir, random_weights=random_weights,
        )
        for note in info["notes"]:
            typer.echo(f"note: {note}", err=True)
        q = f"  quality {info['quality']:g}" if info["quality"] is not None else ""
        typer.echo(
            f"{info['output']}: {info['model']}{q}  {info['size'][1]}x{info['size'][0]}  "
            f"{info['bytes']} bytes  {info['bpp']:.4f} bpp  {info['seconds']:.3f} s "
            f"({info['threads']} threads)"
        )
        if info["weights"].get("init") == "seed":
            typer.echo("note: random weights (--random-weights): a pipeline test, not a codec", err=True)

    @app.command()
    def decompress(
        bitstream: Annotated[Path, typer.Argument(help="Bitstream written by `lic-bench compress`.")],
        output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")],
        checkpoint: CheckpointOpt = None,
        weights_dir: WeightsDirOpt = None,
        random_weights: RandomWeightsOpt = False,
        threads: ThreadsOpt = None,
        force: ForceOpt = False,
    ) -> None:
        """Decode a bitstream into a PNG; the model is rebuilt from the file's header (published
        weights it names are found as for `compress --pretrained`)."""
        from lic_bench.bitstream.codec import decompress_file

        info = decompress_file(bitstream, output, checkpoint=checkpoint, threads=threads, force=force,
                               weights_dir=weights_dir, random_weights=random_weights)
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
        from lic_bench.bitstream.weights import describe_weights

        try:
            data = bitstream.read_bytes()
        except OSError as exc:
            raise BitstreamError(f"{bitstream}: cannot read ({exc.strerror})") from None
        header, _ = unpack(data)
        # A header that names code or unknown settings is reported, never shown as valid;
        # a config that passed the full check under this code before needs no torch.
        from lic_bench.bitstream.header_check import check_header_config, known_good

        if not known_good(header):
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
            ("weights", describe_weights(header["weights"], header["weights_hash"])),
            ("init args", header["config"].get("init_args")),
        ):
            typer.echo(f"{key:12} {value}")
