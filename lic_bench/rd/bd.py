"""Bjøntegaard delta rate and delta quality between two RD curves.

BD-rate (Bjøntegaard, VCEG-M33, 2001) is the mean horizontal gap between two
log-rate curves over the quality range both cover, as a percentage of rate;
BD-PSNR is the mean vertical gap over the shared log-rate range, in dB.
Negative BD-rate / positive BD-PSNR: the test curve is better.

Interpolation is piecewise cubic Hermite (PCHIP) by default, the stable choice
recommended by Barman et al. and the JVET common test conditions (see
ferrari2025-registry §2.2.1 and ch. 7); ``cubic`` (Bjøntegaard's original
third-order polynomial fit) and ``akima`` are options. The integration itself
is done by the ``bjontegaard`` package (FAU Erlangen); this module prepares
the points and says when a number should not be trusted.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from lic_bench.errors import MissingDependencyError, UsageError
from lic_bench.rd.curves import Curve, curve

METHODS = ("pchip", "cubic", "akima")
MIN_POINTS = 4
#: shared fraction of the narrower curve's range under which a warning is raised
MIN_OVERLAP = 0.75


@dataclass
class BDResult:
    bd_rate: float  # percent
    bd_psnr: float  # dB of the metric (PSNR, or MS-SSIM in dB)
    metric: str
    method: str
    anchor: str
    test: str
    overlap_quality: float
    overlap_rate: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("bd_rate", "bd_psnr"):
            if not math.isfinite(out[key]):
                out[key] = None
        return out


def _bjontegaard():
    try:
        import bjontegaard
    except ImportError as exc:
        raise MissingDependencyError("BD-rate needs the bjontegaard package: pip install 'lic-bench[bench]'") from exc
    return bjontegaard


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Shared range as a fraction of the narrower curve's range.

    Anchors are swept wide on purpose, so measuring against the union (as the
    bjontegaard package does) would flag every comparison; what matters is how
    much of the narrower curve the BD integral actually covers.
    """
    lo, hi = max(a.min(), b.min()), min(a.max(), b.max())
    span = min(a.max() - a.min(), b.max() - b.min())
    return max(hi - lo, 0.0) / span if span > 0 else 0.0


