"""Does a bitstream decode to the same image on every backend?

A learned codec is only a codec if the decoder reproduces the encoder's arithmetic: the
hyper-decoder's scales pick the rANS tables, and a float that lands on the other side
of a table boundary garbles the rest of the stream. Float results of a convolution may
depend on the kernel library (oneDNN or PyTorch's native kernels), on the number of
threads that split the sums, and on the device. :func:`check_models` encodes one image
once, then decodes the same file in a fresh Python process per backend of
:data:`BACKENDS` and compares hashes of

* the decoded pixels (8-bit, what a user saves): *reconstructions identical*;
* the decoder's float output before rounding: *arithmetic identical*, a stricter test
  that shows a backend difference even where rounding to 8 bits hides it.

Latents are not hashed separately: the public decoder (:func:`decode_image`) returns
only the image, and a latent that differs shows in the float output.

Weights: the fixed-seed initialisation the codec uses without a checkpoint, changed in
two places so that the check exercises what a trained model would:

* the analysis transform's last convolution is scaled up (``STRESS``), so that the
  latents are far from zero (random weights give latents that are almost all zero;
  tests/core/test_determinism.py does the same with a larger factor);
* the scale outputs of the hyper-decoder, the entropy-parameter network and the
  channel-context scale networks are scaled up (``HYPER_STRESS``). Random weights predict scales below the smallest entry of the
  scale table, so every symbol uses table 0 and no backend difference could ever move
  a scale into another table, which is the failure that garbles a stream (measured on
  mbt2018-mean at 768x512: 0 of 491,520 indexes above 0 without it, 18 % at x10, 43 % at
  x30; with x20 every context model puts 37-48 % of its symbols above table 0).

Findings (results/determinism/, 2026-12-01): 1 and 2 threads decode every model bit for
bit. With oneDNN off, he2022-elic and uludag2022-unified decoded to garbage until the
context models' coding switched oneDNN on (lic_bench.context.coding.coding_threads);
since then the streams decode everywhere and oneDNN off changes only the synthesis
transform's floats (pixels by at most one level). The hyper-decoder of the
hyperprior-family models (fastpath) is not pinned that way; no scale crossed a table
there, but nothing rules it out.

The report records the resulting bits per pixel.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lic_bench.errors import UsageError

#: Factor on the last convolution of ``g_a`` (see the module docstring).
STRESS = 5.0
#: Factor on the scale outputs of the hyper-decoder / entropy-parameter network.
HYPER_STRESS = 20.0
#: Parameter networks (:meth:`~lic_bench.models.base.CodingModel.parameter_networks`)
#: whose last convolution predicts the Gaussian scales (and, in the first or only half
#: of its outputs, for mean-scale models: CompressAI's ``chunk(2, 1)`` order).
_SCALE_MODULES = ("h_s", "h_s_scale", "entropy_parameters")
#: Per-slice scale networks of the channel-context models (lic_bench.latent_codecs.channel_context).
_SCALE_LISTS = ("cc_scale", "ep_scale")
#: Kodak image decoded by default (any RGB image works with ``image=``).
DEFAULT_IMAGE = "kodim23.png"
#: Time limit of one decoding child process (all models of one backend).
CHILD_TIMEOUT_S = 1800


@dataclass(frozen=True)
class Backend:
    """One way of running the decoder: device, torch threads, oneDNN on or off."""

    id: str
    device: str = "cpu"
    threads: int = 1
    onednn: bool = True
    #: Added to the decoder output in the child; tests use it to check detection.
    perturb: float = 0.0


#: The first is the reference (it is also how the encoder runs).
BACKENDS: tuple[Backend, ...] = (
    Backend("cpu-1t-onednn", threads=1, onednn=True),
    Backend("cpu-2t-onednn", threads=2, onednn=True),
    Backend("cpu-1t-native", threads=1, onednn=False),
    Backend("cpu-2t-native", threads=2, onednn=False),
    Backend("cuda", device="cuda", threads=1, onednn=True),
)


def sha256_array(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def cuda_skip_reason() -> str | None:
    """Why the CUDA backend cannot run here, or None when it can."""
    import torch

    if not torch.cuda.is_available():
        return "no CUDA device on this machine"
    return None


def _stressed_model(name: str, overrides: dict[str, Any] | None, folder: Path):
    """(model ready to code, its checkpoint file): see the module docstring."""
    import torch

    from lic_bench.bitstream.codec import model_for_coding

    model = model_for_coding(name, overrides=overrides)
    convs = [m for m in model.g_a.modules() if isinstance(m, torch.nn.Conv2d)]
    nets = model.parameter_networks()
    with torch.no_grad():
        if convs:
            convs[-1].weight.mul_(STRESS)
            if convs[-1].bias is not None:
                convs[-1].bias.mul_(STRESS)
        latent = _latent_channels(model)
        for attr in _SCALE_MODULES:
            for net in nets.get(attr, []):
                last = _last_conv(net)
                if last is None:
                    continue
                out = last.out_channels
                # Mean-scale outputs: scales are the first half; leave the means alone.
                n = out // 2 if attr != "h_s_scale" and latent and out == 2 * latent else out
                # Conv2d weights are [out, in, k, k]; ConvTranspose2d weights are [in, out, k, k].
                weight = last.weight if isinstance(last, torch.nn.Conv2d) else last.weight.transpose(0, 1)
                weight[:n].mul_(HYPER_STRESS)
                if last.bias is not None:
                    last.bias[:n].mul_(HYPER_STRESS)
        for attr in _SCALE_LISTS:
            for net in nets.get(attr, []):
                last = _last_conv(net)
                if last is not None:
                    last.weight.mul_(HYPER_STRESS)
                    if last.bias is not None:
                        last.bias.mul_(HYPER_STRESS)
    ckpt = folder / f"{name}.pt"
    torch.save({"state_dict": model.state_dict(), "config": model.config}, ckpt)
    return model_for_coding(model.config, checkpoint=ckpt), ckpt


def _last_conv(module):
    import torch

    convs = [m for m in module.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    return convs[-1] if convs else None


def _latent_channels(model) -> int | None:
    """Channels of the latent ``y``: the input channels of the synthesis' first conv."""
    import torch

    for m in model.g_s.modules():
        if isinstance(m, torch.nn.ConvTranspose2d):
            return m.in_channels
        if isinstance(m, torch.nn.Conv2d):
            return m.in_channels
    return None


