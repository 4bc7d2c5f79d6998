"""A package outside lic_bench extends it through the ``lic_bench.plugins`` entry-point
group: its non-linearity, transform set, context model, model preset, metric and dataset
are listed, swap in by ``--set``, round-trip through compress/decompress, and feed ``eval``; a plugin that
fails to import is one line on stderr and everything else keeps working.

The plugin (tests/plugins/example) is installed into a temporary folder as a module plus
a dist-info whose ``entry_points.txt`` names it, and that folder goes on the
``PYTHONPATH`` of subprocesses only, so this process's registries never see it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("torch")

from lic_bench import plugins  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.slow]

EXAMPLE = Path(__file__).parent / "example"
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"context": "tiny-checkerboard", "nonlinearity": "tiny-swish", "transform": "tiny-3x3",
            "N": 8, "M": 12}
SWAP = [arg for key, value in SETTINGS.items() for arg in ("--set", f"model.{key}={value}")]


def _named(args: dict) -> dict:
    """The settings as ids (a resolved config holds a component section as {name, ...})."""
    return {k: args[k]["name"] if isinstance(args[k], dict) else args[k] for k in SETTINGS}
ENTRY_POINTS = "[lic_bench.plugins]\ntiny = tiny_lic_plugin\nbroken = broken_lic_plugin\n"


@pytest.fixture(scope="module")
def plugin(tmp_path_factory, kodak_dir):
    from PIL import Image

    root = tmp_path_factory.mktemp("plugin")
    site = root / "site"
    dist = site / "tiny_lic_plugin-0.1.dist-info"
    dist.mkdir(parents=True)
    for name in ("tiny_lic_plugin.py", "broken_lic_plugin.py"):
        shutil.copy(EXAMPLE / name, site / name)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-lic-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    data = root / "tiny-set"
    data.mkdir()
    for i in (1, 2):  # small crops of real photographs keep the coding fast
        Image.open(kodak_dir / f"kodim0{i}.png").convert("RGB").crop((0, 0, 96, 64)).save(data / f"k{i}.png")
    path = [str(site), str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "TINY_LIC_PLUGIN_DATA": str(data)}
    env.pop("LIC_BENCH_NO_PLUGINS", None)
    return SimpleNamespace(root=root, data=data, env=env)


def _run(plugin, *args: str, script: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", script] if script else [sys.executable, "-m", "lic_bench", *args]
    return subprocess.run(cmd, env=plugin.env, cwd=plugin.root, capture_output=True, text=True, timeout=600)


def _broken_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "broken" in line]


def test_components_are_listed_and_a_broken_plugin_is_one_line(plugin):
    proc = _run(plugin, "components", "list", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {(r["name"], r["kind"]): r for r in json.loads(proc.stdout)}
    for key in [("tiny-swish", "nonlinearity"), ("tiny-3x3", "transform"), ("tiny-checkerboard", "context-model"),
                ("tiny-mae", "metric"), ("tiny-set", "dataset")]:
        assert key in rows, key
    assert rows[("tiny-mae", "metric")]["result_keys"]["mae"]["unit"] == "levels"
    assert ("checkerboard", "context-model") in rows and ("psnr", "metric") in rows  # the rest works
    assert _broken_lines(proc.stderr) == [
        "lic-bench: plugin 'broken' (broken_lic_plugin) not loaded: ModuleNotFoundError: "
        "No module named 'lic_bench_plugin_dependency_that_is_not_installed'"]


@pytest.fixture(scope="module")
def round_trip(plugin):
    image, coded, decoded = plugin.data / "k1.png", plugin.root / "k1.lic", plugin.root / "k1-decoded.png"
    enc = _run(plugin, "compress", str(image), "-o", str(coded), "--model", "he2021-checkerboard",
               "--random-weights", "--threads", "1", *SWAP)
    assert enc.returncode == 0, enc.stderr
    dec = _run(plugin, "decompress", str(coded), "-o", str(decoded), "--random-weights", "--threads", "1")
    assert dec.returncode == 0, dec.stderr
    assert len(_broken_lines(enc.stderr)) == 1 and len(_broken_lines(dec.stderr)) == 1
    return SimpleNamespace(image=image, coded=coded, decoded=decoded)


def test_components_swap_in_and_round_trip(plugin, round_trip):
    from PIL import Image

    from lic_bench.bitstream.codec import read_header

    args = read_header(round_trip.coded.read_bytes())["config"]["init_args"]
    assert _named(args) == SETTINGS
    ref = np.asarray(Image.open(round_trip.image))
    assert np.asarray(Image.open(round_trip.decoded)).shape == ref.shape


EVAL = """
import json, sys, torch
from typer.testing import CliRunner
from lic_bench.bitstream.codec import model_for_coding
from lic_bench.cli import app
from lic_bench.models import load_model_config
from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, curve

