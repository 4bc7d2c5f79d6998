"""LPIPS (Zhang et al., "The Unreasonable Effectiveness of Deep Features as a Perceptual
Metric", 2018) through the ``lpips`` package.

The package ships its small linear calibration layers but loads the ImageNet backbone
(AlexNet or VGG16) from torchvision's hub cache, downloading it when missing. Where that
cannot happen (no network, no cache) :class:`LpipsMetric` records the reason in
:attr:`unavailable` and returns ``None`` instead of failing the evaluation.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import torch

from lic_bench.errors import UsageError

_NETS = ("alex", "vgg")


class LpipsMetric:
    """Lazily built LPIPS scorer; ``net`` is ``"alex"`` (default) or ``"vgg"``."""

    def __init__(self, net: str = "alex", device: str | torch.device = "cpu"):
        if net not in _NETS:
            raise UsageError(f"LPIPS backbone must be one of {', '.join(_NETS)}, not {net!r}")
        self.net = net
        self.device = torch.device(device)
        self._model: torch.nn.Module | None = None
        self.unavailable: str | None = None
        self._tried = False

    def _build(self) -> None:
        self._tried = True
        try:
            import lpips
        except ImportError as exc:
            self.unavailable = f"the lpips package is not installed ({exc})"
            return
        try:
            # lpips prints and warns while loading; keep the evaluation's output clean.
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                model = lpips.LPIPS(net=self.net, verbose=False)
        except Exception as exc:  # noqa: BLE001 - any loading failure means "no LPIPS here"
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.unavailable = (
                f"LPIPS-{self.net} needs torchvision's ImageNet {self.net} weights in the torch "
                f"hub cache, which could not be loaded: {type(exc).__name__}: {reason}"
            )
            return
        self._model = model.eval().to(self.device)

    @property
    def available(self) -> bool:
        if not self._tried:
            self._build()
        return self._model is not None

    @torch.no_grad()
    def __call__(self, a: torch.Tensor, b: torch.Tensor) -> list[float | None]:
        """LPIPS distance of each image pair (inputs in [0, 1]); ``None`` when unavailable."""
        if not self.available:
            return [None] * a.shape[0]
        assert self._model is not None
        out = self._model(a.to(self.device) * 2 - 1, b.to(self.device) * 2 - 1)
        return [float(v) for v in out.flatten()]
