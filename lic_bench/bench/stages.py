"""What is timed: the callables behind each benchmark stage, for one implementation.

Two implementations can stand behind a model: its own ``compress``/``decompress``
(``"model"``) and the bit-identical :mod:`lic_bench.fastpath` (``"fastpath"``,
hyperprior family only). Stages:

* ``transform_encode``: analysis transforms only (g_a, then h_a when present);
* ``transform_decode``: synthesis transforms only (every hyper-synthesis module
  found — ``h_s`` or e.g. ``h_s_mean`` + ``h_s_scale`` — then g_s);
* ``encode`` / ``decode``: the full ``compress`` / ``decompress`` including
  entropy coding (and context modelling, gain units, ...).

The modules actually timed are reported, because context models name their
parts differently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from lic_bench.fastpath import reference_path

_HYPER_SYNTHESIS = ("h_s", "h_s_mean", "h_s_scale")
_SYNTHESIS = (*_HYPER_SYNTHESIS, "g_s")


def _is_context_model(model: torch.nn.Module) -> bool:
    return type(model).__module__.startswith("lic_bench.context")


class Implementation:
    """The code path that is timed for one model."""

    def __init__(self, model: torch.nn.Module, use_fastpath: bool = True, quality: float | None = None):
        from lic_bench.fastpath import prepare_for_inference, supports

        self.model = model
        self.quality = quality
        self.fast = prepare_for_inference(model) if use_fastpath and supports(model) else None
        self.name = "fastpath" if self.fast is not None else "model"
        self.variable_rate = bool(getattr(model, "variable_rate", False))

    def _kw(self) -> dict[str, Any]:
        return {"quality": self.quality} if self.variable_rate and self.quality is not None else {}

    def compress(self, x: torch.Tensor) -> dict[str, Any]:
        if self.fast is not None:
            return self.fast.compress(x, **self._kw())
        with reference_path():  # models may route compress() through the fast path
            return self.model.compress(x, **self._kw())

    def decompress(self, coded: dict[str, Any]) -> dict[str, Any]:
        if self.fast is not None:
            return self.fast.decompress(coded["strings"], coded["shape"], **self._kw())
        with reference_path():
            return self.model.decompress(coded["strings"], coded["shape"], **self._kw())

    def held_mb(self) -> float:
        """Scratch memory the fast path keeps between calls, in MiB."""
        return self.fast.scratch.nbytes() / 2**20 if self.fast is not None else 0.0

    def _module(self, name: str) -> Callable[[torch.Tensor], torch.Tensor] | None:
        if self.fast is not None and hasattr(self.fast, name):
            return getattr(self.fast, name)
        module = getattr(self.model, name, None)
        if module is not None and name in _SYNTHESIS and _is_context_model(self.model):
            from lic_bench.fastpath import fast_transform

            return fast_transform(self.model, name)  # what their compress/decompress run
        return module

    def timed_modules(self) -> dict[str, list[str]]:
        enc = [n for n in ("g_a", "h_a") if self._module(n) is not None]
        dec = [n for n in _HYPER_SYNTHESIS if self._module(n) is not None]
        return {"transform_encode": enc, "transform_decode": dec + ["g_s"]}

    def transform_stages(self, x: torch.Tensor) -> dict[str, Callable[[], Any]]:
        g_a, h_a, g_s = self._module("g_a"), self._module("h_a"), self._module("g_s")
        hyper_in = torch.abs if getattr(self.fast, "kind", None) == "scale" or _scale_model(self.model) else None
        with torch.inference_mode():
            y = g_a(x)
            z = h_a(hyper_in(y) if hyper_in else y) if h_a is not None else None
            y_hat = torch.round(y)
            z_hat = torch.round(z) if z is not None else None
        synth = [self._module(n) for n in _HYPER_SYNTHESIS if self._module(n) is not None]

        def encode() -> Any:
            out = g_a(x)
            if h_a is not None:
                return h_a(hyper_in(out) if hyper_in else out)
            return out

        def decode() -> Any:
            if z_hat is not None:
                for h_s in synth:
                    h_s(z_hat)
            return g_s(y_hat)

        return {"transform_encode": encode, "transform_decode": decode}

    def full_stages(self, x: torch.Tensor) -> dict[str, Callable[[], Any]]:
        with torch.inference_mode():
            coded = self.compress(x)
        return {"encode": lambda: self.compress(x), "decode": lambda: self.decompress(coded)}

    def stages(self, x: torch.Tensor, wanted: tuple[str, ...]) -> dict[str, Callable[[], Any]]:
        out: dict[str, Callable[[], Any]] = {}
        if "transforms" in wanted:
            out.update(self.transform_stages(x))
        if "full" in wanted:
            out.update(self.full_stages(x))
        return out

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"path": self.name, "timed_modules": self.timed_modules()}
        if self.fast is not None:
            info["layer_plan"] = self.fast.plan()
        if self.variable_rate:
            info["quality"] = self.quality if self.quality is not None else "model default"
        if _is_context_model(self.model):
            from lic_bench.context.coding import CODING_THREADS

            # pinned for bit-exact decoding, whatever --threads says
            info["coding_threads"] = CODING_THREADS
        return info


def _scale_model(model: torch.nn.Module) -> bool:
    """Ballé 2018's scale hyperprior feeds |y| to h_a (ours and CompressAI's class)."""
    import compressai.models as cm

    if type(model) is cm.ScaleHyperprior:
        return True
    return type(model).__name__ == "ScaleHyperprior" and not getattr(model, "_mean_scale", True)
