"""Small shared steps of the composition tests: a 64x64 image, one training step, a round trip."""

from __future__ import annotations

import torch

from lic_bench.engine.loss import RateDistortionLoss


def image(seed: int, size: int = 64) -> torch.Tensor:
    """A smooth pattern plus a little noise, ``[3, size, size]`` in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    base = torch.stack([0.5 + 0.4 * torch.sin(7 * xx + c) * torch.cos(5 * yy - c) for c in range(3)])
    return (base + 0.05 * torch.rand(3, size, size, generator=g)).clamp(0, 1)


def train_step(model) -> float:
    """One optimiser step on the main and the auxiliary loss; the rate-distortion loss."""
    model.train()
    x = torch.stack([image(1), image(2)])
    main = [p for n, p in model.named_parameters() if not n.endswith("quantiles")]
    aux = [p for n, p in model.named_parameters() if n.endswith("quantiles")]
    opt, aux_opt = torch.optim.Adam(main, 1e-3), torch.optim.Adam(aux, 1e-3)
    loss = RateDistortionLoss(0.01)(model(x), x)["loss"]
    opt.zero_grad()
    loss.backward()
    opt.step()
    aux_opt.zero_grad()
    model.aux_loss().backward()
    aux_opt.step()
    return loss.item()


def round_trip(model, x: torch.Tensor, **kw) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """(compressed, decoded pixels, the eval forward's pixels) of ``x`` ``[1, 3, H, W]``."""
    model.eval()
    model.update(force=True)
    with torch.no_grad():
        reference = model(x, **kw)["x_hat"].clamp(0, 1)
        coded = model.compress(x, **kw)
        x_hat = model.decompress(coded["strings"], coded["shape"], **kw)["x_hat"]
    return coded, x_hat, reference
