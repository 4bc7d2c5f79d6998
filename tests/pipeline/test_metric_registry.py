"""The metric and dataset registries are the one source that evaluation, RD curves, BD
tables and the data commands read: a metric or dataset registered once is usable
everywhere, without edits elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from lic_bench.data.catalogue import (
    DatasetInfo,
    dataset_table,
    get_dataset_info,
    register_dataset,
    resolve_split,
)
from lic_bench.errors import UsageError
from lic_bench.metrics.specs import ResultKey, metric_spec, register_metric, result_key
from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS, curve
from lic_bench.registry import DATASETS, METRICS


@pytest.fixture
def scratch_registries(monkeypatch):
    """Registrations made in the test vanish after it (copies of the entry tables)."""
    METRICS.list(), DATASETS.list()  # fill the built-ins first
    monkeypatch.setattr(METRICS, "_entries", dict(METRICS._entries))
    monkeypatch.setattr(DATASETS, "_entries", dict(DATASETS._entries))


def test_builtin_metrics_declare_what_the_curves_show():
    assert metric_spec("psnr-yuv").key_names == ("psnr-y", "psnr-u", "psnr-v")
    assert METRIC_LABELS["psnr-u"] == ("PSNR-U", "dB")
    assert METRIC_LABELS["lpips"] == ("LPIPS (negated)", "")
    assert result_key("ms-ssim-y").scale == "db" and result_key("nlpd").higher_is_better is False
    assert list(ALL_METRICS)[:2] == ["psnr-rgb", "ms-ssim-rgb"] and "psnr-hvs-m" in ALL_METRICS
    assert len(METRIC_LABELS) == len(ALL_METRICS) == 14


def test_a_new_metric_is_one_registration(scratch_registries):
    @register_metric("test-peak-error", keys=[ResultKey("peak-error", "Peak error", "levels",
                                                        higher_is_better=False)],
                     label="Largest absolute difference", higher_is_better=False, packages=["numpy"])
    def peak_error(ref, dist):
        return {"peak-error": float(np.abs(ref.astype(int) - dist.astype(int)).max())}

    from lic_bench.metrics.suite import MetricSuite, parse_metrics

    assert parse_metrics("psnr,test-peak-error") == ["psnr", "test-peak-error"]
    ref = np.zeros((8, 8, 3), np.uint8)
    dist = ref.copy()
    dist[2, 3, 1] = 7
    suite = MetricSuite(["test-peak-error"])
    assert suite.compute(ref, dist) == {"peak-error": 7.0}
    assert suite.meta()["test-peak-error"]["keys"] == ["peak-error"]
    # curves, BD and the site's metric lists see it, negated because lower is better
    assert "peak-error" in ALL_METRICS and METRIC_LABELS["peak-error"] == ("Peak error (negated)", "levels")
    doc = {"name": "x", "results": {"bpp": [0.5, 0.25], "peak-error": [3.0, 9.0]}}
    c = curve(doc, "peak-error")
    assert list(c.rate) == [0.25, 0.5] and list(c.quality) == [-9.0, -3.0]


def test_unknown_metric_names_the_registered_ones():
    from lic_bench.metrics.suite import parse_metrics

    with pytest.raises(UsageError, match="unknown metric 'ssimulacra'.*vmaf"):
        parse_metrics("ssimulacra")
    with pytest.raises(UsageError, match="unknown metric 'ssimulacra'"):
        curve({"results": {"bpp": [1.0]}}, "ssimulacra")


def test_register_metric_refuses_bad_records(scratch_registries):
    with pytest.raises(ValueError, match="no results key"):
        register_metric("test-empty", keys=[], label="x")
    with pytest.raises(ValueError, match="scale"):
        register_metric("test-scale", keys=["x"], label="x", scale="log")
    with pytest.raises(ValueError, match="kebab-case"):
        register_metric("Test_Metric", keys=["x"], label="x")(lambda r, d: {})


def test_a_new_dataset_is_one_registration(scratch_registries, tmp_path):
    from PIL import Image

    Image.new("RGB", (8, 8), (10, 20, 30)).save(tmp_path / "a.png")
    register_dataset(DatasetInfo(name="test-folder-set", description="one image", folder=str(tmp_path),
                                 splits={"test": ""}, default_split="test"))
    assert get_dataset_info("test-folder-set").folder == str(tmp_path)
    assert resolve_split("test-folder-set") == tmp_path  # an absolute folder, outside the data dir
    rows = [r for r in dataset_table() if r["dataset"] == "test-folder-set"]
    assert rows == [{"dataset": "test-folder-set", "split": "test", "images": 1, "folder": str(tmp_path),
                     "downloadable": False, "description": "one image"}]
    assert "kodak" in DATASETS and get_dataset_info("kodak").name == "kodak"
    with pytest.raises(UsageError, match="unknown dataset 'kodakk'.*test-folder-set"):
        get_dataset_info("kodakk")


def test_metric_records_need_no_torch():
    code = ("import sys; from lic_bench.rd.curves import ALL_METRICS, METRIC_LABELS; "
            "from lic_bench.data.catalogue import get_dataset_info; "
            "assert len(ALL_METRICS) >= 14 and METRIC_LABELS['vif'] == ('VIF', ''); get_dataset_info('kodak'); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LIC_BENCH_NO_PLUGINS": "1"})
    assert proc.returncode == 0, proc.stderr
