"""What every context model's coder shares: the symbol coder, thread pinning, caches.

A context model must agree bit for bit in three passes, which therefore run the same
code (:func:`lic_bench.context.spatial_coder.code_positions`) and differ only in the
:class:`SymbolCoder` they are given:

* the eval-mode forward pass (``SymbolCoder.quantizer``: round, no coding),
* ``compress`` (``SymbolCoder.encoder``: round and rANS-encode),
* ``decompress`` (``SymbolCoder.decoder``: rANS-decode).

Each step's symbols are decoded with one call of the memory-safe rANS coder
(:mod:`lic_bench.entropy.rans`, CompressAI's stream format); the encoder writes every
step's symbols into one string per image at the end. Because the three passes execute the same tensor
operations on the same inputs with the same (pinned, :data:`CODING_THREADS`) thread
count, encoder and decoder compute bit-identical means and scales.
:class:`SpatialKernels` is the training-time (dense) form of the context kernels.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import Tensor

from lic_bench.context.masks import MaskedConv2d
from lic_bench.context.schedule import Step, kernel_map
from lic_bench.entropy import GaussianConditional, rans
from lic_bench.entropy.internals import (  # noqa: F401 - re-exported for the context coders
    coder_tables,
    memo,
    module_state,
    scale_boundaries,
    scale_indexes,
)

__all__ = [
    "CODING_THREADS",
    "SpatialKernels",
    "SymbolCoder",
    "coder_tables",
    "coding_threads",
    "memo",
    "module_state",
    "scale_indexes",
]


class SymbolCoder:
    """Quantizes, encodes or decodes the symbols of successive steps, one stream per image.

    Symbols of a step are taken in ``(position, channel)`` row-major order; the
    encoder buffers them and writes one rANS stream per image at :meth:`flush`, the
    decoder reads them back in the same order.
    """

    def __init__(self, gc: GaussianConditional, mode: str, batch: int, strings=None):
        self.gc, self.mode, self.batch = gc, mode, batch
        self._table: Tensor | None = None
        if mode != "quantize":
            self.tables = coder_tables(gc).rans
        if mode == "encode":
            self.symbols: list[list[np.ndarray]] = [[] for _ in range(batch)]
            self.indexes: list[list[np.ndarray]] = [[] for _ in range(batch)]
        elif mode == "decode":
            if len(strings) != batch:
                raise ValueError(f"{len(strings)} strings for a batch of {batch}")
            self.decoders = [rans.StreamDecoder(s) for s in strings]
        elif mode != "quantize":
            raise ValueError(f"unknown coder mode {mode!r}")

    @classmethod
    def quantizer(cls, gc: GaussianConditional, batch: int) -> SymbolCoder:
        return cls(gc, "quantize", batch)

    @classmethod
    def encoder(cls, gc: GaussianConditional, batch: int) -> SymbolCoder:
        return cls(gc, "encode", batch)

    @classmethod
    def decoder(cls, gc: GaussianConditional, strings: Sequence[bytes]) -> SymbolCoder:
        return cls(gc, "decode", len(strings), strings)

    def image(
        self, b: int, y: Tensor | None, scales: Tensor, means: Tensor, offset: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Code one step of image ``b``; returns ``(y_hat, y_rate)`` = ``(k + mu + d, k + mu)``.

        Tensors have no batch dimension; symbols are taken in row-major order.
        """
        shift = means if offset is None else means + offset
        if self.mode == "decode":
            symbols = self._decode(b, scales)
        else:
            symbols = torch.round(y - shift)
            if self.mode == "encode":
                self._encode(b, symbols, scales)
        return symbols + shift, symbols + means

    def _indexes(self, scales: Tensor) -> Tensor:
        if self._table is None or self._table.dtype != scales.dtype:
            self._table = scale_boundaries(self.gc, scales.dtype)
        return scale_indexes(self.gc, scales, self._table)

    def _encode(self, b: int, symbols: Tensor, scales: Tensor) -> None:
        self.symbols[b].append(symbols.int().reshape(-1).cpu().numpy())
        self.indexes[b].append(self._indexes(scales).reshape(-1).cpu().numpy())

    def _decode(self, b: int, scales: Tensor) -> Tensor:
        indexes = self._indexes(scales).reshape(-1).cpu().numpy()
        ints = torch.from_numpy(self.decoders[b].decode(indexes, self.tables))
        return ints.to(device=scales.device, dtype=scales.dtype).view(scales.shape)

    def flush(self) -> list[bytes]:
        """The rANS stream of each image (encoder only): one string over every step's
        symbols, as CompressAI's ``BufferedRansEncoder`` writes it."""
        out = []
        for b in range(self.batch):
            symbols = np.concatenate(self.symbols[b]) if self.symbols[b] else np.zeros(0, np.int64)
            indexes = np.concatenate(self.indexes[b]) if self.indexes[b] else np.zeros(0, np.int64)
            out.append(rans.encode(symbols, indexes, self.tables))
        return out


