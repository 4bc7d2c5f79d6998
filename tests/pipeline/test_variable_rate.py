"""Variable-rate training: each sample's λ (the one of its gain level) reaches the loss.

Trains ``cui2022-gained-mean`` through ``lic-bench fit`` and records what the loss
receives: within one batch, samples carry different λ drawn from the model's table,
and the loss is ``mean_i(R_i + λ_i D_i)``, not ``R + λ_config D``.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from typer.testing import CliRunner  # noqa: E402

from lic_bench.engine.loss import RateDistortionLoss  # noqa: E402


def test_fit_uses_each_samples_lambda(tiny_data, tmp_path, overrides_for, monkeypatch):
    from lic_bench.cli import app

    seen = []
    original = RateDistortionLoss.forward

    def spy(self, output, target):
        out = original(self, output, target)
        if torch.is_grad_enabled() and "lmbda" in output:
            seen.append((output, target, out, self.lmbda))
        return out

    monkeypatch.setattr(RateDistortionLoss, "forward", spy)
    lmbdas = [0.001, 0.01, 0.1, 1.0]
    sets = overrides_for(tiny_data, tmp_path, **{
        "model.name": "cui2022-gained-mean", "model.N": 8, "model.M": 12,
        "model.lmbdas": f"[{', '.join(map(str, lmbdas))}]",
        "data.batch_size": 4, "trainer.max_steps": 3, "loss.quality": 3,
    })
    args = ["fit"] + [a for item in sets for a in ("--set", item)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(seen) == 3
    per_sample = torch.cat([o["lmbda"].reshape(-1) for o, *_ in seen]).tolist()
    assert all(any(math.isclose(v, w, rel_tol=1e-6) for w in lmbdas) for v in per_sample)
    assert len({round(v, 6) for v in per_sample}) >= 2, per_sample  # different λ in training
    output, target, out, config_lmbda = seen[0]
    n, _, h, w = target.shape
    bpp = sum(torch.log2(p).reshape(n, -1).sum(1) for p in output["likelihoods"].values()) / (-h * w)
    mse = ((output["x_hat"] - target) ** 2).reshape(n, -1).mean(1)
    expected = (bpp + output["lmbda"] * 255**2 * mse).mean()
    assert torch.allclose(out["loss"], expected, rtol=1e-5)
    single = (bpp + config_lmbda * 255**2 * mse).mean()
    assert not torch.allclose(out["loss"], single, rtol=1e-3)  # not the config's one λ
