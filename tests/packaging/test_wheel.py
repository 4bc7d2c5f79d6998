"""The built wheel works outside any checkout (issue #26, item 7).

``python -m build`` makes an sdist and, from it, a wheel; the wheel goes into a fresh
virtual environment whose only other packages are this environment's dependencies
(torch and friends are not installed twice: a ``.pth`` line points at them, and a
``.pth`` line does not run the editable install hook that would bring the checkout
back). Then ``kb papers`` and ``models list`` run from a folder with no knowledge base.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # --no-isolation: build with this environment's setuptools (no download in tests)
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    wheel = next(dist.glob("lic_bench-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (site / "_lic_bench_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LIC_BENCH_") and k != "PYTHONPATH"}
    return py, env


def _run(py: Path, env: dict[str, str], cwd: Path, *args: str) -> str:
    proc = subprocess.run([str(py), "-m", "lic_bench", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_wheel_imports_its_own_copy(wheel_env, tmp_path):
    py, env = wheel_env
    out = subprocess.run([str(py), "-c", "import lic_bench, lic_bench.paths as p; "
                          "print(lic_bench.__file__); print(p.project_root())"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    module, root = out.stdout.split()
    assert not Path(module).is_relative_to(ROOT), module
    assert root.endswith("_bundled"), root


def test_kb_papers_from_the_wheel(wheel_env, tmp_path):
    py, env = wheel_env
    papers = json.loads(_run(py, env, tmp_path, "kb", "papers", "--format", "json"))
    ids = {row["id"] for row in papers}
    assert len(ids) == len(list((ROOT / "papers").glob("[!_]*.yaml")))
    assert "balle2018-variational" in ids


def test_models_list_from_the_wheel(wheel_env, tmp_path):
    py, env = wheel_env
    rows = json.loads(_run(py, env, tmp_path, "models", "list", "--format", "json"))
    names = {row["name"] for row in rows}
    assert {"bmshj2018-factorized", "mbt2018-mean", "he2022-elic"} <= names
