"""Provenance recorded next to every measured number."""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lic_bench.paths import project_root

_DEFAULT_PACKAGES = ("lic-bench", "torch", "compressai", "numpy")


def meta_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A results document's ``meta`` (an empty dict where it is missing or not a mapping)."""
    meta = doc.get("meta")
    return meta if isinstance(meta, dict) else {}


def config_hash(config: Any) -> str:
    """A short, order-independent hash of a JSON-serialisable config."""
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def git_commit(root: Path | None = None) -> str | None:
    """The checkout's HEAD, with ``-dirty`` when tracked files differ from it."""
    root = root or project_root()
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=10,
        )
        return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions(names: Iterable[str] = _DEFAULT_PACKAGES) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def device_info(device: str = "cpu", threads: int | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "device": device,
        "threads": threads,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    if device.startswith("cuda"):
        try:
            import torch

            info["gpu"] = torch.cuda.get_device_name(torch.device(device))
        except Exception:  # noqa: BLE001 - describing the machine must never fail a run
            info["gpu"] = None
    return info


def command_line() -> str:
    """The command that is producing this result, as a user would type it."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name in {"lic-bench", "__main__.py"}:
        argv[0] = "lic-bench"
    return shlex.join(argv)


def collect_meta(
    kind: str,
    *,
    provenance: str = "measured",
    device: str = "cpu",
    threads: int | None = None,
    packages: Iterable[str] = _DEFAULT_PACKAGES,
    command: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Meta block for a results document measured here; ``fields`` are added as they are."""
    meta: dict[str, Any] = {
        "kind": kind,
        "provenance": provenance,
        "command": command if command is not None else command_line(),
        "git_commit": git_commit(),
        "versions": package_versions(packages),
        **device_info(device, threads),
        "date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    meta.update(fields)
    return meta


# --- how a curve's points were made, and what it may be ranked against -------------------
#
# The shared vocabulary of results files (measured and reported). Written by the anchor
# runners, ``lic-bench eval`` and the importers of reported curves; read through
# ``lic_bench.rd.protocol`` by ``bd``, ``rd table`` and the leaderboard's filters.

#: ``meta.averaging``: how one point of the curve averages over the images
AVERAGING_FIELD = "averaging"
#: one quality value or lambda per point, images averaged at equal quality: every learned
#: curve of a paper or of CompressAI, CompressAI's own anchors, our classical sweeps
PER_QUALITY = "per-quality"
#: JPEG AI CTC: each image coded at a target bpp, images averaged at equal rate
PER_TARGET_RATE = "per-target-rate"
AVERAGING_VALUES = (PER_QUALITY, PER_TARGET_RATE)

#: ``meta.opt_metric``: the distortion a model was trained for. ``none``: not trained (a
#: classical codec). Older files say ``mse-rgb`` / ``ms-ssim-rgb``; read as ``mse`` / ``ms-ssim``.
OBJECTIVE_FIELD = "opt_metric"
OBJECTIVE_VALUES = ("mse", "ms-ssim", "other", "none")
OBJECTIVE_ALIASES = {"mse-rgb": "mse", "ms-ssim-rgb": "ms-ssim", "msssim": "ms-ssim", "psnr": "mse"}

#: ``meta.dataset``: a name (reported curves) or ``{"name": ...}`` (measured here). The
#: leaderboard's dataset filter offers these, in this order; other names are shown as they are.
DATASET_FIELD = "dataset"
DATASET_VALUES = ("kodak", "clic2020-pro-valid", "tecnick")
#: former spellings of the same image sets
DATASET_ALIASES = {"clic2020-professional": "clic2020-pro-valid", "clic-pro-val": "clic2020-pro-valid",
                   "clic2020": "clic2020-pro-valid", "tecnick-100": "tecnick"}

#: ``meta.model_version``: optional, the version of a model a curve is of, when its results
#: name does not say it (e.g. ``v5.0``); each version is its own results name all the same
#: (``cool-chic-2023``, ``cool-chic-v2``, ...): one leaderboard row per version.
MODEL_VERSION_FIELD = "model_version"

#: ``meta.codec_version``: the version of a classical codec behind a reported curve (e.g.
#: ``VTM-18.0``); shown wherever the curve is an anchor. ``model_version`` is read too.
CODEC_VERSION_FIELD = "codec_version"