cfg = load_model_config("tiny-plugin-model")  # the plugin's own preset of its components
listed = CliRunner().invoke(app, ["models", "list", "tiny-*", "--format", "json"])
table = CliRunner().invoke(app, ["models", "list", "tiny-*"])  # the fast listing must not miss it
model = model_for_coding(cfg)  # the seeded weights that --random-weights codes with
torch.save({"config": cfg, "state_dict": model.state_dict()}, "seeded.pth")
result = CliRunner().invoke(app, ["eval", "--model", "tiny-plugin-model", "--checkpoint", "seeded.pth",
                                  "--dataset", "tiny-set", "--metrics", "psnr,tiny-mae", "--work-dir", "work",
                                  "-o", "eval.json", "--no-progress", "--threads", "1"])
if result.exit_code:
    sys.exit(f"eval failed: {result.output} {result.exception!r}")
doc = json.load(open("eval.json"))
c = curve(doc, "mae")
state = model.state_dict()
print(json.dumps({"doc": doc, "curve": c.quality.tolist(), "label": METRIC_LABELS["mae"],
                  "all_metrics": list(ALL_METRICS), "preset": cfg["init_args"],
                  "models": [row["name"] for row in json.loads(listed.stdout)], "table": table.stdout,
                  "kernels": [list(state[k].shape[-2:]) for k in ("context_prediction.weight", "g_a.0.weight")]}))
"""


def test_model_metric_and_dataset_feed_eval(plugin, round_trip):
    from PIL import Image

    proc = _run(plugin, script=textwrap.dedent(EVAL))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    doc = out["doc"]
    assert out["models"] == ["tiny-plugin-model"] and doc["name"] == "tiny-plugin-model"
    assert "tiny-plugin-model" in out["table"]
    assert _named(out["preset"]) == SETTINGS
    assert out["kernels"] == [[3, 3], [3, 3]]  # the plugin's context and g_a, not 5x5 ones
    assert doc["meta"]["metrics"]["tiny-mae"]["keys"] == ["mae"]
    assert doc["meta"]["dataset"]["num_images"] == 2
    per_image = {name: {k: v[0] for k, v in row.items()} for name, row in doc["per_image"].items()}
    # the preset has the seeded weights of the --set round trip: the plugin metric of that decoded image
    ref = np.asarray(Image.open(round_trip.image)).astype(np.int16)
    dec = np.asarray(Image.open(round_trip.decoded)).astype(np.int16)
    assert per_image["k1"]["mae"] == pytest.approx(float(np.mean(np.abs(ref - dec))), abs=1e-9)
    assert doc["results"]["mae"][0] == pytest.approx(np.mean([r["mae"] for r in per_image.values()]))
    assert out["label"] == ["MAE (negated)", "levels"] and out["curve"] == [-doc["results"]["mae"][0]]
    # loaded by the model build (load_all): the built-in metrics still come first
    assert out["all_metrics"][0] == "psnr-rgb" and out["all_metrics"][-1] == "mae"


def test_loader_reports_each_failure_once_and_loads_the_rest(monkeypatch, capsys):
    from importlib.metadata import EntryPoint

    points = [EntryPoint("bad", "lic_bench_no_such_plugin_module", plugins.GROUP),
              EntryPoint("raises", "json:loads", plugins.GROUP),  # called with no argument: TypeError
              EntryPoint("good", "lic_bench.errors", plugins.GROUP)]
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: points)
    monkeypatch.setattr(plugins, "_done", False)
    monkeypatch.setattr(plugins, "LOADED", {})
    monkeypatch.setattr(plugins, "FAILED", {})
    plugins.load_plugins()
    plugins.load_plugins()  # once per process
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("lic-bench: plugin ") for line in err)
    assert set(plugins.FAILED) == {"bad", "raises"} and plugins.LOADED == {"good": "lic_bench.errors"}
    assert plugins.FAILED["bad"].startswith("ModuleNotFoundError: ")


def test_plugins_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("LIC_BENCH_NO_PLUGINS", "1")
    monkeypatch.setattr(plugins, "_done", False)
    monkeypatch.setattr("importlib.metadata.entry_points",
                        lambda group: pytest.fail("entry points read although plugins are off"))
    plugins.load_plugins()
