"""Published weights by name: ``--pretrained compressai --quality 1..8 --metric mse|ms-ssim``.

CompressAI (Bégaint et al. 2020, ``begaint2020-compressai``) publishes trained
weights of ``bmshj2018-factorized``, ``bmshj2018-hyperprior``, ``mbt2018-mean``,
``mbt2018`` (qualities 1-8) and ``cheng2020-anchor``, ``cheng2020-attn`` (1-6), each
for MSE and MS-SSIM. The file names, URLs and the widths (N, M) of each quality are
read from CompressAI's own table (``compressai.zoo.image``), never copied here.

Where a file comes from, first found wins:

1. ``--weights-dir DIR`` or ``$LIC_BENCH_WEIGHTS`` (machines without internet: put
   the files there under their published names);
2. torch's hub cache, ``<torch.hub.get_dir()>/checkpoints`` (where CompressAI's own
   ``load_state_dict_from_url`` keeps them, so files it fetched are reused);
3. a download from CompressAI's URL into that cache (``$LIC_BENCH_PRETRAINED_URL``
   replaces the URL's folder, for a mirror).

Every file is checked against the SHA-256 prefix in its name (torch hub's
convention: ``name-<sha256[:8]>.pth.tar``) before it is unpickled, and unpickled as
plain data only (:func:`lic_bench.models.checkpoint.load_plain`, ``weights_only``).
The model is built from lic-bench's registry config of that name, never from the
file; the file only gives tensors, loaded strictly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.results.meta import file_sha256

__all__ = [
    "METRICS",
    "SOURCES",
    "PretrainedFile",
    "compressai_key",
    "pretrained_file",
    "pretrained_models",
    "resolve_weights",
    "weights_dirs",
]

#: Who publishes the weights (``--pretrained``).
SOURCES = ("compressai",)
METRICS = ("mse", "ms-ssim")
_HASH = re.compile(r"-([0-9a-f]{8,64})\.")


@dataclass(frozen=True)
class PretrainedFile:
    """One published weights file."""

    source: str
    model: str
    quality: int
    metric: str
    url: str
    N: int
    M: int

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def sha256_prefix(self) -> str:
        found = _HASH.search(self.name)
        if found is None:  # every CompressAI name has one; a table without it is refused
            raise UsageError(f"{self.name}: no hash in the file name to check it against")
        return found.group(1)

    def weights_info(self) -> dict[str, Any]:
        """What a bitstream header records about these weights."""
        return {"init": "pretrained", "source": self.source, "model": self.model,
                "quality": self.quality, "metric": self.metric, "file": self.name}


def _compressai_tables() -> tuple[dict, dict]:
    from compressai.zoo.image import cfgs, model_urls

    return model_urls, cfgs


def pretrained_models(source: str = "compressai") -> dict[str, dict[str, list[int]]]:
    """``{model: {metric: [qualities]}}`` of what ``source`` publishes."""
    _check_source(source)
    urls, _ = _compressai_tables()
    return {m: {metric: sorted(q) for metric, q in by_metric.items()} for m, by_metric in urls.items()}


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise UsageError(f"unknown --pretrained source {source!r} (known: {', '.join(SOURCES)})")


def _is_level(quality: Any) -> bool:
    return (isinstance(quality, (int, float)) and not isinstance(quality, bool)
            and float(quality).is_integer())


def compressai_key(model: str) -> str:
    """lic-bench's model id is CompressAI's key (the one-name rule)."""
    return model


def pretrained_file(model: str, quality: Any, metric: str = "mse", source: str = "compressai") -> PretrainedFile:
    """The published file of ``model`` at ``quality`` (int) for ``metric``; a one-line
    :class:`UsageError` for anything not published."""
    _check_source(source)
    urls, cfgs = _compressai_tables()
    if metric not in METRICS:
        raise UsageError(f"unknown --metric {metric!r} (known: {', '.join(METRICS)})")
    published = urls.get(compressai_key(model))
    if published is None:
        raise UsageError(f"{source} publishes no weights for {model!r} (it does for: {', '.join(urls)})")
    levels = sorted(published[metric])
    if not _is_level(quality) or int(quality) not in levels:
        raise UsageError(
            f"{source} publishes {model} {metric} weights at qualities {levels[0]}..{levels[-1]}; "
            f"--quality {quality} is not one of them"
        )
    q = int(quality)
    widths = cfgs[compressai_key(model)][q]
    N, M = (widths[0], widths[-1]) if len(widths) > 1 else (widths[0], widths[0])
    url = published[metric][q]
    mirror = os.environ.get("LIC_BENCH_PRETRAINED_URL")
    if mirror:
        url = f"{mirror.rstrip('/')}/{url.rsplit('/', 1)[-1]}"
    return PretrainedFile(source, model, q, metric, url, int(N), int(M))


def hub_dir() -> Path:
    """torch's hub checkpoint cache (CompressAI's downloads land there too)."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


