"""Every meaningful backbone × context model × variable-rate combination, from the registries.

Each one builds, trains a step, and round-trips bit-identically: encoded at 1 thread,
decoded at 1 thread here and at 2 threads in another process (one subprocess for the
whole matrix), always the pixels of the eval forward. Combinations that make no
sense fail with a one-line :class:`UsageError`. Tiny models (N=8, M=12; context
settings from each context model's ``test_overrides``), 64x64 images.
"""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.models import BACKBONES, build_model  # noqa: E402
from lic_bench.models.compose import satisfies  # noqa: E402
from lic_bench.registry import CONTEXT_MODELS, VARIABLE_RATE, load_all  # noqa: E402
from tests.components.compose_helpers import image, train_step  # noqa: E402

load_all()
CONTEXTS = ["none", *CONTEXT_MODELS.list()]
RATES = ["none", *VARIABLE_RATE.list()]
ALL = list(itertools.product(BACKBONES, CONTEXTS, RATES))


def meaningful(backbone: str, context: str, rate: str) -> bool:
    """What the components declare: the backbone gives what the context model needs."""
    return context == "none" or satisfies(backbone, CONTEXT_MODELS.get(context).needs)


GOOD = [c for c in ALL if meaningful(*c)]
BAD = [c for c in ALL if not meaningful(*c)]


def config(backbone: str, context: str, rate: str) -> dict:
    cfg = {"name": "mbt2018-mean", "N": 8, "M": 12, "backbone": backbone, "context": context,
           "variable_rate": rate, "lmbdas": [0.002, 0.02, 0.2]}
    if context != "none":
        cfg.update(CONTEXT_MODELS.entry(context).extra.get("test_overrides", {}))
    return cfg


def _case_id(case) -> str:
    return "-".join(case)


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    """Each good combination trained one step and encoded at 1 thread."""
    torch.set_num_threads(1)
    cases = []
    for case in GOOD:
        torch.manual_seed(0)
        model = build_model(config(*case))
        loss = train_step(model)
        model.eval()
        model.update(force=True)
        kw = {"quality": 2.5} if model.variable_rate else {}
        x = image(3)[None]
        with torch.no_grad():
            reference = model(x, **kw)["x_hat"].clamp(0, 1)
            coded = model.compress(x, **kw)
            x_hat = model.decompress(coded["strings"], coded["shape"], **kw)["x_hat"]
        cases.append({
            "name": _case_id(case), "config": model.config, "state_dict": model.state_dict(),
            "strings": coded["strings"], "shape": coded["shape"], "kw": kw, "loss": loss,
            "x_hat": x_hat, "reference": reference,
        })
    path = tmp_path_factory.mktemp("matrix") / "cases.pt"
    torch.save([{k: v for k, v in c.items() if k not in ("x_hat", "reference", "loss")} for c in cases], path)
    return cases, path


def test_matrix_is_registry_driven():
    assert len(GOOD) == 2 * (1 + 1 + len(CONTEXTS)) and len(GOOD) + len(BAD) == len(ALL)
    assert {"checkerboard", "channel-wise", "autoregressive-context"} <= set(CONTEXTS)


@pytest.mark.parametrize("index", range(len(GOOD)), ids=[_case_id(c) for c in GOOD])
def test_combination_trains_and_round_trips(encoded, index):
    cases, _ = encoded
    case = cases[index]
    assert torch.isfinite(torch.tensor(case["loss"]))
    assert torch.equal(case["x_hat"], case["reference"])  # decode = what training evaluates
    assert all(len(s) == 1 for s in case["strings"])  # one image, one string per latent


def test_round_trips_in_another_process_at_two_threads(encoded):
    cases, path = encoded
    child = Path(__file__).with_name("_roundtrip_child.py")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(child), str(path)], capture_output=True, text=True,
                         cwd=root, env={**__import__("os").environ, "PYTHONPATH": str(root)}, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    got = dict(line.split() for line in out.stdout.splitlines())
    for case in cases:
        assert got[case["name"]] == hashlib.sha256(case["x_hat"].numpy().tobytes()).hexdigest(), case["name"]


@pytest.mark.parametrize("case", BAD, ids=[_case_id(c) for c in BAD])
def test_nonsense_fails_in_one_line(case):
    with pytest.raises(UsageError) as info:
        build_model(config(*case))
    message = str(info.value)
    assert "\n" not in message and "needs backbone mean-scale-hyperprior" in message


@pytest.mark.parametrize("overrides,words", [
    ({"backbone": "factorized-prior", "entropy_model": "gaussian-conditional"}, "no hyperprior"),
    ({"context": "checkerboard", "num_slices": 3}, "has no setting 'num_slices'"),
    ({"context": "none", "lrp": True}, "without a context model"),
    ({"context": "no-such-context"}, "unknown context-model"),
    ({"variable_rate": "gain-unit"}, "did you mean gain-units"),
])
def test_other_nonsense_fails_in_one_line(overrides, words):
    with pytest.raises(UsageError, match=words) as info:
        build_model({"name": "mbt2018-mean", "N": 8, "M": 12, **overrides})
    assert "\n" not in str(info.value)


def test_preset_swap_equals_the_preset():
    """``mbt2018-mean`` with ``context: checkerboard`` is ``he2021-checkerboard``: same
    keys, same seeded weights."""
    torch.manual_seed(0)
    swapped = build_model({"name": "mbt2018-mean", "N": 8, "M": 12, "context": "checkerboard"})
    torch.manual_seed(0)
    preset = build_model({"name": "he2021-checkerboard", "N": 8, "M": 12})
    a, b = swapped.state_dict(), preset.state_dict()
    assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)
