"""``lic-bench eval``: one measured rate-distortion curve of a learned model over a dataset.

The points of the curve are published weights (``--pretrained compressai --quality
1..8``, :mod:`lic_bench.models.pretrained`) or checkpoint files, one point each. Every
image of every point is coded to a real bitstream file on disk
(``runs/eval/<model>/<source>-<dataset>/q<point>/<image>.lic``), read back from that
file and decoded; bpp is the file's size x 8 / pixels. Per image the measurement is
:func:`lic_bench.engine.evaluate.evaluate_image` (PSNR, MS-SSIM, LPIPS or the JPEG AI
suite on request, encoding and decoding times, the decode check against the forward
pass), so ``lic-bench test`` and ``lic-bench eval`` measure alike.

Resumable: each (point, image) record is saved to ``progress.json`` beside the
bitstreams as soon as it is measured, with the weights hash; a rerun keeps records
whose weights hash and bitstream file still match and measures the rest.

Output: ``results/eval/<model>/<source>-<dataset>.json`` in CompressAI's format (one
list entry per point under ``results``, so ``compressai.utils.plot`` draws it, as
CompressAI's ``eval_model`` writes), per-image lists under ``per_image``, provenance
under ``meta`` (``kind: eval``, ``provenance: measured``: the site draws it as measured
here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError

__all__ = ["Point", "parse_qualities", "run_eval"]

#: per-image values that are not metrics (kept per image, not averaged into ``results``)
_PER_IMAGE_ONLY = ("bytes", "height", "width", "decode_max_diff_levels")
_STATE_VERSION = 1


def parse_qualities(text: str | None) -> list[int]:
    """``"1..8"``, ``"1,3,5"``, ``"3"`` -> sorted distinct integers (one-line error otherwise)."""
    if text is None or not str(text).strip():
        raise UsageError("--quality needs levels: 3, 1..8 or 1,3,5")
    out: set[int] = set()
    for part in str(text).split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{1,2})(?:\.\.|-)(\d{1,2})", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise UsageError(f"--quality {part}: the range runs backwards")
            out.update(range(lo, hi + 1))
        elif re.fullmatch(r"\d{1,2}", part):
            out.add(int(part))
        else:
            raise UsageError(f"--quality {part!r}: give levels as 3, 1..8 or 1,3,5")
    return sorted(out)


@dataclass
class Point:
    """One point of the curve: a label, how to load its model, what its weights are."""

    label: str
    load: Callable[[], Any]
    weights: dict[str, Any]


def _pretrained_points(model: str, qualities: list[int], metric: str, source: str,
                       weights_dir: str | Path | None, progress: bool) -> list[Point]:
    from lic_bench.models.pretrained import load_pretrained_model, pretrained_file, resolve_weights

    specs = [pretrained_file(model, q, metric, source) for q in qualities]
    for spec in specs:  # every file before any work: a missing one is one line, now
        resolve_weights(spec, weights_dir, progress=progress)
    return [Point(f"q{s.quality}", lambda s=s: load_pretrained_model(
        model, s.quality, metric, source=source, weights_dir=weights_dir, progress=progress),
        s.weights_info()) for s in specs]


def _checkpoint_points(model: str, checkpoints: list[Path]) -> list[Point]:
    """A point per file. A file that holds its model config (lic-bench's training
    checkpoints) is built from it, as an untrusted config (registry ids only) that must
    name ``model``; a bare state dict (CompressAI's layout) takes the registry config."""
    from lic_bench.bitstream.codec import model_for_coding
    from lic_bench.models import read_checkpoint
    from lic_bench.models.pretrained import rename_key

    out = []
    for i, path in enumerate(checkpoints, 1):
        config = read_checkpoint(path)["config"]  # one-line errors for missing or bad files
        if config is not None and config.get("name") != model:
            raise UsageError(f"{path}: holds a {str(config.get('name'))[:60]!r} model, not {model!r}")

        def load(p=path, cfg=config):
            if cfg is None:
                return model_for_coding(model, p, rename=rename_key)
            return model_for_coding(cfg, p, trusted=False)

        out.append(Point(f"q{i}", load, {"init": "checkpoint", "file": Path(path).name}))
    return out


def _write_state(path: Path, doc: Any) -> None:
    """The resume file is eval's own: replaced at every step, through the one safe writer."""
    from lic_bench import safe_write

    path.parent.mkdir(parents=True, exist_ok=True)
    safe_write.write_text(path, json.dumps(doc, indent=1), force=True)


def _load_state(path: Path) -> dict[str, Any]:
    """The saved records; an unreadable or foreign file means starting afresh."""
    try:
        if path.is_file() and path.stat().st_size < (64 << 20):
            state = json.loads(path.read_text())
            if isinstance(state, dict) and state.get("version") == _STATE_VERSION \
                    and isinstance(state.get("records"), dict):
                return state
    except (OSError, ValueError, RecursionError):
        pass
    return {"version": _STATE_VERSION, "records": {}}


def _file_codec(path: Path):
    """(encode, decode) for :func:`evaluate_image` that go through a file on disk."""
    from lic_bench.bitstream import decode_image, encode_image

    def encode(model, x, config=None) -> bytes:
        from lic_bench import safe_write

        data = encode_image(model, x, config)
        path.parent.mkdir(parents=True, exist_ok=True)
        safe_write.write_bytes(path, data, force=True)  # eval's own work file, re-made on resume
        return path.read_bytes()

    def decode(data: bytes, model=None):
        return decode_image(path.read_bytes(), model=model)

    return encode, decode


def _kept(record: Any, bitstream: Path, weights_hash: str) -> bool:
    return (isinstance(record, dict) and record.get("weights_hash") == weights_hash
            and bitstream.is_file() and bitstream.stat().st_size == record.get("values", {}).get("bytes"))


def run_eval(
    model: str, *, pretrained: str | None = "compressai", qualities: list[int] | None = None,
    metric: str = "mse", checkpoints: list[Path] | None = None, source_name: str | None = None,
    dataset: str = "kodak", split: str | None = None, data_dir: str | Path | None = None,
    limit: int | None = None, metrics: Any = None, lpips_net: str | None = None,
    weights_dir: str | Path | None = None, work_dir: str | Path | None = None,
    output: str | Path | None = None, threads: int | None = None, device: str = "cpu",
    progress: bool = True,
) -> tuple[dict[str, Any], Path]:
    """Measure the curve and write its results document; returns ``(document, path)``."""
    import torch
    from tqdm import tqdm

    from lic_bench.data.catalogue import resolve_split
    from lic_bench.data.images import ImageFolder, pil_to_float
    from lic_bench.engine.evaluate import evaluate_image
    from lic_bench.metrics import LpipsMetric
    from lic_bench.metrics.suite import MetricSuite
    from lic_bench.models import load_model_config, weights_hash
    from lic_bench.paths import project_root
    from lic_bench.results import result_path, write_result

    load_model_config(model)  # an unknown name fails first, with suggestions
    if checkpoints:
        if pretrained is not None:
            raise UsageError("give --pretrained or --checkpoint files, not both")
        points = _checkpoint_points(model, [Path(p) for p in checkpoints])
        source = source_name or "checkpoints"
    elif pretrained is not None:
        points = _pretrained_points(model, qualities or [], metric, pretrained, weights_dir, progress)
        source = source_name or (pretrained if metric == "mse" else f"{pretrained}-{metric}")
    else:
        raise UsageError("eval needs weights: --pretrained compressai --quality 1..8, or --checkpoint files")
    if not points:
        raise UsageError("no points: give --quality levels or --checkpoint files")
    if threads:
        torch.set_num_threads(int(threads))
    folder = resolve_split(dataset, split, data_dir)
    images = ImageFolder(folder, name=dataset + (f"/{split}" if split else ""))
    names = images.names()[: limit or None]
    if not names:
        raise UsageError(f"dataset folder {folder} holds no images")
    tag = f"{source}-{Path(dataset).name}" + (f"-{split}" if split else "")
    work = Path(work_dir) if work_dir else project_root() / "runs" / "eval" / model / tag
    state_path = work / "progress.json"
    state = _load_state(state_path)
    suite = MetricSuite(metrics or ["default"])
    lpips = LpipsMetric(lpips_net, device=torch.device(device)) if lpips_net else None

    per_point: list[dict[str, dict[str, Any]]] = []
    hashes: list[str] = []
    measured = kept = 0
    bar = tqdm(total=len(points) * len(names), desc=f"eval {model}", unit="img", disable=not progress)
    for point in points:
        bar.set_postfix_str(f"{point.label} load")
        net = point.load().to(device).eval()
        digest = weights_hash(net)
        hashes.append(digest)
        rows: dict[str, dict[str, Any]] = {}
        for name in names:
            key = f"{point.label}/{name}"
            bitstream = work / point.label / f"{name}.lic"
            record = state["records"].get(key)
            if _kept(record, bitstream, digest):
                rows[name] = record["values"]
                kept += 1
                bar.update(1)
                continue
            bar.set_postfix_str(f"{point.label} {name}")
            x = pil_to_float(images.load(images.names().index(name)))[None]
            values = evaluate_image(net, x, lpips=lpips, codec=_file_codec(bitstream), suite=suite)
            state["records"][key] = {"weights_hash": digest, "values": values}
            _write_state(state_path, state)  # resumable from here
            rows[name] = values
            measured += 1
            bar.update(1)
        per_point.append(rows)
        del net
    bar.close()

    doc = _document(model, points, hashes, per_point, names, images, suite, lpips,
                    metric=metric, source=source, pretrained=pretrained, device=device,
                    threads=threads or torch.get_num_threads(), work=work,
                    counts={"measured": measured, "kept_from_earlier_run": kept})
    target = Path(output) if output else result_path("eval", model, tag)
    # the safe writer: a rerun of the same curve replaces it, another run gets a suffix
    target = write_result(doc, target)
    return doc, target


def _mean(values: list) -> float | None:
    from lic_bench.engine.evaluate import _mean as mean

    return mean(values)


def _document(model: str, points: list[Point], hashes: list[str], per_point: list[dict],
              names: list[str], images, suite, lpips, *, metric: str, source: str,
              pretrained: str | None, device: str, threads: int, work: Path,
              counts: dict[str, int]) -> dict[str, Any]:
    from lic_bench.engine.evaluate import METRICS, _registry_links
    from lic_bench.models import load_model_config
    from lic_bench.results import collect_meta

    cfg = load_model_config(model)
    taxonomy, papers = _registry_links({"model": cfg})
    keys = [k for k in (*METRICS, *suite.keys()) if k not in _PER_IMAGE_ONLY]
    keys = list(dict.fromkeys(keys))
    results = {k: [_mean([rows[n].get(k) for n in names]) for rows in per_point] for k in keys}
    per_image = {n: {k: [rows[n].get(k) for rows in per_point] for k in (*keys, *_PER_IMAGE_ONLY)}
                 for n in names}
    max_diff = max((rows[n]["decode_max_diff_levels"] for rows in per_point for n in names), default=0)
    who = f"{pretrained}'s published weights ({metric})" if pretrained else "checkpoint files"
    small = sorted({n for rows in per_point for n in names if rows[n].get("ms-ssim-rgb") is None})
    notes = {"quality": "measured on the decoded image rounded to 8 bits",
             "bpp": "size of each bitstream file x 8 / pixels",
             "bpp-estimated": "-sum(log2 likelihoods) / pixels of a forward pass"}
    if small:
        notes["ms-ssim"] = f"{len(small)} image(s) smaller than MS-SSIM's 161-pixel minimum: {small[:10]}"
    meta = collect_meta(
        "eval", provenance="measured", device=device, threads=threads,
        packages=("lic-bench", "torch", "compressai", "numpy", "pillow"),
        model=model, taxonomy=taxonomy, papers=papers, model_config=cfg,
        weights_source=source, weights=[{**p.weights, "weights_hash": h} for p, h in zip(points, hashes, strict=True)],
        points=[p.label for p in points],
        dataset={"name": images.name, "num_images": len(names),
                 "checksum": images.checksum() if len(names) == len(images) else None,
                 "images": names},
        bitstreams=str(work), counts=counts,
        decode_check={"max_diff_levels": max_diff},
        lpips_net=lpips.net if lpips is not None and hasattr(lpips, "net") else None,
        metrics=suite.meta(),
        metric_notes=notes,
    )
    return {
        "name": model,
        "description": (f"lic-bench eval: {model} with {who}, {len(points)} point(s) on "
                        f"{images.name} ({len(names)} images), real bitstreams"),
        "results": results,
        "per_image": per_image,
        "meta": meta,
    }
