"""lic-bench imports CompressAI by the piece (lic_bench/_compressai.py): fast, and the same objects."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("compressai")

# Every public name of the three lazily-initialised packages, described by where the
# object comes from; run once after a plain ``import compressai`` and once after lic-bench.
_DUMP = r"""
import importlib, json, sys, types
{first}
out = {{}}
for pkg in ("compressai", "compressai.models", "compressai.latent_codecs"):
    module = importlib.import_module(pkg)
    names = sorted(n for n in {names}.get(pkg, dir(module)) if not n.startswith("_"))
    desc = {{}}
    for n in names:
        obj = getattr(module, n)
        if isinstance(obj, types.ModuleType):
            desc[n] = "module " + obj.__name__
        elif hasattr(obj, "__qualname__") and hasattr(obj, "__module__"):
            desc[n] = obj.__module__ + "." + obj.__qualname__
        else:
            desc[n] = repr(obj)[:80]
    out[pkg] = desc
out["coders"] = [sys.modules["compressai"].get_entropy_coder(), sys.modules["compressai"].available_entropy_coders()]
print(json.dumps(out))
"""


def _dump(first: str, names: dict | None = None) -> dict:
    code = _DUMP.format(first=first, names=repr(names or {}))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_lazy_packages_give_what_a_plain_import_gives():
    plain = _dump("import compressai")
    names = {pkg: list(desc) for pkg, desc in plain.items() if pkg != "coders"}
    lazy = _dump("import lic_bench, compressai; assert type(compressai).__name__ == '_LazyPackage'", names)
    assert lazy == plain
    assert len(plain["compressai.models"]) > 20  # the check saw the packages' real contents


def test_coding_path_skips_torch_geometric_and_scipy_stats():
    code = (
        "import sys, torch\n"
        "from lic_bench.bitstream.codec import encode_image\n"
        "from lic_bench.models.seeded import model_for_coding\n"
        "net = model_for_coding('bmshj2018-hyperprior', None, None, trusted=True)\n"
        "data = encode_image(net, torch.rand(1, 3, 64, 64), net.config)\n"
        "print(len(data), sorted(m for m in ('torch_geometric', 'scipy.stats._stats_py', 'compressai.registry')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    size, loaded = out.stdout.split(" ", 1)
    assert int(size) > 0
    assert loaded.strip() == "[]"


def test_gaussian_quantile_matches_scipy():
    from scipy.stats import norm

    from lic_bench.entropy import GaussianConditional

    for q in (1e-9, 0.11 / 2, 0.3, 0.5, 0.97):
        assert GaussianConditional._standardized_quantile(q) == pytest.approx(norm.ppf(q), abs=1e-12)
