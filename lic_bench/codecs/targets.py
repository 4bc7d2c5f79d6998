"""Run an anchor codec at fixed target rates: per-image quality search, then the metrics.

Two phases, both resumable from a work folder (default under ``~/.cache/lic-bench``, one
per codec, settings, dataset and targets), so a killed run loses at most the image in
progress:

1. *encode*: for every image, :class:`~lic_bench.codecs.rate_search.ImageSearch` finds
   the quality of each target (±15 %), the chosen bitstream is decoded and the decoded
   image kept as a lossless PNG; ``encode/<image>.json`` records qualities, bytes, the
   achieved bpp, timings and the targets skipped (with the reason);
2. *metrics*: every metric asked for is computed on each decoded image against the
   original and cached in ``metrics/<image>.json``, so adding metrics later does not
   encode again.

The results document keeps CompressAI's layout: ``results`` holds one list per key, one
entry per target rate (dataset means over the images that reached it; ``None`` where an
image skipped it, with the count in ``meta.skipped``); ``per_image`` the same per image.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from lic_bench.codecs import get_codec
from lic_bench.codecs.rate_search import TOLERANCE, ImageSearch, prior_guess
from lic_bench.codecs.sweep import list_images, load_rgb

#: bump when the encode records change shape (old work folders are then not reused)
WORK_FORMAT = 1


class TargetSkipWarning(UserWarning):
    """A target rate the codec cannot reach within the tolerance on some image."""


def _dump(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(obj, fh, indent=1)
    os.replace(tmp, path)


def _load(path: Path) -> Any | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # missing or half-written: redo that image


def work_key(codec_name: str, codec_kwargs: dict[str, Any], dataset: Path,
             targets: Sequence[float], tolerance: float) -> str:
    codec = get_codec(codec_name, **codec_kwargs)
    blob = json.dumps({"codec": codec_name, "settings": codec.settings(), "kwargs": codec_kwargs,
                       "dataset": str(dataset), "targets": list(targets), "tol": tolerance,
                       "format": WORK_FORMAT}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def default_work_dir(codec_name: str, dataset: Path, key: str) -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return root / "lic-bench" / "anchors" / f"{codec_name}-{dataset.name}-{key}"


def encode_image_targets(codec_name: str, codec_kwargs: dict[str, Any], path: str,
                         targets: Sequence[float], guesses: dict[float, float | None],
                         work_dir: str, tolerance: float = TOLERANCE) -> dict[str, Any]:
    """Phase 1 for one image (runs in a worker process); returns its encode record."""
    from PIL import Image

    work = Path(work_dir)
    stem = Path(path).stem
    rec_path = work / "encode" / f"{stem}.json"
    done = _load(rec_path)
    if done and done.get("targets") == list(targets):
        return done
    codec = get_codec(codec_name, **codec_kwargs)
    rgb = load_rgb(Path(path))
    h, w = rgb.shape[:2]
    streams: dict[float, bytes] = {}
    enc_time: dict[float, float] = {}

    def encode(q: float) -> int:
        t0 = time.perf_counter()
        streams[q] = codec.encode(rgb, q)
        enc_time[q] = time.perf_counter() - t0
        return len(streams[q])

    search = ImageSearch(encode, h * w, tuple(codec.quality_range), codec.quality_step,
                         codec.quality_increases_rate, tolerance)
    points = []
    decoded: dict[float, tuple[str, float]] = {}
    for target in targets:
        found = search.find(target, guesses.get(target))
        if found.quality is None:
            points.append({"target_bpp": target, "skipped": found.reason})
            continue
        q = found.quality
        if q not in decoded:
            t0 = time.perf_counter()
            rec = codec.decode(streams[q])
            dt = time.perf_counter() - t0
            if rec.shape != rgb.shape:
                raise RuntimeError(f"{codec_name} decoded {rec.shape}, expected {rgb.shape}")
            name = f"{stem}-q{q}.png"
            (work / "decoded").mkdir(parents=True, exist_ok=True)
            Image.fromarray(rec).save(work / "decoded" / name, compress_level=1)
            decoded[q] = (name, dt)
        points.append({"target_bpp": target, "quality": q, "bytes": len(streams[q]),
                       "bpp": found.bpp, "encoding_time": enc_time[q],
                       "decoding_time": decoded[q][1], "decoded": decoded[q][0]})
    record = {"image": Path(path).name, "targets": list(targets), "height": h, "width": w,
              "points": points, "encodes": len(search.tried),
              "tried": {str(q): b for q, b in sorted(search.tried.items())}}
    _dump(record, rec_path)
    return record


def _init_worker() -> None:
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


def encode_phase(codec_name: str, codec_kwargs: dict[str, Any], images: Sequence[Path],
                 targets: Sequence[float], work_dir: Path, jobs: int = 1,
                 progress: Callable[[int], Any] | None = None,
                 tolerance: float = TOLERANCE) -> list[dict[str, Any]]:
    """Phase 1 over all images; the qualities earlier images chose seed the next ones."""
    history: dict[float, list[float]] = {}
    records: dict[str, dict[str, Any]] = {}

    def learn(rec: dict[str, Any]) -> None:
        records[rec["image"]] = rec
        for p in rec["points"]:
            if p.get("quality") is not None:
                history.setdefault(p["target_bpp"], []).append(p["quality"])
        if progress:
            progress(1)

    def guesses() -> dict[float, float | None]:
        return {t: prior_guess(history, t) for t in targets}

    if jobs <= 1:
        _init_worker()
        for p in images:
            learn(encode_image_targets(codec_name, codec_kwargs, str(p), targets, guesses(),
                                       str(work_dir), tolerance))
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
            pending = list(images)
            running = {}
            while pending or running:
                while pending and len(running) < jobs:
                    p = pending.pop(0)
                    running[pool.submit(encode_image_targets, codec_name, codec_kwargs, str(p),
                                        targets, guesses(), str(work_dir), tolerance)] = p
                fut = next(as_completed(running))
                del running[fut]
                learn(fut.result())
    return [records[p.name] for p in images]


def _image_metrics(rec: dict[str, Any], path: str, metrics: Sequence[str], work_dir: str,
                   progress: Callable[[str], Any] | None = None):
    """Metrics of one image's decoded points (cached in ``metrics/<image>.json``).

    Returns ``({target: {key: value}}, seconds per metric, reasons for unavailable metrics)``.
    """
    from lic_bench.metrics.suite import MetricSuite

    work = Path(work_dir)
    suite = MetricSuite(metrics)
    cache_path = work / "metrics" / f"{Path(path).stem}.json"
    cache = _load(cache_path) or {}
    ref = None
    changed = False
    per_target: dict[float, dict[str, Any]] = {}
    for p in rec["points"]:
        if p.get("quality") is None:
            continue
        key = p["decoded"]
        have = cache.setdefault(key, {})
        for m in suite.names:
            if progress:
                progress(f"{Path(path).name} {p['target_bpp']:g} bpp {m}")
            if suite.cached(m, have):
                continue
            if ref is None:
                ref = load_rgb(Path(path))
            dist = load_rgb(work / "decoded" / key)
            values = suite.compute_one(m, ref, dist)
            if m not in suite.unavailable:  # never cache a value that is missing for a local reason
                have.update(values)
                changed = True
        per_target[p["target_bpp"]] = {k: have.get(k) for k in suite.keys()}
    if changed:
        _dump(cache, cache_path)
    return per_target, (suite.seconds, suite.cpu_seconds), suite.unavailable


def metric_phase(records: Sequence[dict[str, Any]], images: Sequence[Path], metrics: Sequence[str],
                 work_dir: Path, progress: Callable[[str], Any] | None = None, jobs: int = 1):
    """Phase 2: ``{image: {target: {key: value}}}`` and a suite whose ``seconds`` and
    ``unavailable`` sum those of all images (per-metric CPU seconds, summed over workers)."""
    from lic_bench.metrics.suite import MetricSuite

    suite = MetricSuite(metrics)
    out: dict[str, dict[float, dict[str, Any]]] = {}

    def merge(name: str, res) -> None:
        per_target, (seconds, cpu), unavailable = res
        out[name] = per_target
        for k, v in seconds.items():
            suite.seconds[k] += v
            suite.cpu_seconds[k] += cpu[k]
        suite.unavailable.update(unavailable)

    if jobs <= 1:
        _init_worker()
        for rec, path in zip(records, images, strict=True):
            merge(rec["image"], _image_metrics(rec, str(path), suite.names, str(work_dir), progress))
    else:
        steps = len(suite.names)
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
            futures = {pool.submit(_image_metrics, rec, str(path), suite.names, str(work_dir)): rec
                       for rec, path in zip(records, images, strict=True)}
            for fut in as_completed(futures):
                rec = futures[fut]
                merge(rec["image"], fut.result())
                if progress:
                    for p in rec["points"]:
                        if p.get("quality") is not None:
                            for m in suite.names[:steps]:
                                progress(f"{rec['image']} {p['target_bpp']:g} bpp {m}")
    return out, suite


def _mean(values: list[Any]) -> float | None:
    vals = [v for v in values if v is not None]
    if not vals or len(vals) != len(values):
        return None
    return float(statistics.fmean(vals))


def build_results(records: Sequence[dict[str, Any]], values: dict[str, dict[float, dict[str, Any]]],
                  targets: Sequence[float], keys: Sequence[str]) -> dict[str, Any]:
    """CompressAI-style ``results`` (one entry per target reached by every image) and ``per_image``."""
    base = ("quality", "bpp", "bytes", "encoding_time", "decoding_time")
    per_image: dict[str, dict[str, list]] = {}
    for rec in records:
        row: dict[str, list] = {k: [] for k in ("target_bpp", *base, *keys)}
        for p in rec["points"]:
            row["target_bpp"].append(p["target_bpp"])
            for k in base:
                row[k].append(p.get(k))
            vals = values.get(rec["image"], {}).get(p["target_bpp"], {})
            for k in keys:
                row[k].append(vals.get(k))
        per_image[rec["image"]] = row
    results: dict[str, list] = {k: [] for k in ("target_bpp", "reached", *base, *keys)}
    skipped: dict[str, list[str]] = {}
    for i, t in enumerate(targets):
        reached = [r for r in per_image.values() if r["quality"][i] is not None]
        missed = [n for n, r in per_image.items() if r["quality"][i] is None]
        if missed:
            skipped[f"{t:g}"] = missed
        if len(reached) != len(per_image):
            continue  # a mean over a subset of the images would not be comparable
        results["target_bpp"].append(t)
        results["reached"].append(len(reached))
        for k in (*base, *keys):
            results[k].append(_mean([r[k][i] for r in reached]))
    return {"results": results, "per_image": per_image, "skipped": skipped}


def target_document(codec_name: str, dataset: Path, targets: Sequence[float], metrics: Sequence[str],
                    jobs: int = 1, codec_kwargs: dict[str, Any] | None = None,
                    limit: int | None = None, work_dir: Path | None = None,
                    encode_progress: Callable[[int], Any] | None = None,
                    metric_progress: Callable[[str], Any] | None = None,
                    tolerance: float = TOLERANCE) -> dict[str, Any]:
    """The results document of one codec at fixed target rates (see the module docstring)."""
    from lic_bench.results import collect_meta
    from lic_bench.results.meta import PER_TARGET_RATE

    codec_kwargs = codec_kwargs or {}
    codec = get_codec(codec_name, **codec_kwargs)
    versions = codec.versions()
    images = list_images(dataset)[:limit]
    targets = sorted(targets)
    key = work_key(codec_name, codec_kwargs, dataset, targets, tolerance)
    work = work_dir or default_work_dir(codec_name, dataset, key)
    start = time.perf_counter()
    records = encode_phase(codec_name, codec_kwargs, images, targets, work, jobs,
                           encode_progress, tolerance)
    t_enc = time.perf_counter() - start
    values, suite = metric_phase(records, images, metrics, work, metric_progress, jobs)
    t_met = time.perf_counter() - t_enc - start
    out = build_results(records, values, targets, suite.keys())
    for t, names in out["skipped"].items():
        warnings.warn(f"{codec_name}: {t} bpp not reached within ±{tolerance:.0%} on "
                      f"{len(names)} image(s) ({', '.join(names[:3])}{'...' if len(names) > 3 else ''}); "
                      "left out of the dataset means", TargetSkipWarning, stacklevel=2)
    reasons = {f"{p['target_bpp']:g}": p["skipped"] for r in records for p in r["points"] if "skipped" in p}
    meta = collect_meta(
        "anchor",
        packages=("lic-bench", "numpy", "pillow", "av", "imagecodecs", "imageio-ffmpeg", "torch"),
        threads=1,
        codec=codec.name,
        codec_versions=versions,
        codec_settings=codec.settings(),
        subsampling=codec.subsampling,
        quality_label=codec.quality_label,
        dataset=dataset.name if limit is None else f"{dataset.name}-first{limit}",
        dataset_dir=str(dataset),
        images=[p.name for p in images],
        jobs=jobs,
        wall_time_s=round(time.perf_counter() - start, 1),
        rate_control={"target_bpp": list(targets), "tolerance": tolerance,
                      "search": "per image: secant on log-bpp over the quality value, bracketed "
                                "by the image's earlier encodes",
                      "encodes": sum(r["encodes"] for r in records),
                      "skipped": out["skipped"], "skip_reasons": reasons},
        metrics=suite.meta(),
        metric_seconds={k: round(v, 2) for k, v in suite.seconds.items()},
        metric_cpu_seconds={k: round(v, 2) for k, v in suite.cpu_seconds.items()},
        phase_seconds={"encode": round(t_enc, 1), "metrics": round(t_met, 1)},
        metrics_on="decoded RGB, 8 bit; per-image values averaged over the images",
        rate="bpp = 8 * len(bitstream) / (H * W), averaged over images",
        averaging=PER_TARGET_RATE,
        taxonomy=[],
        papers=[],
    )
    return {
        "name": codec.name,
        "description": (f"{codec.description} on {dataset.name}" + (f" (first {limit} images)" if limit else "")
                        + f", at target rates {', '.join(f'{t:g}' for t in targets)} bpp (±{tolerance:.0%})"),
        "results": out["results"],
        "per_image": out["per_image"],
        "meta": meta,
    }
