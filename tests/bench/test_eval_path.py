"""Our models' eval-mode code (fast transforms, lic_bench.entropy.internals) gives the
same bytes and pixels as CompressAI's models with the same weights, and as our own
training-mode arithmetic.

Real Kodak crops of odd sizes (edge-padded to the models' factor of 64, as the
codec pads), tiny widths so the suite stays fast, and GDN / entropy-bottleneck
parameters moved away from their initial values so the check is not trivial.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream import read_image  # noqa: E402

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


@pytest.mark.parametrize("name", ["bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean"])
def test_same_bytes_and_pixels_as_compressai(name, crops):
    from lic_bench.bench.compare import compressai_twin
    from lic_bench.models import build_model

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model(name, {"N": 16, "M": 24}).eval()
    _perturb(model)
    twin = compressai_twin(model, model.config).eval()
    for x in crops:
        with torch.inference_mode():
            a, b = model.compress(x), twin.compress(x)
            xa = model.decompress(a["strings"], a["shape"])["x_hat"]
            xb = twin.decompress(b["strings"], b["shape"])["x_hat"]
        assert a["strings"] == b["strings"]
        assert torch.equal(xa, xb)


@pytest.mark.parametrize(
    "name,overrides,kw",
    [
        ("mbt2018-mean", {"nonlinearity": "1dn"}, {}),
        ("mbt2018-mean", {"nonlinearity": "gsdn"}, {}),
        ("bmshj2018-factorized", {"nonlinearity": "relu"}, {}),
        ("cui2022-gained-mean", {}, {"quality": 2.5}),
    ],
)
def test_eval_transforms_match_the_modules(name, overrides, kw, crops):
    """The decoder's fast synthesis gives the modules' own result, bit for bit."""
    from lic_bench.models import build_model

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model(name, {"N": 16, "M": 24, **overrides}).eval()
    _perturb(model)
    for x in crops:
        with torch.inference_mode():
            coded = model.compress(x, **kw)
            y_hat = model.decompress_latent(coded["strings"], coded["shape"], **kw)
            fast = model.decompress(coded["strings"], coded["shape"], **kw)["x_hat"]
        with torch.enable_grad():  # autograd on: the plain modules run
            plain = model.g_s(y_hat.clone()).clamp(0, 1).detach()
        assert torch.equal(fast, plain)


def test_fast_transforms_do_not_touch_their_input(crops):
    from lic_bench.models import build_model

    model = build_model("mbt2018-mean", {"N": 16, "M": 24}).eval()
    fns = model.eval_transforms()
    x = crops[0].clone()
    with torch.inference_mode():
        y = fns["g_a"](x)
        y_copy = y.clone()
        fns["h_a"](y)
        fns["g_s"](torch.round(y))
    assert torch.equal(x, crops[0]) and torch.equal(y, y_copy)


def test_eval_transform_rebuilds_after_weights_change(crops):
    from lic_bench.latent_codecs import eval_transform
    from lic_bench.models import build_model

    model = build_model("mbt2018-mean", {"N": 16, "M": 24}).eval()
    model.update(force=True)
    with torch.no_grad():
        first = eval_transform(model.g_s)
        assert eval_transform(model.g_s) is first
        model.g_s[1].beta.add_(0.5)  # in-place, as an optimizer step
        assert eval_transform(model.g_s) is not first
    model.train()
    with torch.no_grad():
        assert eval_transform(model.g_s) is model.g_s


def test_outputs_are_ordinary_tensors(crops):
    """Callers may modify what decoding returns (no inference-mode tensors)."""
    from lic_bench.models import build_model

    model = build_model("bmshj2018-hyperprior", {"N": 16, "M": 24}).eval()
    model.update(force=True)
    coded = model.compress(crops[1])
    x_hat = model.decompress(coded["strings"], coded["shape"])["x_hat"]
    assert not x_hat.is_inference() and not x_hat.requires_grad
    x_hat.mul_(0.5)  # would raise for an inference tensor


@pytest.mark.parametrize("name,overrides,nets,outputs", [
    ("bmshj2018-factorized", {}, [], 0),
    ("mbt2018-mean", {}, ["h_s"], 1),
    ("mbt2018", {}, ["h_s", "entropy_parameters"], 1),
    ("minnen2020-channelwise", {"num_slices": 3}, ["h_s_mean", "h_s_scale", "cc_mean", "cc_scale"], 3),
    ("uludag2022-unified", {"num_slices": 3}, ["h_s_mean", "h_s_scale", "cc_mean", "cc_scale", "ep_mean", "ep_scale"], 3),
])
def test_models_and_compressai_twins_follow_the_coding_protocol(name, overrides, nets, outputs):
    """What the bench, the determinism check and calibration read of a model is declared
    (CodingModel), by our models and, through its adapter, by CompressAI's twin."""
    from lic_bench.bench.compare import COMPRESSAI_CLASSES, compressai_twin
    from lic_bench.models import build_model
    from lic_bench.models.base import CodingModel

    model = build_model(name, {"N": 16, "M": 24, **overrides}).eval()
    found = model.parameter_networks()
    assert isinstance(model, CodingModel) and list(found) == nets
    assert len(model.gaussian_outputs()) == outputs
    assert all(isinstance(m, torch.nn.Module) for group in found.values() for m in group)
    if name in COMPRESSAI_CLASSES:
        twin = compressai_twin(model, model.config)
        assert isinstance(twin, CodingModel) and not twin.variable_rate
        assert list(twin.eval_transforms()) == list(model.eval_transforms())
        assert list(twin.parameter_networks()) == nets and len(twin.gaussian_outputs()) == outputs
        assert twin.n_strings == model.n_strings and twin.downsampling_factor == model.downsampling_factor
