"""`lic-bench components|models list`, `compress`, `decompress` from the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lic_bench.bitstream import write_png
from tests.core.core_helpers import run_cli, smooth_image


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(monkeypatch, capsys, *args)


def test_components_list_json(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "components", "list", "--format", "json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    for name in ("gdn", "1dn", "gsdn", "relu", "gelu", "leaky-relu", "additive-uniform-noise",
                 "straight-through-rounding", "mixed-quantization", "universal-quantization",
                 "entropy-bottleneck", "gaussian-conditional", "gain-units"):
        assert name in rows
    assert rows["gdn"]["papers"] == ["balle2016-density"]
    assert rows["entropy-bottleneck"]["taxonomy"] == ["factorized-prior"]
    assert all({"name", "kind", "taxonomy", "papers"} <= set(r) for r in rows.values())


def test_components_list_filters(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "components", "list", "*dn", "--kind", "nonlinearity", "-f", "json")
    assert code == 0
    assert sorted(r["name"] for r in json.loads(out)) == ["1dn", "gdn", "gsdn"]
    code, _, err = run(monkeypatch, capsys, "components", "list", "--kind", "bogus")
    assert code != 0 and err.count("\n") == 1 and err.startswith("error:")


def test_models_list_json_has_params(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "models", "list", "bmshj2018-*", "--format", "json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == {"bmshj2018-factorized", "bmshj2018-hyperprior"}
    assert rows["bmshj2018-hyperprior"]["params"]["hyper_nonlinearity"] == "relu"
    assert rows["bmshj2018-factorized"]["kind"] == "model"
    code, out, _ = run(monkeypatch, capsys, "models", "list")
    assert code == 0 and "mbt2018-mean" in out
    code, out, _ = run(monkeypatch, capsys, "models", "show", "mbt2018-mean", "-f", "json")
    assert code == 0 and json.loads(out)["init_args"]["M"] == 320
    code, out, _ = run(monkeypatch, capsys, "models", "show", "bmshj2018-factorized")
    assert code == 0 and "class_path: lic_bench.models.presets.FactorizedPrior" in out


def test_compress_decompress_prints_bpp_from_file_size(monkeypatch, capsys, tmp_path):
    src = tmp_path / "img.png"
    write_png(smooth_image(70, 50), src)
    cfg = tmp_path / "m.yaml"
    cfg.write_text("name: cui2022-gained-mean\nN: 16\nM: 24\nnonlinearity: 1dn\n")
    bits = tmp_path / "img.licb"
    code, out, err = run(monkeypatch, capsys, "compress", str(src), "-o", str(bits), "--config", str(cfg),
                         "--quality", "3.5", "--threads", "1", "--random-weights")
    assert code == 0, err
    size = bits.stat().st_size
    assert f"{size} bytes" in out
    bpp = float(re.search(r"([0-9.]+) bpp", out).group(1))
    assert bpp == pytest.approx(size * 8 / (70 * 50), abs=1e-4)
    assert "quality 3.5" in out
    code, out, err = run(monkeypatch, capsys, "decompress", str(bits), "-o", str(tmp_path / "d.png"),
                         "--random-weights")
    assert code == 0, err
    assert (tmp_path / "d.png").is_file()
    code, out, err = run(monkeypatch, capsys, "inspect", str(bits), "-f", "json")
    header = json.loads(out)
    assert code == 0 and header["quality"] == 3.5 and header["bytes"] == size
    assert header["config"]["init_args"]["nonlinearity"] == "1dn"


@pytest.mark.parametrize(
    "args, message",
    [
        (["compress", "{tmp}/missing.png", "-o", "{tmp}/x.licb", "--model", "mbt2018-mean"], "no such image"),
        (["compress", "{src}", "-o", "{tmp}/x.licb", "--model", "mbt2018-maen"], "did you mean"),
        (["compress", "{src}", "-o", "{tmp}/x.licb", "--model", "mbt2018-mean", "--quality", "2",
          "--random-weights"], "variable-rate"),
        (["compress", "{src}", "-o", "{tmp}/x.licb"], "--model"),
        (["decompress", "{src}", "-o", "{tmp}/x.png"], "not a lic-bench bitstream"),
        (["decompress", "{tmp}/missing.licb", "-o", "{tmp}/x.png"], "cannot read"),
    ],
)
def test_bad_input_is_one_line_error(monkeypatch, capsys, tmp_path, args, message):
    src = tmp_path / "img.png"
    write_png(smooth_image(20, 20), src)
    args = [a.format(tmp=tmp_path, src=src) for a in args]
    code, _, err = run(monkeypatch, capsys, *args)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("error:") and message in err


def test_truncated_file_in_a_real_process(tmp_path):
    """The installed console script: one line on stderr, non-zero exit, no traceback."""
    from lic_bench.bitstream.codec import encode_image, model_for_coding
    from tests.core.core_helpers import small_config

    data = encode_image(model_for_coding(small_config("bmshj2018-factorized")), smooth_image(32, 32))
    bad = tmp_path / "cut.licb"
    bad.write_bytes(data[: len(data) // 2])
    exe = Path(sys.executable).with_name("lic-bench")
    proc = subprocess.run([str(exe), "decompress", str(bad), "-o", str(tmp_path / "o.png")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "o.png").exists()


def test_command_modules_do_not_import_torch():
    code = (
        "import sys\n"
        "import lic_bench.cli.codec, lic_bench.cli.registry\n"
        "import lic_bench.bitstream.format, lic_bench.bitstream.image_io, lic_bench.bitstream\n"
        "heavy = [m for m in ('torch', 'compressai') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

