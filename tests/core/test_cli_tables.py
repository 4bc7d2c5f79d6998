"""Terminal tables that fit 80 columns, and metric names in any case (issue #24)."""

from __future__ import annotations

import json
import sys

import pytest

from lic_bench.cli import main
from lic_bench.cli._table import render
from lic_bench.paths import project_root
from lic_bench.rd.curves import metric_key

ROWS = [["balle2018-variational", "2018", "Variational image compression with a scale hyperprior",
         "Johannes Ballé", "ICLR", "scale-hyperprior additive-uniform-noise"],
        ["he2022-elic", "2022", "ELIC: Efficient Learned Image Compression with Unevenly Grouped "
         "Space-Channel Contextual Adaptive Coding", "Dailan He", "CVPR", "checkerboard"]]
HEADERS = ["id", "year", "title", "first author", "venue", "components"]


def test_table_fits_80_columns_by_wrapping_then_dropping():
    text, dropped = render(ROWS, HEADERS, width=80, mins={"title": 30})
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert dropped and dropped[-1] == "components"  # last columns go first
    assert "balle2018-variational" in text and "he2022-elic" in text  # ids whole, never wrapped
    assert "Variational image compression" in text
    wide, none = render(ROWS, HEADERS, width=250)
    assert none == [] and len(wide.splitlines()) == 2 + len(ROWS)


def test_one_line_per_row_when_not_wrapping():
    text, _ = render(ROWS, HEADERS, width=60, wrap=False)
    assert len(text.splitlines()) == 2 + len(ROWS)
    assert max(len(line) for line in text.splitlines()) <= 60 and "…" in text


@pytest.mark.parametrize("name,key", [("VMAF", "vmaf"), ("vmaf", "vmaf"), ("PSNR (RGB)", "psnr-rgb"),
                                      ("MS-SSIM", "ms-ssim-rgb"), ("MS-SSIM (Y)", "ms-ssim-y"),
                                      ("LPIPS", "lpips"), ("Psnr-HVS-M", "psnr-hvs-m")])
def test_metric_names_in_any_case(name, key):
    assert metric_key(name) == key


def test_bd_accepts_the_site_spelling(monkeypatch, capsys):
    anchors = project_root() / "results" / "anchors"
    a, b = anchors / "x265-bpg444" / "kodak.json", anchors / "vvc420" / "kodak.json"
    if not (a.is_file() and b.is_file()):
        pytest.skip("committed anchors missing")
    monkeypatch.setattr(sys, "argv", ["lic-bench"])
    with pytest.raises(SystemExit) as done:
        main(["bd", str(a), str(b), "--metric", "VMAF", "--format", "json"])
    assert done.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["metric"] == "vmaf"
