"""Entropy coding with CompressAI's rANS coder and tables, minus the repeated work.

The CDF tables and the symbol order are CompressAI's (``compressai.entropy_models``)
and the coder writes the same bytes (:mod:`lic_bench.entropy.rans`, memory-safe on
forged strings). What changes:

* the tables are converted and checked once (:class:`CoderTables`) instead of
  on every call;
* Gaussian indexes come from one ``bucketize`` over the scale table instead of
  a loop of 63 comparisons (same result: the index is the number of table
  entries, last one excluded, strictly below the lower-bounded scale);
* the encoder's ẑ is ``round(z − median) + median`` — exactly the value the
  decoder rebuilds from the symbols — instead of decoding the string again;
* decoded symbols go straight to a float tensor (integers below 2²⁴ convert
  exactly, as CompressAI's int32 → float cast does).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from lic_bench.entropy import rans

__all__ = ["CoderTables", "bottleneck_encode", "bottleneck_decode", "gaussian_encode", "gaussian_decode"]


class CoderTables:
    """An entropy model's quantized CDFs, lengths and offsets as lists, read once."""

    def __init__(self, entropy_model):
        em = entropy_model
        if em._offset.numel() == 0:
            raise ValueError("entropy model has no CDF tables: call update(force=True) first")
        self.tables = rans.RansTables(
            em._quantized_cdf.numpy(), em._cdf_length.reshape(-1).numpy(), em._offset.reshape(-1).numpy()
        )
        self._channel_indexes: dict[tuple[int, ...], np.ndarray] = {}
        scale_table = getattr(em, "scale_table", None)
        if scale_table is not None and scale_table.numel():
            self.boundaries = scale_table[:-1].clone()
            self.scale_bound = em.lower_bound_scale.bound.clone()
        if hasattr(em, "_get_medians"):
            self.medians = em._get_medians().detach().clone()  # (C, 1, 1)

    def encode(self, symbols: Tensor, indexes: np.ndarray | Tensor) -> bytes:
        idx = indexes if isinstance(indexes, np.ndarray) else indexes.reshape(-1).numpy()
        return rans.encode(symbols.reshape(-1).numpy(), idx, self.tables)

    def decode(self, string: bytes, indexes: np.ndarray | Tensor) -> np.ndarray:
        idx = indexes if isinstance(indexes, np.ndarray) else indexes.reshape(-1).numpy()
        return rans.decode(string, idx, self.tables).astype(np.float32)

    def channel_indexes(self, shape: tuple[int, ...]) -> np.ndarray:
        """Per-position table index (= channel) of one C×H×W latent, CompressAI's order."""
        found = self._channel_indexes.get(shape)
        if found is None:
            c, rest = shape[0], int(np.prod(shape[1:], dtype=np.int64))
            found = np.repeat(np.arange(c, dtype=np.int64), rest)
            self._channel_indexes[shape] = found
        return found


def gaussian_indexes(tables: CoderTables, scales: Tensor) -> Tensor:
    """``GaussianConditional.build_indexes`` in one search (same int32 indexes)."""
    bounded = torch.max(scales, tables.scale_bound)
    return torch.bucketize(bounded, tables.boundaries, out_int32=True)


def bottleneck_encode(tables: CoderTables, z: Tensor) -> tuple[list[bytes], Tensor]:
    """``EntropyBottleneck.compress`` strings, and the ẑ its decoder will rebuild."""
    rounded = torch.round(z - tables.medians)
    symbols = rounded.int()
    idx = tables.channel_indexes(tuple(z.shape[1:]))
    strings = [tables.encode(symbols[i], idx) for i in range(z.shape[0])]
    return strings, rounded.add_(tables.medians)


def bottleneck_decode(tables: CoderTables, strings: list[bytes], size) -> Tensor:
    """``EntropyBottleneck.decompress``: ẑ from its strings."""
    c = tables.medians.shape[0]
    shape = (c, *tuple(size))
    idx = tables.channel_indexes(shape)
    out = torch.empty((len(strings), *shape), dtype=tables.medians.dtype)
    for i, s in enumerate(strings):
        out[i] = torch.from_numpy(tables.decode(s, idx)).view(shape)
    return out.add_(tables.medians)


def gaussian_encode(tables: CoderTables, y: Tensor, indexes: Tensor, means: Tensor | None) -> list[bytes]:
    """``GaussianConditional.compress(y, indexes, means)`` strings."""
    symbols = torch.round(y - means if means is not None else y).int()
    return [tables.encode(symbols[i], indexes[i]) for i in range(y.shape[0])]


def gaussian_decode(
    tables: CoderTables, strings: list[bytes], indexes: Tensor, means: Tensor | None
) -> Tensor:
    """``GaussianConditional.decompress(strings, indexes, means=means)``: ŷ."""
    out = torch.empty(indexes.shape, dtype=torch.float32)
    for i, s in enumerate(strings):
        out[i] = torch.from_numpy(tables.decode(s, indexes[i])).view(indexes.shape[1:])
    return out.add_(means) if means is not None else out
