"""``codec_for(model)``: a :class:`FastCodec` kept on the model and rebuilt when it goes stale.

A FastCodec snapshots what is costly to recompute (re-parameterised GDN weights,
CDF tables as lists). It is stale once any parameter is modified in place
(optimizer steps and ``load_state_dict`` bump ``Tensor._version``) or replaced,
or once ``update()`` installs new CDF buffers; the fingerprint below catches all
three, so models may route ``compress``/``decompress`` through it safely.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import torch

from lic_bench.fastpath.codec import FastCodec, supports
from lic_bench.fastpath.transforms import FastSequential

__all__ = ["codec_for", "fast_transform", "reference_path"]

_ATTR = "_lic_bench_fastpath"
_DISABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("lic_bench_fastpath_off", default=False)


@contextlib.contextmanager
def reference_path() -> Iterator[None]:
    """Within this block models run their own (reference) code, not the fast path.

    Used to check the fast path against the reference and to time the reference.
    """
    token = _DISABLED.set(True)
    try:
        yield
    finally:
        _DISABLED.reset(token)


def _fingerprint(model: torch.nn.Module) -> tuple:
    params = tuple((id(p), p._version) for p in model.parameters())
    # update() installs new (small) CDF buffers; a freed tensor's id can be reused,
    # so their contents are summed in as well.
    buffers = tuple(
        (id(b), b._version, tuple(b.shape), float(b.double().sum()) if b.numel() < 1 << 16 else 0.0)
        for b in model.buffers()
    )
    return params + buffers


def codec_for(model: torch.nn.Module, x: torch.Tensor | None = None) -> FastCodec | None:
    """The model's up-to-date FastCodec, or None when the fast path does not apply.

    It does not apply to unsupported architectures, to models in training mode,
    on a non-CPU device (the rANS tables and index search live on the CPU) or
    inside :func:`reference_path`.
    """
    if _DISABLED.get() or model.training or not supports(model):
        return None
    device = x.device if x is not None else next(model.parameters()).device
    if device.type != "cpu" or model.entropy_bottleneck._offset.numel() == 0:
        return None
    key = _fingerprint(model)
    cached = model.__dict__.get(_ATTR)
    if cached is not None and cached[0] == key:
        return cached[1]
    codec = FastCodec(model)
    model.__dict__[_ATTR] = (key, codec)
    return codec


def fast_transform(model: torch.nn.Module, name: str) -> FastSequential:
    """A :class:`FastSequential` of ``model.<name>``, kept on the model and rebuilt when
    that transform's weights change (same staleness test as :func:`codec_for`).

    Keeping it keeps its scratch buffers too: a fresh one per call would fault in
    tens of MB of new pages on every decode.
    """
    seq = getattr(model, name)
    key = _fingerprint(seq)
    slot = model.__dict__.setdefault(_ATTR + "_transforms", {})
    cached = slot.get(name)
    if cached is not None and cached[0] == key:
        return cached[1]
    fast = FastSequential(seq)
    slot[name] = (key, fast)
    return fast
