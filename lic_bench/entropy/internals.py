"""The one module that touches CompressAI's entropy-model internals.

CompressAI keeps the coder state of its entropy models in private buffers and
methods (``_quantized_cdf``, ``_cdf_length``, ``_offset``, ``_get_medians``,
``_likelihood``, ``scale_table``, ``lower_bound_scale``, ``_check_*``). Every other
module of lic-bench reaches them through the functions below, so a CompressAI
upgrade that renames one is fixed here.

One caching rule: what is derived from a module's tensors (rANS tables, medians, the
scale table) is memoised on that module by :func:`memo`, keyed by
:func:`module_state`, which changes whenever a parameter or buffer is replaced or
modified in place (optimizer steps, ``load_state_dict``, ``update()``).

The coding functions write CompressAI's streams byte for byte through the
memory-safe rANS coder (:mod:`lic_bench.entropy.rans`); CompressAI's C++ decoder is
never run on file data. What they save over CompressAI's own ``compress``/
``decompress``: tables converted once, Gaussian indexes by one ``bucketize``
instead of a loop over the 64 table entries, and the encoder's ẑ computed as the
decoder will rebuild it instead of decoding the string again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor

from lic_bench.entropy import rans

__all__ = [
    "bottleneck_decode",
    "bottleneck_encode",
    "bottleneck_likelihood",
    "bottleneck_medians",
    "DERIVED_BUFFERS",
    "coder_tables",
    "gaussian_decode",
    "gaussian_encode",
    "gaussian_likelihood",
    "has_tables",
    "memo",
    "module_state",
    "needs_update",
    "scale_indexes",
]


def module_state(mod: torch.nn.Module) -> tuple:
    """Changes whenever a parameter or buffer is replaced or modified in place."""
    return tuple((t.data_ptr(), t._version, t.dtype, t.device) for t in (*mod.parameters(), *mod.buffers()))


def memo(owner: torch.nn.Module, tag: str, key: tuple, build: Callable[[], Any]):
    """``build()``, memoised on ``owner`` until ``key`` changes (weights, schedule).

    Built without autograd: the coder's tensors are inference-only, and a cached
    graph would outlive the backward pass that frees it.
    """
    slot = owner.__dict__.setdefault("_lic_bench_coder_cache", {})
    hit = slot.get(tag)
    if hit is None or hit[0] != key:
        # normal tensors even when first built under inference_mode (reused outside it)
        with torch.inference_mode(False), torch.no_grad():
            hit = slot[tag] = (key, build())
    return hit[1]


# -- tables ------------------------------------------------------------------------
def has_tables(entropy_model: torch.nn.Module) -> bool:
    """Whether ``update()`` has built the model's CDF tables."""
    return entropy_model._offset.numel() > 0


#: Buffers ``update()`` derives from the parameters (not part of a model's identity).
DERIVED_BUFFERS = ("_quantized_cdf", "_offset", "_cdf_length", "scale_table")


def needs_update(model: torch.nn.Module) -> bool:
    """Whether some entropy model of ``model`` has no CDF tables yet."""
    return any(isinstance(getattr(m, "_offset", None), Tensor) and not has_tables(m) for m in model.modules())


class CoderTables:
    """An entropy model's CDF tables for the rANS coder, plus what coding reads often."""

    def __init__(self, em: torch.nn.Module):
        if not has_tables(em):
            raise ValueError("entropy model has no CDF tables: call update(force=True) first")
        for check in ("_check_cdf_size", "_check_cdf_length", "_check_offsets_size"):
            getattr(em, check)()
        self.rans = rans.RansTables(
            em._quantized_cdf.cpu().numpy(), em._cdf_length.reshape(-1).cpu().numpy(),
            em._offset.reshape(-1).cpu().numpy(),
        )
        self._channel_indexes: dict[tuple[int, ...], np.ndarray] = {}
        scale_table = getattr(em, "scale_table", None)
        if scale_table is not None and scale_table.numel():
            self.boundaries = scale_table[:-1].clone()
            self.scale_bound = em.lower_bound_scale.bound.clone()
        if hasattr(em, "_get_medians"):
            self.medians = em._get_medians().detach().clone()  # (C, 1, 1)

    def encode(self, symbols: Tensor, indexes: np.ndarray | Tensor) -> bytes:
        idx = indexes if isinstance(indexes, np.ndarray) else indexes.reshape(-1).cpu().numpy()
        return rans.encode(symbols.reshape(-1).cpu().numpy(), idx, self.rans)

    def decode(self, string: bytes, indexes: np.ndarray | Tensor) -> np.ndarray:
        idx = indexes if isinstance(indexes, np.ndarray) else indexes.reshape(-1).cpu().numpy()
        return rans.decode(string, idx, self.rans).astype(np.float32)

    def channel_indexes(self, shape: tuple[int, ...]) -> np.ndarray:
        """Per-position table index (= channel) of one C×H×W latent, CompressAI's order."""
        found = self._channel_indexes.get(shape)
        if found is None:
            c, rest = shape[0], int(np.prod(shape[1:], dtype=np.int64))
            found = np.repeat(np.arange(c, dtype=np.int64), rest)
            self._channel_indexes[shape] = found
        return found


def coder_tables(em: torch.nn.Module) -> CoderTables:
    """``em``'s :class:`CoderTables`, rebuilt when its tables or parameters change."""
    return memo(em, "coder_tables", module_state(em), lambda: CoderTables(em))


