"""Run the latency / throughput / complexity benchmark for one model configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from lic_bench.bench import complexity, timing
from lic_bench.bench.compare import compressai_twin, outputs_identical
from lic_bench.errors import UsageError


def default_resolutions() -> list[tuple[int, int]]:
    """256…1024 px squares in steps of 128, as in the seed's §7.3.3."""
    return [(s, s) for s in range(256, 1025, 128)]


@dataclass
class BenchSettings:
    resolutions: list[tuple[int, int]] = field(default_factory=default_resolutions)
    batch_sizes: list[int] = field(default_factory=lambda: [2, 4, 8, 16])
    throughput_resolution: tuple[int, int] = (256, 256)
    repeats: int = 50
    warmup: int = 3
    device: str = "cpu"
    threads: int | None = None
    compare: str | None = None
    image: str | None = None
    seed: int = 0
    stages: tuple[str, ...] = ("transforms", "full")


def parse_resolution(text: str) -> tuple[int, int]:
    """``"768x512"`` -> (height 512, width 768); ``"256"`` -> (256, 256)."""
    try:
        if "x" in text.lower():
            width, height = (int(v) for v in text.lower().split("x"))
        else:
            width = height = int(text)
    except ValueError:
        raise UsageError(f"resolution {text!r} is not WIDTHxHEIGHT or SIZE") from None
    if width < 16 or height < 16:
        raise UsageError(f"resolution {text!r} is too small")
    return height, width


def _label(hw: tuple[int, int]) -> str:
    return f"{hw[1]}x{hw[0]}"


def _inputs(settings: BenchSettings, hw: tuple[int, int], batch: int, device: torch.device):
    generator = torch.Generator().manual_seed(settings.seed)
    if settings.image:
        from lic_bench.bitstream import read_image

        img = read_image(settings.image)
        img = torch.nn.functional.interpolate(img, size=hw, mode="bilinear", align_corners=False)
        x = img.clamp(0, 1).expand(batch, -1, -1, -1).contiguous()
    else:
        x = torch.rand(batch, 3, *hw, generator=generator)
    return x.to(device)


def _transform_stages(model: torch.nn.Module, x: torch.Tensor) -> dict[str, Callable[[], Any]]:
    """Encode = analysis (+ hyper-analysis); decode = hyper-synthesis (+ synthesis)."""
    with torch.no_grad():
        y = model.g_a(x)
        z = model.h_a(y) if hasattr(model, "h_a") else None

    def encode() -> Any:
        out = model.g_a(x)
        return model.h_a(out) if z is not None else out

    def decode() -> Any:
        if z is not None and hasattr(model, "h_s"):
            model.h_s(torch.round(z))
        return model.g_s(torch.round(y))

    return {"transform_encode": encode, "transform_decode": decode}


def _full_stages(model: torch.nn.Module, x: torch.Tensor) -> dict[str, Callable[[], Any]]:
    with torch.no_grad():
        coded = model.compress(x)
    return {
        "encode": lambda: model.compress(x),
        "decode": lambda: model.decompress(coded["strings"], coded["shape"]),
    }


def _stages(model, x, wanted) -> dict[str, Callable[[], Any]]:
    stages: dict[str, Callable[[], Any]] = {}
    if "transforms" in wanted:
        stages.update(_transform_stages(model, x))
    if "full" in wanted:
        stages.update(_full_stages(model, x))
    return stages


def _plan(settings: BenchSettings) -> Iterator[tuple[str, tuple[int, int], int]]:
    for hw in settings.resolutions:
        yield "latency", hw, 1
    for batch in settings.batch_sizes:
        yield "throughput", settings.throughput_resolution, batch


def build_for_bench(config: str | Path | dict, device: torch.device) -> tuple[torch.nn.Module, dict]:
    from lic_bench.models import build_model, load_model_config

    cfg = config if isinstance(config, dict) else load_model_config(config, None)
    torch.manual_seed(0)
    model = build_model(cfg).to(device).eval()
    model.update(force=True)
    return model, cfg


