"""`inspect` reads a header without torch when the same config passed the full check before."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from lic_bench.bitstream import header_check
from lic_bench.bitstream.format import BitstreamError

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def bitstream() -> bytes:
    from lic_bench.bitstream.codec import encode_image
    from lic_bench.models.seeded import model_for_coding

    net = model_for_coding("bmshj2018-factorized", None, None, trusted=True)
    return encode_image(net, torch.rand(1, 3, 64, 64), net.config)


@pytest.fixture()
def header(bitstream) -> dict:
    from lic_bench.bitstream.codec import read_header

    return read_header(bitstream)


@pytest.fixture()
def memo_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LIC_BENCH_CACHE_DIR", str(tmp_path))
    return tmp_path / "checked-configs"


def test_only_passes_are_remembered(header, memo_dir):
    assert not header_check.known_good(header)
    header_check.check_header_config(header)
    assert header_check.known_good(header)
    other = copy.deepcopy(header)
    other["config"]["init_args"]["N"] = 100000  # refused by the full check
    assert not header_check.known_good(other)
    with pytest.raises(BitstreamError):
        header_check.check_header_config(other)
    assert not header_check.known_good(other)
    assert len(json.loads(next(memo_dir.glob("*.json")).read_text())["passed"]) == 1


def test_another_code_version_or_a_broken_memo_knows_nothing(header, memo_dir, monkeypatch):
    header_check.check_header_config(header)
    (path,) = memo_dir.glob("*.json")
    with monkeypatch.context() as m:
        m.setattr(header_check, "_code_key", lambda: "another-version")
        assert not header_check.known_good(header)
    assert header_check.known_good(header)
    path.write_text("{not json")
    assert not header_check.known_good(header)
    path.write_text(json.dumps({"passed": "x" * 64}))
    assert not header_check.known_good(header)


def test_inspect_of_a_known_config_imports_no_torch(bitstream, header, memo_dir, tmp_path):
    header_check.check_header_config(header)
    bits = tmp_path / "a.licb"
    bits.write_bytes(bitstream)
    code = (
        "import sys\n"
        "from lic_bench.cli import app\n"
        f"try:\n    app(['inspect', {str(bits)!r}])\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "print('torch' in sys.modules)\n"
    )
    env = {**os.environ, "LIC_BENCH_CACHE_DIR": str(memo_dir.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "bmshj2018-factorized" in out.stdout
    assert out.stdout.strip().endswith("False")
