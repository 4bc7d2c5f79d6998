"""Helpers of the core tests: small configs of every registered model, test images."""

from __future__ import annotations

import torch

from lic_bench.models import constructor_params, load_model_config
from lic_bench.registry import MODELS, load_all

load_all()

#: Small widths used for every registered model, unless the model registers its own
#: ``test_overrides={...}`` (extra registry metadata) for sizes its structure needs.
SMALL = {"N": 16, "M": 24}


_SMALL_OK: dict[str, dict] = {}


def small_config(name: str, **overrides) -> dict:
    """The model's config at test size: its ``test_overrides``, else :data:`SMALL`,
    else (when its constructor rejects SMALL) its default config."""
    from lic_bench.errors import UsageError
    from lic_bench.models import build_model

    if name not in _SMALL_OK:
        entry = MODELS.entry(name)
        params = constructor_params(entry.obj)
        small = entry.extra.get("test_overrides") or {k: v for k, v in SMALL.items() if k in params}
        try:
            build_model(load_model_config(name, small))
        except UsageError:
            small = {}
        _SMALL_OK[name] = dict(small)
    return load_model_config(name, {**_SMALL_OK[name], **overrides})


def smooth_image(h: int, w: int, seed: int = 0) -> torch.Tensor:
    """A test picture with structure (gradients, an edge) and a little noise."""
    gen = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w), indexing="ij")
    r = 0.5 + 0.4 * torch.sin(6 * xx + 3 * yy)
    g = (xx > 0.5).float() * 0.6 + 0.2 * yy
    b = 0.3 + 0.5 * xx * yy
    img = torch.stack([r, g, b]).unsqueeze(0)
    return (img + 0.05 * torch.rand(img.shape, generator=gen)).clamp(0, 1)


def run_cli(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """``lic-bench ARGS`` in this process: (exit code, stdout, stderr), through the
    tests' one runner (:func:`tests.cli_runner.run_cli`)."""
    from tests.cli_runner import run_cli as run

    proc = run(*args)
    return proc.returncode, proc.stdout, proc.stderr