def load_test_image(image: str | Path | None, crop: tuple[int, int] | None):
    """``[1, 3, H, W]`` in [0, 1]: ``image`` (default Kodak's kodim23), centre-cropped."""
    from lic_bench.bitstream import read_image
    from lic_bench.paths import data_dir

    path = Path(image) if image is not None else data_dir() / "kodak" / DEFAULT_IMAGE
    if not path.is_file():
        raise UsageError(f"{path}: no such image")
    x = read_image(path)
    if crop is not None:
        h, w = crop
        H, W = x.shape[-2:]
        if h > H or w > W or h < 1 or w < 1:
            raise UsageError(f"crop {h}x{w} does not fit the {H}x{W} image {path.name}")
        top, left = (H - h) // 2, (W - w) // 2
        x = x[..., top:top + h, left:left + w].contiguous()
    return x, path


def _run_child(backend: Backend, jobs: list[dict[str, Any]], out_dir: Path) -> dict[str, Any]:
    """Decode every job's file in one fresh process set up as ``backend``."""
    spec = {"backend": asdict(backend), "jobs": jobs, "out_dir": str(out_dir)}
    env = {**os.environ, "OMP_NUM_THREADS": str(backend.threads),
           "MKL_NUM_THREADS": str(backend.threads)}
    try:
        proc = subprocess.run([sys.executable, "-m", "lic_bench.bench._determinism_child"],
                              input=json.dumps(spec), capture_output=True, text=True, env=env,
                              timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return {"error": f"exit {proc.returncode}: {lines[-1] if lines else 'no message'}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _compare(reference: dict[str, Any] | None, got: dict[str, Any]) -> dict[str, Any]:
    from lic_bench.bitstream import read_image_array

    row = {"pixels_sha256": got.get("pixels_sha256"), "float_sha256": got.get("float_sha256"),
           "decode_seconds": got.get("seconds"), "pixels_identical": None,
           "float_identical": None, "max_abs_diff": None, "status": "error",
           "note": got.get("error")}
    if got.get("error") or reference is None or reference.get("error"):
        return row
    row["pixels_identical"] = got["pixels_sha256"] == reference["pixels_sha256"]
    row["float_identical"] = got["float_sha256"] == reference["float_sha256"]
    a = read_image_array(reference["png"]).astype(np.int16)
    b = read_image_array(got["png"]).astype(np.int16)
    row["max_abs_diff"] = int(np.abs(a - b).max()) if a.shape == b.shape else None
    row["status"] = "identical" if row["pixels_identical"] else "differs"
    if row["pixels_identical"] and not row["float_identical"]:
        row["note"] = "same pixels; float output differs in low bits"
    return row


def check_models(
    names: list[str],
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    image: str | Path | None = None,
    crop: tuple[int, int] | None = None,
    backends: tuple[Backend, ...] = BACKENDS,
    progress=None,
) -> list[dict[str, Any]]:
    """One results document per model; each backend decodes every model's file in one
    fresh process. ``progress(label)`` is called as each step starts."""
    import torch

    from lic_bench.bench.labels import taxonomy_for_config
    from lic_bench.bitstream import encode_image
    from lic_bench.results import collect_meta, config_hash

    x, image_path = load_test_image(image, crop)
    h, w = x.shape[-2:]
    before = torch.get_num_threads()
    ref = backends[0]
    with tempfile.TemporaryDirectory(prefix="lic-determinism-") as tmp:
        folder = Path(tmp)
        jobs, prepared = [], {}
        torch.set_num_threads(ref.threads)  # the encoder runs as the reference backend
        try:
            for name in names:
                if progress:
                    progress(f"encode {name}")
                model, ckpt = _stressed_model(name, (overrides or {}).get(name), folder)
                kwargs = {"quality": 2.5} if model.variable_rate else {}
                data = encode_image(model, x, **kwargs)
                path = folder / f"{name}.licb"
                path.write_bytes(data)
                jobs.append({"name": name, "file": str(path), "checkpoint": str(ckpt)})
                prepared[name] = {"config": model.config, "bytes": len(data),
                                  "stream_sha256": hashlib.sha256(data).hexdigest(), **kwargs}
                del model
        finally:
            torch.set_num_threads(before)
        outcomes: dict[str, dict[str, Any]] = {}
        skipped: dict[str, str] = {}
        for backend in backends:
            reason = cuda_skip_reason() if backend.device.startswith("cuda") else None
            if reason:
                skipped[backend.id] = reason
                continue
            if progress:
                progress(f"decode {backend.id}")
            out_dir = folder / backend.id
            out_dir.mkdir()
            outcomes[backend.id] = _run_child(backend, jobs, out_dir)
        docs = []
        for name in names:
            info = prepared[name]
            rows: dict[str, dict[str, Any]] = {}
            reference = _result_for(outcomes.get(ref.id), name)
            for backend in backends:
                if backend.id in skipped:
                    rows[backend.id] = {"status": "skipped", "note": skipped[backend.id]}
                else:
                    rows[backend.id] = _compare(reference, _result_for(outcomes[backend.id], name))
            docs.append(_document(name, info, rows, backends, image_path, (h, w),
                                  collect_meta, config_hash, taxonomy_for_config))
    return docs


def _result_for(outcome: dict[str, Any] | None, name: str) -> dict[str, Any]:
    if outcome is None:
        return {"error": "not run"}
    if "error" in outcome:
        return {"error": outcome["error"]}
    return outcome["results"].get(name) or {"error": "no result"}


_FIELDS = ("status", "pixels_identical", "float_identical", "max_abs_diff", "pixels_sha256",
           "float_sha256", "decode_seconds", "note")


def _document(name, info, rows, backends, image_path, size, collect_meta, config_hash,
              taxonomy_for_config) -> dict[str, Any]:
    ran = [r for r in rows.values() if r["status"] != "skipped"]
    identical = bool(ran) and all(r["status"] == "identical" for r in ran)
    arithmetic = bool(ran) and all(r.get("float_identical") for r in ran)
    taxonomy, papers = taxonomy_for_config(info["config"])
    ids = [b.id for b in backends]
    summary = ("decodes to the same pixels on every backend tried" if identical else
               "decoding differs between backends: " + ", ".join(
                   f"{b} {rows[b]['status']}" for b in ids if rows[b]["status"] not in ("identical", "skipped")))
    return {
        "name": name,
        "description": f"{name}: {summary}.",
        "results": {
            "backend": ids,
            **{field: [rows[b].get(field) for b in ids] for field in _FIELDS},
        },
        "identical": identical,
        "arithmetic_identical": arithmetic,
        "meta": collect_meta(
            "determinism",
            threads=backends[0].threads,
            model=name,
            config=info["config"],
            config_hash=config_hash(info["config"]),
            taxonomy=taxonomy,
            papers=papers,
            image=image_path.name,
            size=list(size),
            bpp=round(info["bytes"] * 8 / (size[0] * size[1]), 4),
            stream_sha256=info["stream_sha256"],
            quality=info.get("quality"),
            encoder={"device": "cpu", "threads": backends[0].threads, "onednn": backends[0].onednn},
            reference_backend=backends[0].id,
            backends=[asdict(b) for b in backends],
            weights=(f"fixed-seed initialisation; g_a's last convolution scaled by {STRESS:g}, "
                     f"the scale outputs of {'/'.join(_SCALE_MODULES + _SCALE_LISTS)} "
                     f"by {HYPER_STRESS:g}"),
            method="encode once in this process; decode in a fresh process per backend; "
                   "compare SHA-256 of 8-bit pixels and of the float output",
        ),
    }


def save_document(doc: dict[str, Any], root: Path | None = None) -> Path:
    """``results/determinism/<model>/<config hash>.json`` (a rerun replaces its file)."""
    from lic_bench.results import result_path, write_result

    return write_result(doc, result_path("determinism", doc["name"], doc["meta"]["config_hash"], root))


def render_text(docs: list[dict[str, Any]]) -> str:
    """A plain table: one row per model, one column per backend."""
    if not docs:
        return "no models"
    ids = docs[0]["results"]["backend"]
    width = max(len(d["name"]) for d in docs)
    lines = ["model".ljust(width) + "  " + "  ".join(ids)]
    for doc in docs:
        res = doc["results"]
        cells = []
        for i, b in enumerate(ids):
            status = res["status"][i]
            if status == "identical" and res["float_identical"][i] is False:
                status = "same-px"
            cells.append(status.ljust(len(b)))
        lines.append(doc["name"].ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)
