"""Every metric of the JPEG AI suite against an independent reference value.

The pair is a small synthetic image (textured sinusoids + seeded noise) and a blurred,
noisier copy, so the values are reproducible anywhere. References come from a second
implementation that does not share code with the one the suite uses:

* PSNR, PSNR-Y/U/V: torchmetrics; MS-SSIM (RGB, Y): piq (the suite uses pytorch-msssim);
* VIF: torchmetrics (the suite uses piq); FSIM: piqa's functional FSIM (the suite: piq);
* VMAF: vmaf-torch, a PyTorch re-implementation (the suite: libvmaf in ffmpeg);
* PSNR-HVS / -M: the NumPy backend of psnr-hvsm (the suite calls its C++/FFTW backend);
* IW-SSIM and NLPD: no second package runs beside numpy < 2, so the reference values were
  computed once, outside the repository, with the Python port of the IW-SSIM authors' MATLAB
  code (Jack-guo-xy/Python-IW-SSIM, commit f9de37c, double precision) and with pyiqa's NLPD
  (chaofengc/IQA-PyTorch ``pyiqa/archs/nlpd_arch.py``, commit 1261256) on exactly this pair.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lic_bench.errors import UsageError  # noqa: E402
from lic_bench.metrics import suite  # noqa: E402
from lic_bench.metrics.color import luma709, luma709_limited_u8, rgb_to_yuv709  # noqa: E402
from lic_bench.registry import METRICS  # noqa: E402

pytestmark = pytest.mark.torch

#: values of the independent implementations named in the module docstring, on ``_pair()``
IW_SSIM_REFERENCE = 0.9515084385249226
NLPD_REFERENCE = 0.20538048446178436


def _pair(h: int = 192, w: int = 208, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from scipy.ndimage import uniform_filter

    rs = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([128 + 90 * np.sin(xx / 9.0 + c) * np.cos(yy / 13.0 - c) for c in range(3)], -1)
    base += rs.normal(0, 12, base.shape)
    ref = np.clip(np.round(base), 0, 255).astype(np.uint8)
    d = uniform_filter(ref.astype(float), size=(3, 3, 1)) + rs.normal(0, 4, ref.shape)
    return ref, np.clip(np.round(d), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def values() -> dict:
    ref, dist = _pair()
    torch.set_num_threads(1)
    return suite.MetricSuite(["jpeg-ai"]).compute(ref, dist)


def _y(x: np.ndarray, scale: float = 1.0):
    return torch.from_numpy(luma709(x) / scale).float()[None, None]


def _rgb(x: np.ndarray):
    return torch.from_numpy(x.astype(np.float32)).permute(2, 0, 1)[None]


def test_suite_fills_every_key(values):
    assert set(values) == set(suite.MetricSuite(["jpeg-ai"]).keys())
    assert all(v is not None and math.isfinite(v) for v in values.values())


def test_psnr_and_yuv_against_torchmetrics(values):
    from torchmetrics.functional.image import peak_signal_noise_ratio as tm_psnr

    ref, dist = _pair()
    assert values["psnr-rgb"] == pytest.approx(
        float(tm_psnr(_rgb(dist).double(), _rgb(ref).double(), data_range=255.0)), abs=1e-5)
    a, b = rgb_to_yuv709(ref), rgb_to_yuv709(dist)
    for i, key in enumerate(("psnr-y", "psnr-u", "psnr-v")):
        expect = float(tm_psnr(torch.from_numpy(b[i]), torch.from_numpy(a[i]), data_range=255.0))
        assert values[key] == pytest.approx(expect, abs=1e-5)


def test_bt709_conversion_of_primaries():
    # BT.709: Y of pure red is 0.2126 * 255; Cr of red sits at the top of its excursion
    px = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]]], np.uint8)
    y, cb, cr = rgb_to_yuv709(px)
    assert y[0, :3].tolist() == pytest.approx([54.213, 182.376, 18.411])
    assert cr[0, 0] == pytest.approx(255.5) and cb[0, 2] == pytest.approx(255.5)
    assert (cb[0, 3], cr[0, 3]) == pytest.approx((128.0, 128.0))
    assert luma709_limited_u8(np.full((1, 1, 3), 255, np.uint8))[0, 0] == 235


def test_ms_ssim_against_piq(values):
    import piq

    ref, dist = _pair()
    expect = float(piq.multi_scale_ssim(_rgb(dist), _rgb(ref), data_range=255.0))
    assert values["ms-ssim-rgb"] == pytest.approx(expect, abs=1e-5)
    expect_y = float(piq.multi_scale_ssim(_y(dist), _y(ref), data_range=255.0))
    assert values["ms-ssim-y"] == pytest.approx(expect_y, abs=1e-5)


def test_vif_against_torchmetrics(values):
    from torchmetrics.functional.image import visual_information_fidelity

    ref, dist = _pair()
    expect = float(visual_information_fidelity(_y(dist).double(), _y(ref).double()))
    assert values["vif"] == pytest.approx(expect, abs=1e-5)


def test_fsim_against_piqa(values):
    from piqa.fsim import fsim, pc_filters, phase_congruency
    from piqa.utils.functional import gradient_kernel, scharr_kernel

    ref, dist = _pair()
    a, b = _y(dist, 255.0), _y(ref, 255.0)
    filters = pc_filters(a)
    expect = float(fsim(a, b, phase_congruency(a, filters, 1.0), phase_congruency(b, filters, 1.0),
                        kernel=gradient_kernel(scharr_kernel())))
    assert values["fsim"] == pytest.approx(expect, abs=1e-5)


def test_iw_ssim_and_nlpd_against_recorded_second_implementations(values):
    assert values["iw-ssim"] == pytest.approx(IW_SSIM_REFERENCE, abs=2e-5)
    assert values["nlpd"] == pytest.approx(NLPD_REFERENCE, abs=1e-6)


def test_nlpd_is_zero_for_identical_and_grows_with_distortion():
    from lic_bench.metrics.nlpd import nlpd

    ref, dist = _pair(97, 131)  # odd sizes exercise the pyramid's borders
    a = torch.from_numpy(luma709(ref) / 255)
    assert nlpd(a, a) == 0.0
    mild = torch.from_numpy(luma709(((ref.astype(int) + dist) // 2).astype(np.uint8)) / 255)
    assert 0 < nlpd(a, mild) < nlpd(a, torch.from_numpy(luma709(dist) / 255))


def test_psnr_hvs_against_numpy_backend(values):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        import psnr_hvsm
    ref, dist = _pair()
    hvs, hvsm = psnr_hvsm.BACKENDS["numpy"]["psnr_hvs_hvsm"](luma709(ref) / 255, luma709(dist) / 255)
    assert values["psnr-hvs"] == pytest.approx(float(hvs), abs=1e-6)
    assert values["psnr-hvs-m"] == pytest.approx(float(hvsm), abs=1e-6)
    assert values["psnr-hvs-m"] > values["psnr-hvs"]  # masking forgives part of the error


def test_vmaf_against_vmaf_torch(values):
    from vmaf_torch import VMAF

    ref, dist = _pair()

    def t(x):
        return torch.from_numpy(luma709_limited_u8(x)).float()[None, None]

    with torch.no_grad():
        expect = float(VMAF(enable_motion=False)(t(ref), t(dist)))
    assert values["vmaf"] == pytest.approx(expect, abs=0.05)
    assert suite.vmaf_ffmpeg(luma709_limited_u8(ref), luma709_limited_u8(ref)) > values["vmaf"]


def test_parse_metrics():
    assert suite.parse_metrics(None) == ["psnr", "ms-ssim"]
    assert suite.parse_metrics("jpeg-ai") == list(suite.JPEG_AI)
    assert suite.parse_metrics(["vmaf,psnr", "vmaf"]) == ["vmaf", "psnr"]
    with pytest.raises(UsageError, match="unknown metric 'ssimulacra'"):
        suite.parse_metrics("psnr,ssimulacra")


def test_missing_package_gives_null_with_one_line_reason(monkeypatch):
    lines = []

    def broken(ref, dist):
        raise ImportError("No module named 'piq'")

    entry = METRICS.entry("vif")  # the registered function, swapped for this test only
    monkeypatch.setitem(METRICS._entries, "vif", dataclasses.replace(entry, obj=broken))
    s = suite.MetricSuite(["psnr", "vif"], warn=lines.append)
    ref, dist = _pair(48, 48)
    out = s.compute(ref, dist)
    out2 = s.compute(ref, dist)
    assert out["vif"] is None and out2["vif"] is None and out["psnr-rgb"] > 0
    assert lines == ["vif: not computed: No module named 'piq'"]  # said once
    assert s.meta()["vif"]["unavailable"] == lines[0]
    assert s.meta()["psnr"]["packages"]["numpy"]


def test_lpips_without_cached_weights_is_null_not_a_download(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    lines = []
    s = suite.MetricSuite(["lpips"], warn=lines.append)
    ref, dist = _pair(64, 64)
    assert s.compute(ref, dist) == {"lpips": None}
    assert len(lines) == 1 and "not downloaded at run time" in lines[0]