def run_benchmark(
    config: str | Path | dict,
    settings: BenchSettings,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure one model; returns a results document (see lic_bench.results)."""
    from lic_bench.bench.labels import describe_config
    from lic_bench.results import collect_meta, config_hash

    if settings.threads:
        torch.set_num_threads(settings.threads)
    device = torch.device(settings.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda requested but no CUDA device is available")
    model, cfg = build_for_bench(config, device)
    twin = compressai_twin(model, cfg) if settings.compare == "compressai" else None
    if twin is not None:
        twin = twin.to(device).eval()

    timing.warm_up(device)
    latency: dict[str, dict[str, dict[str, float]]] = {}
    throughput: dict[str, list[float]] = {"batch_size": []}
    twin_latency: dict[str, dict[str, dict[str, float]]] = {}
    identical: list[bool] = []
    for phase, hw, batch in _plan(settings):
        if progress:
            progress(f"{phase} {_label(hw)} batch {batch}")
        x = _inputs(settings, hw, batch, device)
        with torch.inference_mode():
            stages = _stages(model, x, settings.stages if phase == "latency" else ("full",))
            twin_stages = _stages(twin, x, ("full",)) if twin is not None else {}
            if twin is not None and phase == "latency":
                identical.append(outputs_identical(model, twin, x))
            for stage, fn in stages.items():
                stats = timing.summarize(
                    timing.repeat(fn, device, settings.repeats, settings.warmup)
                )
                if phase == "latency":
                    latency.setdefault(stage, {})[_label(hw)] = stats
                else:
                    throughput.setdefault(f"{stage}_ips", []).append(
                        batch / (stats["median"] / 1000.0)
                    )
            for stage, fn in twin_stages.items():
                stats = timing.summarize(
                    timing.repeat(fn, device, settings.repeats, settings.warmup)
                )
                if phase == "latency":
                    twin_latency.setdefault(stage, {})[_label(hw)] = stats
        if phase == "throughput":
            throughput["batch_size"].append(batch)

    largest = max(settings.resolutions, key=lambda hw: hw[0] * hw[1])
    x_big = _inputs(settings, largest, 1, device)
    with torch.inference_mode():
        coded = model.compress(x_big)
        peak_encode = complexity.peak_memory_mb(lambda: model.compress(x_big), device)
        peak_decode = complexity.peak_memory_mb(
            lambda: model.decompress(coded["strings"], coded["shape"]), device
        )
    labels = [_label(hw) for hw in settings.resolutions]
    results: dict[str, list] = {
        "resolution": labels,
        "pixels": [hw[0] * hw[1] for hw in settings.resolutions],
    }
    for stage, per_res in latency.items():
        results[f"{stage}_ms"] = [per_res[label]["median"] for label in labels]
    doc: dict[str, Any] = {
        "name": cfg["name"],
        "description": f"Latency and throughput of {describe_config(cfg)}",
        "results": results,
        "latency": latency,
        "throughput": {"resolution": _label(settings.throughput_resolution), **throughput},
        "complexity": {
            "params": complexity.count_parameters(model),
            "kmac_per_pixel": complexity.kmac_per_pixel(model),
            "peak_memory_mb": {"encode": peak_encode, "decode": peak_decode, "resolution": _label(largest)},
        },
    }
    if twin is not None:
        doc["compare"] = _compare_block(latency, twin_latency, labels, identical)
    from lic_bench.bench.labels import taxonomy_for_config

    taxonomy, papers = taxonomy_for_config(cfg)
    settings_dict = asdict(settings)
    doc["meta"] = collect_meta(
        "bench",
        device=str(device),
        threads=torch.get_num_threads() if device.type == "cpu" else settings.threads,
        packages=("lic-bench", "torch", "compressai", "numpy"),
        model=cfg["name"],
        config=cfg,
        config_hash=config_hash(cfg),
        label=describe_config(cfg),
        taxonomy=taxonomy,
        papers=papers,
        settings=settings_dict,
        inputs=settings.image or "uniform random images (torch.rand, fixed seed)",
        weights="random initialisation, fixed seed (timing does not depend on training)",
    )
    return doc


def _compare_block(ours, theirs, labels, identical) -> dict[str, Any]:
    per_res = {}
    for label in labels:
        enc = ours["encode"][label]["median"] / theirs["encode"][label]["median"]
        dec = ours["decode"][label]["median"] / theirs["decode"][label]["median"]
        total = (ours["encode"][label]["median"] + ours["decode"][label]["median"]) / (
            theirs["encode"][label]["median"] + theirs["decode"][label]["median"]
        )
        per_res[label] = {"encode_ratio": enc, "decode_ratio": dec, "total_ratio": total}
    ref = "768x512" if "768x512" in per_res else labels[-1]
    return {
        "against": "compressai",
        "reference_resolution": ref,
        **per_res[ref],
        "per_resolution": per_res,
        "compressai_latency": theirs,
        "identical_output": all(identical),
    }