def _strictly_increasing(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by ``x`` and drop repeated ``x`` values (the interpolators need a strict order)."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    keep = np.concatenate([[True], np.diff(x) > 0])
    return x[keep], y[keep]


def curve_warnings(c: Curve, role: str) -> list[str]:
    out = [f"{role} {note}" for note in c.notes]
    if len(c.rate) < MIN_POINTS:
        out.append(f"{role} {c.label}: only {len(c.rate)} points (BD needs >= {MIN_POINTS} to be reliable)")
    if np.any(np.diff(c.quality) <= 0):
        out.append(f"{role} {c.label}: {c.metric} does not increase with rate everywhere (non-monotone curve)")
    return out


def bd_curves(anchor: Curve, test: Curve, method: str = "pchip") -> BDResult:
    """BD-rate (%) and BD-quality (dB) of ``test`` against ``anchor``."""
    if method not in METHODS:
        raise UsageError(f"unknown interpolation {method!r}; use one of {', '.join(METHODS)}")
    bj = _bjontegaard()
    notes = curve_warnings(anchor, "anchor") + curve_warnings(test, "test")
    for c, role in ((anchor, "anchor"), (test, "test")):
        if len(c.rate) < 2:
            raise UsageError(f"{role} {c.label}: {len(c.rate)} point(s); BD needs at least 2")
    if method == "cubic" and min(len(anchor.rate), len(test.rate)) < 4:
        raise UsageError("cubic BD needs at least 4 points per curve")
    log_a, log_t = np.log10(anchor.rate), np.log10(test.rate)
    ov_q = _overlap(anchor.quality, test.quality)
    ov_r = _overlap(log_a, log_t)
    for name, ov in (("quality", ov_q), ("log-rate", ov_r)):
        if ov == 0:
            notes.append(f"the curves' {name} ranges do not overlap: BD is undefined")
        elif ov < MIN_OVERLAP:
            notes.append(f"low {name} overlap: {ov:.0%} of the narrower range (< {MIN_OVERLAP:.0%})")

    def run(fn, ra, da, rt, dt) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overlap is reported above, once, in our words
            return float(fn(ra, da, rt, dt, method=method, require_matching_points=False, min_overlap=0))

    # bd_rate interpolates log-rate over quality, bd_psnr quality over log-rate: each
    # needs its base variable strictly increasing
    q_a, r_a = _strictly_increasing(anchor.quality, anchor.rate)
    q_t, r_t = _strictly_increasing(test.quality, test.rate)
    bd_rate = run(bj.bd_rate, r_a, q_a, r_t, q_t) if ov_q > 0 else math.nan
    r_a2, q_a2 = _strictly_increasing(anchor.rate, anchor.quality)
    r_t2, q_t2 = _strictly_increasing(test.rate, test.quality)
    bd_psnr = run(bj.bd_psnr, r_a2, q_a2, r_t2, q_t2) if ov_r > 0 else math.nan
    return BDResult(bd_rate=bd_rate, bd_psnr=bd_psnr, metric=anchor.metric, method=method,
                    anchor=anchor.label, test=test.label, overlap_quality=round(ov_q, 4),
                    overlap_rate=round(ov_r, 4), warnings=notes)


def bd_documents(anchor: dict[str, Any], test: dict[str, Any], metric: str = "psnr-rgb",
                 method: str = "pchip", allow_protocol_mismatch: bool = False) -> BDResult:
    """BD between two results documents (see :func:`lic_bench.rd.curves.curve`).

    Both must average over images the same way (:mod:`lic_bench.rd.protocol`): a mismatch
    raises ``ProtocolMismatch`` unless ``allow_protocol_mismatch``, which puts a warning
    into the result instead.
    """
    from lic_bench.rd import protocol

    notes = protocol.check(anchor, test, allow_protocol_mismatch)
    res = bd_curves(curve(anchor, metric), curve(test, metric), method)
    res.warnings = notes + res.warnings
    return res


def _image_key(name: str) -> str:
    """``kodim01.png`` and ``kodim01`` are the same image."""
    return name.rsplit(".", 1)[0] if "." in name else name


def _per_image_curves(doc: dict[str, Any], role: str) -> dict[str, dict[str, Any]]:
    """Each image's points as a results document of its own (``per_image[img]`` lists)."""
    label = doc.get("_path") or doc.get("name", "?")
    table = doc.get("per_image")
    if not isinstance(table, dict) or not table:
        raise UsageError(f"{role} {label}: no per_image table; --per-image needs one in both files")
    out: dict[str, dict[str, Any]] = {}
    for image, values in table.items():
        if not isinstance(values, dict):
            raise UsageError(f"{role} {label}: per_image[{image!r}] is not a mapping")
        bpp = values.get("bpp")
        if not isinstance(bpp, list):
            raise UsageError(f"{role} {label}: per_image[{image!r}] has no list of bpp values "
                             "(one point per image: a curve needs the points of one file)")
        out[_image_key(str(image))] = {"_path": f"{label} {image}", "results": {
            "bpp": bpp, **{k: v for k, v in values.items() if k != "bpp"}}}
    return out


def bd_per_image(anchor: dict[str, Any], test: dict[str, Any], metric: str = "psnr-rgb",
                 method: str = "pchip") -> dict[str, Any]:
    """BD-rate per image, then the mean over images: the JPEG AI CTC's method.

    Needs per-image points in both files, for the same images. No point of either curve is
    an average over images, so the two files' averaging protocols do not enter (this is
    how the CTC compares codecs that do not share quality steps). The mean is given only
    when every image has a BD-rate; the images without one are listed.
    """
    a_imgs = _per_image_curves(anchor, "anchor")
    t_imgs = _per_image_curves(test, "test")
    shared = sorted(set(a_imgs) & set(t_imgs))
    if not shared:
        raise UsageError("--per-image: the two files have no image in common")
    notes = []
    if set(a_imgs) != set(t_imgs):
        only = sorted(set(a_imgs) ^ set(t_imgs))
        notes.append(f"{len(only)} image(s) in one file only, left out: {', '.join(only[:5])}"
                     + ("..." if len(only) > 5 else ""))
    per: dict[str, float | None] = {}
    missing: list[str] = []
    for image in shared:
        try:
            res = bd_curves(curve(a_imgs[image], metric), curve(t_imgs[image], metric), method)
        except UsageError as exc:
            per[image] = None
            missing.append(image)
            notes.append(f"{image}: {exc}")
            continue
        per[image] = res.bd_rate if math.isfinite(res.bd_rate) else None
        if per[image] is None:
            missing.append(image)
        notes += [f"{image}: {w}" for w in res.warnings if "overlap" in w or "do not overlap" in w]
    values = [v for v in per.values() if v is not None]
    return {"bd_rate": float(np.mean(values)) if values and not missing else None, "metric": metric,
            "method": method, "averaging": "per-image BD-rate, mean over images (JPEG AI CTC)",
            "images": len(shared), "missing": missing, "per_image": per,
            "anchor": anchor.get("_path") or anchor.get("name"), "test": test.get("_path") or test.get("name"),
            "warnings": notes}


#: the ``--metric`` value that averages the JPEG AI suite's BD-rates
JPEG_AI_AVERAGE_NAME = "jpeg-ai-average"


def bd_average(anchor: dict[str, Any], test: dict[str, Any], metrics: tuple[str, ...] | None = None,
               method: str = "pchip", allow_protocol_mismatch: bool = False) -> dict[str, Any]:
    """Mean BD-rate over several metrics (default: the seven of the JPEG AI CTC).

    Each metric is compared on its own, with its own warnings; the mean is given only
    when every metric has a finite BD-rate, since an average over a subset would not be
    the same figure.
    """
    from lic_bench.metrics.specs import JPEG_AI_AVERAGE
    from lic_bench.rd import protocol

    notes = protocol.check(anchor, test, allow_protocol_mismatch)
    metrics = metrics or JPEG_AI_AVERAGE
    per: dict[str, Any] = {}
    missing: list[str] = []
    for m in metrics:
        try:
            res = bd_curves(curve(anchor, m), curve(test, m), method)
        except UsageError as exc:
            per[m] = {"bd_rate": None, "error": str(exc), "warnings": []}
            missing.append(m)
            continue
        per[m] = res.to_dict()
        if per[m]["bd_rate"] is None:
            missing.append(m)
    rates = [per[m]["bd_rate"] for m in metrics if m not in missing]
    mean = float(np.mean(rates)) if not missing else None
    return {"metric": JPEG_AI_AVERAGE_NAME, "method": method, "metrics": list(metrics),
            "bd_rate": mean, "missing": missing, "per_metric": per, "warnings": notes}
