"""Weights: a content hash, and loading checkpoints of several layouts."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Any

import torch

from lic_bench.entropy.internals import DERIVED_BUFFERS as _DERIVED
from lic_bench.errors import UsageError

__all__ = ["checkpoint_sizes", "weights_hash", "load_checkpoint", "read_checkpoint"]

# Entropy-coder tables are derived from the parameters by ``update()``; they are
# left out of the hash so a model hashes the same before and after ``update``.



def weights_hash(model: torch.nn.Module) -> str:
    """First 16 hex digits of SHA-256 over every parameter/buffer (name, shape, bytes).

    Cached on the model until a tensor is replaced or changed in place (tracked by
    the tensors' version counters), so coding many images does not rehash.
    """
    items = [(k, v) for k, v in sorted(model.state_dict(keep_vars=True).items())
             if k.rsplit(".", 1)[-1] not in _DERIVED]
    key = tuple((k, id(v), v._version) for k, v in items)
    cached = getattr(model, "_lic_weights_hash", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    digest = hashlib.sha256()
    for name, tensor in items:
        t = tensor.detach().to("cpu").contiguous()
        digest.update(name.encode())
        digest.update(str(tuple(t.shape)).encode())
        digest.update(str(t.dtype).encode())
        digest.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.float().numpy().tobytes())
    value = digest.hexdigest()[:16]
    object.__setattr__(model, "_lic_weights_hash", (key, value))
    return value


#: Largest checkpoint read: the biggest registered models' weights are a few hundred MB.
MAX_CHECKPOINT_BYTES = 4 << 30


def load_plain(path: str | Path) -> Any:
    """A checkpoint file's contents, unpickled as plain data only (``weights_only``): a
    file from elsewhere cannot call anything; any failure is one :class:`UsageError`."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such checkpoint")
    if path.stat().st_size > MAX_CHECKPOINT_BYTES:
        raise UsageError(f"{path}: checkpoint too large ({path.stat().st_size:,} bytes; the limit is "
                         f"{MAX_CHECKPOINT_BYTES:,})")
    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning is noise here
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a bad file
        raise UsageError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from None


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """``{"state_dict": ..., "config": ... or None}`` from a checkpoint file.

    Accepted layouts: a bare state dict; ``{"state_dict": ...}`` (Lightning,
    CompressAI's training example); ``{"model": state_dict}``. A model config is
    taken from ``config``/``model_config``/``hyper_parameters.model`` when present.
    Lightning prefixes such as ``model.`` are stripped.
    """
    obj = load_plain(path)
    if not isinstance(obj, dict):
        raise UsageError(f"{path}: a checkpoint holds a dict, got {type(obj).__name__}")
    config = None
    for key in ("config", "model_config"):
        if isinstance(obj.get(key), dict):
            config = obj[key]
    hp = obj.get("hyper_parameters")
    if config is None and isinstance(hp, dict) and isinstance(hp.get("model"), dict):
        config = hp["model"]
    state = obj.get("state_dict", obj.get("model", obj))
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise UsageError(f"{path}: no state dict of tensors found")
    if not all(isinstance(k, str) and len(k) <= 1000 for k in state):
        raise UsageError(f"{path}: its state dict has keys that are not parameter names (strings)")
    return {"state_dict": dict(state), "config": config}


def _strip_prefix(state: dict[str, torch.Tensor], keys: set[str]) -> dict[str, torch.Tensor]:
    if set(state) & keys:
        return state
    for prefix in ("model.", "net.", "module.", "_model."):
        stripped = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if set(stripped) & keys:
            return stripped
    return state


def load_checkpoint(model: torch.nn.Module, path: str | Path, rename=None) -> dict[str, Any]:
    """Load weights into ``model`` (strict), then rebuild its coder tables.

    ``rename`` maps each key of the file first (older layouts of a model zoo)."""
    ckpt = read_checkpoint(path)
    state = ckpt["state_dict"]
    if rename is not None:
        state = {rename(k): v for k, v in state.items()}
    state = _strip_prefix(state, set(model.state_dict()))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        detail = first[1].strip() if len(first) > 1 else first[0]
        raise UsageError(f"{path}: weights do not fit model {getattr(model, 'name', '?')!r}: {detail}") from None
    model.update(force=True)
    return ckpt


def _last_conv(state: dict[str, torch.Tensor], prefix: str) -> torch.Tensor | None:
    """The weight of the last layer of ``g_a`` that is a plain convolution
    (``g_a.<k>.weight``, 4-D): it gives M in every layout of the model zoo."""
    found = [(int(k[len(prefix):-len(".weight")]), v) for k, v in state.items()
             if k.startswith(prefix) and k.endswith(".weight") and k[len(prefix):-len(".weight")].isdigit()
             and isinstance(v, torch.Tensor) and v.dim() == 4]
    return max(found, key=lambda kv: kv[0])[1] if found else None


def checkpoint_sizes(path: str | Path) -> dict[str, int]:
    """``{"N", "M"}`` read off a checkpoint's weights, as CompressAI's ``from_state_dict``
    does (N: outputs of ``g_a``'s first convolution, M: of its last), so a model-zoo file
    of any width loads into the preset of its architecture (the Ballé/Minnen g_a and
    Cheng et al.'s residual one). Empty for other layouts. Refused outside the bounds that
    configs from files have (:data:`lic_bench.models.settings.INT_BOUNDS`)."""
    from lic_bench.models.settings import INT_BOUNDS

    state = read_checkpoint(path)["state_dict"]
    for prefix in ("", "model.", "net.", "module.", "_model."):
        first = state.get(f"{prefix}g_a.0.weight", state.get(f"{prefix}g_a.0.conv1.weight"))
        last = _last_conv(state, f"{prefix}g_a.")
        if first is not None and last is not None and first.dim() == last.dim() == 4:
            sizes = {"N": int(first.shape[0]), "M": int(last.shape[0])}
            for key, value in sizes.items():
                lo, hi = INT_BOUNDS[key]
                if not lo <= value <= hi:
                    raise UsageError(f"{path}: its weights have {key}={value}, outside {lo}..{hi}")
            return sizes
    return {}

