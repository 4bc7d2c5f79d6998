"""Transcriptions (rd-sources/*.yaml) and the Cool-Chic version files become results
documents with their provenance; malformed transcriptions are refused in one line."""

from __future__ import annotations

import pytest

from lic_bench.errors import UsageError
from lic_bench.paths import project_root
from lic_bench.rd.importers import import_file
from lic_bench.results.meta import PER_QUALITY

SOURCES = project_root() / "rd-sources"


def by(docs, name, tag):
    found = [d for d in docs if d["name"] == name and d["meta"]["tag"] == tag]
    assert len(found) == 1, [(d["name"], d["meta"]["tag"]) for d in docs]
    return found[0]


def test_tcm_transcription_keeps_numbers_and_provenance():
    docs = import_file(SOURCES / "tcm.yaml", command="test")
    assert {d["name"] for d in docs} == {"tcm-small", "tcm-middle", "tcm-large"}
    large = by(docs, "tcm-large", "authors-kodak")
    assert large["results"]["bpp"][0] == pytest.approx(0.155) and large["results"]["psnr-rgb"][-1] == pytest.approx(38.07)
    meta = large["meta"]
    assert meta["kind"] == "reported" and meta["provenance"] == "reported" and meta["averaging"] == PER_QUALITY
    assert meta["opt_metric"] == "mse" and meta["dataset"] == "kodak" and meta["papers"] == ["liu2023-learned"]
    src = meta["source"]
    assert src["url"].startswith("https://github.com/jmliu206/LIC_TCM/") and src["commit"].startswith("9b32fe7")
    assert "# Large" in src["where"] and src["accessed"] == "2026-12-06" and len(src["transcription_sha256"]) == 64
    assert by(docs, "tcm-small", "authors-tecnick")["results"]["bpp"][-1] == pytest.approx(0.610)


def test_anchor_curves_carry_their_version_and_no_objective():
    docs = import_file(SOURCES / "lossy-vae.yaml", command="test")
    vtm = by(docs, "vtm", "qarv-authors-vtm18.0-kodak")
    assert vtm["meta"]["model_version"] == "18.0" and vtm["meta"]["opt_metric"] == "none" and vtm["meta"]["papers"] == []
    hp = import_file(SOURCES / "hpcm.yaml", command="test")
    ms = by(hp, "hpcm-large", "authors-ms-ssim-kodak")
    assert ms["meta"]["opt_metric"] == "ms-ssim" and set(ms["results"]) == {"bpp", "ms-ssim-db-rgb"}


def test_coolchic_versions_are_separate_names():
    cc = SOURCES / "coolchic_orange" / "results"
    v1 = import_file(cc / "v1.0" / "image-kodak.tsv", command="test")[0]  # "lambda" column, "seq" names
    assert v1["name"] == "cool-chic-2023" and v1["meta"]["model_version"] == "v1.0"
    assert v1["meta"]["papers"] == ["ladune2023-cool-chic"] and v1["meta"]["images_per_point"] == [24] * 4
    v3 = import_file(cc / "v3.4" / "image-kodak.tsv", command="test")[0]
    assert v3["name"] == "cool-chic-v3" and v3["meta"]["also_versions"] == ["v4.0", "v4.1", "v4.2"]
    assert v3["meta"]["source"]["path"] == "results/v3.4/image-kodak.tsv"
    clic = import_file(cc / "v2.0" / "image-clic20-pro-valid.tsv", dataset="clic2020-pro-valid", command="test")[0]
    assert clic["name"] == "cool-chic-v2" and clic["meta"]["dataset"] == "clic2020-pro-valid"


@pytest.mark.parametrize(("text", "why"), [
    ("- a list\n", "needs a 'source' mapping"),
    ("source: {url: 'https://x', where: w, accessed: d, reported_by: r, provenance: guessed}\ncurves: []\n", "reported or digitised"),
    ("source: {url: 'http://x', where: w, accessed: d, reported_by: r, provenance: reported}\ncurves: []\n", "https://"),
    ("source: {url: 'https://x', where: w, accessed: d, reported_by: r, provenance: reported}\n"
     "curves: [{name: a, dataset: kodak, results: {bpp: [0.1, 0.2], psnr-rgb: [30]}}]\n", "different lengths"),
    ("source: {url: 'https://x', where: w, accessed: d, reported_by: r, provenance: reported}\n"
     "curves: [{name: a, dataset: kodak, results: {bpp: [0.1], psnr-rgb: [.nan]}}]\n", "finite number"),
    ("source: {url: 'https://x', where: w, accessed: d, reported_by: r, provenance: reported}\n"
     "curves: [{name: A B, dataset: kodak, results: {bpp: [0.1], psnr-rgb: [30]}}]\n", "kebab-case"),
    ("source: {url: 'https://x', where: w, accessed: d, reported_by: r, provenance: reported}\n"
     "curves: [{name: a, dataset: kodak, run: 'rm -rf', results: {bpp: [0.1], psnr-rgb: [30]}}]\n", "unknown field"),
    ("{{{", "not a YAML transcription"),
])
def test_malformed_transcriptions_are_refused(tmp_path, text, why):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        import_file(path, command="test")
    assert why in str(err.value) and "\n" not in str(err.value)


def test_transcription_names_its_own_curves(tmp_path):
    with pytest.raises(UsageError, match="names its curves"):
        import_file(SOURCES / "tcm.yaml", name="other", command="test")


@pytest.mark.parametrize("source", sorted(p.name for p in SOURCES.glob("*.yaml")))
def test_committed_results_are_what_the_transcription_imports_to(source):
    """Every reported curve from rd-sources is reproduced by ``rd import`` (no hand-edited numbers)."""
    from lic_bench.results.io import read_result, result_path

    for doc in import_file(SOURCES / source, command="test"):
        committed = read_result(result_path("reported", doc["name"], doc["meta"]["tag"]))
        assert committed["results"] == doc["results"], (source, doc["name"], doc["meta"]["tag"])
        assert committed["meta"]["source"]["url"] == doc["meta"]["source"]["url"]
        assert committed["meta"]["source"]["transcription_sha256"] == doc["meta"]["source"]["transcription_sha256"]
