"""RD sections and the leaderboard, from small FAKE fixture documents (labelled as such)."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from lic_bench.site.rd import leaderboard_page, provenance_text, rd_section

RATE = [0.1, 0.2, 0.4, 0.8, 1.6]


def fake(name, kind, provenance, rate_scale=1.0, psnr_shift=0.0, dataset="kodak", **meta):
    psnr = [27 + 3 * np.log2(r / 0.1) + psnr_shift for r in RATE]
    msssim = [1 - 10 ** (-(9 + 2.5 * np.log2(r / 0.1) + psnr_shift) / 10) for r in RATE]
    return {
        "name": name,
        "description": "FAKE fixture curve for tests - not a measurement",
        "results": {"bpp": [r * rate_scale for r in RATE], "psnr-rgb": psnr, "ms-ssim-rgb": msssim},
        "meta": {"kind": kind, "provenance": provenance, "dataset": dataset, "taxonomy": [], "papers": [], **meta},
        "_path": f"{kind}/{name}/fake-{dataset}.json",
    }


@pytest.fixture
def docs():
    anchors = [
        fake("x265-bpg444", "anchor", "measured", command="lic-bench anchors run --codec x265-bpg444 --dataset kodak"),
        fake("jpeg444", "anchor", "measured", rate_scale=1.5, command="lic-bench anchors run --codec jpeg444"),
    ]
    results = [
        fake("fake-model", "eval", "measured", rate_scale=0.8, command="lic-bench eval fake"),
        fake("fake-paper", "reported", "digitised", rate_scale=0.9, papers=["minnen2018-joint"],
             source={"repository": "github.com/example/repo", "path": "results/x.json", "commit": "abc123def456"}),
    ]
    return results, anchors


def test_rd_section_charts_table_and_provenance(docs):
    results, anchors = docs
    md = rd_section(results, anchors)
    assert md.count('class="plotly-graph-div"') == 2  # PSNR and MS-SSIM charts
    assert "cdn.plot.ly" not in md and "<script src" not in md  # plotly.js comes from the page head
    assert "BD against **x265-bpg444 (per-quality, measured here" in md  # the anchor, its protocol and version
    row = next(line for line in md.splitlines() if line.startswith("| fake-model"))
    assert "-20.00 %" in row  # 0.8x rate at equal quality
    assert "-10.00 %" in next(line for line in md.splitlines() if line.startswith("| fake-paper"))
    assert "digitised from a paper figure" in md and "github.com/example/repo/results/x.json @ abc123def456" in md
    assert "measured here with `lic-bench eval fake`" in md
    assert rd_section([], anchors) == ""


def test_rd_section_without_the_anchor_says_so(docs):
    results, anchors = docs
    md = rd_section(results, [a for a in anchors if a["name"] != "x265-bpg444"])
    assert "No x265-bpg444 anchor measured on kodak" in md


def test_leaderboard_has_one_table_per_anchor_and_a_switch(docs):
    results, anchors = docs
    page = leaderboard_page(results, anchors)
    assert page.startswith("# Leaderboard")
    assert page.count('class="lb-board"') == 2 and 'id="lb-anchor"' in page
    assert page.count('style="display:none"') == 1  # only the default anchor's table shows
    first = page.split('data-anchor="x265-bpg444"')[1].split("</table>")[0]
    names = re.findall(r"<tr data-i=[^>]*><td>\d+</td><td>([^<]+)", first)
    assert names[0].startswith("fake-model") and names[1].startswith("fake-paper")
    assert names[-1].startswith("jpeg444")  # other anchors are ranked too
    assert 'href="../../papers/minnen2018-joint/"' in page
    assert leaderboard_page([], []) == ""


def test_provenance_text_measured_and_reported():
    assert provenance_text(fake("a", "anchor", "measured", command="lic-bench x")).startswith("measured here")
    rep = fake("b", "reported", "reported", reported_by="the authors", source={"repository": "github.com/o/r"})
    assert provenance_text(rep).startswith("reported by the authors")


def test_site_rd_imports_no_torch():
    code = ("import sys, lic_bench.site.rd as m, lic_bench.rd.table, lic_bench.rd.importers; "
            "m.leaderboard_page([], []); assert 'torch' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


SUITE_KEYS = ("ms-ssim-y", "vif", "fsim", "nlpd", "iw-ssim", "vmaf", "psnr-hvs")


def with_suite(doc, shift=0.0):
    """FAKE suite values: every metric rises with rate (NLPD falls), shifted for a better codec."""
    steps = np.log2(np.array(RATE) / 0.1)
    res = doc["results"]
    res["ms-ssim-y"] = list(1 - 10 ** (-(10 + 2.5 * steps + shift) / 10))
    res["vif"] = list(0.2 + 0.1 * steps + 0.01 * shift)
    res["fsim"] = list(0.9 + 0.02 * steps + 0.001 * shift)
    res["nlpd"] = list(0.3 - 0.05 * steps - 0.005 * shift)
    res["iw-ssim"] = list(0.9 + 0.02 * steps + 0.001 * shift)
    res["vmaf"] = list(40 + 12 * steps + shift)
    res["psnr-hvs"] = list(28 + 3 * steps + shift)
    return doc


def test_leaderboard_metric_selector_has_a_board_per_suite_metric(docs):
    results, anchors = docs
    for d in [*results, *anchors]:
        with_suite(d)
    results[1]["results"].pop("vmaf")  # a curve without VMAF is left out of that ranking only
    page = leaderboard_page(results, anchors)
    assert 'id="lb-metric"' in page and '<option value="default">' in page
    for key in (*SUITE_KEYS, "jpeg-ai-average"):
        assert f'<option value="{key}">' in page, key
    vmaf = page.split('data-anchor="x265-bpg444" data-averaging="per-quality" data-dataset="kodak" data-metric="vmaf"')[1].split("</table>")[0]
    names = re.findall(r"<tr data-i=\"\d+\"><td>\d+</td><td>([^<]+)", vmaf)  # per curve, not folded
    assert [n.split(" ")[0] for n in names] == ["fake-model", "jpeg444"]
    assert "-20.00&nbsp;%" in vmaf  # 0.8x rate at equal quality, on every metric
    avg = page.split('data-metric="jpeg-ai-average"')[1].split("</table>")[0]
    assert "fake-paper" not in avg and "-20.00&nbsp;%" in avg  # needs all seven metrics
    nlpd = page.split('data-anchor="x265-bpg444" data-averaging="per-quality" data-dataset="kodak" data-metric="nlpd"')[1].split("</table>")[0]
    assert "-20.00&nbsp;%" in nlpd and "-10.00&nbsp;%" in nlpd  # lower-is-better handled
    boards = re.findall(r'<div class="lb-board"[^>]*>', page)
    assert len(boards) == 2 + 8 * 2  # per anchor: the default board and one per metric
    assert [b for b in boards if "display:none" not in b] == [
        '<div class="lb-board" data-anchor="x265-bpg444" data-averaging="per-quality" data-dataset="kodak" '
        'data-metric="default">']


def test_rd_section_metric_charts_switch(docs):
    results, anchors = docs
    for d in [*results, *anchors]:
        with_suite(d)
    md = rd_section(results, anchors)
    assert 'class="rd-metric-block"' in md and 'class="rd-metric-select"' in md
    assert md.count('class="rd-metric"') == len(SUITE_KEYS)
    assert '<option value="vmaf">VMAF</option>' in md
    assert md.count('class="plotly-graph-div"') == 2 + len(SUITE_KEYS)
