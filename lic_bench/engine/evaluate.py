"""Evaluate a model on a test set with real bitstreams (importable; ``lic-bench test``).

Per image: the model's bitstream is written with :func:`lic_bench.bitstream.encode_image`
and read back with :func:`~lic_bench.bitstream.decode_image`; the real rate is the size
of those bytes, the estimated rate comes from the likelihoods of a forward pass, and the
decoded image must agree with the forward pass's reconstruction (up to 8-bit rounding).
Quality is measured on the decoded image rounded to 8 bits, as a viewer would see it:
PSNR on RGB, MS-SSIM (and in dB), LPIPS (``None`` with the reason when its ImageNet
backbone cannot be loaded), and any further metric of :mod:`lic_bench.metrics.suite`
asked for with ``metrics`` (``jpeg-ai``: the JPEG AI suite). Encoding and decoding are
timed (wall clock, CPU threads as
given, CUDA synchronised).

The result is one document in CompressAI's evaluation format (means as one-element lists,
so ``compressai.utils.plot`` draws it) with per-image values under ``per_image`` and
provenance under ``meta``.
"""

from __future__ import annotations

import math
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from lic_bench.data.images import ImageFolder, pil_to_float
from lic_bench.data.transforms import pad_to_multiple
from lic_bench.metrics import (
    LpipsMetric,
    bpp_from_bytes,
    bpp_from_likelihoods,
    ms_ssim,
    ms_ssim_db,
    psnr,
    to_uint8_levels,
)
from lic_bench.models.sections import section_name

#: the keys of ``results`` (CompressAI's names where CompressAI has them)
METRICS = ("bpp", "bpp-estimated", "psnr-rgb", "ms-ssim-rgb", "ms-ssim-rgb-db", "lpips",
           "encoding_time", "decoding_time")

#: the decoded image may differ from the forward pass's reconstruction by rounding only
DECODE_TOLERANCE_LEVELS = 1


class DecodeMismatchWarning(UserWarning):
    """The decoded bitstream does not reproduce the model's own reconstruction."""


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _default_codec() -> tuple[Callable, Callable]:
    from lic_bench.bitstream import decode_image, encode_image

    return encode_image, decode_image


