"""The position-major coding engine: its split networks compute what the modules
compute, and its caches follow the weights."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from lic_bench.context.spatial_coder import MLP
from lic_bench.layers import PointwiseConv2d, get_nonlinearity

from .conftest import small_model, test_image


@pytest.mark.parametrize("act", ["relu", "leaky-relu", "gelu", "gdn"])
def test_split_network_equals_the_module(act):
    torch.manual_seed(0)
    net = nn.Sequential(
        PointwiseConv2d(10, 8), get_nonlinearity(act, 8), PointwiseConv2d(8, 6), nn.LeakyReLU()
    ).eval()
    maps, ctx = torch.randn(1, 7, 3, 4), torch.randn(1, 3, 3, 4)
    with torch.no_grad():
        want = net(torch.cat([maps, ctx], 1))[0].permute(1, 2, 0).reshape(12, 6)
        mlp = MLP(net, split=7)
        rows = lambda t: t[0].permute(1, 2, 0).reshape(12, -1)  # noqa: E731
        got = mlp.tail(mlp.head(rows(maps)), rows(ctx))
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_a_network_must_start_with_a_pointwise_layer():
    with pytest.raises(TypeError, match="1x1"):
        MLP(nn.Sequential(nn.ReLU(), PointwiseConv2d(4, 4)), split=2)


@pytest.mark.parametrize("name", ["mbt2018", "uludag2022-unified-parallel"])
def test_cached_coder_state_follows_new_weights(name):
    """Plans and split networks are cached on the modules; loading other weights
    must make compress use them (a stale cache would code with the old ones)."""
    x = test_image(64, 64, seed=4)
    first, second = small_model(name, seed=0), small_model(name, seed=1)
    with torch.no_grad():
        _reweight_means(second)  # calibrated means barely depend on the weights
        first.compress(x)  # fills the caches
        first.load_state_dict(second.state_dict())
        first.update(force=True)
        got = first.compress(x)
        want = second.compress(x)
    assert got["strings"] == want["strings"]


def _reweight_means(model: torch.nn.Module) -> None:
    """Make the means depend strongly on the last layer's weights."""
    torch.manual_seed(5)
    if hasattr(model, "entropy_parameters"):
        model.entropy_parameters[-1].weight[model.M :].normal_(0, 0.5)
    else:
        for net in model.context.ep_mean:
            net[-1].weight.normal_(0, 0.5)
