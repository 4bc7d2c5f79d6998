"""Run the latency / throughput / complexity benchmark for one model configuration.

Seed 000 (Ferrari 2025, ``ferrari2025-registry``) §6.7 and §7.3.3: warm-up,
synchronised timing, resolutions 256…1024 px in steps of 128, batch sizes 2–16,
50 repeats, mean / std / median / p95, transforms and full coding separately.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from lic_bench.bench import complexity, timing
from lic_bench.bench.stages import Implementation
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
    quality: float | None = None
    budget: float | None = None
    preset: str | None = None


def quick_settings(**overrides: Any) -> BenchSettings:
    """The CPU preset (``--quick``): 256², 512², 768×512; batches 2 and 4; 5 repeats."""
    base = BenchSettings(
        resolutions=[(256, 256), (512, 512), (512, 768)],
        batch_sizes=[2, 4],
        repeats=5,
        warmup=1,
        budget=60.0,
        preset="quick",
    )
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


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
        raise UsageError(f"resolution {text!r} is too small (16 px minimum)")
    if width > 16384 or height > 16384:
        raise UsageError(f"resolution {text!r} is too large (16384 px maximum)")
    return height, width


def _label(hw: tuple[int, int]) -> str:
    return f"{hw[1]}x{hw[0]}"


def _padded(hw: tuple[int, int], multiple: int) -> tuple[int, int]:
    return (-(-hw[0] // multiple) * multiple, -(-hw[1] // multiple) * multiple)


def _inputs(settings: BenchSettings, hw: tuple[int, int], batch: int, device: torch.device, multiple: int):
    """A batch at ``hw``, edge-padded to the model's downsampling factor as the codec does."""
    generator = torch.Generator().manual_seed(settings.seed)
    if settings.image:
        from lic_bench.bitstream import read_image

        img = read_image(settings.image)
        img = torch.nn.functional.interpolate(img, size=hw, mode="bilinear", align_corners=False)
        x = img.clamp(0, 1).expand(batch, -1, -1, -1).contiguous()
    else:
        x = torch.rand(batch, 3, *hw, generator=generator)
    ph, pw = _padded(hw, multiple)
    if (ph, pw) != hw:
        x = torch.nn.functional.pad(x, (0, pw - hw[1], 0, ph - hw[0]), mode="replicate")
    return x.to(device)


def _plan(settings: BenchSettings) -> Iterator[tuple[str, tuple[int, int], int]]:
    for hw in settings.resolutions:
        yield "latency", hw, 1
    for batch in settings.batch_sizes:
        yield "throughput", settings.throughput_resolution, batch


def build_for_bench(
    config: str | Path | dict, device: torch.device, overrides: dict | None = None
) -> tuple[torch.nn.Module, dict]:
    """The model with fixed-seed random weights (timing does not depend on training)."""
    from lic_bench.models.seeded import seeded_model

    model = seeded_model(config, overrides or None)
    model = model.to(device).eval()
    model.update(force=True)
    return model, model.config


def _same_output(a: Implementation, b: Implementation, x: torch.Tensor) -> bool:
    """Same strings from both encoders, and the same image from both decoders."""
    ca, cb = a.compress(x), b.compress(x)
    if ca["strings"] != cb["strings"]:
        return False
    return bool(torch.equal(a.decompress(ca)["x_hat"], b.decompress(cb)["x_hat"]))


@dataclass
class _Subject:
    """One benchmarked configuration and what has been measured for it so far."""

    model: torch.nn.Module
    cfg: dict[str, Any]
    ours: Implementation
    twin: Implementation | None
    multiple: int
    latency: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    throughput: dict[str, list[float]] = field(default_factory=lambda: {"batch_size": []})
    twin_latency: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    identical: dict[str, bool] = field(default_factory=dict)


def _subject(config, overrides, settings: BenchSettings, device: torch.device) -> _Subject:
    from lic_bench.bench.compare import compressai_twin

    model, cfg = build_for_bench(config, device, overrides)
    if settings.quality is not None and not model.variable_rate:
        raise UsageError(f"{cfg['name']} is not a variable-rate model; drop --quality")
    twin = None
    if settings.compare == "compressai":
        twin = Implementation(compressai_twin(model, cfg).to(device).eval())
    return _Subject(
        model=model,
        cfg=cfg,
        ours=Implementation(model, settings.quality),
        twin=twin,
        multiple=int(model.downsampling_factor),
    )


_STAGE_ORDER = ("transform_encode", "transform_decode", "encode", "decode")


def _measure_step(subjects: list[_Subject], settings, phase, hw, batch, device) -> None:
    """One (resolution, batch) step for every subject, their calls interleaved."""
    label = _label(hw)
    timed: dict[str, list[tuple[Callable[[], Any], Callable[[dict[str, float]], None]]]] = {}
    with torch.inference_mode():
        for sub in subjects:
            x = _inputs(settings, hw, batch, device, sub.multiple)
            wanted = settings.stages if phase == "latency" else ("full",)
            for stage, fn in sub.ours.stages(x, wanted).items():
                if phase == "latency":
                    sink = lambda st, sub=sub, stage=stage: sub.latency.setdefault(stage, {}).__setitem__(label, st)  # noqa: E731
                else:
                    sink = lambda st, sub=sub, stage=stage: sub.throughput.setdefault(f"{stage}_ips", []).append(  # noqa: E731
                        batch / (st["median"] / 1000.0)
                    )
                timed.setdefault(stage, []).append((fn, sink))
            if phase != "latency":
                continue
            if sub.twin is not None:
                sub.identical[label] = _same_output(sub.ours, sub.twin, x)
                for stage, fn in sub.twin.stages(x, ("full",)).items():
                    sink = lambda st, sub=sub, stage=stage: sub.twin_latency.setdefault(stage, {}).__setitem__(label, st)  # noqa: E731
                    timed.setdefault(stage, []).append((fn, sink))
        for stage in sorted(timed, key=_STAGE_ORDER.index):
            pairs = timed[stage]
            times = timing.interleaved(
                [fn for fn, _ in pairs], device, settings.repeats, settings.warmup, budget=settings.budget
            )
            for (_, sink), t in zip(pairs, times, strict=True):
                sink(timing.summarize(t))
    if phase == "throughput":
        for sub in subjects:
            sub.throughput["batch_size"].append(batch)


