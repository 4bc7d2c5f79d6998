"""What is timed: the callables behind each benchmark stage, for one implementation.

An implementation is a model's own ``compress``/``decompress``, read through the coding
protocol (:class:`~lic_bench.models.base.CodingModel`): for lic-bench's models that is
their eval-mode code (fast transforms, :mod:`lic_bench.entropy.internals`), for a
CompressAI twin (:class:`~lic_bench.bench.compare.CompressAITwin`) CompressAI's. Stages:

* ``transform_encode``: analysis transforms only (g_a, then h_a when present);
* ``transform_decode``: synthesis transforms only (every hyper-synthesis head --
  ``h_s`` or e.g. ``h_s_mean`` + ``h_s_scale`` -- then g_s);
* ``encode`` / ``decode``: the full ``compress`` / ``decompress`` including
  entropy coding (and context modelling, gain units, ...).

The modules actually timed are reported, because models name their parts differently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from lic_bench.models.base import CodingModel

_HYPER_SYNTHESIS = ("h_s", "h_s_mean", "h_s_scale")


class Implementation:
    """The code path that is timed for one model."""

    def __init__(self, model: CodingModel, quality: float | None = None):
        self.model = model
        self.quality = quality
        self.name = "model"
        self.variable_rate = bool(model.variable_rate)
        model.eval()
        model.update(force=False)

    def _kw(self) -> dict[str, Any]:
        return {"quality": self.quality} if self.variable_rate and self.quality is not None else {}

    def compress(self, x: torch.Tensor) -> dict[str, Any]:
        return self.model.compress(x, **self._kw())

    def decompress(self, coded: dict[str, Any]) -> dict[str, Any]:
        return self.model.decompress(coded["strings"], coded["shape"], **self._kw())

    def held_mb(self) -> float:
        """Scratch memory the fast transforms keep between calls, in MiB."""
        seen, total = set(), 0
        for module in self.model.modules():
            for key, value in module.__dict__.get("_lic_bench_coder_cache", {}).items():
                if key != "fast_sequential":
                    continue
                buffers = value[1].buffers  # a FastSequential's pool (eval_transform's memo)
                if id(buffers) not in seen:
                    seen.add(id(buffers))
                    total += buffers.nbytes()
        return total / 2**20

    def transforms(self) -> dict[str, Callable[[torch.Tensor], Any]]:
        """Name -> what compress/decompress run for that transform."""
        return self.model.eval_transforms()

    def timed_modules(self) -> dict[str, list[str]]:
        names = list(self.transforms())
        return {"transform_encode": [n for n in ("g_a", "h_a") if n in names],
                "transform_decode": [n for n in names if n in _HYPER_SYNTHESIS] + ["g_s"]}

    def transform_stages(self, x: torch.Tensor) -> dict[str, Callable[[], Any]]:
        fns = self.transforms()
        g_a, h_a, g_s = fns["g_a"], fns.get("h_a"), fns["g_s"]
        synth = [fns[n] for n in _HYPER_SYNTHESIS if n in fns]
        with torch.inference_mode():
            y = g_a(x)
            z = h_a(y) if h_a is not None else None
            y_hat = torch.round(y)
            z_hat = torch.round(z) if z is not None else None

        def encode() -> Any:
            out = g_a(x)
            return h_a(out) if h_a is not None else out

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
        if self.variable_rate:
            info["quality"] = self.quality if self.quality is not None else "model default"
        pinned = self.model.pinned_threads()
        if pinned is not None:
            info["coding_threads"] = pinned  # pinned for bit-exact decoding, whatever --threads says
        return info
