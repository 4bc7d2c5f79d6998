"""Fixtures of the context-model tests: small models with "trained-ish" statistics."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.context.calibrate import calibrate  # noqa: E402
from lic_bench.models.seeded import seeded_model  # noqa: E402
from lic_bench.registry import load_all  # noqa: E402

load_all()

#: Small configs of every model this package registers (the ELIC groups keep its
#: unevenness: 2, 2, 4, then the rest).
SMALL = {
    "mbt2018": {"N": 16, "M": 24},
    "he2021-checkerboard": {"N": 16, "M": 24},
    "minnen2020-channelwise": {"N": 16, "M": 24, "num_slices": 3, "max_support_slices": 2},
    "he2022-elic": {"N": 16, "M": 24, "groups": [2, 2, 4, 16]},
    "uludag2022-unified": {"N": 16, "M": 24, "num_slices": 3},
    "uludag2022-unified-parallel": {"N": 16, "M": 24, "num_slices": 3, "patch_size": 2},
}
NAMES = list(SMALL)


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def test_image(h: int, w: int, seed: int = 0) -> torch.Tensor:
    """Smooth gradients, an edge and some noise, in [0, 1]."""
    gen = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w), indexing="ij")
    img = torch.stack([0.5 + 0.4 * torch.sin(7 * xx + 4 * yy), (xx > 0.4).float() * 0.7, xx * yy])
    return (img.unsqueeze(0) + 0.1 * torch.rand(1, 3, h, w, generator=gen)).clamp(0, 1)


test_image.__test__ = False  # a helper, not a test


def small_model(name: str, seed: int = 0, **overrides) -> torch.nn.Module:
    """The fixed-seed small model of ``name`` in eval mode, calibrated, tables built."""
    model = seeded_model({"name": name, **SMALL[name], **overrides}, seed=seed).eval()
    return calibrate(model, test_image(64, 64, seed=99))


@pytest.fixture(scope="session")
def models() -> dict:
    cache: dict = {}

    def get(name: str):
        if name not in cache:
            cache[name] = small_model(name)
        return cache[name]

    return get
