"""Rate-distortion curves pulled out of results documents.

MS-SSIM (RGB or Y) is compared in decibels, ``-10 log10(1 - MS-SSIM)``, as CompressAI's
plots and most papers do; documents that store only ``ms-ssim-db-rgb`` (some of
CompressAI's digitised curves) are read too. Metrics where lower is better (NLPD,
LPIPS) are negated, so that every curve's quality rises with rate: the BD-rate is the
same either way, and a positive BD-quality always means the test curve is better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lic_bench.errors import UsageError

#: the metrics of the default BD tables
METRICS = ("psnr-rgb", "ms-ssim-rgb")
#: how each comparable metric (results key) is shown: (label, unit of the compared value)
METRIC_LABELS = {
    "psnr-rgb": ("PSNR (RGB)", "dB"),
    "ms-ssim-rgb": ("MS-SSIM (RGB)", "dB"),
    "ms-ssim-y": ("MS-SSIM (Y)", "dB"),
    "psnr-y": ("PSNR-Y", "dB"),
    "psnr-u": ("PSNR-U", "dB"),
    "psnr-v": ("PSNR-V", "dB"),
    "vif": ("VIF", ""),
    "fsim": ("FSIM", ""),
    "iw-ssim": ("IW-SSIM", ""),
    "nlpd": ("NLPD (negated)", ""),
    "psnr-hvs": ("PSNR-HVS", "dB"),
    "psnr-hvs-m": ("PSNR-HVS-M", "dB"),
    "vmaf": ("VMAF", ""),
    "lpips": ("LPIPS (negated)", ""),
}
#: every metric a BD-rate can be computed on
ALL_METRICS = tuple(METRIC_LABELS)
LOWER_IS_BETTER = frozenset({"nlpd", "lpips"})
#: the seven metrics whose BD-rates the JPEG AI common test conditions average (MS-SSIM on Y)
JPEG_AI_AVERAGE = ("ms-ssim-y", "vif", "fsim", "nlpd", "iw-ssim", "vmaf", "psnr-hvs")
_IN_DB = frozenset({"ms-ssim-rgb", "ms-ssim-y"})


def msssim_db(values: Any) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return -10.0 * np.log10(1.0 - v)


@dataclass
class Curve:
    """Points of one RD curve, sorted by rate; ``quality`` is PSNR or MS-SSIM in dB."""

    label: str
    rate: np.ndarray
    quality: np.ndarray
    metric: str


def has_metric(doc: dict[str, Any], metric: str) -> bool:
    res = doc.get("results", {})
    if metric == "ms-ssim-rgb":
        return _valid(res.get("ms-ssim-rgb")) or _valid(res.get("ms-ssim-db-rgb"))
    return _valid(res.get(metric))


def _valid(values: Any) -> bool:
    return isinstance(values, list) and any(v is not None for v in values)


def curve(doc: dict[str, Any], metric: str = "psnr-rgb", label: str | None = None) -> Curve:
    """The (bpp, metric) points of a document; raises UsageError naming what is missing."""
    if metric not in ALL_METRICS:
        raise UsageError(f"unknown metric {metric!r}; use one of {', '.join(ALL_METRICS)}")
    label = label or doc.get("_path") or doc.get("name", "?")
    res = doc.get("results", {})
    if "bpp" not in res:
        raise UsageError(f"{label}: no 'bpp' in results")
    if metric == "ms-ssim-rgb" and not _valid(res.get("ms-ssim-rgb")) and _valid(res.get("ms-ssim-db-rgb")):
        raw, in_db = res["ms-ssim-db-rgb"], True
    elif _valid(res.get(metric)):
        raw, in_db = res[metric], False
    else:
        have = ", ".join(k for k in res if k != "bpp") or "nothing"
        raise UsageError(f"{label}: no {metric!r} in results (it has: {have})")
    if len(raw) != len(res["bpp"]):
        raise UsageError(f"{label}: {len(res['bpp'])} bpp values but {len(raw)} {metric} values")
    pts = [
        (float(r), float(q)) for r, q in zip(res["bpp"], raw, strict=False)
        if r is not None and q is not None and math.isfinite(float(r)) and math.isfinite(float(q)) and float(r) > 0
    ]
    if not pts:
        raise UsageError(f"{label}: no usable ({metric}, bpp) points")
    pts.sort()
    rate = np.array([p[0] for p in pts])
    quality = np.array([p[1] for p in pts])
    if metric in _IN_DB and not in_db:
        quality = msssim_db(quality)
    elif metric in LOWER_IS_BETTER:
        quality = -quality
    return Curve(label=label, rate=rate, quality=quality, metric=metric)
