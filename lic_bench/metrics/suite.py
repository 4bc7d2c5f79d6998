"""The objective metric suite of the JPEG AI common test conditions, on decoded 8-bit RGB.

One name per metric (the ``--metrics`` value); each fills one or more keys of a results
document. Which library computes what:

============  =========================  ============================================
name          results key(s)             computed by (on)
============  =========================  ============================================
psnr          psnr-rgb                   numpy (RGB, peak 255)
ms-ssim       ms-ssim-rgb                pytorch-msssim (RGB), Wang et al. 2003
ms-ssim-y     ms-ssim-y                  pytorch-msssim (BT.709 Y)
psnr-yuv      psnr-y, psnr-u, psnr-v     numpy (BT.709 Y'CbCr, full range, peak 255)
vif           vif                        piq ``vif_p`` (Y): pixel-domain VIF, Sheikh & Bovik 2006
fsim          fsim                       piq ``fsim`` (Y, achromatic): Zhang et al. 2011
iw-ssim       iw-ssim                    piq (Y): Wang & Li 2011
nlpd          nlpd (lower = better)      lic_bench.metrics.nlpd (Y): Laparra et al. 2016
psnr-hvs      psnr-hvs                   psnr-hvsm C++ backend (Y): Egiazarian et al. 2006
psnr-hvs-m    psnr-hvs-m                 psnr-hvsm C++ backend (Y): Ponomarenko et al. 2007
vmaf          vmaf                       libvmaf (vmaf_v0.6.1) in imageio-ffmpeg's ffmpeg
                                         (BT.709 limited-range 8-bit Y, one frame)
lpips         lpips                      lpips (needs torchvision's AlexNet weights)
============  =========================  ============================================

Y is BT.709 luma of the 8-bit RGB (see :mod:`lic_bench.metrics.color`). A metric whose
package or weights are missing is recorded as ``None``; the reason is said once, in one
line, and kept in the results' ``meta``.

Each metric is registered here (:func:`~lic_bench.metrics.specs.register_metric`) with
its results keys, labels, units and direction; a metric from another package
(:mod:`lic_bench.plugins`) joins the suite the same way.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lic_bench.errors import UsageError
from lic_bench.metrics.color import luma709, luma709_limited_u8, rgb_to_yuv709
from lic_bench.metrics.specs import ResultKey, metric_names, metric_spec, register_metric
from lic_bench.registry import METRICS

#: the JPEG AI suite (plus PSNR on RGB, which every curve here carries)
JPEG_AI = ("psnr", "ms-ssim", "ms-ssim-y", "psnr-yuv", "vif", "fsim", "iw-ssim", "nlpd",
           "psnr-hvs", "psnr-hvs-m", "vmaf")
DEFAULT = ("psnr", "ms-ssim")

def parse_metrics(value: str | Sequence[str] | None) -> list[str]:
    """``--metrics``: ``jpeg-ai``, ``default``, or a comma list of names (order kept)."""
    items = [value] if isinstance(value, str) else list(value or ["default"])
    out: list[str] = []
    for item in items:
        for tok in (t.strip() for t in item.split(",")):
            if not tok:
                continue
            names = JPEG_AI if tok == "jpeg-ai" else DEFAULT if tok == "default" else (tok,)
            for n in names:
                if n not in METRICS:
                    raise UsageError(f"unknown metric {n!r}; use jpeg-ai, default or any of "
                                     f"{', '.join(metric_names())}")
                if n not in out:
                    out.append(n)
    if not out:
        raise UsageError("--metrics: no metric given")
    return out


def _torch_y(rgb: np.ndarray):
    import torch

    return torch.from_numpy(luma709(rgb)).float()[None, None]


def _msssim(a, b, data_range: float) -> float | None:
    import torch
    from pytorch_msssim import ms_ssim

    from lic_bench.metrics.distortion import MS_SSIM_MIN_SIDE

    if min(a.shape[-2:]) < MS_SSIM_MIN_SIDE:
        return None
    with torch.no_grad():
        return float(ms_ssim(a, b, data_range=data_range, size_average=True))


def _psnr(a: np.ndarray, b: np.ndarray, peak: float = 255.0) -> float:
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)


@register_metric("psnr", keys=["psnr-rgb"], label="PSNR (RGB)", unit="dB", packages=["numpy"])
def m_psnr(ref, dist):
    return {"psnr-rgb": _psnr(ref, dist)}


@register_metric("ms-ssim", keys=["ms-ssim-rgb"], label="MS-SSIM (RGB)", unit="dB", scale="db",
                 packages=["pytorch-msssim"], papers=["wang2003-multiscale"])
def m_msssim(ref, dist):
    import torch

    def t(x):
        return torch.from_numpy(np.asarray(x, np.float32)).permute(2, 0, 1)[None]

    return {"ms-ssim-rgb": _msssim(t(ref), t(dist), 255.0)}


@register_metric("ms-ssim-y", keys=["ms-ssim-y"], label="MS-SSIM (Y)", unit="dB", scale="db",
                 packages=["pytorch-msssim"], papers=["wang2003-multiscale"])
def m_msssim_y(ref, dist):
    return {"ms-ssim-y": _msssim(_torch_y(ref), _torch_y(dist), 255.0)}


@register_metric("psnr-yuv", keys=[ResultKey(f"psnr-{c.lower()}", f"PSNR-{c}", "dB") for c in "YUV"],
                 label="PSNR-Y/U/V (BT.709)", unit="dB", packages=["numpy"])
def m_psnr_yuv(ref, dist):
    a, b = rgb_to_yuv709(ref), rgb_to_yuv709(dist)
    return {k: _psnr(a[i], b[i]) for i, k in enumerate(("psnr-y", "psnr-u", "psnr-v"))}


@register_metric("vif", keys=[ResultKey("vif", "VIF")], label="VIF (pixel domain, Y)", packages=["piq"])
def m_vif(ref, dist):
    import piq
    import torch

    with torch.no_grad():  # piq's argument order: (distorted, reference)
        return {"vif": float(piq.vif_p(_torch_y(dist), _torch_y(ref), data_range=255.0))}


@register_metric("fsim", keys=[ResultKey("fsim", "FSIM")], label="FSIM (Y)", packages=["piq"])
def m_fsim(ref, dist):
    import piq
    import torch

    with torch.no_grad():
        return {"fsim": float(piq.fsim(_torch_y(dist), _torch_y(ref), data_range=255.0,
                                       chromatic=False))}


@register_metric("iw-ssim", keys=[ResultKey("iw-ssim", "IW-SSIM")], label="IW-SSIM (Y)", packages=["piq"])
def m_iw_ssim(ref, dist):
    import piq
    import torch

    with torch.no_grad():
        return {"iw-ssim": float(piq.information_weighted_ssim(
            _torch_y(dist), _torch_y(ref), data_range=255.0))}


@register_metric("nlpd", keys=[ResultKey("nlpd", "NLPD", higher_is_better=False)], label="NLPD (Y)",
                 higher_is_better=False,
                 packages=["lic-bench", "torch"])
def m_nlpd(ref, dist):
    import torch

    from lic_bench.metrics.nlpd import nlpd

    return {"nlpd": nlpd(torch.from_numpy(luma709(ref) / 255.0), torch.from_numpy(luma709(dist) / 255.0))}


def _psnr_hvsm_backend():
    # the package prints a note about its optional torch backend on import: keep stdout clean
    with contextlib.redirect_stdout(io.StringIO()):
        import psnr_hvsm
    return psnr_hvsm.BACKENDS["cpp"]["psnr_hvs_hvsm"] if "cpp" in psnr_hvsm.BACKENDS \
        else psnr_hvsm.BACKENDS["numpy"]["psnr_hvs_hvsm"]


@register_metric("psnr-hvs-m", keys=[ResultKey("psnr-hvs-m", "PSNR-HVS-M", "dB")], label="PSNR-HVS-M (Y)",
                 unit="dB", packages=["psnr-hvsm"])
@register_metric("psnr-hvs", keys=[ResultKey("psnr-hvs", "PSNR-HVS", "dB")], label="PSNR-HVS (Y)",
                 unit="dB", packages=["psnr-hvsm"])
def m_psnr_hvs(ref, dist):
    fn = _psnr_hvsm_backend()
    hvs, hvsm = fn(luma709(ref) / 255.0, luma709(dist) / 255.0)
    return {"psnr-hvs": float(hvs), "psnr-hvs-m": float(hvsm)}


def vmaf_ffmpeg(ref_y: np.ndarray, dist_y: np.ndarray, threads: int = 1) -> float:
    """VMAF (libvmaf's built-in vmaf_v0.6.1) of one 8-bit luma frame through ffmpeg."""
    import imageio_ffmpeg

    h, w = ref_y.shape
    neutral = np.full((2, h, w), 128, np.uint8)  # VMAF reads luma only
    with tempfile.TemporaryDirectory(prefix="lic-vmaf-") as tmp:
        paths = []
        for tag, y in (("dist", dist_y), ("ref", ref_y)):
            p = os.path.join(tmp, f"{tag}.yuv")
            with open(p, "wb") as fh:
                fh.write(np.ascontiguousarray(y, np.uint8).tobytes())
                fh.write(neutral.tobytes())
            paths.append(p)
        log = os.path.join(tmp, "vmaf.json")
        args = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
        for p in paths:
            args += ["-f", "rawvideo", "-pix_fmt", "yuv444p", "-s", f"{w}x{h}", "-i", p]
        args += ["-lavfi", f"[0:v][1:v]libvmaf=log_fmt=json:log_path={log}:n_threads={threads}",
                 "-f", "null", "-"]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg libvmaf failed: {proc.stderr.strip()[-200:]}")
        with open(log) as fh:
            return float(json.load(fh)["frames"][0]["metrics"]["vmaf"])


@register_metric("vmaf", keys=[ResultKey("vmaf", "VMAF")], label="VMAF v0.6.1 (Y)", packages=["imageio-ffmpeg"])
def m_vmaf(ref, dist):
    return {"vmaf": vmaf_ffmpeg(luma709_limited_u8(ref), luma709_limited_u8(dist))}


_LPIPS = None
#: the file torchvision's ``alexnet(weights=IMAGENET1K_V1)`` loads from the hub cache
_ALEXNET_WEIGHTS = "alexnet-owt-7be5be79.pth"


@register_metric("lpips", keys=[ResultKey("lpips", "LPIPS", higher_is_better=False)], label="LPIPS (AlexNet)",
                 higher_is_better=False, packages=["lpips", "torchvision"], papers=["zhang2018-unreasonable"])
def m_lpips(ref, dist):
    import torch

    from lic_bench.metrics.perceptual import LpipsMetric

    global _LPIPS
    # lpips would have torchvision download the AlexNet weights: never at run time
    weights = os.path.join(torch.hub.get_dir(), "checkpoints", _ALEXNET_WEIGHTS)
    if not os.path.isfile(weights):
        raise MetricUnavailable(f"LPIPS needs torchvision's AlexNet weights at {weights} "
                                "(not downloaded at run time)")
    if _LPIPS is None:
        _LPIPS = LpipsMetric("alex")
    if not _LPIPS.available:
        raise MetricUnavailable(_LPIPS.unavailable)

    def t(x):
        return torch.from_numpy(np.asarray(x, np.float32) / 255.0).permute(2, 0, 1)[None]

    return {"lpips": _LPIPS(t(ref), t(dist))[0]}


class MetricUnavailable(RuntimeError):
    """A metric cannot be computed here (package or weights missing)."""


def _version(package: str) -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _libvmaf_version() -> str | None:
    try:
        import imageio_ffmpeg

        out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-version"],
                             capture_output=True, text=True, timeout=60).stdout
    except Exception:  # noqa: BLE001 - a version string is informative only
        return None
    first = out.splitlines()[0] if out else ""
    return first.replace("ffmpeg version ", "").split(" Copyright")[0] or None


