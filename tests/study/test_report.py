"""The study report: BD mean ± std over seeds, Spearman against reference curves, missing
cells, cost; checked on synthetic curves with known answers and on a tiny real study."""

from __future__ import annotations

import json
import math
import statistics

import pytest
from typer.testing import CliRunner

from lic_bench.study.grid import expand, load_study
from lic_bench.study.report import build_report, to_text

pytest.importorskip("torch")
pytest.importorskip("bjontegaard")

#: the anchor's own curve (x265-bpg444 on Kodak); a test curve at k times its rate has a
#: BD-rate of exactly (k - 1) * 100 %
ANCHOR_BPP = [0.0648, 0.1192, 0.2699, 0.5392, 0.7294, 0.9598, 1.5179]


def _anchor(project_root):
    doc = json.loads((project_root / "results/anchors/x265-bpg444/kodak.json").read_text())
    return doc["results"]["bpp"], doc["results"]["psnr-rgb"]


def _write_cell(results, cell, bpp, psnr, cpu_s=360.0):
    results.mkdir(parents=True, exist_ok=True)
    doc = {"name": cell.model, "results": {"bpp": bpp, "psnr-rgb": psnr},
           "meta": {"kind": "study", "cell": cell.id, "config_hash": cell.config_hash, "cpu_s": cpu_s,
                    "wall_s": cpu_s / 2, "gpu_s": 0.0}}
    (results / f"{cell.id}.json").write_text(json.dumps(doc))


def test_bd_mean_std_spearman_and_missing(tmp_path, study_writer, project_root):
    bpp, psnr = _anchor(project_root)
    scale = {"bmshj2018-factorized": {1: 1.30, 2: 1.40}, "bmshj2018-hyperprior": {1: 1.10, 2: 1.12},
             "mbt2018-mean": {1: 0.95}}
    refs = {}
    for name, k in (("bmshj2018-factorized", 1.5), ("bmshj2018-hyperprior", 1.2), ("mbt2018-mean", 1.05)):
        refs[name] = tmp_path / f"{name}-ref.json"
        refs[name].write_text(json.dumps({"name": name, "results": {"bpp": [b * k for b in bpp], "psnr-rgb": psnr}}))
    path = study_writer(tmp_path, models=list(scale), test_limit=None,
                        reference={n: str(p) for n, p in refs.items()})
    study = load_study(path)
    cells = expand(study)
    results = tmp_path / "res"
    for cell in cells:
        k = scale[cell.model].get(cell.seed)
        if k is not None:  # mbt2018-mean seed 2 is left missing
            _write_cell(results, cell, [b * k for b in bpp], psnr)
    report = build_report(study, cells, results)

    fp = report["variants"]["bmshj2018-factorized"]
    assert fp["bd_rate_mean"] == pytest.approx(35.0, abs=0.05)
    assert fp["bd_rate_std"] == pytest.approx(statistics.stdev([30.0, 40.0]), abs=0.05)
    assert fp["bd_psnr_mean"] < 0 and fp["n_seeds"] == 2
    msh = report["variants"]["mbt2018-mean"]
    assert msh["bd_rate_mean"] == pytest.approx(-5.0, abs=0.05) and msh["bd_rate_std"] is None
    assert report["missing"] == ["mbt2018-mean-gain-s2"] and msh["cells_missing"] == ["mbt2018-mean-gain-s2"]
    assert report["spearman"] == pytest.approx(1.0) and report["spearman_n"] == 3
    assert report["reference"]["bd_rate"]["bmshj2018-factorized"] == pytest.approx(50.0, abs=0.05)
    assert set(report["models"]) == set(scale)
    assert set(report["models"]["bmshj2018-factorized"]) == {"bd_rate_mean", "bd_rate_std"}
    assert report["cost"]["cpu_hours"] == pytest.approx(5 * 0.1) and report["cost"]["cells"] == 5
    text = to_text(report)
    assert "+35.00 ± 7.07" in text and "missing: 1 cell(s): mbt2018-mean-gain-s2" in text

    # a reversed published ranking gives rho = -1
    for name, k in (("bmshj2018-factorized", 1.05), ("mbt2018-mean", 1.5)):
        refs[name].write_text(json.dumps({"name": name, "results": {"bpp": [b * k for b in bpp], "psnr-rgb": psnr}}))
    assert build_report(study, cells, results)["spearman"] == pytest.approx(-1.0)


