"""BD-rate: identities, the bjontegaard package against an independent scipy computation, warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from lic_bench.errors import UsageError
from lic_bench.rd.bd import bd_curves, bd_documents
from lic_bench.rd.curves import Curve, curve, msssim_db

RATE = np.array([0.12, 0.2, 0.33, 0.5, 0.75, 1.1])
PSNR = np.array([27.1, 28.8, 30.6, 32.3, 34.2, 36.0])


def c(rate, quality, label="c"):
    return Curve(label, np.asarray(rate, float), np.asarray(quality, float), "psnr-rgb")


@pytest.mark.parametrize("method", ["pchip", "cubic", "akima"])
def test_identity_and_ten_percent_less_rate(method):
    same = bd_curves(c(RATE, PSNR), c(RATE, PSNR), method)
    assert abs(same.bd_rate) < 1e-9 and abs(same.bd_psnr) < 1e-9
    cheaper = bd_curves(c(RATE, PSNR), c(RATE * 0.9, PSNR), method)
    assert cheaper.bd_rate == pytest.approx(-10.0, abs=1e-6)
    assert cheaper.bd_psnr > 0
    better = bd_curves(c(RATE, PSNR), c(RATE, PSNR + 0.5), method)
    assert better.bd_psnr == pytest.approx(0.5, abs=1e-6)
    assert better.bd_rate < 0


def _scipy_bd(ra, qa, rt, qt):
    """Independent BD-rate / BD-PSNR with scipy's PCHIP (integrals over the shared ranges)."""
    la, lt = np.log10(ra), np.log10(rt)
    lo, hi = max(qa.min(), qt.min()), min(qa.max(), qt.max())
    ia, it = np.argsort(qa), np.argsort(qt)
    fa, ft = PchipInterpolator(qa[ia], la[ia]), PchipInterpolator(qt[it], lt[it])
    rate = (10 ** ((ft.integrate(lo, hi) - fa.integrate(lo, hi)) / (hi - lo)) - 1) * 100
    lo, hi = max(la.min(), lt.min()), min(la.max(), lt.max())
    ga, gt = PchipInterpolator(la, qa), PchipInterpolator(lt, qt)
    dq = (gt.integrate(lo, hi) - ga.integrate(lo, hi)) / (hi - lo)
    return rate, dq


@pytest.mark.parametrize("seed", range(5))
def test_bjontegaard_package_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    ra = np.sort(rng.uniform(0.05, 2.0, 6))
    qa = np.sort(rng.uniform(25, 40, 6))
    rt = np.sort(ra * rng.uniform(0.7, 1.1) * rng.uniform(0.95, 1.05, 6))
    qt = np.sort(qa + rng.uniform(-1, 1, 6))
    ours = bd_curves(c(ra, qa), c(rt, qt))
    ref_rate, ref_q = _scipy_bd(ra, qa, rt, qt)
    assert ours.bd_rate == pytest.approx(ref_rate, abs=1e-6)
    assert ours.bd_psnr == pytest.approx(ref_q, abs=1e-6)


def test_warnings_few_points_non_monotone_low_overlap():
    res = bd_curves(c(RATE, PSNR), c(RATE[:3], PSNR[:3]))
    assert any("only 3 points" in w for w in res.warnings)
    bumpy = PSNR.copy()
    bumpy[3] = bumpy[2] - 0.2
    assert any("non-monotone" in w for w in bd_curves(c(RATE, PSNR), c(RATE, bumpy)).warnings)
    far = bd_curves(c(RATE, PSNR), c(RATE * 1.6, PSNR + 5.5))
    assert any("low quality overlap" in w for w in far.warnings)
    assert bd_curves(c(RATE, PSNR), c(RATE, PSNR)).warnings == []
    apart = bd_curves(c(RATE, PSNR), c(RATE * 10, PSNR + 20))
    assert math.isnan(apart.bd_rate) and any("do not overlap" in w for w in apart.warnings)


def test_documents_and_msssim_in_db():
    doc_a = {"name": "a", "results": {"bpp": RATE.tolist(), "ms-ssim-rgb": [0.9, 0.93, 0.95, 0.97, 0.98, 0.99]}}
    doc_t = {"name": "t", "results": {"bpp": (RATE * 0.8).tolist(), "ms-ssim-rgb": doc_a["results"]["ms-ssim-rgb"]}}
    cv = curve(doc_a, "ms-ssim-rgb")
    assert cv.quality[0] == pytest.approx(10.0)  # -10 log10(1 - 0.9)
    assert np.allclose(cv.quality, msssim_db(doc_a["results"]["ms-ssim-rgb"]))
    assert bd_documents(doc_a, doc_t, "ms-ssim-rgb").bd_rate == pytest.approx(-20.0, abs=1e-6)
    with pytest.raises(UsageError, match="no 'psnr-rgb'"):
        bd_documents(doc_a, doc_t, "psnr-rgb")
    with pytest.raises(UsageError, match="unknown interpolation"):
        bd_documents(doc_a, doc_t, "ms-ssim-rgb", method="linear")
