"""The registered context models work on their own, as latent codecs conditioned on
hyper parameters: forward (train and eval), compress, decompress."""

from __future__ import annotations

import pytest
import torch

from lic_bench.registry import CONTEXT_MODELS

CASES = {
    "autoregressive-context": {"M": 8},
    "checkerboard": {"M": 8},
    "channel-wise": {"M": 12, "num_slices": 3},
    "uneven-channel-grouping": {"M": 136, "widths": (16,)},
    "unified-spatial-channel": {"M": 12, "num_slices": 2, "parallel": True, "patch_size": 3},
}


@pytest.mark.parametrize("name", list(CASES))
def test_context_module_round_trip(name):
    torch.manual_seed(0)
    ctx = CONTEXT_MODELS.get(name)(**CASES[name])
    M = CASES[name]["M"]
    y = 3 * torch.randn(2, M, 5, 7)
    if hasattr(ctx, "context_prediction"):
        hyper = torch.randn(2, 2 * M, 5, 7)
    else:
        hyper = (torch.randn(2, M, 5, 7), torch.randn(2, M, 5, 7).abs() + 1)
    ctx.train()
    out = ctx(y, hyper)
    assert out["y_hat"].shape == y.shape and out["likelihoods"]["y"].shape == y.shape
    out["likelihoods"]["y"].log().sum().backward()  # differentiable in training
    ctx.eval()
    ctx.gaussian_conditional.update_scale_table(torch.exp(torch.linspace(-2.2, 5.5, 64)).tolist(), force=True)
    with torch.no_grad():
        ref = ctx(y, hyper)["y_hat"]
        strings = ctx.compress(y, hyper)["strings"]
        y_hat = ctx.decompress(strings, hyper)["y_hat"]
    assert len(strings) == 1 and len(strings[0]) == 2
    assert torch.equal(y_hat, ref)
    assert (y_hat - y).abs().max() <= 1.0  # rounding error, plus LRP's bounded +-1/2


def test_symbols_beyond_the_tables_use_rans_bypass():
    """Latents far outside every table's range (tiny scales, huge values) still decode."""
    torch.manual_seed(1)
    ctx = CONTEXT_MODELS.get("autoregressive-context")(M=4).eval()
    ctx.gaussian_conditional.update_scale_table(torch.exp(torch.linspace(-2.2, 5.5, 64)).tolist(), force=True)
    y = 200 * torch.randn(1, 4, 6, 6)
    params = torch.zeros(1, 8, 6, 6)
    with torch.no_grad():
        ctx.entropy_parameters[-1].bias.zero_()  # scales at the 0.11 lower bound
        strings = ctx.compress(y, params)["strings"]
        y_hat = ctx.decompress(strings, params)["y_hat"]
        ref = ctx(y, params)["y_hat"]
    assert torch.equal(y_hat, ref)
    assert (y_hat - y).abs().max() <= 0.5 + 1e-3
