"""The leaderboard page from small FAKE curves: one row per model version and objective,
identical curves counted once, sources as links and their disagreement shown in the row,
curves compared only with an anchor of their averaging protocol, a board per dataset
(a reported VTM as its anchor, with the version), and downloadable rows."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lic_bench.rd.fold import FOLDED_COLUMNS
from lic_bench.site.leaderboard import leaderboard_page

RATE = [0.1, 0.2, 0.4, 0.8, 1.6]


def fake(name, rate_scale=1.0, kind="reported", provenance="reported", dataset="kodak", **meta):
    """FAKE fixture curve (not a measurement): PSNR grows 3 dB per doubling of the rate, so a
    curve at ``rate_scale`` times the anchor's rates is (rate_scale - 1) x 100 % BD-rate."""
    psnr = [27 + 3 * np.log2(r / 0.1) for r in RATE]
    return {
        "name": name,
        "description": "FAKE fixture curve for tests - not a measurement",
        "results": {"bpp": [r * rate_scale for r in RATE], "psnr-rgb": psnr,
                    "ms-ssim-rgb": [1 - 10 ** (-p / 25) for p in psnr]},
        "meta": {"kind": kind, "provenance": provenance, "dataset": dataset, "papers": [], **meta},
        "_path": f"{kind}/{name}/{meta.get('tag', 'fake')}-{dataset}.json",
    }


ANCHORS = [
    fake("x265-bpg444", kind="anchor", provenance="measured", averaging="per-quality",
         codec_versions={"x265": "4.2"}, codec_settings={"preset": "placebo"}),
    fake("x265-bpg444", 1.1, kind="anchor", provenance="measured", averaging="per-target-rate", tag="ctc"),
]
RESULTS = [
    fake("elic", 0.70, reported_by="C3 baselines (Google DeepMind), whose source: x", tag="c3",
         papers=["he2022-elic"], opt_metric="mse",
         source={"repository": "github.com/google-deepmind/c3_neural_compression", "commit": "abc",
                 "path": "baselines/kodak.json"}),
    fake("elic", 0.75, reported_by="ELIC authors (JiangWeibeta/ELIC)", tag="authors", opt_metric="mse"),
    fake("elic", 0.60, reported_by="ELIC authors (JiangWeibeta/ELIC)", tag="authors-ms-ssim", opt_metric="ms-ssim"),
    fake("bmshj2018-hyperprior", 1.05, reported_by="CompressAI", tag="compressai", opt_metric="mse"),
    fake("bmshj2018-hyperprior", 1.05 * (1 + 1e-7), reported_by="CompressAI", tag="paper", opt_metric="mse"),
    fake("balle-2018-iclr", 1.05, reported_by="tensorflow-compression (Google)", tag="tfc", opt_metric="mse"),
    fake("cool-chic-2023", 1.2, reported_by="Cool-Chic authors", tag="a", opt_metric="mse"),
    fake("cool-chic-v5", 0.8, reported_by="Cool-Chic authors", tag="a", opt_metric="mse"),
    fake("ctc-model", 0.5, averaging="per-target-rate", tag="t", opt_metric="mse"),
    fake("vtm", 0.8, tag="lalic-authors-vtm9.1", model_version="9.1", dataset="clic2020-pro-valid",
         reported_by="LALIC authors", opt_metric="none"),
    fake("lalic", 0.6, dataset="clic2020-pro-valid", reported_by="LALIC authors", tag="a", opt_metric="mse"),
]


@pytest.fixture(scope="module")
def page():
    return leaderboard_page(RESULTS, ANCHORS)


def board(page, anchor, averaging="per-quality", dataset="kodak"):
    m = re.search(rf'<div class="lb-board" data-anchor="{anchor}" data-averaging="{averaging}" '
                  rf'data-dataset="{dataset}" data-metric="default"[^>]*>(.*?)</div>', page, re.S)
    assert m, (anchor, averaging, dataset)
    return m.group(1)


def test_one_row_per_model_version_and_objective(page):
    names = re.findall(r'<tr data-i="\d+" data-objective="([^"]+)"[^>]*><td>\d+</td><td>([^<]+)<',
                       board(page, "x265-bpg444"))
    assert sorted(names) == sorted([("mse", "elic"), ("ms-ssim", "elic"), ("mse", "bmshj2018-hyperprior"),
                                    ("mse", "cool-chic-2023"), ("mse", "cool-chic-v5")])
    elic = next(m.group(0) for m in re.finditer(r'<tr data-i="\d+" data-objective="mse".*?</tr>',
                                                board(page, "x265-bpg444"), re.S) if "<td>elic</td>" in m.group(0))
    assert "-25.00&nbsp;%" in elic  # the authors' curve gives the row's numbers
    assert '<strong><span title=' in elic and "ELIC authors</span></strong>" in elic
    # sources are links, and 5 points apart: flagged in the row, not in a tooltip
    assert '<a href="https://github.com/google-deepmind/c3_neural_compression/blob/abc/baselines/kodak.json"' in elic
    assert "C3 baselines</a>: -30.00&nbsp;%" in elic
    assert '<span class="lb-disagree">⚠ sources differ by 5.0 points (PSNR)' in elic
    assert 'href="../../papers/he2022-elic/"' in elic


