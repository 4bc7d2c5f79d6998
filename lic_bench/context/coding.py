"""Step-wise coding of a latent whose Gaussian parameters depend on decoded neighbours.

One routine, :func:`code_latent`, runs a schedule (:mod:`lic_bench.context.schedule`)
for the three things a context model must agree on bit for bit:

* the eval-mode forward pass (``SymbolCoder.quantizer``: round, no coding),
* ``compress`` (``SymbolCoder.encoder``: round and rANS-encode),
* ``decompress`` (``SymbolCoder.decoder``: rANS-decode).

At every step it computes the context only at the positions being coded -- it gathers
their masked neighbourhood taps from the partially decoded latent and multiplies them
by the matching kernel columns (one GEMM) -- runs the caller's entropy-parameter
network on those positions only, and codes all their symbols with one
``encode_with_indexes`` / ``decode_stream`` call of CompressAI's rANS coder. Because
the three modes execute the same tensor operations on the same inputs with the same
(pinned, :data:`CODING_THREADS`) thread count, encoder and decoder compute
bit-identical means and scales.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from contextlib import contextmanager

import torch
from compressai.ans import BufferedRansEncoder, RansDecoder
from compressai.entropy_models import GaussianConditional
from torch import Tensor

from lic_bench.context.masks import MaskedConv2d, mask_taps
from lic_bench.context.schedule import Step, kernel_map

__all__ = [
    "CODING_THREADS",
    "SpatialKernels",
    "SymbolCoder",
    "code_latent",
    "coding_threads",
    "gather",
    "scale_indexes",
]


def scale_indexes(gc: GaussianConditional, scales: Tensor, table: Tensor | None = None) -> Tensor:
    """CompressAI's ``build_indexes`` (index of the smallest table scale >= scale) in one
    ``bucketize`` call instead of a loop over the 64 table entries.

    ``torch.max`` with the bound is what ``gc.lower_bound_scale`` computes, without the
    autograd-function call; ``table`` (``gc.scale_table[:-1]`` in the scales' dtype)
    may be passed in by callers that index many times.
    """
    scales = torch.max(scales, gc.lower_bound_scale.bound.to(scales.dtype))
    if table is None:
        table = gc.scale_table[:-1].to(scales.dtype)
    return torch.bucketize(scales, table, right=False).int()


class SymbolCoder:
    """Quantizes, encodes or decodes the symbols of successive steps, one stream per image.

    Symbols of a step are taken image by image in ``(C, n)`` row-major order; the
    encoder buffers them and writes one rANS stream per image at :meth:`flush`, the
    decoder reads them back in the same order.
    """

    def __init__(self, gc: GaussianConditional, mode: str, batch: int, strings=None):
        self.gc, self.mode, self.batch = gc, mode, batch
        self._table: Tensor | None = None
        if mode != "quantize":
            for check in (gc._check_cdf_size, gc._check_cdf_length, gc._check_offsets_size):
                check()
            self.cdf_lengths = gc.cdf_length.reshape(-1).int().tolist()
            self.offsets = gc.offset.reshape(-1).int().tolist()
            # Rows trimmed to their length: the binding converts every table on every
            # call, and the padded (64 x 3100) table costs more than the decoding.
            self.cdf = [
                row[:n] for row, n in zip(gc.quantized_cdf.tolist(), self.cdf_lengths, strict=True)
            ]
        if mode == "encode":
            self.symbols: list[list[int]] = [[] for _ in range(batch)]
            self.indexes: list[list[int]] = [[] for _ in range(batch)]
        elif mode == "decode":
            if len(strings) != batch:
                raise ValueError(f"{len(strings)} strings for a batch of {batch}")
            self.decoders = []
            for s in strings:
                dec = RansDecoder()
                dec.set_stream(s)
                self.decoders.append(dec)
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

    def __call__(
        self, y: Tensor | None, scales: Tensor, means: Tensor, offset: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Code one step of the whole batch (dim 0); returns ``(y_hat, y_rate)`` =
        ``(k + mu + d, k + mu)``."""
        shift = means if offset is None else means + offset
        if self.mode == "decode":
            symbols = torch.stack([self._decode(b, scales[b]) for b in range(self.batch)])
        else:
            symbols = torch.round(y - shift)
            if self.mode == "encode":
                for b in range(self.batch):
                    self._encode(b, symbols[b], scales[b])
        return symbols + shift, symbols + means

    def image(
        self, b: int, y: Tensor | None, scales: Tensor, means: Tensor, offset: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Like calling the coder, for image ``b`` alone (tensors without a batch dim)."""
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
            self._table = self.gc.scale_table[:-1].to(scales.dtype).contiguous()
        return scale_indexes(self.gc, scales, self._table)

    def _encode(self, b: int, symbols: Tensor, scales: Tensor) -> None:
        self.symbols[b].extend(symbols.int().reshape(-1).tolist())
        self.indexes[b].extend(self._indexes(scales).reshape(-1).tolist())

    def _decode(self, b: int, scales: Tensor) -> Tensor:
        indexes = self._indexes(scales).reshape(-1)
        # Hand the decoder only the tables this step uses (same values, re-indexed):
        # the binding converts every table it is given on every call.
        used, local = torch.unique(indexes, return_inverse=True)
        used = used.tolist()
        values = self.decoders[b].decode_stream(
            local.tolist(),
            [self.cdf[u] for u in used],
            [self.cdf_lengths[u] for u in used],
            [self.offsets[u] for u in used],
        )
        # array -> tensor is several times faster than torch.tensor(list)
        ints = torch.frombuffer(array("i", values), dtype=torch.int32)
        return ints.to(device=scales.device, dtype=scales.dtype).view(scales.shape)

    def flush(self) -> list[bytes]:
        """The rANS stream of each image (encoder only)."""
        out = []
        for b in range(self.batch):
            enc = BufferedRansEncoder()
            enc.encode_with_indexes(
                self.symbols[b], self.indexes[b], self.cdf, self.cdf_lengths, self.offsets
            )
            out.append(enc.flush())
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

    def prepare(self) -> SpatialKernels:
        """Slice the kernels' tap columns once per coding call."""
        mats = []
        for conv in self.convs:
            dy, dx = mask_taps(conv.mask2d)
            k = conv.kernel_size[0] // 2
            w = conv.weight[:, :, dy + k, dx + k]  # (C_out, C_in, T)
            mats.append((dy, dx, w.reshape(w.shape[0], -1).t().contiguous(), conv.bias))
        self._mats = mats
        return self

    def at(self, y_pad: Tensor, step: Step) -> Tensor:
        B, n = y_pad.shape[0], step.rows.numel()
        if step.kernel < 0:
            return y_pad.new_zeros(B, self.out_channels, n, 1)
        if self._mats is None:
            self.prepare()
        dy, dx, wmat, bias = self._mats[step.kernel]
        if dy.numel() == 0:
            out = y_pad.new_zeros(B, n, wmat.shape[1])
        else:
            ri = step.rows[:, None] + self.pad + dy[None, :]
            ci = step.cols[:, None] + self.pad + dx[None, :]
            taps = y_pad[:, :, ri, ci]  # (B, C_in, n, T)
            taps = taps.permute(0, 2, 1, 3).reshape(B, n, -1)
            out = torch.matmul(taps, wmat)
        if bias is not None:
            out = out + bias
        return out.permute(0, 2, 1).unsqueeze(-1)

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
#: across a table boundary and desynchronise the rANS decoder. One thread is also the
#: fastest setting for these small per-step operators on a shared machine.
CODING_THREADS = 1


@contextmanager
def coding_threads(n: int | None = None):
    """Run the block with ``n`` (default :data:`CODING_THREADS`) intra-op threads."""
    n = CODING_THREADS if n is None else n
    old = torch.get_num_threads()
    if n != old:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n != old:
            torch.set_num_threads(old)


ParamsFn = Callable[[Tensor, Step], tuple[Tensor, Tensor]]


def code_latent(
    y: Tensor | None,
    shape: tuple[int, int, int, int],
    steps: list[Step],
    kernels: SpatialKernels | None,
    params_at: ParamsFn,
    coder: SymbolCoder,
    offset: Tensor | None = None,
    like: Tensor | None = None,
) -> dict[str, Tensor]:
    """Run ``steps`` over a ``(B, C, H, W)`` latent.

    Args:
        y: the latent to code (``None`` when decoding).
        shape: ``(B, C, H, W)``.
        steps: the schedule.
        kernels: spatial context kernels (``None``: no spatial context).
        params_at: ``(context (B, C_ctx, n, 1) or None, step) -> (scales, means)``, each
            ``(B, C, n, 1)``, for the step's positions.
        coder: what to do with the symbols.
        offset: the quantizer's coding offset ``d`` (``(B, C, H, W)``), if any.
        like: a tensor with the dtype and device of the outputs (when ``y`` is None).

    Returns:
        ``{"y_hat", "y_rate", "scales", "means"}``, each ``(B, C, H, W)``.
    """
    B, C, H, W = shape
    like = y if y is not None else like if like is not None else offset
    kw = {"dtype": like.dtype, "device": like.device} if like is not None else {}
    P = kernels.pad if kernels is not None else 0
    y_pad = torch.zeros(B, C, H + 2 * P, W + 2 * P, **kw)
    y_rate = torch.zeros(B, C, H, W, **kw)
    scales = torch.zeros(B, C, H, W, **kw)
    means = torch.zeros(B, C, H, W, **kw)
    if kernels is not None:
        kernels.prepare()
    with coding_threads():
        _run(y, steps, kernels, params_at, coder, offset, P, y_pad, y_rate, scales, means)
    y_hat = y_pad[:, :, P : P + H, P : P + W] if P else y_pad
    return {"y_hat": y_hat.contiguous(), "y_rate": y_rate, "scales": scales, "means": means}


def _run(y, steps, kernels, params_at, coder, offset, P, y_pad, y_rate, scales, means) -> None:
    for step in steps:
        r, c = step.rows, step.cols
        ctx = kernels.at(y_pad, step) if kernels is not None else None
        s, m = params_at(ctx, step)
        y_s = None if y is None else y[:, :, r, c].unsqueeze(-1)
        d_s = None if offset is None else offset[:, :, r, c].unsqueeze(-1)
        yh, yr = coder(y_s, s, m, d_s)
        y_pad[:, :, r + P, c + P] = yh.squeeze(-1)
        y_rate[:, :, r, c] = yr.squeeze(-1)
        scales[:, :, r, c] = s.squeeze(-1)
        means[:, :, r, c] = m.squeeze(-1)


def gather(t: Tensor, step: Step) -> Tensor:
    """``t[:, :, rows, cols]`` as ``(B, C, n, 1)``."""
    return t[:, :, step.rows, step.cols].unsqueeze(-1)
