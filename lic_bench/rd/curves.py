"""Rate-distortion curves pulled out of results documents.

Which results keys are comparable, their labels, units and directions come from the
metric registry (:mod:`lic_bench.metrics.specs`). MS-SSIM (RGB or Y) is compared in
decibels, ``-10 log10(1 - MS-SSIM)``, as CompressAI's plots and most papers do; documents that store only ``ms-ssim-db-rgb`` (some of
CompressAI's digitised curves) are read too. Metrics where lower is better (NLPD,
LPIPS) are negated, so that every curve's quality rises with rate: the BD-rate is the
same either way, and a positive BD-quality always means the test curve is better.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lic_bench.errors import UsageError
from lic_bench.metrics.specs import ResultKey, result_key, result_keys

#: the metrics of the default BD tables
METRICS = ("psnr-rgb", "ms-ssim-rgb")


def _shown(info: ResultKey) -> tuple[str, str]:
    # a lower-is-better value is compared negated (see the module's docstring)
    return (info.label if info.higher_is_better else f"{info.label} (negated)", info.unit)


class _KeyLabels(Mapping):
    """Results key -> (label, unit of the compared value), read from the metric registry
    at each use, so a metric registered later (a plugin) is comparable too."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        info = result_key(key)
        if info is None:
            raise KeyError(key)
        return _shown(info)

    def __iter__(self) -> Iterator[str]:
        return iter(result_keys())

    def __len__(self) -> int:
        return len(result_keys())


class _Comparable(Sequence):
    """Every results key a BD-rate can be computed on, in the metric registry's order."""

    def __getitem__(self, index):  # noqa: ANN001 - int or slice, as a tuple takes
        return tuple(result_keys())[index]

    def __len__(self) -> int:
        return len(result_keys())


#: how each comparable metric (results key) is shown: (label, unit of the compared value)
METRIC_LABELS: Mapping[str, tuple[str, str]] = _KeyLabels()
#: every metric a BD-rate can be computed on
ALL_METRICS: Sequence[str] = _Comparable()


def metric_key(name: str) -> str:
    """The results key of a metric named in any case, or as the site labels it:
    ``VMAF`` -> ``vmaf``, ``PSNR (RGB)`` -> ``psnr-rgb``, ``MS-SSIM`` -> ``ms-ssim-rgb``.
    Unknown names come back folded, for the caller's error message."""
    folded = " ".join(str(name).split()).casefold()
    short = {"psnr": "psnr-rgb", "ms-ssim": "ms-ssim-rgb", "msssim": "ms-ssim-rgb"}
    if folded in short:
        return short[folded]
    for key, (label, _) in METRIC_LABELS.items():
        if folded in (key, label.casefold(), label.split(" (")[0].casefold()):
            return key
    return folded



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
    #: what was dropped while reading the points (one line per kind), shown as warnings
    notes: list[str] = field(default_factory=list)


def has_metric(doc: dict[str, Any], metric: str) -> bool:
    res = doc.get("results", {})
    if metric == "ms-ssim-rgb":
        return _valid(res.get("ms-ssim-rgb")) or _valid(res.get("ms-ssim-db-rgb"))
    return _valid(res.get(metric))


def _valid(values: Any) -> bool:
    return isinstance(values, list) and any(v is not None for v in values)


def _why_unusable(rate: Any, quality: Any, unit_interval: bool) -> str | None:
    """Why a (bpp, quality) pair cannot be a point of an RD curve, or None if it can."""
    if rate is None or quality is None:
        return "a missing value (null)"
    if isinstance(rate, bool) or isinstance(quality, bool) or not all(
        isinstance(v, (int, float)) for v in (rate, quality)
    ):
        return "a value that is not a number"
    if math.isnan(rate) or math.isnan(quality):
        return "NaN"
    if math.isinf(rate) or math.isinf(quality):
        return "an infinite value"
    if rate <= 0:
        return "bpp <= 0"
    if unit_interval and not 0 < quality < 1:
        return "MS-SSIM outside (0, 1)"
    return None


def usable_points(
    bpp: list[Any], values: list[Any], unit_interval: bool = False
) -> tuple[list[tuple[float, float]], dict[str, int]]:
    """The (bpp, quality) pairs a curve can use, and how many were dropped for each reason."""
    points: list[tuple[float, float]] = []
    dropped: dict[str, int] = {}
    for rate, quality in zip(bpp, values, strict=True):
        why = _why_unusable(rate, quality, unit_interval)
        if why is None:
            points.append((float(rate), float(quality)))
        else:
            dropped[why] = dropped.get(why, 0) + 1
    return points, dropped


def curve(doc: dict[str, Any], metric: str = "psnr-rgb", label: str | None = None) -> Curve:
    """The (bpp, metric) points of a document; raises UsageError naming what is missing."""
    info = result_key(metric)
    if info is None:
        raise UsageError(f"unknown metric {metric!r}; use one of {', '.join(ALL_METRICS)}")
    in_db_scale = info.scale == "db"
    label = label or doc.get("_path") or doc.get("name", "?")
    res = doc.get("results", {})
    if "bpp" not in res:
        raise UsageError(f"{label}: no 'bpp' in results")
    if metric == "ms-ssim-rgb" and not _valid(res.get("ms-ssim-rgb")) and _valid(res.get("ms-ssim-db-rgb")):
        key, in_db = "ms-ssim-db-rgb", True
    else:
        key, in_db = metric, False
    if key not in res:
        have = ", ".join(k for k in res if k != "bpp") or "nothing"
        raise UsageError(f"{label}: no {metric!r} in results (it has: {have})")
    raw, bpp = res[key], res["bpp"]
    for name, values in (("bpp", bpp), (key, raw)):
        if not isinstance(values, list):
            raise UsageError(f"{label}: results.{name} is not a list of numbers")
    if len(raw) != len(bpp):
        raise UsageError(f"{label}: {len(bpp)} bpp values but {len(raw)} {key} values")
    pts, dropped = usable_points(bpp, raw, unit_interval=in_db_scale and not in_db)
    notes = [f"{label}: dropped {n} point(s) with {why}" for why, n in dropped.items()]
    if not pts:
        why = "; ".join(f"{n} with {w}" for w, n in dropped.items())
        raise UsageError(f"{label}: {key} is present but none of its {len(raw)} point(s) is usable ({why})")
    pts.sort()
    rate = np.array([p[0] for p in pts])
    quality = np.array([p[1] for p in pts])
    if in_db_scale and not in_db:
        quality = msssim_db(quality)
    elif not info.higher_is_better:
        quality = -quality
    return Curve(label=label, rate=rate, quality=quality, metric=metric, notes=notes)
