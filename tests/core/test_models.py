"""Every registered model: builds, trains a step, codes real bitstreams that decode
to its eval-mode reconstruction. Parametrized over the registry, so models added
by other packages are tested the same way."""

from __future__ import annotations

import pytest
import torch

from lic_bench.bitstream import decode_image, encode_image, read_header
from lic_bench.bitstream.codec import pad_image
from lic_bench.models import build_model
from lic_bench.models.catalog import model_records
from lic_bench.registry import MODELS
from tests.core.core_helpers import small_config, smooth_image

NAMES = MODELS.list()
# Models written in this package round exactly like their forward pass; others
# (e.g. context models that decode position by position) may differ by float error.
EXACT = {"bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean", "cui2022-gained-mean"}


def test_core_models_registered():
    assert EXACT <= set(NAMES)


def _rd_loss(out, x, lmbda=0.01):
    from lic_bench.engine.loss import RateDistortionLoss

    return RateDistortionLoss(lmbda)(out, x)["loss"]


@pytest.mark.parametrize("name", NAMES)
def test_trains_one_step(name):
    torch.manual_seed(0)
    model = build_model(small_config(name)).train()
    aux_params = [p for n, p in model.named_parameters() if n.endswith(".quantiles")]
    net_params = [p for n, p in model.named_parameters() if not n.endswith(".quantiles")]
    opt = torch.optim.Adam(net_params, lr=1e-3)
    aux_opt = torch.optim.Adam(aux_params, lr=1e-3)
    before = [p.detach().clone() for p in net_params]
    x = smooth_image(64, 64).repeat(2, 1, 1, 1)
    out = model(x)
    assert out["x_hat"].shape == x.shape
    loss = _rd_loss(out, x)
    assert torch.isfinite(loss)
    opt.zero_grad()
    loss.backward()
    opt.step()
    aux = model.aux_loss()
    aux_opt.zero_grad()
    aux.backward()
    aux_opt.step()
    assert torch.isfinite(aux)
    changed = sum(not torch.equal(b, p) for b, p in zip(before, net_params, strict=True))
    assert changed > len(net_params) // 2


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(64, 96), (70, 50)])
def test_decodes_to_eval_reconstruction(name, size, coding_model):
    model = coding_model(name)
    h, w = size
    x = smooth_image(h, w, seed=h)
    data = encode_image(model, x)
    header = read_header(data)
    assert header["model"] == name and header["size"] == [h, w]
    assert all(p % model.downsampling_factor == 0 for p in header["padded"])
    decoded = decode_image(data, model=model)
    assert decoded.shape == (1, 3, h, w)
    with torch.no_grad():
        ref = model(pad_image(x, model.downsampling_factor))["x_hat"][..., :h, :w].clamp(0, 1)
    if name in EXACT:
        assert torch.equal(decoded, ref)
    else:
        assert (decoded - ref).abs().max() < 1e-4
    # decoding without a model rebuilds it from the header (same seed, same weights hash)
    assert torch.equal(decode_image(data), decoded)


@pytest.mark.parametrize("name", NAMES)
def test_eval_likelihoods_predict_the_coded_size(name, coding_model):
    model = coding_model(name)
    x = smooth_image(128, 128, seed=7)
    data = encode_image(model, x)
    header = read_header(data)
    payload = sum(_leaves(header["lengths"]))
    with torch.no_grad():
        out = model(x)
    estimate = sum(-torch.log2(v).sum().item() for v in out["likelihoods"].values()) / 8
    # rANS adds a few bytes per string; tails are coded in bypass mode
    assert abs(payload - estimate) <= 0.05 * estimate + 16 * len(_leaves(header["lengths"]))


def _leaves(node):
    return [node] if isinstance(node, int) else [v for child in node for v in _leaves(child)]


def test_gained_model_quality_is_continuous_and_recorded(coding_model):
    model = coding_model("cui2022-gained-mean")
    x = smooth_image(64, 64, seed=1)
    sizes = {}
    for q in (1.0, 2.5, 6.0):
        data = encode_image(model, x, quality=q)
        assert read_header(data)["quality"] == q
        decoded = decode_image(data, model=model)
        with torch.no_grad():
            ref = model(x, quality=q)["x_hat"].clamp(0, 1)
        assert torch.equal(decoded, ref)
        sizes[q] = len(data)
    lo, hi, t = model.gain.vector(2.0), model.gain.vector(3.0), model.gain.vector(2.5)
    torch.testing.assert_close(t, (lo * hi).sqrt())
    with pytest.raises(ValueError):
        model.gain.vector(7.0)


def test_fixed_rate_model_refuses_quality(coding_model):
    from lic_bench.errors import UsageError

    with pytest.raises(UsageError, match="variable-rate"):
        encode_image(coding_model("mbt2018-mean"), smooth_image(64, 64), quality=2.0)


def test_state_dicts_map_onto_compressai():
    from compressai.models import FactorizedPrior, MeanScaleHyperprior, ScaleHyperprior

    pairs = {
        "bmshj2018-factorized": FactorizedPrior,
        "bmshj2018-hyperprior": ScaleHyperprior,
        "mbt2018-mean": MeanScaleHyperprior,
    }
    x = smooth_image(64, 128)
    for name, cls in pairs.items():
        torch.manual_seed(0)
        ours = build_model(small_config(name)).eval()
        theirs = cls(N=16, M=24).eval()
        a, b = ours.state_dict(), theirs.state_dict()
        assert {k: tuple(v.shape) for k, v in a.items()} == {k: tuple(v.shape) for k, v in b.items()}, name
        theirs.load_state_dict(a)
        with torch.no_grad():
            oa, ob = ours(x), theirs(x)
        torch.testing.assert_close(oa["x_hat"], ob["x_hat"], rtol=1e-4, atol=1e-4)
        for key in ob["likelihoods"]:
            torch.testing.assert_close(oa["likelihoods"][key], ob["likelihoods"][key], rtol=1e-3, atol=1e-5)


def test_model_records_list_params():
    records = {r["name"]: r for r in model_records()}
    assert records["mbt2018-mean"]["params"]["M"] == 320
    assert records["cui2022-gained-mean"]["taxonomy"] == ["gain-units", "mean-scale-hyperprior"]
    for r in records.values():
        assert r["taxonomy"] and all(isinstance(k, str) for k in r["params"])
