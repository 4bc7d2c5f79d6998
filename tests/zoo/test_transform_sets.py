"""Transform sets are components: any backbone takes one by name, codes real
bitstreams with it, and a file cannot name one that is not registered."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream.codec import decode_image, encode_image, model_for_coding  # noqa: E402
from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.registry import TRANSFORMS, load_all  # noqa: E402


def test_registered_transform_sets():
    load_all()
    assert {"strided-convolution", "residual-subpixel", "residual-attention"} <= set(TRANSFORMS.list())


@pytest.mark.parametrize("model, transform", [
    ("bmshj2018-factorized", "residual-subpixel"),
    ("bmshj2018-hyperprior", "residual-attention"),
    ("mbt2018-mean", "residual-subpixel"),
    ("cheng2020-anchor", "strided-convolution"),
])
def test_any_backbone_takes_any_transform_set(model, transform):
    net = model_for_coding(model, None, {"N": 16, "M": 24, "transform": transform})
    assert net.config["init_args"]["transform"] == transform
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        forward = net(x)["x_hat"].clamp(0, 1)
    decoded = decode_image(encode_image(net, x))
    assert decoded.shape == x.shape
    assert float((decoded - forward).abs().max()) * 255 <= 1.0


def test_unknown_transform_is_one_line():
    with pytest.raises(UsageError, match="unknown transform 'residual'"):
        model_for_coding("mbt2018-mean", None, {"N": 16, "M": 24, "transform": "residual"})
    with pytest.raises(UsageError, match="unknown transform"):
        model_for_coding({"name": "mbt2018-mean", "N": 16, "M": 24, "transform": "os.system"}, None,
                         trusted=False)
