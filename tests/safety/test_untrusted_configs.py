"""[safety] item 0: no bitstream or checkpoint can make lic-bench import or call code.

Each test hands `lic-bench` a file whose embedded config names ``subprocess.Popen`` with
a command that would create a marker file, and checks that the command never ran and
the command ended with one line. ``decompress`` of such a header runs in a real installed
process; the others run the same entry point in this process.
"""

from __future__ import annotations

import time

import pytest
import torch

from lic_bench.bitstream.codec import encode_image, model_for_coding
from lic_bench.bitstream.format import pack, unpack
from lic_bench.results import config_hash
from tests.core.core_helpers import small_config, smooth_image
from tests.safety.conftest import assert_one_line_error, evil_config, lic_bench, lic_bench_process


@pytest.fixture(scope="module")
def good_file() -> bytes:
    model = model_for_coding(small_config("bmshj2018-factorized"))
    return encode_image(model, smooth_image(32, 32))


def forge(data: bytes, **fields) -> bytes:
    """``data`` with header fields replaced, config hash recomputed (as an attacker would)."""
    header, strings = unpack(data)
    header.pop("format_version")
    header.pop("lengths")
    header.update(fields)
    header["config_hash"] = config_hash(header["config"])
    return pack(header, strings)


def _never_ran(marker):
    time.sleep(0.2)  # a started shell would have touched it by now
    assert not marker.exists(), "the command named in the file ran"


@pytest.mark.parametrize("command", ["decompress", "inspect"])
def test_header_naming_code_is_refused(tmp_path, good_file, command):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.licb"
    evil.write_bytes(forge(good_file, config=evil_config(marker)))
    args = [command, evil] + (["-o", tmp_path / "out.png"] if command == "decompress" else [])
    proc = (lic_bench_process if command == "decompress" else lic_bench)(*args)
    assert_one_line_error(proc, "outside lic-bench's registries")
    _never_ran(marker)
    assert not (tmp_path / "out.png").exists()


def test_header_with_foreign_settings_is_refused(tmp_path, good_file):
    header, _ = unpack(good_file)
    cfg = dict(header["config"])
    for bad, needle in (
        ({**cfg, "init_args": {**cfg["init_args"], "N": -5}}, "N outside"),
        ({**cfg, "init_args": {**cfg["init_args"], "N": 10**9}}, "N outside"),
        ({**cfg, "init_args": {**cfg["init_args"], "nonlinearity": "os.system"}}, "non-linearity"),
        ({**cfg, "init_args": {**cfg["init_args"], "evil": 1}}, "does not have"),
        ({**cfg, "name": "../../etc/passwd"}, "names no registered model"),
    ):
        path = tmp_path / "bad.licb"
        path.write_bytes(forge(good_file, config=bad, model=bad["name"]))
        assert_one_line_error(lic_bench("decompress", path, "-o", tmp_path / "o.png"), needle)


def test_header_model_must_match_its_config(tmp_path, good_file):
    path = tmp_path / "relabelled.licb"
    path.write_bytes(forge(good_file, model="../../etc/passwd"))
    assert_one_line_error(lic_bench("decompress", path, "-o", tmp_path / "o.png"), "does not match")
    path.write_bytes(forge(good_file, model="mbt2018"))
    assert_one_line_error(lic_bench("inspect", path), "does not match")


@pytest.mark.parametrize("quality", [1e308 * 10, -1.0, 3.0])
def test_fixed_rate_header_with_quality_is_refused(quality):
    from lic_bench.bitstream.codec import decode_image
    from lic_bench.bitstream.format import BitstreamError

    model = model_for_coding(small_config("bmshj2018-factorized"))
    data = encode_image(model, smooth_image(32, 32))
    header, strings = unpack(data)
    header.pop("format_version"), header.pop("lengths")
    with pytest.raises(BitstreamError, match="quality"):
        decode_image(pack({**header, "quality": quality}, strings))


def test_compress_with_checkpoint_naming_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    model = model_for_coding(small_config("bmshj2018-factorized"))
    ckpt = tmp_path / "evil.pth"
    torch.save({"state_dict": model.state_dict(), "config": evil_config(marker)}, ckpt)
    img = tmp_path / "in.png"
    from lic_bench.bitstream import write_png

    write_png(smooth_image(32, 32), img)
    proc = lic_bench("compress", img, "-o", tmp_path / "o.licb", "--checkpoint", ckpt)
    assert_one_line_error(proc, "outside lic-bench's registries")
    _never_ran(marker)
    assert not (tmp_path / "o.licb").exists()


def test_user_configs_keep_their_freedom():
    """A config the user writes may still name a class by import path."""
    from lic_bench.models import load_model_config

    cfg = load_model_config({"class_path": "lic_bench.models.factorized.FactorizedPrior", "N": 8, "M": 8})
    assert cfg["init_args"]["N"] == 8