def test_identical_curves_are_one_source_and_one_row(page):
    html = board(page, "x265-bpg444")
    assert "balle-2018-iclr" not in re.findall(r"<td>([^<]+)<", html)  # no row of its own
    bmshj = next(m.group(0) for m in re.finditer(r"<tr data-i.*?</tr>", html, re.S)
                 if "<td>bmshj2018-hyperprior" in m.group(0))
    assert "also as balle-2018-iclr" in bmshj
    assert bmshj.count("lb-sources") == 1 and "<br>" not in bmshj.split('lb-sources">')[1].split("</td>")[0]
    assert "same points: " in bmshj and "lb-disagree" not in bmshj


def test_protocols_and_datasets_have_their_own_boards(page):
    assert "ctc-model" not in board(page, "x265-bpg444")
    target = board(page, "x265-bpg444", "per-target-rate")
    assert "<td>ctc-model</td>" in target and "<td>elic</td>" not in target
    clic = board(page, "vtm", "per-quality", "clic2020-pro-valid")
    assert "<td>lalic</td>" in clic and "elic" not in clic.replace("lalic", "")
    assert "version: VTM 9.1" in clic and "reported by LALIC authors" in clic
    caption = board(page, "x265-bpg444").split("</p>")[0]
    assert "per-quality, measured here; version: x265 4.2, preset placebo" in caption
    assert '<option value="clic2020-pro-valid">CLIC 2020 professional validation</option>' in page
    assert '<option value="vtm|per-quality|clic2020-pro-valid" data-dataset="clic2020-pro-valid">' in page
    assert '<option value="mse">MSE-trained models, ranked on PSNR</option>' in page


def test_boards_carry_their_rows_for_download(page):
    html = board(page, "x265-bpg444")
    data = json.loads(re.search(r'<script type="application/json" class="lb-data">(.*?)</script>', html).group(1))
    assert data["columns"] == list(FOLDED_COLUMNS) and data["anchor"]["averaging"] == "per-quality"
    assert len(data["rows"]) == len(re.findall(r"<tr data-i=", html))
    views = [set(r) for r in data["rows"]]
    assert {"mse", "all"} in views and {"ms-ssim", "all"} in views
    first = next(r["mse"] for r in data["rows"] if "mse" in r and r["mse"]["name"] == "elic")
    assert first["bd_rate_psnr"] == pytest.approx(-25.0, abs=1e-6) and first["anchor"] == "x265-bpg444"
    assert first["disagreement_points"] == pytest.approx(5.0, abs=1e-6)
    assert 'class="lb-dl" data-format="csv"' in html and 'class="lb-dl" data-format="json"' in html


def test_a_hostile_source_url_is_no_link():
    bad = fake("evil", 0.9, tag="x", reported_by="<b>x</b>", opt_metric="mse",
               source={"url": "javascript:alert(1)"})
    page = leaderboard_page([bad], ANCHORS[:1])
    assert "javascript:" not in page and "<b>x" not in page


def test_rd_table_by_model_csv_is_the_boards_download(page):
    """`lic-bench rd table --by-model --format csv` prints what the board's CSV button saves."""
    import csv
    import io

    from lic_bench.rd.fold import fold_by_model
    from lic_bench.rd.table import bd_rows, folded_csv

    html = board(page, "x265-bpg444")
    data = json.loads(re.search(r'class="lb-data">(.*?)</script>', html).group(1))
    folded = fold_by_model(bd_rows(RESULTS + ANCHORS[1:], ANCHORS[0]))
    for view, key in (("mse", "bd_rate_psnr"), ("ms-ssim", "bd_rate_ms-ssim")):
        printed = list(csv.DictReader(io.StringIO(folded_csv(folded, "pchip", view))))
        saved = sorted((r[view] for r in data["rows"] if view in r), key=lambda r: r[key])
        assert [r["name"] for r in printed] == [r["name"] for r in saved] and printed
        assert [float(r[key]) for r in printed] == pytest.approx([r[key] for r in saved])