def _cpu() -> float:
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


class MetricSuite:
    """The metrics asked for; computes them per image pair, timing each, never raising
    for a metric that cannot run here (its keys become ``None``, the reason is kept)."""

    def __init__(self, names: Sequence[str], warn: Callable[[str], Any] | None = None):
        self.names = parse_metrics(list(names))
        self.seconds: dict[str, float] = {n: 0.0 for n in self.names}
        #: CPU seconds (this process and the ffmpeg it runs), which a loaded machine does not inflate
        self.cpu_seconds: dict[str, float] = {n: 0.0 for n in self.names}
        self.unavailable: dict[str, str] = {}
        self._warn = warn or (lambda line: print(line, file=sys.stderr))

    def keys(self) -> list[str]:
        out: list[str] = []
        for n in self.names:
            for k in metric_spec(n).key_names:
                if k not in out:
                    out.append(k)
        return out

    def cached(self, name: str, values: dict[str, Any]) -> bool:
        """Whether an earlier metric's computation already gave ``name``'s values
        (PSNR-HVS and PSNR-HVS-M come from one call)."""
        return all(k in values for k in metric_spec(name).key_names)

    def compute_one(self, name: str, ref: np.ndarray, dist: np.ndarray) -> dict[str, Any]:
        spec = metric_spec(name)
        if name in self.unavailable:
            return {k: None for k in spec.key_names}
        t0, c0 = time.perf_counter(), _cpu()
        try:
            values = spec.function(ref, dist)
        except (ImportError, MetricUnavailable) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.unavailable[name] = f"{name}: not computed: {reason}"
            self._warn(self.unavailable[name])
            return {k: None for k in spec.key_names}
        finally:
            self.seconds[name] += time.perf_counter() - t0
            self.cpu_seconds[name] += _cpu() - c0
        return values

    def compute(self, ref: np.ndarray, dist: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in self.names:
            if not self.cached(n, out):
                out.update(self.compute_one(n, ref, dist))
        return {k: out.get(k) for k in self.keys()}

    def meta(self) -> dict[str, Any]:
        """Per metric: results keys, the packages (with versions) that computed it, and why
        it is null where it is."""
        out: dict[str, Any] = {}
        for n in self.names:
            spec = metric_spec(n)
            pkgs = {p: _version(p) for p in spec.packages}
            if n == "vmaf":
                pkgs["ffmpeg (libvmaf, model vmaf_v0.6.1)"] = _libvmaf_version()
            entry: dict[str, Any] = {"keys": list(spec.key_names),
                                     "label": spec.label, "packages": pkgs,
                                     "higher_is_better": spec.higher_is_better}
            if n in self.unavailable:
                entry["unavailable"] = self.unavailable[n]
            out[n] = entry
        return out