def scale_indexes(gc: torch.nn.Module, scales: Tensor, table: Tensor | None = None) -> Tensor:
    """CompressAI's ``build_indexes`` (index of the smallest table scale >= scale) in one
    ``bucketize`` call. ``table`` (``gc.scale_table[:-1]`` in the scales' dtype) may be
    passed in by callers that index many times (:func:`scale_boundaries`)."""
    scales = torch.max(scales, gc.lower_bound_scale.bound.to(scales.dtype))
    if table is None:
        table = scale_boundaries(gc, scales.dtype)
    return torch.bucketize(scales, table, right=False).int()


def scale_boundaries(gc: torch.nn.Module, dtype: torch.dtype) -> Tensor:
    return gc.scale_table[:-1].to(dtype).contiguous()


# -- likelihoods (training and the eval forward) -----------------------------------------
def bottleneck_medians(eb: torch.nn.Module, like: Tensor) -> Tensor:
    """The per-channel medians of ``eb`` broadcast to ``like``'s NCHW shape."""
    medians = eb._get_medians().detach()  # (C, 1, 1)
    return medians.reshape(1, -1, *([1] * (like.dim() - 2))).expand_as(like)


def bottleneck_likelihood(eb: torch.nn.Module, values: Tensor) -> Tensor:
    """Likelihood of already-quantized (or noisy) ``values`` under ``eb`` (NCHW in, NCHW out)."""
    perm = (1, 0, *range(2, values.dim()))
    v = values.permute(*perm).contiguous()
    shape = v.shape
    likelihood, _, _ = eb._likelihood(v.reshape(shape[0], 1, -1))
    if eb.use_likelihood_bound:
        likelihood = eb.likelihood_lower_bound(likelihood)
    return likelihood.reshape(shape).permute(*perm).contiguous()


def gaussian_likelihood(
    gc: torch.nn.Module, values: Tensor, scales: Tensor, means: Tensor | None = None
) -> Tensor:
    """Likelihood of ``values`` under ``gc`` with the given scales (and means)."""
    likelihood = gc._likelihood(values, scales, means)
    if gc.use_likelihood_bound:
        likelihood = gc.likelihood_lower_bound(likelihood)
    return likelihood


# -- coding ---------------------------------------------------------------------------
def bottleneck_encode(eb: torch.nn.Module, z: Tensor, offset: Tensor | None = None) -> tuple[list[bytes], Tensor]:
    """``EntropyBottleneck.compress`` strings of ``z - offset``, and the ẑ the decoder
    will rebuild (``round(z - offset - median) + median + offset``)."""
    tables = coder_tables(eb)
    medians = tables.medians.to(z.device)
    x = z if offset is None else z - offset
    rounded = torch.round(x - medians)
    symbols = rounded.int()
    idx = tables.channel_indexes(tuple(z.shape[1:]))
    strings = [tables.encode(symbols[i], idx) for i in range(z.shape[0])]
    z_hat = rounded.add_(medians)
    return strings, z_hat if offset is None else z_hat + offset


def bottleneck_decode(eb: torch.nn.Module, strings: list[bytes], size, offset_fn=None) -> Tensor:
    """``EntropyBottleneck.decompress``: ẑ from its strings (plus ``offset_fn(ẑ)`` when given)."""
    tables = coder_tables(eb)
    c = tables.medians.shape[0]
    shape = (c, *tuple(size))
    idx = tables.channel_indexes(shape)
    out = torch.empty((len(strings), *shape), dtype=tables.medians.dtype)
    for i, s in enumerate(strings):
        out[i] = torch.from_numpy(tables.decode(s, idx)).view(shape)
    device = eb.quantiles.device
    out = out.to(device).add_(tables.medians.to(device))
    if offset_fn is not None and (d := offset_fn(out)) is not None:
        out = out + d
    return out


def gaussian_encode(gc: torch.nn.Module, y: Tensor, scales: Tensor, shift: Tensor | None) -> list[bytes]:
    """``GaussianConditional.compress(y, build_indexes(scales), means=shift)`` strings."""
    tables = coder_tables(gc)
    indexes = _indexes(tables, scales)
    symbols = torch.round(y - shift if shift is not None else y).int()
    return [tables.encode(symbols[i], indexes[i]) for i in range(y.shape[0])]


def gaussian_decode(gc: torch.nn.Module, strings: list[bytes], scales: Tensor, shift: Tensor | None) -> Tensor:
    """``GaussianConditional.decompress(strings, build_indexes(scales), means=shift)``: ŷ."""
    tables = coder_tables(gc)
    indexes = _indexes(tables, scales)
    if len(strings) != indexes.shape[0]:
        raise ValueError(f"{len(strings)} strings for a batch of {indexes.shape[0]}")
    out = torch.empty(indexes.shape, dtype=torch.float32)
    for i, s in enumerate(strings):
        out[i] = torch.from_numpy(tables.decode(s, indexes[i])).view(indexes.shape[1:])
    out = out.to(scales.device)
    return out.add_(shift) if shift is not None else out


def _indexes(tables: CoderTables, scales: Tensor) -> Tensor:
    bound, boundaries = tables.scale_bound.to(scales.device), tables.boundaries.to(scales.device)
    return torch.bucketize(torch.max(scales, bound), boundaries, out_int32=True)