def run_benchmark(
    config: str | Path | dict,
    settings: BenchSettings,
    progress: Callable[[str], None] | None = None,
    overrides: dict | None = None,
) -> dict[str, Any]:
    """Measure one model; returns a results document (see lic_bench.results).

    ``overrides`` replace constructor arguments of the config (``--set``).
    """
    return run_benchmarks(config, settings, progress, [overrides or {}])[0]


def run_benchmarks(
    config: str | Path | dict,
    settings: BenchSettings,
    progress: Callable[[str], None] | None = None,
    variants: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Measure variants of one config side by side; one results document each.

    ``variants`` are constructor overrides (e.g. ``[{"nonlinearity": "gdn"},
    {"nonlinearity": "relu"}]``); every measurement step times all of them (and
    CompressAI's twins with ``compare``) in turn, so their ratios survive a
    drifting machine load.
    """
    if settings.threads:
        torch.set_num_threads(settings.threads)
    device = torch.device(settings.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda requested but no CUDA device is available")
    subjects = [_subject(config, v, settings, device) for v in (variants or [{}])]
    timing.warm_up(device)
    for phase, hw, batch in _plan(settings):
        if progress:
            progress(f"{phase} {_label(hw)} batch {batch}")
        _measure_step(subjects, settings, phase, hw, batch, device)
    from lic_bench.bench.labels import describe_config

    together = [describe_config(sub.cfg) for sub in subjects] if len(subjects) > 1 else []
    return [_document(sub, settings, device, together) for sub in subjects]


def _document(sub: _Subject, settings: BenchSettings, device: torch.device, together: list[str]) -> dict[str, Any]:
    from lic_bench.bench.labels import describe_config, taxonomy_for_config
    from lic_bench.bench.machine import describe_machine
    from lic_bench.results import collect_meta, config_hash

    largest = max(settings.resolutions, key=lambda hw: hw[0] * hw[1])
    x_big = _inputs(settings, largest, 1, device, sub.multiple)
    with torch.inference_mode():
        coded = sub.ours.compress(x_big)
        # The fast path's scratch pool outlives each call: count it as used memory.
        peak_encode = complexity.peak_memory_mb(lambda: sub.ours.compress(x_big), device) + sub.ours.held_mb()
        peak_decode = complexity.peak_memory_mb(lambda: sub.ours.decompress(coded), device) + sub.ours.held_mb()
    labels = [_label(hw) for hw in settings.resolutions]
    results: dict[str, list] = {
        "resolution": labels,
        "pixels": [hw[0] * hw[1] for hw in settings.resolutions],
    }
    for stage, per_res in sub.latency.items():
        results[f"{stage}_ms"] = [per_res[label]["median"] for label in labels]
    padded = {
        _label(hw): _label(_padded(hw, sub.multiple))
        for hw in settings.resolutions
        if _padded(hw, sub.multiple) != hw
    }
    implementation = sub.ours.describe()
    cfg = sub.cfg
    doc: dict[str, Any] = {
        "name": cfg["name"],
        "description": f"Latency and throughput of {describe_config(cfg)}",
        "results": results,
        "latency": sub.latency,
        "throughput": {"resolution": _label(settings.throughput_resolution), **sub.throughput},
        "complexity": {
            "params": complexity.count_parameters(sub.model),
            "kmac_per_pixel": complexity.kmac_per_pixel(sub.model),
            "peak_memory_mb": {"encode": peak_encode, "decode": peak_decode, "resolution": _label(largest)},
        },
        "implementation": implementation,
    }
    if padded:
        doc["padded_to"] = padded
    if sub.twin is not None:
        doc["compare"] = _compare_block(sub.latency, sub.twin_latency, labels, sub.identical)
    taxonomy, papers = taxonomy_for_config(cfg)
    threads = torch.get_num_threads() if device.type == "cpu" else settings.threads
    extra: dict[str, Any] = {}
    if together:
        extra["interleaved_with"] = [t for t in together if t != describe_config(cfg)]
    doc["meta"] = collect_meta(
        "bench",
        device=str(device),
        threads=threads,
        packages=("lic-bench", "torch", "compressai", "numpy"),
        provenance="measured",
        model=cfg["name"],
        config=cfg,
        config_hash=config_hash(cfg),
        label=describe_config(cfg),
        taxonomy=taxonomy,
        papers=papers,
        settings=asdict(settings),
        machine=describe_machine(str(device), threads),
        timing=("torch.cuda.Event + synchronize" if device.type == "cuda" else "time.perf_counter")
        + "; implementations timed in turn (interleaved)",
        inputs=settings.image or "uniform random images (torch.rand, fixed seed)",
        weights="random initialisation, fixed seed (timing does not depend on training)",
        **extra,
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
        "identical_output": all(identical.values()),
        "identical_per_resolution": identical,
    }
