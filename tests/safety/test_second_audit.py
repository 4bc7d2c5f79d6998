"""Issue 23 (the second audit): each case it found, through the command line (its entry
point in this process; a real process where the case is about one: signals).

Every test here fails on fa25ca6: headers with huge integers or deep nesting, files
Pillow can't open, odd channels, special-file outputs, silent overwrites, modes 0600,
leftover temporary files, a quantizer naming code that ``inspect`` showed as valid.
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lic_bench.bitstream.codec import encode_image, model_for_coding
from lic_bench.bitstream.format import MAGIC, VERSION, unpack
from tests.core.core_helpers import small_config, smooth_image
from tests.safety.conftest import assert_one_line_error, lic_bench

MODEL = ["--model", "bmshj2018-factorized"]


@pytest.fixture(scope="module")
def good_file() -> bytes:
    return encode_image(model_for_coding(small_config("bmshj2018-factorized")), smooth_image(32, 32))


def _with_header_text(data: bytes, edit) -> bytes:
    """``data`` with its header JSON text passed through ``edit`` (CRC fixed, as a forger would)."""
    header, strings = unpack(data)
    header.pop("format_version")
    payload = b"".join(s for group in strings for s in group)
    text = edit(json.dumps(header, separators=(",", ":")))
    head = zlib.compress(text.encode(), 9)
    body = struct.pack(">4sBI", MAGIC, VERSION, len(head)) + head + payload
    return body + struct.pack(">I", zlib.crc32(body))


# 7. Parsers that can't throw -------------------------------------------------------------

@pytest.mark.parametrize("command", ["decompress", "inspect"])
@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
def test_header_with_a_huge_integer_ends_in_one_line(tmp_path, good_file, command, digits):
    path = tmp_path / "big.licb"
    path.write_bytes(_with_header_text(good_file, lambda t: t.replace('"size":[32,32]', f'"size":[{"9" * digits},32]')))
    args = [command, path] + (["-o", tmp_path / "o.png"] if command == "decompress" else [])
    assert_one_line_error(lic_bench(*args), "integer of")


@pytest.mark.parametrize("command", ["decompress", "inspect"])
def test_header_nested_deeply_ends_in_one_line(tmp_path, good_file, command):
    path = tmp_path / "deep.licb"
    path.write_bytes(_with_header_text(good_file, lambda t: t[:-1] + ',"evil":' + "[" * 200 + "]" * 200 + "}"))
    args = [command, path] + (["-o", tmp_path / "o.png"] if command == "decompress" else [])
    assert_one_line_error(lic_bench(*args), "nested deeper")


def test_inspect_applies_the_checks_of_decompress(tmp_path, good_file):
    """A quantizer setting naming code passed `inspect` (exit 0) while `decompress` refused it."""
    from tests.safety.test_untrusted_configs import forge

    header, _ = unpack(good_file)
    cfg = json.loads(json.dumps(header["config"]))
    cfg["init_args"]["quantizer"] = {"name": "additive-uniform-noise", "class_path": "subprocess.Popen"}
    path = tmp_path / "q.licb"
    path.write_bytes(forge(good_file, config=cfg))
    for args in (["inspect", path], ["decompress", path, "-o", tmp_path / "o.png"]):
        assert_one_line_error(lic_bench(*args), "quantizer.class_path")


def test_checkpoint_with_integer_keys_ends_in_one_line(tmp_path):
    import torch

    ckpt = tmp_path / "ints.pth"
    torch.save({"state_dict": {0: torch.zeros(2), 1: torch.ones(2)}}, ckpt)
    img = tmp_path / "in.png"
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(img)
    proc = lic_bench("compress", img, "-o", tmp_path / "o.licb", *MODEL, "--checkpoint", ckpt)
    assert_one_line_error(proc, "not parameter names")


# 3. One bounded image reader --------------------------------------------------------------

def _lerc_claiming(width: int, height: int) -> bytes:
    import imagecodecs

    blob = bytearray(imagecodecs.lerc_encode(np.zeros((8, 8), np.uint8)))
    version = struct.unpack_from("<i", blob, 6)[0]
    struct.pack_into("<ii", blob, 6 + 4 + (4 if version >= 3 else 0), height, width)
    return bytes(blob)


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 2000, 9))
            + chunk(b"IEND", b""))


def _jpeg(mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((24, 32, 3), 120, np.uint8)).convert(mode).save(buf, format="JPEG")
    return buf.getvalue()


def _tiff(array: np.ndarray) -> bytes:
    import imagecodecs

    return imagecodecs.tiff_encode(array)


def _npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros((24, 32, 3), np.uint8))
    return buf.getvalue()


@pytest.mark.parametrize("name, content, needle", [
    ("lerc.png", lambda: _lerc_claiming(20000, 20000), "not a readable image"),
    ("lerc.lerc", lambda: _lerc_claiming(20000, 20000), "not a readable image"),
    ("claims.png", lambda: _png_claiming(12000, 12000), "too large for its file"),
    ("float.tif", lambda: _tiff(np.random.default_rng(0).random((50, 50), dtype=np.float32)), "floating-point"),
    ("float-rgb.tif", lambda: _tiff(np.random.default_rng(0).random((50, 50, 3), dtype=np.float32)), "single images"),
    ("five.tif", lambda: _tiff(np.zeros((50, 50, 5), np.uint8)), "single images"),
    ("array.png", _npy, "not a readable image"),
    ("jpeg.png", _jpeg, "holds a JPEG image, not the PNG"),
])
def test_images_refused_before_decoding(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content())
    start = time.perf_counter()
    proc = lic_bench("compress", path, "-o", tmp_path / "out.licb", *MODEL)
    assert_one_line_error(proc, needle)
    assert time.perf_counter() - start < 60  # the audit's LERC file took 13.6 s and 11.7 GB
    assert not (tmp_path / "out.licb").exists()


def test_claims_are_checked_before_any_decode(tmp_path):
    """In-process: the refusal comes before a byte is decoded, under a 3 GiB address-space cap."""
    code = (
        "import resource, sys; from lic_bench.bitstream.image_io import read_image_array\n"
        "from lic_bench.errors import UsageError\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "for p in sys.argv[1:]:\n"
        "    try: read_image_array(p)\n"
        "    except UsageError as e: print('refused', e)\n")
    files = []
    for name, data in (("a.png", _lerc_claiming(20000, 20000)), ("b.png", _png_claiming(16384, 16383)),
                       ("c.png", _png_claiming(12000, 12000))):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    proc = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sum(line.startswith("refused ") for line in proc.stdout.splitlines()) == 3, proc.stdout
    assert "Traceback" not in proc.stderr


def test_cmyk_is_converted_with_a_note_that_says_so(tmp_path):
    from lic_bench.bitstream.image_io import read_image_array

    path = tmp_path / "cmyk.jpg"
    path.write_bytes(_jpeg("CMYK"))
    notes: list[str] = []
    a = read_image_array(path, notes)
    assert a.shape == (24, 32, 3)
    assert any("CMYK" in n for n in notes) and not any("alpha" in n for n in notes), notes
    assert abs(int(a.mean()) - 120) < 12  # K was applied, not dropped as if it were alpha


# 4. One safe writer -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bitstream(tmp_path_factory, good_file):
    path = tmp_path_factory.mktemp("bits") / "a.licb"
    path.write_bytes(good_file)
    return path


def test_force_never_replaces_a_special_file(tmp_path, bitstream):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.png"
    link.symlink_to(tmp_path / "elsewhere.png")
    for target, needle in (("/dev/null", "is a device"), (fifo, "named pipe"), (link, "symbolic link")):
        assert_one_line_error(lic_bench("decompress", bitstream, "-o", target, "--force"), needle)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink() and not (tmp_path / "elsewhere.png").exists()


def test_outputs_get_the_usual_permissions_and_no_leftovers(tmp_path, bitstream):
    out = tmp_path / "o.png"
    before = os.umask(0o022)  # a user's usual umask, whatever this process runs under
    try:
        proc = lic_bench("decompress", bitstream, "-o", out, "--random-weights")
    finally:
        os.umask(before)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.png"]


_SLOW_WRITER = """
import sys, time
from lic_bench import safe_write
with safe_write.open_atomic(sys.argv[1], "wb") as fh:
    fh.write(b"x" * 1000); fh.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_an_interrupted_write_leaves_nothing(tmp_path, how):
    import signal

    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(tmp_path / "out.bin")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(getattr(signal, how))
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_no_silent_overwrite_of_kb_exports_and_tables(tmp_path, project_root):
    precious = tmp_path / "README.md"
    for args in (["kb", "bibtex", "export", "-o", precious], ["kb", "graph", "-o", tmp_path / "g.json"],
                 ["rd", "table", "-o", precious],
                 ["anchors", "run", "--codec", "jpeg444", "--dataset", tmp_path / "none", "-o", precious]):
        target = args[args.index("-o") + 1]
        target.write_text("precious")
        assert_one_line_error(lic_bench(*args, cwd=project_root), "--force")
        assert target.read_text() == "precious"
    proc = lic_bench("kb", "graph", "-o", tmp_path / "g.json", "--force", cwd=project_root)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "g.json").read_text())["nodes"]