class SpatialKernels:
    """The masked context convolutions of one latent, evaluated only where needed.

    ``at(y_pad, step)`` returns the context of the step's positions as
    ``(B, C_out, n, 1)``: the taps kept by the step's kernel mask are gathered from the
    padded, partially decoded latent and multiplied by the kernel's matching columns.
    ``full(y, steps)`` is the training-time equivalent (every kernel as a dense masked
    convolution, each position taking the output of its own kernel).
    """

    def __init__(self, convs: Sequence[MaskedConv2d], out_channels: int | None = None):
        self.convs = list(convs)
        self.out_channels = out_channels if out_channels is not None else self.convs[0].out_channels
        self.pad = max((c.kernel_size[0] // 2 for c in self.convs), default=0)
        self._mats: list[tuple[Tensor, Tensor, Tensor, Tensor | None]] | None = None

    def full(self, y: Tensor, steps: list[Step]) -> Tensor:
        H, W = y.shape[-2:]
        kmap = kernel_map(steps, H, W).to(y.device)
        out = y.new_zeros(y.shape[0], self.out_channels, H, W)
        for k, conv in enumerate(self.convs):
            sel = kmap == k
            if bool(sel.any()):
                out = out + conv(y) * sel.to(y.dtype)
        return out


#: Intra-op threads of everything between ẑ and ŷ (hyper decoders, context and
#: entropy-parameter networks, LRP) in the eval forward, ``compress`` and
#: ``decompress``. It is pinned, not taken from ``torch.set_num_threads``: oneDNN
#: convolutions and even GEMMs choose their blocking -- hence their summation order
#: -- by thread count (on this CPU a [128 x 2016] x [2016 x 32] product differs in the
#: last bit between 1 and 2 threads), and a last-bit change of a scale can move it
#: across a table boundary and desynchronise the rANS decoder. Two threads, because
#: the full-resolution convolutions of the channel-conditional models (channel
#: prediction, LRP) and the patch-parallel steps run nearly twice as fast on two
#: cores, and even the small wavefront steps of ``mbt2018`` gain a little; a machine
#: with one core still decodes correctly, only slower.
CODING_THREADS = 2


@contextmanager
def coding_threads(n: int | None = None):
    """Run the block with ``n`` (default :data:`CODING_THREADS`) intra-op threads and
    with oneDNN on.

    oneDNN is switched on for the same reason the threads are pinned: with
    ``torch.backends.mkldnn.enabled = False`` PyTorch's own CPU kernels compute the
    convolutions with another summation order, and ``lic-bench determinism`` measured
    streams of he2022-elic and uludag2022-unified, encoded with oneDNN, decoding to
    garbage (pixels off by up to 255) without it. Where the build has no oneDNN the
    switch does nothing, and files must be decoded by a build like the encoder's.
    """
    n = CODING_THREADS if n is None else n
    old = torch.get_num_threads()
    old_onednn = torch.backends.mkldnn.enabled
    if n != old:
        torch.set_num_threads(n)
    torch.backends.mkldnn.enabled = True
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = old_onednn
        if n != old:
            torch.set_num_threads(old)
