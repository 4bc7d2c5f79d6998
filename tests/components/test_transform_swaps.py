"""Every registered transform set really swaps in, with a context model on top.

Each one builds with ``checkerboard`` (and the channel context), trains a step and
round-trips a 64x64 image bit-exactly; the analysis transforms of two sets differ in
their modules, not just in their names.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.models import build_model  # noqa: E402
from lic_bench.registry import TRANSFORMS, load_all  # noqa: E402
from tests.components.compose_helpers import image, round_trip, train_step  # noqa: E402

load_all()
CASES = [(t, c) for t in TRANSFORMS.list() for c in ("checkerboard", "channel-wise")]
CONTEXT = {"checkerboard": "checkerboard", "channel-wise": {"name": "channel-wise", "num_slices": 3,
                                                             "max_support_slices": 2}}


def _model(transform: str, context: str):
    torch.manual_seed(0)
    return build_model({"name": "mbt2018-mean", "N": 8, "M": 12, "transform": transform,
                        "context": CONTEXT[context]})


@pytest.mark.parametrize("transform,context", CASES, ids=[f"{t}-{c}" for t, c in CASES])
def test_transform_with_a_context_model_round_trips(transform, context):
    torch.set_num_threads(1)
    model = _model(transform, context)
    assert model.transform == transform and model.context_model == context
    assert torch.isfinite(torch.tensor(train_step(model)))
    _, x_hat, reference = round_trip(model, image(5)[None])
    assert torch.equal(x_hat, reference)


def test_transform_sets_build_different_networks():
    layouts = {t: tuple(type(m).__name__ for m in _model(t, "checkerboard").g_a) for t in TRANSFORMS.list()}
    assert len(set(layouts.values())) == len(layouts), layouts
    assert {"strided-convolution", "residual-subpixel", "residual-attention"} <= set(layouts)