# 2. Paths come from the user, never from a file -------------------------------------------

HOSTILE_NAMES = ["../../outside", "/tmp/absolute", "a/b", "..", "x\x00y", "bmshj2018\u2010factorized",
                 "\uff42mshj2018-factorized", "name\u200b", "", "-rf"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_result_and_run_paths_refuse_names_from_files(tmp_path, name):
    from lic_bench.engine.train import make_run_dir
    from lic_bench.errors import UsageError
    from lic_bench.results import result_path

    for args in ((("eval", name, "tag"),), (("eval", "model", name),), ((name, "model", "tag"),)):
        with pytest.raises(UsageError, match="cannot name a file"):
            result_path(*args[0], root=tmp_path)
    with pytest.raises(UsageError, match="cannot name a file"):
        make_run_dir({"name": name, "output_dir": str(tmp_path / "runs")})
    assert not (tmp_path / "runs").exists() and not (tmp_path / "outside").exists()


def test_registry_ids_and_tags_still_make_paths(tmp_path):
    from lic_bench.results import result_path

    path = result_path("reported", "balle-2017-iclr-opt-mse", "authors-v5.0-kodak", root=tmp_path)
    assert (path.parent.name, path.name) == ("balle-2017-iclr-opt-mse", "authors-v5.0-kodak.json")


def test_test_command_cannot_be_steered_by_a_checkpoint(tmp_path):
    """The run name and protocol inside a checkpoint's config become the results path of
    `lic-bench test`: `../` there wrote outside results/ (and created folders on the way)."""
    import torch

    from lic_bench.engine.evaluate import run_test

    model = model_for_coding(small_config("bmshj2018-factorized"))
    ckpt = tmp_path / "steer.ckpt"
    from lic_bench.errors import UsageError

    for name, protocol in (("../../../escaped", None), ("run", "/tmp/escaped"), ("run\x00x", None),
                           ("r\u0443n", None)):
        cfg = {"name": name, "protocol": protocol, "model": model.config}
        torch.save({"state_dict": model.state_dict(), "hyper_parameters": {"config": cfg}}, ckpt)
        with pytest.raises(UsageError, match="cannot name a file"):
            run_test(ckpt, dataset="kodak", limit=1, progress=False)
    assert not list(tmp_path.parents[3].glob("escaped*")) and not Path("/tmp/escaped").exists()


def test_a_claim_beyond_what_the_file_can_hold_is_refused_and_honest_files_pass(tmp_path):
    """The 10,000-file fuzz found a damaged 1,119-byte JPEG claiming 32x31256 that was
    read and then coded past the time limit; flat images of every PNG depth still pass."""
    from lic_bench.bitstream.image_io import read_image_array
    from lic_bench.errors import UsageError

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "images" / "damaged-claims-32x31256.jpg"
    with pytest.raises(UsageError, match="too large for its file"):
        read_image_array(fixture)
    for mode, kw in (("P", {"optimize": True}), ("1", {}), ("L", {"optimize": True}), ("RGB", {"optimize": True})):
        path = tmp_path / f"flat-{mode}.png"
        Image.new(mode, (3000, 3000), 0).save(path, **kw)
        assert read_image_array(path).shape == (3000, 3000, 3), mode
    Image.new("RGB", (3000, 3000), 0).save(tmp_path / "flat.jpg", progressive=True, optimize=True)
    assert read_image_array(tmp_path / "flat.jpg").shape == (3000, 3000, 3)