@torch.no_grad()
def evaluate_image(
    model: torch.nn.Module, x: torch.Tensor, *, lpips: LpipsMetric | None = None,
    codec: tuple[Callable, Callable] | None = None, codec_config: dict | None = None,
    suite: Any = None, on_metric: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """Metrics of one image ``x`` (``(1, 3, H, W)`` in [0, 1]) on ``model`` (eval mode, updated).

    ``suite``: a :class:`~lic_bench.metrics.suite.MetricSuite` whose metrics beyond PSNR,
    MS-SSIM and LPIPS are added (on the 8-bit images); ``on_metric`` is told each one.
    """
    encode, decode = codec or _default_codec()
    device = next(model.parameters()).device
    x = x.to(device)
    h, w = x.shape[-2:]
    num_pixels = h * w
    multiple = int(model.downsampling_factor)
    out = model(pad_to_multiple(x, multiple))
    bpp_est = bpp_from_likelihoods(out["likelihoods"], num_pixels)
    x_fwd = to_uint8_levels(out["x_hat"][..., :h, :w])

    _sync(device)
    t0 = time.perf_counter()
    data = encode(model, x, codec_config)
    _sync(device)
    t1 = time.perf_counter()
    decoded = decode(data, model=model)
    if isinstance(decoded, dict):
        decoded = decoded["x_hat"]
    _sync(device)
    t2 = time.perf_counter()
    x_dec = to_uint8_levels(decoded.to(device).reshape(x.shape) if decoded.dim() == 3 else decoded)
    if x_dec.shape != x.shape:
        raise RuntimeError(f"decoded image has shape {tuple(x_dec.shape)}, expected {tuple(x.shape)}")
    diff_levels = int(torch.round((x_dec - x_fwd).abs().max() * 255).item())

    ms = ms_ssim(x, x_dec)[0]
    extra: dict[str, Any] = {}
    if suite is not None:
        ref8 = (x[0].permute(1, 2, 0).cpu().numpy() * 255).round().clip(0, 255).astype("uint8")
        dec8 = (x_dec[0].permute(1, 2, 0).cpu().numpy() * 255).round().clip(0, 255).astype("uint8")
        for name in suite.names:
            # a metric whose keys are all columns of METRICS is computed below, on the floats
            if suite.cached(name, dict.fromkeys(METRICS)) or suite.cached(name, extra):
                continue
            if on_metric:
                on_metric(name)
            extra.update(suite.compute_one(name, ref8, dec8))
        extra = {k: extra.get(k) for k in suite.keys() if k not in METRICS}
    return {
        "bpp": bpp_from_bytes(len(data), num_pixels),
        "bpp-estimated": bpp_est,
        "psnr-rgb": psnr(x, x_dec)[0],
        "ms-ssim-rgb": ms,
        "ms-ssim-rgb-db": ms_ssim_db(ms),
        "lpips": (lpips(x, x_dec)[0] if lpips is not None else None),
        **extra,
        "encoding_time": t1 - t0,
        "decoding_time": t2 - t1,
        "bytes": len(data),
        "height": int(h),
        "width": int(w),
        "decode_max_diff_levels": diff_levels,
    }


def _mean(values: list) -> float | None:
    nums = [v for v in values if v is not None]
    if len(nums) != len(values) or not nums:
        return None  # a mean over a subset would not describe the data set
    if any(math.isinf(v) for v in nums):
        return math.inf
    return statistics.fmean(nums)


def evaluate_model(
    model: torch.nn.Module, dataset: ImageFolder, *, lpips_net: str | None = "alex",
    threads: int | None = None, device: str = "cpu", progress: bool = True,
    codec: tuple[Callable, Callable] | None = None, codec_config: dict | None = None,
    limit: int | None = None, metrics: Any = None,
) -> dict[str, Any]:
    """Per-image and mean metrics of ``model`` on every image of ``dataset``.

    ``metrics``: ``--metrics`` names (default psnr, ms-ssim; ``jpeg-ai`` for the suite).

    Returns ``{"results": {metric: [mean]}, "per_image": {image id: {...}}, "notes": {...}}``.
    """
    from tqdm import tqdm

    if threads:
        torch.set_num_threads(int(threads))
    dev = torch.device(device)
    model = model.to(dev).eval()
    model.update(force=True)
    lpips = LpipsMetric(lpips_net, device=dev) if lpips_net else None
    names = dataset.names()
    count = len(names) if limit is None else min(limit, len(names))
    from lic_bench.metrics.suite import MetricSuite

    suite = MetricSuite(metrics or ["default"])
    per_image: dict[str, dict[str, Any]] = {}
    bar = tqdm(range(count), desc=f"test {dataset.name}", unit="img", disable=not progress)
    for i in bar:
        x = pil_to_float(dataset.load(i))[None]
        bar.set_postfix_str(f"{names[i]} code")
        per_image[names[i]] = evaluate_image(
            model, x, lpips=lpips, codec=codec, codec_config=codec_config, suite=suite,
            on_metric=lambda m, n=names[i]: bar.set_postfix_str(f"{n} {m}"))
    mismatched = {k: v["decode_max_diff_levels"] for k, v in per_image.items()
                  if v["decode_max_diff_levels"] > DECODE_TOLERANCE_LEVELS}
    if mismatched:
        warnings.warn(
            f"decoded images differ from the model's reconstruction by more than "
            f"{DECODE_TOLERANCE_LEVELS} level(s) in {len(mismatched)} image(s): {mismatched}",
            DecodeMismatchWarning, stacklevel=2,
        )
    keys = list(METRICS) + [k for k in suite.keys() if k not in METRICS]
    results = {m: [_mean([v[m] for v in per_image.values()])] for m in keys}
    notes: dict[str, Any] = {
        "num_images": count,
        "decode_check": {"tolerance_levels": DECODE_TOLERANCE_LEVELS,
                         "max_diff_levels": max((v["decode_max_diff_levels"]
                                                 for v in per_image.values()), default=0),
                         "mismatched_images": sorted(mismatched)},
        "lpips_net": lpips_net,
        "metrics": suite.meta(),
    }
    if lpips is not None and not lpips.available:
        notes["lpips_unavailable"] = lpips.unavailable
    elif lpips is None:
        notes["lpips_unavailable"] = "LPIPS disabled for this run"
    small = [k for k, v in per_image.items() if v["ms-ssim-rgb"] is None]
    if small:
        notes["ms_ssim_unavailable"] = (
            f"{len(small)} image(s) are smaller than MS-SSIM's 161-pixel minimum: {small[:10]}"
        )
    return {"results": results, "per_image": per_image, "notes": notes}


def load_trained_model(checkpoint: str | Path, config: dict[str, Any] | None = None):
    """(model in eval mode, resolved config) from a lic-bench training checkpoint."""
    from lic_bench.engine.train import config_from_checkpoint
    from lic_bench.models import build_model, load_checkpoint

    cfg = config or config_from_checkpoint(checkpoint)
    model = build_model(cfg["model"])
    load_checkpoint(model, checkpoint)  # strict; strips Lightning's "model." prefix
    model.weights_info = {"init": "checkpoint", "file": Path(checkpoint).name}
    return model.eval(), cfg


def run_test(
    checkpoint: str | Path, *, config: dict[str, Any] | None = None, dataset: str | None = None,
    split: str | None = None, data_dir: str | None = None, threads: int | None = None,
    device: str = "cpu", lpips_net: str | None = None, progress: bool = True,
    limit: int | None = None, output: str | Path | None = None, write: bool = True,
    metrics: Any = None,
) -> tuple[dict[str, Any], Path | None]:
    """``lic-bench test``: evaluate a checkpoint and write its results document.

    Returns ``(document, path written or None)``. The file goes to
    ``results/eval/<model name>/<run name>-<dataset>.json`` unless ``output`` is given;
    :func:`lic_bench.results.write_result` never overwrites a different run.
    """
    from lic_bench.data.catalogue import resolve_split
    from lic_bench.results import result_path, write_result

    model, cfg = load_trained_model(checkpoint, config)
    test_cfg = dict(cfg.get("test") or {})
    dataset = dataset or test_cfg.get("dataset") or "kodak"
    split = split or test_cfg.get("split")
    lpips_net = lpips_net or test_cfg.get("lpips_net") or "alex"
    target = None
    if write:  # checked before the work: the names come from the checkpoint (result_path refuses paths)
        parts = [cfg["name"], cfg.get("protocol"), Path(dataset).name, split]
        tag = "-".join(str(p) for p in parts if p)
        target = Path(output) if output else result_path("eval", cfg["model"]["name"], tag)
    folder = resolve_split(dataset, split, data_dir or (cfg.get("data") or {}).get("data_dir"))
    images = ImageFolder(folder, name=dataset + (f"/{split}" if split else ""))
    threads = threads or cfg.get("threads")
    evaluation = evaluate_model(model, images, lpips_net=lpips_net, threads=threads, device=device,
                                progress=progress, limit=limit, metrics=metrics)
    doc = results_document(model, cfg, checkpoint, images, evaluation,
                           threads=threads or torch.get_num_threads(), device=device)
    path = None
    if target is not None:
        path = write_result(doc, target)
    return doc, path


def _registry_links(cfg: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Taxonomy ids and paper ids of the model and of the components its config names."""
    from lic_bench.registry import MODELS, NONLINEARITIES, QUANTIZERS

    taxonomy: list[str] = []
    papers: list[str] = []

    def add(entry) -> None:
        for t in entry.taxonomy:
            if t not in taxonomy:
                taxonomy.append(t)
        for p in entry.papers:
            if p not in papers:
                papers.append(p)

    add(MODELS.entry(cfg["model"]["name"]))
    args = cfg["model"].get("init_args", {})
    for key, value in args.items():
        name = section_name(value) if "nonlinearity" in key else None  # an id or its section
        if isinstance(name, str) and name in NONLINEARITIES:
            add(NONLINEARITIES.entry(name))
    quant = args.get("quantizer")
    qname = quant.get("name") if isinstance(quant, dict) else quant
    if isinstance(qname, str) and qname in QUANTIZERS:
        add(QUANTIZERS.entry(qname))
    return taxonomy, papers


def results_document(model, cfg: dict[str, Any], checkpoint: str | Path, images: ImageFolder,
                     evaluation: dict[str, Any], *, threads: int, device: str) -> dict[str, Any]:
    """The results document (CompressAI's format + ``per_image`` + ``meta``) of a run."""
    from lic_bench.models import weights_hash
    from lic_bench.results import collect_meta, config_hash, file_sha256

    taxonomy, papers = _registry_links(cfg)
    checkpoint = Path(checkpoint)
    training = None
    summary = checkpoint.resolve().parent.parent / "summary.json"
    if summary.is_file():
        import json

        training = json.loads(summary.read_text())
        training = {k: training.get(k) for k in ("global_step", "wall_time_s", "seconds_per_step",
                                                 "stopped_by", "threads", "val_metrics")}
    notes = evaluation["notes"]
    init = cfg["model"].get("init_args", {})
    meta = collect_meta(
        "eval", provenance="measured", device=device, threads=threads,
        packages=("lic-bench", "torch", "compressai", "lightning", "pytorch-msssim", "lpips",
                  "numpy", "pillow"),
        model=cfg["model"]["name"],
        run=cfg["name"],
        taxonomy=taxonomy,
        papers=papers,
        model_config=cfg["model"],
        nonlinearity=section_name(init.get("nonlinearity")),
        loss={"distortion": cfg["loss"]["distortion"], "lmbda": cfg["loss"]["lmbda"]},
        opt_metric=cfg["loss"]["distortion"],  # mse or ms-ssim (checked by the config)
        averaging="per-quality",  # one lambda, images averaged at it
        config_hash=config_hash(cfg),
        checkpoint=checkpoint.name,
        checkpoint_hash=file_sha256(checkpoint),
        weights_hash=weights_hash(model),
        dataset={"name": images.name, "num_images": notes["num_images"],
                 "checksum": images.checksum() if notes["num_images"] == len(images) else None},
        training=training,
        protocol=cfg.get("protocol"),
        lpips_net=notes["lpips_net"],
        lpips_unavailable=notes.get("lpips_unavailable"),
        decode_check=notes["decode_check"],
        metrics=notes["metrics"],
        metric_notes={"quality": "measured on the decoded image rounded to 8 bits",
                      "bpp": "size of the bitstream file (lic_bench.bitstream) x 8 / pixels",
                      "bpp-estimated": "-sum(log2 likelihoods) / pixels of a forward pass",
                      **({"ms-ssim": notes["ms_ssim_unavailable"]}
                         if "ms_ssim_unavailable" in notes else {})},
    )
    lam = cfg["loss"]["lmbda"]
    return {
        "name": cfg["model"]["name"],
        "description": (
            f"lic-bench test: {cfg['model']['name']} ({section_name(init.get('nonlinearity')) or '?'}, "
            f"λ={lam:g}, {cfg['loss']['distortion']}) trained by run {cfg['name']}, "
            f"on {images.name} ({notes['num_images']} images), real bitstreams"
        ),
        "results": evaluation["results"],
        "per_image": evaluation["per_image"],
        "meta": meta,
    }
