"""``laplacian-conditional``: a second density for y that really swaps in.

Its CDF and quantile are the Laplace's; on a scale or mean-scale hyperprior it trains a
step and codes a 64x64 image into a real bitstream that decodes to the eval forward's
pixels, in memory and through a file whose header config rebuilds the model.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream.codec import decode_image, encode_image, read_header  # noqa: E402
from lic_bench.entropy import GaussianConditional, LaplacianConditional  # noqa: E402
from lic_bench.entropy.internals import gaussian_likelihood  # noqa: E402
from lic_bench.entropy.laplacian import laplace_cdf, laplace_quantile  # noqa: E402
from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.models import build_model  # noqa: E402
from lic_bench.models.seeded import seeded_model  # noqa: E402
from lic_bench.registry import ENTROPY_MODELS  # noqa: E402
from tests.components.compose_helpers import image, round_trip, train_step  # noqa: E402


def test_cdf_and_quantile_are_the_laplace_ones():
    v = torch.tensor([-3.0, -0.5, 0.0, 0.7, 4.0], dtype=torch.float64)
    expected = [0.5 * math.exp(-3), 0.5 * math.exp(-0.5), 0.5, 1 - 0.5 * math.exp(-0.7), 1 - 0.5 * math.exp(-4)]
    assert laplace_cdf(v).tolist() == pytest.approx(expected, rel=1e-12)
    for q in (1e-9, 0.2, 0.5, 0.9):
        assert float(laplace_cdf(torch.tensor(laplace_quantile(q), dtype=torch.float64))) == pytest.approx(q)
    assert ENTROPY_MODELS.get("laplacian-conditional") is LaplacianConditional


def test_likelihoods_sum_to_one_and_differ_from_the_gaussian():
    lap, gau = LaplacianConditional(None), GaussianConditional(None)
    values = torch.arange(-200, 201, dtype=torch.float32).reshape(1, 1, 1, -1)
    scales = torch.full_like(values, 3.0)
    p_lap = gaussian_likelihood(lap, values, scales)
    p_gau = gaussian_likelihood(gau, values, scales)
    assert float(p_lap.sum()) == pytest.approx(1.0, abs=1e-4)
    # the Laplace is sharper at the centre: P(0) = 1 - exp(-0.5 / b) for scale b
    assert float(p_lap[..., 200]) == pytest.approx(1 - math.exp(-0.5 / 3.0), rel=1e-5)
    assert float(p_lap[..., 200]) > float(p_gau[..., 200])


def test_tables_cover_the_heavier_tails():
    lap, gau = LaplacianConditional(None), GaussianConditional(None)
    table = [0.11, 1.0, 8.0, 64.0]
    lap.update_scale_table(torch.tensor(table), force=True)
    gau.update_scale_table(torch.tensor(table), force=True)
    assert (lap._cdf_length > gau._cdf_length).all()  # ln(1e9) scales per side, not about 6


@pytest.mark.parametrize("backbone,context", [("scale-hyperprior", "none"), ("mean-scale-hyperprior", "none"),
                                               ("mean-scale-hyperprior", "checkerboard")])
def test_model_trains_and_round_trips(backbone, context):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    cfg = {"name": "mbt2018-mean", "N": 8, "M": 12, "backbone": backbone, "context": context,
           "entropy_model": "laplacian-conditional"}
    model = build_model(cfg)
    y_codec = model.latent_codec.y_codec
    assert type(y_codec.gaussian_conditional) is LaplacianConditional
    assert math.isfinite(train_step(model))
    x = image(3)[None]
    coded, x_hat, reference = round_trip(model, x)
    assert torch.equal(x_hat, reference)
    y_strings, z_strings = coded["strings"]  # CompressAI's order: y, then z
    assert len(y_strings[0]) > 0
    # the same image with the Gaussian gives other bits: the density really changed
    torch.manual_seed(0)
    gaussian = build_model({**cfg, "entropy_model": None})
    gaussian.load_state_dict(model.state_dict())  # the same keys: only the density differs
    gaussian.eval()
    gaussian.update(force=True)
    with torch.no_grad():
        other = gaussian.compress(x)["strings"]
    assert other[1] == z_strings and other[0] != y_strings


def test_file_header_rebuilds_the_laplacian_model():
    """A file names the density in its config; the decoder rebuilds it (untrusted path)."""
    torch.set_num_threads(1)
    model = seeded_model({"name": "bmshj2018-hyperprior", "N": 8, "M": 12, "entropy_model": "laplacian-conditional"})
    x = image(4)[None]
    _, _, reference = round_trip(model, x)
    data = encode_image(model, x)
    assert read_header(data)["config"]["init_args"]["entropy_model"] == "laplacian-conditional"
    assert torch.equal(decode_image(data, random_weights=True), reference)


def test_a_density_without_parameters_is_refused_on_a_hyperprior():
    with pytest.raises(UsageError, match="cannot code y of backbone factorized-prior"):
        build_model({"name": "bmshj2018-factorized", "N": 8, "M": 12, "entropy_model": "laplacian-conditional"})
