"""Image <-> bitstream with any registered model.

``encode_image`` pads the image to the model's ``downsampling_factor`` (edge
replication, right and bottom), runs ``model.compress`` and packs the strings
with everything a decoder needs (:mod:`lic_bench.bitstream.format`).
``decode_image`` rebuilds the model from the embedded config when none is given,
checks the weights hash, decodes and crops.

Weights come from a checkpoint, from published weights by name
(:mod:`lic_bench.models.pretrained`), or the model is initialised from its config
with a fixed seed (:data:`RANDOM_SEED`): a pipeline test of real entropy coding,
not a codec of any quality, which the CLI refuses unless asked for
(:mod:`lic_bench.bitstream.weights`). The header records which; the weights hash
lets the decoder refuse other weights.

Determinism: the decoder must reproduce the encoder's hyper-decoder outputs bit
for bit (a scale on the other side of a scale-table boundary changes the rANS
index and garbles the rest of the stream). On this CPU PyTorch's oneDNN 1x1
convolution is the one operation found whose float result changes with the
thread count, so divisive normalisation mixes channels with ``torch.matmul``
(:func:`lic_bench.layers.pointwise`); tests/core decodes in fresh processes with
1 and 2 threads and compares the images byte for byte.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from lic_bench.bitstream.budget import check_budget
from lic_bench.bitstream.format import CONTEXT_REORDERED, BitstreamError, pack, unpack
from lic_bench.bitstream.header_check import check_header_config
from lic_bench.bitstream.image_io import check_output, read_image, write_output, write_png
from lic_bench.errors import UsageError
from lic_bench.models import load_model_config, weights_hash
from lic_bench.models.base import CodingModel
from lic_bench.models.seeded import RANDOM_SEED, model_for_coding
from lic_bench.results import config_hash

__all__ = [
    "RANDOM_SEED",
    "compress_file",
    "decode_image",
    "decompress_file",
    "encode_image",
    "model_for_coding",
    "pad_image",
    "read_header",
]

# Decoders rebuilt from headers, by (config hash, checkpoint path, its mtime):
# decoding many files of one model builds it once.
_DECODERS: OrderedDict[tuple, torch.nn.Module] = OrderedDict()
_DECODER_CACHE_SIZE = 4


def pad_image(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Pad right/bottom by edge replication to a multiple of ``multiple``."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if not ph and not pw:
        return x
    return F.pad(x, (0, pw, 0, ph), mode="replicate")


def _coder_ready(model: torch.nn.Module) -> None:
    from lic_bench.entropy.internals import needs_update

    if needs_update(model):
        model.update(force=True)


def encode_image(
    model: CodingModel,
    x: torch.Tensor,
    config: dict | None = None,
    *,
    quality: float | None = None,
) -> bytes:
    """Compress ``x`` (``[1, 3, H, W]``, values in [0, 1]) into a bitstream file's bytes.

    Args:
        model: a model of the coding protocol (:class:`~lic_bench.models.base.CodingModel`).
        x: the image.
        config: its resolved config (default: ``model.config``, set by ``build_model``).
        quality: rate level of a variable-rate model (float); must be None otherwise.
    """
    if x.dim() != 4 or x.shape[0] != 1 or x.shape[1] != 3:
        raise UsageError(f"encode_image takes a [1, 3, H, W] tensor, got {list(x.shape)}")
    cfg = config if config is not None else model.config
    if cfg is None:
        raise UsageError("encode_image needs the model's config (build it with build_model)")
    cfg = load_model_config(cfg)
    variable = model.variable_rate
    if quality is not None and not variable:
        raise UsageError(f"model {cfg['name']!r} has a fixed rate; --quality needs a variable-rate model")
    h, w = (int(v) for v in x.shape[-2:])
    check_budget(h, w, int(model.M), "coding")
    device = next(model.parameters()).device
    padded = pad_image(x.to(device).float().clamp(0, 1), int(model.downsampling_factor))
    model.eval()
    _coder_ready(model)
    with torch.no_grad():
        try:
            out = model.compress(padded, quality=quality)
        except ValueError as exc:
            raise UsageError(f"cannot compress: {exc}") from None
    if variable:
        quality = float(out.get("quality", quality if quality is not None else model.default_quality))
    header = {
        "model": cfg["name"],
        "config": cfg,
        "config_hash": config_hash(cfg),
        "weights_hash": weights_hash(model),
        "weights": model.weights_info,
        "size": [h, w],
        "padded": [int(v) for v in padded.shape[-2:]],
        "quality": quality,
        "shape": [int(v) for v in out["shape"]],
    }
    return pack(header, out["strings"])


def read_header(data: bytes) -> dict[str, Any]:
    """The validated header of a bitstream (no model needed)."""
    return unpack(data)[0]


def decode_image(
    data: bytes,
    model: CodingModel | None = None,
    checkpoint: str | Path | None = None,
    *,
    weights_dir: str | Path | None = None,
    random_weights: bool = True,
) -> torch.Tensor:
    """Decode bitstream bytes into a ``[1, 3, H, W]`` tensor in [0, 1].

    The model comes from ``model``, else is rebuilt from the embedded config with
    ``checkpoint`` weights, the published weights the header names (looked up in
    ``weights_dir`` and :func:`lic_bench.models.pretrained.weights_dirs`), or the
    fixed-seed initialisation (refused unless ``random_weights``). Its weights must
    hash to the file's ``weights_hash``.
    """
    model, header, strings = decoder_for(data, model, checkpoint, weights_dir=weights_dir,
                                         random_weights=random_weights)
    return decode_with(model, header, strings)


def decoder_for(
    data: bytes,
    model: CodingModel | None = None,
    checkpoint: str | Path | None = None,
    *,
    weights_dir: str | Path | None = None,
    random_weights: bool = True,
) -> tuple[CodingModel, dict[str, Any], list]:
    """The first half of :func:`decode_image`: the checked header, its strings and the
    model that decodes them (rebuilt, weights loaded and checked against the file)."""
    header, strings = unpack(data)
    if config_hash(header["config"]) != header.get("config_hash"):
        raise BitstreamError("malformed header (config hash does not match the embedded config)")
    cfg = check_header_config(header)
    check_budget(*header["padded"], int(cfg["init_args"].get("M", 320)), "decoding")
    if model is None:
        init = header["weights"].get("init")
        rename = None
        if checkpoint is None and init == "pretrained":
            checkpoint, rename = _published_weights(header, weights_dir)
        elif checkpoint is None and init != "seed":
            raise BitstreamError(
                f"encoded with trained weights ({str(header['weights'].get('file', '?'))[:80]}, "
                f"hash {header['weights_hash']}); pass --checkpoint"
            )
        elif checkpoint is None and not random_weights:
            raise BitstreamError(
                f"encoded with random weights (seed {str(header['weights'].get('seed', '?'))[:20]}), "
                "not a trained codec: pass --random-weights to decode it anyway"
            )
        model = _decoder(header, cfg, checkpoint, rename or _zoo_keys(checkpoint))
    else:
        model.eval()
        _coder_ready(model)
    if header["format_version"] < CONTEXT_REORDERED and model.context_model != "none":
        raise BitstreamError(
            f"written by an older lic-bench (format {header['format_version']}) whose "
            f"{header['model']} coder ordered symbols differently; encode the image again"
        )
    got = weights_hash(model)
    if got != header["weights_hash"]:
        raise BitstreamError(
            f"weights mismatch: file needs {header['model']} weights {header['weights_hash']}, "
            f"got {got}"
        )
    factor = int(model.downsampling_factor)
    if [int(v) for v in header["padded"]] != [-(-s // factor) * factor for s in header["size"]]:
        raise BitstreamError("malformed header (padding does not match the model)")
    # The coded shape follows from the padded size: one file codes one image, with
    # one string per coded latent (the decoder trusts neither more nor less).
    if list(header["shape"]) != [p // factor for p in header["padded"]]:
        raise BitstreamError("malformed header (latent shape does not match the image size)")
    groups = header["lengths"]
    if (not isinstance(groups, list) or len(groups) != model.n_strings
            or not all(isinstance(g, list) and len(g) == 1 and isinstance(g[0], int) for g in groups)):
        raise BitstreamError("malformed header (strings do not match the model's latents)")
    if model.name != header["model"]:
        raise BitstreamError(f"the file was written by another model than {model.name!r}")
    if model.variable_rate and header["quality"] is None:
        raise BitstreamError("malformed header (a variable-rate model needs a quality)")
    if not model.variable_rate and header["quality"] is not None:
        raise BitstreamError("malformed header (quality given for a fixed-rate model)")
    return model, header, strings


def decode_with(model: CodingModel, header: dict[str, Any], strings: list) -> torch.Tensor:
    """The second half of :func:`decode_image`: entropy decoding and synthesis."""
    try:
        with torch.no_grad():
            x_hat = model.decompress(strings, tuple(header["shape"]), quality=header["quality"])["x_hat"]
    except (RuntimeError, ValueError, IndexError, TypeError, OverflowError) as exc:
        raise BitstreamError(f"cannot decode: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    h, w = header["size"]
    if x_hat.dim() != 4 or x_hat.shape[:2] != (1, 3) or x_hat.shape[-2] < h or x_hat.shape[-1] < w:
        raise BitstreamError("decoded image is smaller than the header says")
    return x_hat[..., :h, :w].clamp(0, 1)


def _zoo_keys(checkpoint: str | Path | None) -> Any:
    """For a checkpoint: the renaming of the older key names of CompressAI's published
    files (a file fetched by hand loads as ``--checkpoint`` too)."""
    if checkpoint is None:
        return None
    from lic_bench.models.pretrained import rename_key

    return rename_key


def _published_weights(header: dict[str, Any], weights_dir: str | Path | None) -> tuple[Path, Any]:
    """The local file of the published weights a header names (checked), and the key
    renaming their layout needs."""
    from lic_bench.models.pretrained import pretrained_file, rename_key, resolve_weights

    info = header["weights"]
    if info.get("model") != header["model"]:
        raise BitstreamError("malformed header (its weights name another model)")
    try:
        spec = pretrained_file(header["model"], info.get("quality"), str(info.get("metric"))[:20],
                               str(info.get("source"))[:20])
    except UsageError as exc:
        raise BitstreamError(f"the header's published weights: {exc}") from None
    return resolve_weights(spec, weights_dir), rename_key


def _decoder(header: dict[str, Any], cfg: dict[str, Any], checkpoint: str | Path | None,
             rename: Any = None) -> torch.nn.Module:
    """The model that decodes ``header`` (``cfg``: its config, already checked)."""
    ckpt = Path(checkpoint).resolve() if checkpoint is not None else None
    key = (header["config_hash"], str(ckpt), ckpt.stat().st_mtime_ns if ckpt and ckpt.exists() else 0)
    if key in _DECODERS:
        _DECODERS.move_to_end(key)
        return _DECODERS[key]
    try:
        model = model_for_coding(cfg, checkpoint, rename=rename)
    except UsageError as exc:
        raise BitstreamError(f"cannot rebuild model {header['model']!r}: {exc}") from None
    _DECODERS[key] = model
    while len(_DECODERS) > _DECODER_CACHE_SIZE:
        _DECODERS.popitem(last=False)
    return model


def _threads(n: int | None) -> None:
    if n is not None:
        torch.set_num_threads(int(n))


def compress_file(
    image: str | Path,
    output: str | Path,
    *,
    model: str | None = None,
    config: str | Path | None = None,
    checkpoint: str | Path | None = None,
    quality: float | None = None,
    threads: int | None = None,
    force: bool = False,
    overrides: dict | None = None,
    pretrained: str | None = None,
    metric: str = "mse",
    weights_dir: str | Path | None = None,
    random_weights: bool = True,
) -> dict[str, Any]:
    """``lic-bench compress``: image file -> bitstream file; returns sizes and timings.

    ``overrides`` swap or set model keys (``{"context": "checkerboard"}``). An existing
    ``output`` is kept unless ``force``; the input is never replaced. ``pretrained``
    (``"compressai"``) loads the published weights of ``model`` at ``quality`` for
    ``metric`` (:mod:`lic_bench.models.pretrained`). Without them or a ``checkpoint``
    the model has random weights, refused unless ``random_weights`` (the CLI's
    ``--random-weights``; callers that test the pipeline pass True).
    """
    _threads(threads)
    check_output(output, force=force, inputs=(image,))
    notes: list[str] = []
    x = read_image(image, notes)
    source: Any = config if config is not None else model
    if source is None and checkpoint is not None:
        from lic_bench.models import read_checkpoint

        source = read_checkpoint(checkpoint)["config"]
        trusted = False  # a config inside a downloaded file names registry ids only
    else:
        trusted = True
    if source is None:
        raise UsageError("give --model NAME, --config YAML, or a --checkpoint that holds its config")
    if config is not None and model is not None:
        named = load_model_config(config)["name"]
        if named != model:
            raise UsageError(f"--model {model} disagrees with the config's name {named!r}")
    if pretrained is not None:
        net = _pretrained_for(source, checkpoint, overrides, pretrained, quality, metric, weights_dir)
        quality = None  # it chose the published file; the model itself has a fixed rate
    else:
        net = model_for_coding(source, checkpoint, overrides or None, trusted=trusted, rename=_zoo_keys(checkpoint))
        if checkpoint is None and not random_weights:
            from lic_bench.bitstream.weights import no_weights_message

            raise UsageError(no_weights_message(net.name))
    _coder_ready(net)  # the model's tables belong to building it, not to the coding timed here
    start = time.perf_counter()
    data = encode_image(net, x, net.config, quality=quality)
    seconds = time.perf_counter() - start
    check_header_config(read_header(data))  # what a decoder will check (and a memo for `inspect`)
    output = write_output(output, lambda fh: fh.write(data), force=force, inputs=(image,))
    h, w = x.shape[-2:]
    size = output.stat().st_size
    return {
        "model": net.name,
        "output": str(output),
        "bytes": size,
        "pixels": int(h * w),
        "bpp": size * 8 / (h * w),
        "seconds": seconds,
        "size": [int(h), int(w)],
        "quality": read_header(data)["quality"],
        "weights": net.weights_info,
        "threads": torch.get_num_threads(),
        "notes": notes,
    }


def _pretrained_for(source: Any, checkpoint, overrides, pretrained: str, quality, metric: str, weights_dir):
    """The model of ``compress --pretrained``: a registry name and the published file."""
    from lic_bench.models.pretrained import load_pretrained_model

    if checkpoint is not None:
        raise UsageError("give --pretrained or --checkpoint, not both")
    if overrides:
        raise UsageError("--set cannot change a model with published weights (they fix its settings)")
    if not isinstance(source, str) or source.endswith((".yaml", ".yml")):
        raise UsageError("--pretrained needs --model NAME (a registry name), not a config file")
    if quality is None:
        raise UsageError(f"--pretrained {pretrained} needs --quality (which published file)")
    return load_pretrained_model(source, quality, metric, source=pretrained, weights_dir=weights_dir)


def decompress_file(
    bitstream: str | Path,
    output: str | Path,
    *,
    checkpoint: str | Path | None = None,
    threads: int | None = None,
    force: bool = False,
    weights_dir: str | Path | None = None,
    random_weights: bool = True,
) -> dict[str, Any]:
    """``lic-bench decompress``: bitstream file -> PNG; returns the header and timing.

    An existing ``output`` is kept unless ``force``; the bitstream is never replaced.
    """
    _threads(threads)
    path = Path(bitstream)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not a bitstream")
    check_output(output, force=force, inputs=(path,))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    model, header, strings = decoder_for(data, checkpoint=checkpoint, weights_dir=weights_dir,
                                         random_weights=random_weights)
    start = time.perf_counter()  # the decoding itself, as compress times the encoding
    x_hat = decode_with(model, header, strings)
    seconds = time.perf_counter() - start
    write_png(x_hat, output, force=force, inputs=(path,))
    return {
        "model": header["model"],
        "output": str(output),
        "size": header["size"],
        "quality": header["quality"],
        "seconds": seconds,
        "threads": torch.get_num_threads(),
    }