def weights_dirs(weights_dir: str | Path | None = None) -> list[Path]:
    """Folders searched for a published file, in order."""
    out = []
    if weights_dir:
        out.append(Path(weights_dir))
    env = os.environ.get("LIC_BENCH_WEIGHTS")
    if env:
        out.append(Path(env))
    out.append(hub_dir())
    return out



def _check_hash(path: Path, spec: PretrainedFile) -> None:
    try:
        got = file_sha256(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    if not got.startswith(spec.sha256_prefix):
        raise UsageError(
            f"{path}: corrupt or not the published file (SHA-256 {got[:8]}..., its name says "
            f"{spec.sha256_prefix}); delete it and fetch {spec.url} again"
        )


def resolve_weights(
    spec: PretrainedFile, weights_dir: str | Path | None = None, *, download: bool = True,
    progress: bool = True,
) -> Path:
    """The checked local path of ``spec``'s file, downloading it into the hub cache
    when no folder has it. One-line :class:`UsageError` when it is missing and cannot
    be fetched, or when a file found fails its hash."""
    folders = weights_dirs(weights_dir)
    for folder in folders:
        path = folder / spec.name
        if path.is_file():
            _check_hash(path, spec)
            return path
    target = hub_dir() / spec.name
    where = " or ".join(str(f) for f in folders)
    if not download:
        raise UsageError(f"{spec.name} not found in {where}; fetch {spec.url} and put it there")
    from lic_bench.download import DownloadError
    from lic_bench.download import download as fetch

    try:
        fetch(spec.url, target, progress=progress)
    except (DownloadError, OSError) as exc:
        reason = str(exc).replace(f"cannot download {spec.url}: ", "")
        raise UsageError(
            f"{spec.name} is not in {where} and cannot be downloaded ({reason}); on a machine "
            f"with internet fetch {spec.url} and put it in $LIC_BENCH_WEIGHTS (or --weights-dir)"
        ) from None
    try:
        _check_hash(target, spec)
    except UsageError:
        target.unlink(missing_ok=True)
        raise UsageError(f"{spec.url}: the downloaded file fails its hash ({spec.sha256_prefix}); deleted it") from None
    return target


def rename_key(key: str) -> str:
    """Keys of CompressAI's older published files -> its current layout (what its own
    ``load_pretrained`` does): no ``module.`` prefix, ``downsample`` -> ``skip``, the
    entropy bottleneck's parameter lists as single parameters."""
    if key.startswith("module."):
        key = key[len("module."):]
    if ".downsample." in key:
        key = key.replace(".downsample.", ".skip.")
    for old, new in (("_biases.", "_bias"), ("_matrices.", "_matrix"), ("_factors.", "_factor")):
        prefix = f"entropy_bottleneck.{old}"
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            key = f"entropy_bottleneck.{new}{key[len(prefix):]}"
    return key


def load_pretrained_model(
    model: str, quality: Any, metric: str = "mse", *, source: str = "compressai",
    weights_dir: str | Path | None = None, download: bool = True, progress: bool = True,
):
    """The registered ``model`` at the published widths of ``quality``, with the
    published weights (eval mode, coder tables built); ``model.weights_info`` says which."""
    from lic_bench.models.seeded import model_for_coding

    spec = pretrained_file(model, quality, metric, source)
    path = resolve_weights(spec, weights_dir, download=download, progress=progress)
    net = model_for_coding(model, path, {"N": spec.N, "M": spec.M}, rename=rename_key)
    net.weights_info = spec.weights_info()
    return net