def test_baseline_ranks_curves_below_the_codec_anchors_range(tmp_path, study_writer, project_root):
    """Proxy curves 15 dB under BPG have no BD against it; against the study's own
    factorized prior (seed mean) and the reported factorized curve they rank."""
    bpp, psnr = _anchor(project_root)
    low = [q - 15.0 for q in psnr]
    scale = {"bmshj2018-factorized": {1: 1.0, 2: 1.0}, "bmshj2018-hyperprior": {1: 0.80, 2: 0.84},
             "mbt2018-mean": {1: 0.70, 2: 0.66}}
    refs = {}
    for name, k in (("bmshj2018-factorized", 1.0), ("bmshj2018-hyperprior", 0.9), ("mbt2018-mean", 0.75)):
        refs[name] = tmp_path / f"{name}-ref.json"
        refs[name].write_text(json.dumps({"name": name, "results": {"bpp": [b * k for b in bpp], "psnr-rgb": psnr}}))
    path = study_writer(tmp_path, models=list(scale), test_limit=None, baseline="bmshj2018-factorized",
                        reference={n: str(p) for n, p in refs.items()})
    study = load_study(path)
    cells = expand(study)
    results = tmp_path / "res"
    for cell in cells:
        _write_cell(results, cell, [b * scale[cell.model][cell.seed] for b in bpp], low)
    report = build_report(study, cells, results)

    assert report["variants"]["mbt2018-mean"]["bd_rate_mean"] is None  # no overlap with BPG
    assert report["ranked_against"] == "bmshj2018-factorized"
    assert report["models"]["bmshj2018-factorized"]["bd_rate_mean"] == pytest.approx(0.0, abs=0.05)
    assert report["models"]["bmshj2018-hyperprior"]["bd_rate_mean"] == pytest.approx(-18.0, abs=0.05)
    assert report["models"]["mbt2018-mean"]["bd_rate_std"] == pytest.approx(statistics.stdev([-30.0, -34.0]), abs=0.05)
    assert report["reference"]["bd_rate"]["mbt2018-mean"] == pytest.approx(-25.0, abs=0.05)
    assert report["spearman"] == pytest.approx(1.0) and report["spearman_n"] == 3
    assert "BD-rate % vs bmshj2018-factorized" in to_text(report)


def test_baseline_must_be_a_reference_variant(tmp_path, study_writer):
    from lic_bench.errors import UsageError

    path = study_writer(tmp_path, baseline="mbt2018", reference={})
    with pytest.raises(UsageError, match="baseline"):
        load_study(path)


def test_report_of_nothing_does_not_crash(tmp_path, study_writer):
    from lic_bench.cli import app

    path = study_writer(tmp_path, reference={"bmshj2018-factorized":
                                             "results/reported/bmshj2018-factorized/compressai-paper-kodak.json"})
    result = CliRunner().invoke(app, ["study", "report", str(path), "--format", "json",
                                      "--results-dir", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["spearman"] is None and len(report["missing"]) == 4
    assert report["models"]["bmshj2018-factorized"] == {"bd_rate_mean": None, "bd_rate_std": None}
    assert report["reference"]["bd_rate"]["bmshj2018-factorized"] > 0  # the published curve is read


def test_unknown_anchor_is_one_line(tmp_path, study_writer):
    from lic_bench.cli import app
    from lic_bench.errors import UsageError

    result = CliRunner().invoke(app, ["study", "report", str(study_writer(tmp_path)), "--anchor", "nope"])
    assert isinstance(result.exception, UsageError) and "no anchor 'nope'" in str(result.exception)


@pytest.mark.slow
def test_report_on_a_tiny_real_study(tiny_study, tmp_path):
    from lic_bench.cli import app

    plot = tmp_path / "rd.html"
    result = CliRunner().invoke(app, ["study", "report", str(tiny_study["path"]), "--format", "json",
                                      "--results-dir", str(tiny_study["results"]), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["variants"]) == {"bmshj2018-factorized", "bmshj2018-hyperprior"}
    assert report["missing"] == [] and report["cost"]["cells"] == 4 and report["cost"]["cpu_hours"] > 0
    for v in report["variants"].values():
        assert v["n_seeds"] == 2 and set(v["seeds"]) == {"1", "2"}
        for seed in v["seeds"].values():
            assert len(seed["bpp"]) == 2 and all(math.isfinite(b) for b in seed["bpp"])
            # 4 steps of training reach nowhere near the anchor's PSNR: BD is undefined, and says so
            assert seed["bd_rate"] is not None or any("overlap" in w for w in seed["warnings"])
    assert plot.read_text().count("bmshj2018-hyperprior") >= 1
