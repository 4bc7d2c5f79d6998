"""Run an anchor codec over a dataset and a quality sweep; build the results document.

For every (image, quality): encode, count the bytes, decode, and measure on the
decoded RGB image. Per quality the dataset average is reported the way
CompressAI's ``compressai.utils.bench`` does: mean bpp, mean per-image PSNR,
mean per-image MS-SSIM.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from lic_bench.codecs import get_codec
from lic_bench.errors import UsageError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".ppm", ".bmp", ".tif", ".tiff"}
#: pytorch-msssim's 5 scales with an 11-px window need the short side > (11 - 1) * 2**4
MSSSIM_MIN_SIDE = 161


def list_images(dataset: Path) -> list[Path]:
    if not dataset.is_dir():
        raise UsageError(f"{dataset}: not a folder of images")
    images = sorted(p for p in dataset.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise UsageError(f"{dataset}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return images


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float | None:
    """MS-SSIM on RGB (pytorch-msssim, data range 255); None for images too small for 5 scales."""
    if min(a.shape[:2]) < MSSSIM_MIN_SIDE:
        return None
    import torch
    from pytorch_msssim import ms_ssim as _ms_ssim

    def t(x: np.ndarray):
        return torch.from_numpy(x.astype(np.float32)).permute(2, 0, 1)[None]

    with torch.no_grad():
        return float(_ms_ssim(t(a), t(b), data_range=255.0, size_average=True))


_SUITES: dict[tuple[str, ...], Any] = {}


def _suite(metrics: Sequence[str]):
    from lic_bench.metrics.suite import MetricSuite

    key = tuple(metrics)
    if key not in _SUITES:
        _SUITES[key] = MetricSuite(key)
    return _SUITES[key]


def measure(codec_name: str, codec_kwargs: dict[str, Any], path: str, quality: int,
            metrics: Sequence[str] = ("psnr", "ms-ssim")) -> dict[str, Any]:
    """One (image, quality) point: real bytes, then metrics on the decoded RGB image."""
    codec = get_codec(codec_name, **codec_kwargs)
    rgb = load_rgb(Path(path))
    t0 = time.perf_counter()
    data = codec.encode(rgb, quality)
    t1 = time.perf_counter()
    rec = codec.decode(data)
    t2 = time.perf_counter()
    if rec.shape != rgb.shape:
        raise RuntimeError(f"{codec_name} decoded {rec.shape}, expected {rgb.shape}")
    h, w = rgb.shape[:2]
    return {
        "image": Path(path).name,
        "quality": quality,
        "bytes": len(data),
        "bpp": len(data) * 8.0 / (h * w),
        **_suite(metrics).compute(rgb, rec),
        "encoding_time": t1 - t0,
        "decoding_time": t2 - t1,
    }


def _init_worker() -> None:
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def _mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if len(vals) == len(values) and vals else None


_POINT_KEYS = ("image", "quality", "bytes", "bpp", "encoding_time", "decoding_time")


def aggregate(points: list[dict[str, Any]], qualities: Sequence[int], images: Sequence[str]) -> dict[str, Any]:
    """Dataset means per quality, ordered by increasing bpp, plus the per-image table."""
    metric_keys = [k for k in points[0] if k not in _POINT_KEYS]
    rows = []
    for q in qualities:
        pts = [p for p in points if p["quality"] == q]
        rows.append({
            "quality": q,
            **{k: _mean([p[k] for p in pts])
               for k in ("bpp", *metric_keys, "encoding_time", "decoding_time")},
        })
    rows.sort(key=lambda r: r["bpp"])
    results = {k: [r[k] for r in rows] for k in rows[0]}
    if all(v is None for v in results.get("ms-ssim-rgb", [0])):
        del results["ms-ssim-rgb"]
    per_image = {
        name: {k: [next(p[k] for p in points if p["image"] == name and p["quality"] == r["quality"])
                   for r in rows]
               for k in ("bytes", "bpp", *metric_keys)}
        for name in images
    }
    return {"results": results, "per_image": per_image}


def run_sweep(
    codec_name: str,
    dataset: Path,
    qualities: Sequence[int] | None = None,
    jobs: int = 1,
    codec_kwargs: dict[str, Any] | None = None,
    progress: Callable[[int], Any] | None = None,
    limit: int | None = None,
    metrics: Sequence[str] = ("psnr", "ms-ssim"),
) -> dict[str, Any]:
    """Encode every image at every quality; return ``{"results", "per_image", "images", "wall_time"}``."""
    codec_kwargs = codec_kwargs or {}
    codec = get_codec(codec_name, **codec_kwargs)
    codec.versions()  # fail early, with the codec's own MissingDependencyError
    qualities = list(qualities or codec.qualities)
    images = list_images(dataset)[:limit]
    tasks = [(codec_name, codec_kwargs, str(p), q, tuple(metrics)) for p in images for q in qualities]
    start = time.perf_counter()
    points: list[dict[str, Any]] = []
    if jobs <= 1:
        _init_worker()
        for task in tasks:
            points.append(measure(*task))
            if progress:
                progress(1)
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
            futures = [pool.submit(measure, *task) for task in tasks]
            for fut in as_completed(futures):
                points.append(fut.result())
                if progress:
                    progress(1)
    out = aggregate(points, qualities, [p.name for p in images])
    out["images"] = [p.name for p in images]
    out["wall_time"] = time.perf_counter() - start
    return out


def anchor_document(
    codec_name: str,
    dataset: Path,
    qualities: Sequence[int] | None = None,
    jobs: int = 1,
    codec_kwargs: dict[str, Any] | None = None,
    progress: Callable[[int], Any] | None = None,
    limit: int | None = None,
    metrics: Sequence[str] = ("psnr", "ms-ssim"),
) -> dict[str, Any]:
    """The results document (``results/anchors/<codec>/<dataset>.json``) of one sweep."""
    from lic_bench.metrics.suite import MetricSuite
    from lic_bench.results import collect_meta
    from lic_bench.results.meta import PER_QUALITY

    codec = get_codec(codec_name, **(codec_kwargs or {}))
    run = run_sweep(codec_name, dataset, qualities, jobs, codec_kwargs, progress, limit, metrics)
    meta = collect_meta(
        "anchor",
        packages=("lic-bench", "numpy", "pillow", "av", "imagecodecs", "imageio-ffmpeg",
                  "pytorch-msssim", "torch"),
        threads=1,
        codec=codec.name,
        codec_versions=codec.versions(),
        codec_settings=codec.settings(),
        subsampling=codec.subsampling,
        quality_label=codec.quality_label,
        # a partial run must never pass for the whole dataset in BD tables
        dataset=dataset.name if limit is None else f"{dataset.name}-first{limit}",
        dataset_dir=str(dataset),
        images=run["images"],
        jobs=jobs,
        wall_time_s=round(run["wall_time"], 1),
        metrics=MetricSuite(metrics).meta(),
        metrics_on="decoded RGB, 8 bit; PSNR (numpy), MS-SSIM (pytorch-msssim, data_range=255)",
        rate="bpp = 8 * len(bitstream) / (H * W), averaged over images",
        averaging=PER_QUALITY,
        taxonomy=[],
        papers=[],
    )
    return {
        "name": codec.name,
        "description": f"{codec.description} on {dataset.name}" + (f" (first {limit} images)" if limit else ""),
        "results": run["results"],
        "per_image": run["per_image"],
        "meta": meta,
    }
