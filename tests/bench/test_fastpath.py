"""lic_bench.fastpath gives the same bytes and pixels as CompressAI and as our models.

Real Kodak crops of odd sizes (edge-padded to the models' factor of 64, as the
codec pads), tiny widths so the suite stays fast, and GDN / entropy-bottleneck
parameters moved away from their initial values so the check is not trivial.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream import read_image  # noqa: E402
from lic_bench.fastpath import prepare_for_inference, reference_path, supports  # noqa: E402

CROPS = [("kodim05.png", 7, 11, 93, 70), ("kodim23.png", 200, 301, 130, 67)]


@pytest.fixture(scope="module")
def crops(kodak_dir):
    out = []
    for name, top, left, w, h in CROPS:
        x = read_image(kodak_dir / name)[..., top : top + h, left : left + w]
        ph, pw = -h % 64, -w % 64
        out.append(torch.nn.functional.pad(x, (0, pw, 0, ph), mode="replicate").contiguous())
    return out


def _perturb(model, seed: int = 1) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(k in name for k in ("gamma", "beta", "mean", "gain", "quantiles")):
                p.add_(torch.rand(p.shape, generator=g) * 0.05)
    model.update(force=True)


def _same(reference, fast, x, **kw) -> tuple[bool, bool]:
    # reference_path: our models may route compress() through the fast path themselves
    with torch.inference_mode(), reference_path():
        a = reference.compress(x, **kw)
        b = fast.compress(x, **kw)
        xa = reference.decompress(a["strings"], a["shape"], **kw)["x_hat"]
        xb = fast.decompress(b["strings"], b["shape"], **kw)["x_hat"]
    return a["strings"] == b["strings"], bool(torch.equal(xa, xb))


@pytest.mark.parametrize("cls_name", ["FactorizedPrior", "ScaleHyperprior", "MeanScaleHyperprior"])
def test_fastpath_matches_compressai(cls_name, crops):
    import compressai.models as cm

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = getattr(cm, cls_name)(N=16, M=24).eval()
    _perturb(model)
    fast = prepare_for_inference(model)
    for x in crops:
        assert _same(model, fast, x) == (True, True)


@pytest.mark.parametrize(
    "name,overrides,kw",
    [
        ("bmshj2018-factorized", {}, {}),
        ("bmshj2018-hyperprior", {}, {}),
        ("mbt2018-mean", {}, {}),
        ("mbt2018-mean", {"nonlinearity": "1dn"}, {}),
        ("mbt2018-mean", {"nonlinearity": "gsdn"}, {}),
        ("bmshj2018-factorized", {"nonlinearity": "relu"}, {}),
        ("cui2022-gained-mean", {}, {"quality": 2.5}),
    ],
)
def test_fastpath_matches_our_models(name, overrides, kw, crops):
    from lic_bench.models import build_model

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model(name, {"N": 16, "M": 24, **overrides}).eval()
    _perturb(model)
    assert supports(model)
    fast = prepare_for_inference(model)
    for x in crops:
        assert _same(model, fast, x, **kw) == (True, True)


def test_fast_transforms_do_not_touch_their_input(crops):
    from lic_bench.models import build_model

    model = build_model("mbt2018-mean", {"N": 16, "M": 24}).eval()
    fast = prepare_for_inference(model)
    x = crops[0].clone()
    with torch.inference_mode():
        y = fast.g_a(x)
        y_copy = y.clone()
        fast.h_a(y)
        fast.g_s(torch.round(y))
    assert torch.equal(x, crops[0]) and torch.equal(y, y_copy)


def test_unsupported_models_are_refused():
    import compressai.models as cm

    model = cm.JointAutoregressiveHierarchicalPriors(N=16, M=24)
    assert not supports(model)
    with pytest.raises(ValueError):
        prepare_for_inference(model)


def test_codec_for_rebuilds_after_weights_or_tables_change(crops):
    from lic_bench.fastpath import codec_for
    from lic_bench.models import build_model

    model = build_model("mbt2018-mean", {"N": 16, "M": 24}).eval()
    model.update(force=True)
    first = codec_for(model)
    assert first is not None and codec_for(model) is first
    with torch.no_grad():
        model.g_s[1].beta.add_(0.5)  # in-place, as an optimizer step
    second = codec_for(model)
    assert second is not first
    model.update(force=True)  # new CDF buffers
    third = codec_for(model)
    assert third is not second
    with torch.inference_mode():
        with reference_path():
            a = model.compress(crops[0])
        assert third.compress(crops[0])["strings"] == a["strings"]
    model.train()
    assert codec_for(model) is None


def test_outputs_are_ordinary_tensors(crops):
    """Callers may modify what the fast path returns (no inference-mode tensors)."""
    from lic_bench.models import build_model

    model = build_model("bmshj2018-hyperprior", {"N": 16, "M": 24}).eval()
    fast = prepare_for_inference(model)
    coded = fast.compress(crops[1])
    x_hat = fast.decompress(coded["strings"], coded["shape"])["x_hat"]
    assert not x_hat.is_inference() and not x_hat.requires_grad
    x_hat.mul_(0.5)  # would raise for an inference tensor
