"""The metric registry's records: what a metric computes and how its values are shown.

A metric is a function ``(reference, distorted) -> {results key: value}`` on two 8-bit
RGB arrays (``H x W x 3``, ``uint8``), registered with :func:`register_metric` under its
``--metrics`` name. Its record says which results keys it fills, their labels, the unit
of the compared value, whether higher is better, and the packages it needs (named in a
run's ``meta``). Evaluation (:mod:`lic_bench.metrics.suite`), RD curves and BD numbers
(:mod:`lic_bench.rd.curves`), the leaderboard and the site read these records, so a new
metric is one registration::

    @register_metric("sharpness", keys=["sharpness"], label="Sharpness (Y)", packages=["numpy"])
    def sharpness(ref, dist):
        return {"sharpness": ...}

This module imports neither numpy nor torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lic_bench.registry import METRICS

__all__ = ["ResultKey", "MetricSpec", "register_metric", "metric_spec", "metric_names",
           "result_key", "result_keys", "JPEG_AI_AVERAGE"]

#: the results keys of the seven metrics whose BD-rates the JPEG AI common test conditions
#: average into their headline figure (MS-SSIM on Y); evaluation and BD both read it
JPEG_AI_AVERAGE = ("ms-ssim-y", "vif", "fsim", "nlpd", "iw-ssim", "vmaf", "psnr-hvs")

#: how a results key is compared on a curve: as stored, or in dB as -10 log10(1 - v) (MS-SSIM)
SCALES = ("linear", "db")


@dataclass(frozen=True)
class ResultKey:
    """One value a metric writes into ``results``."""

    key: str
    label: str
    #: unit of the compared value ("dB" for a "db" scale)
    unit: str = ""
    higher_is_better: bool = True
    scale: str = "linear"


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric, as evaluation reads it."""

    name: str
    function: Callable[[Any, Any], dict[str, Any]]
    keys: tuple[ResultKey, ...]
    label: str
    packages: tuple[str, ...]
    higher_is_better: bool

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(k.key for k in self.keys)


def register_metric(
    name: str,
    *,
    keys: Sequence[str | ResultKey],
    label: str,
    unit: str = "",
    higher_is_better: bool = True,
    scale: str = "linear",
    packages: Sequence[str] = (),
    papers: Sequence[str] = (),
    description: str | None = None,
) -> Callable[[Callable], Callable]:
    """Register ``function(ref_u8, dist_u8) -> {key: value}`` as metric ``name``.

    A plain string in ``keys`` takes ``label``, ``unit``, ``higher_is_better`` and
    ``scale``; give a :class:`ResultKey` where one key differs (PSNR-Y/U/V). The
    function may return more keys than it declares (the suite keeps only the declared
    ones), so two metrics can share one computation.
    """
    rows = tuple(k if isinstance(k, ResultKey) else ResultKey(k, label, unit, higher_is_better, scale)
                 for k in keys)
    if not rows:
        raise ValueError(f"metric {name!r} declares no results key")
    for row in rows:
        if row.scale not in SCALES:
            raise ValueError(f"metric {name!r}: scale {row.scale!r} is not one of {', '.join(SCALES)}")
    return METRICS.register(
        name, papers=papers, description=description if description is not None else label,
        keys=[r.key for r in rows], label=label, unit=unit, higher_is_better=higher_is_better,
        packages=list(packages),
        result_keys={r.key: {"label": r.label, "unit": r.unit, "higher_is_better": r.higher_is_better,
                             "scale": r.scale} for r in rows},
    )


def metric_spec(name: str) -> MetricSpec:
    """The record of metric ``name`` (UsageError naming the known ones if unknown)."""
    entry = METRICS.entry(name)
    x = entry.extra
    return MetricSpec(
        name=entry.name, function=entry.obj, label=x["label"], packages=tuple(x["packages"]),
        higher_is_better=x["higher_is_better"],
        keys=tuple(ResultKey(k, **v) for k, v in x["result_keys"].items()),
    )


def metric_names() -> list[str]:
    """Every registered metric, in registration order (built-ins first)."""
    return [e.name for e in METRICS.registered()]


def result_keys() -> dict[str, ResultKey]:
    """Every results key a registered metric fills, in registration order (first wins)."""
    out: dict[str, ResultKey] = {}
    for entry in METRICS.registered():
        for key, info in entry.extra["result_keys"].items():
            out.setdefault(key, ResultKey(key, **info))
    return out


def result_key(key: str) -> ResultKey | None:
    """How results key ``key`` is shown and compared; None when no metric fills it."""
    return result_keys().get(key)
