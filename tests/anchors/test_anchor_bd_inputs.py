"""`bd` inputs from elsewhere: odd files give one line, unusable points are dropped aloud."""

from __future__ import annotations

import json
import math
import os

import pytest

from lic_bench.errors import UsageError
from lic_bench.rd.bd import bd_documents
from lic_bench.rd.curves import curve
from lic_bench.results.io import read_result
from tests.cli_runner import run_cli as _cli

BPP = [0.1, 0.2, 0.4, 0.8, 1.2]
PSNR = [28.0, 30.0, 32.0, 34.0, 35.5]


def doc(bpp=BPP, psnr=PSNR, **extra):
    return {"name": "x", "results": {"bpp": list(bpp), "psnr-rgb": list(psnr), **extra}, "meta": {}}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00"), "not UTF-8 text; binary?"),
        (lambda p: p.mkdir(), "a directory, not a results file"),
        (lambda p: os.mkfifo(p), "a named pipe (FIFO), not a results file"),
        (lambda p: p.write_text("[1, 2]"), "no 'results' object"),
        (lambda p: p.write_text('{"results": [1, 2]}'), "no 'results' object"),
        (lambda p: p.write_text("[" * 100_000), "not a results file (JSON nested too deeply)"),
        (lambda p: p.write_text('{"results": '), "not valid JSON"),
    ],
    ids=["binary", "directory", "fifo", "list", "results-list", "deep", "truncated"],
)
def test_odd_results_files_are_one_line_errors(tmp_path, make, message):
    path = tmp_path / "odd.json"
    make(path)
    with pytest.raises(UsageError) as info:
        read_result(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_dropped_points_are_named_per_kind():
    bpp = [math.nan, 0.2, 0.0, -1.0, 0.5, 0.8, 1.2, None, "0.9"]
    psnr = [20.0, 30.0, 31.0, 31.5, math.inf, 34.0, 35.5, 36.0, 37.0]
    c = curve(doc(bpp, psnr), label="t.json")
    assert list(c.rate) == [0.2, 0.8, 1.2]
    assert c.notes == [
        "t.json: dropped 1 point(s) with NaN",
        "t.json: dropped 2 point(s) with bpp <= 0",
        "t.json: dropped 1 point(s) with an infinite value",
        "t.json: dropped 1 point(s) with a missing value (null)",
        "t.json: dropped 1 point(s) with a value that is not a number",
    ]
    res = bd_documents(doc(), {**doc(bpp, psnr), "_path": "t.json"})
    assert "test t.json: dropped 1 point(s) with NaN" in res.warnings


def test_msssim_outside_unit_interval_is_dropped():
    c = curve(doc(**{"ms-ssim-rgb": [0.9, 1.0, 0.95, 0.97, -0.1]}), "ms-ssim-rgb", label="m")
    assert len(c.rate) == 3 and all(math.isfinite(q) for q in c.quality)
    assert c.notes == ["m: dropped 2 point(s) with MS-SSIM outside (0, 1)"]


def test_present_but_unusable_metric_is_not_called_missing():
    with pytest.raises(UsageError) as info:
        curve(doc(psnr=[math.nan] * 4 + [None]), label="z.json")
    assert str(info.value) == (
        "z.json: psnr-rgb is present but none of its 5 point(s) is usable "
        "(4 with NaN; 1 with a missing value (null))"
    )
    with pytest.raises(UsageError, match=r"^z.json: no 'psnr-rgb' in results \(it has: ms-ssim-rgb\)$"):
        curve({"results": {"bpp": BPP, "ms-ssim-rgb": [0.9] * 5}}, label="z.json")
    with pytest.raises(UsageError, match="results.psnr-rgb is not a list"):
        curve({"results": {"bpp": BPP, "psnr-rgb": 30}}, label="z.json")


def test_bd_cli_on_binary_file_directory_and_nan_points(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc()))
    binary = tmp_path / "bin.json"
    binary.write_bytes(bytes(range(256)))
    for bad in (binary, tmp_path):
        proc = _cli("bd", bad, good)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"error: {bad}: ") and len(proc.stderr.splitlines()) == 1
    # NaN is what Python's json writes for float('nan'): a results file can hold it
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(doc(BPP + [math.nan], PSNR + [36.0])))
    proc = _cli("bd", good, nan)
    assert proc.returncode == 0, proc.stderr
    assert f"warning: test {nan}: dropped 1 point(s) with NaN" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
