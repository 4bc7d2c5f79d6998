"""The "Studies" section of component pages, and study cells kept out of the RD charts.

A small project in a temporary folder: a study file of the non-linearity grid (fp and
msh × gdn and gsdn × 2 seeds, gain units) and cell results written in the study
worker's format (``collect_meta("study", ...)`` + ``write_result`` at
``results/studies/<study>/<cell>.json``) with synthetic RD points whose BD-rate against
the anchor is known exactly: a curve at k times the anchor's rate at the same PSNR has a
BD-rate of (k - 1) × 100 %. No training.
"""

from __future__ import annotations

import json
import shutil
import statistics

import pytest
import yaml

from lic_bench.kb import Component, KnowledgeBase, load_kb
from lic_bench.results import collect_meta, load_results, write_result
from lic_bench.site import _md, build
from lic_bench.site._results import by_paper, for_component
from lic_bench.site.studies import load_studies, studies_sections
from lic_bench.study.reported import load_reported

pytest.importorskip("bjontegaard")

#: (variant, seed) -> rate factor k; msh-gdn seed 2 is left out (a missing cell)
SCALE = {("fp-gdn", 1): 1.40, ("fp-gdn", 2): 1.44, ("fp-gsdn", 1): 1.30, ("fp-gsdn", 2): 1.40,
         ("msh-gdn", 1): 1.05, ("msh-gsdn", 1): 0.98, ("msh-gsdn", 2): 1.00}


def _study_file(root, project_root, name="nonlinearity", **fields):
    doc = {"name": name, "description": "fp and msh with gdn and gsdn",
           "protocol": str(project_root / "configs" / "protocols" / "cpu-mini.yaml"),
           "settings": {"trainer": {"max_steps": 2000}}, "anchor": "x265-bpg444", "dataset": "kodak",
           "models": {"fp": "bmshj2018-factorized", "msh": "mbt2018-mean"},
           "swaps": [{"model.nonlinearity": "gdn"}, {"model.nonlinearity": "gsdn"}],
           "rates": {"gain-units": [0.0035, 0.013, 0.0483, 0.18]}, "seeds": [1, 2], **fields}
    folder = root / "configs" / "studies"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def _write_cells(root, item, anchor_bpp, anchor_psnr, scale, taxonomy=("gsdn",), papers=("ferrari2025-registry",)):
    """Cell results as the worker writes them (its meta keys), with synthetic points."""
    for cell in item.cells:
        k = scale.get((cell.variant, cell.seed))
        if k is None:
            continue
        meta = collect_meta("study", packages=(), command="lic-bench fit ... && lic-bench test ...",
                            study=cell.study, cell=cell.id, variant=cell.variant, seed=cell.seed, rate=cell.rate,
                            swap=cell.swap, sets=list(cell.sets), config_hash=cell.config_hash,
                            levels=list(cell.levels), model=cell.model, taxonomy=list(taxonomy),
                            papers=list(papers), dataset="kodak", cpu_s=720.0, wall_s=400.0, gpu_s=0.0)
        doc = {"name": cell.model, "description": f"study {cell.study}, cell {cell.id}",
               "results": {"bpp": [b * k for b in anchor_bpp], "psnr-rgb": list(anchor_psnr)}, "meta": meta}
        write_result(doc, root / "results" / "studies" / cell.study / f"{cell.id}.json")


@pytest.fixture()
def project(tmp_path, project_root):
    """A project folder with the anchor, the study file and the thesis's reported table."""
    root = tmp_path / "project"
    anchor = root / "results" / "anchors" / "x265-bpg444" / "kodak.json"
    anchor.parent.mkdir(parents=True)
    shutil.copy(project_root / "results/anchors/x265-bpg444/kodak.json", anchor)
    # the per-quality sweep too: what the leaderboard ranks per-quality curves against
    shutil.copy(project_root / "results/anchors/x265-bpg444/kodak-per-quality.json", anchor.parent)
    reported = root / "results" / "reported" / "studies" / "nonlinearity"
    reported.mkdir(parents=True)
    shutil.copy(project_root / "results/reported/studies/nonlinearity/ferrari2025-registry.yaml", reported)
    _study_file(root, project_root)
    doc = json.loads(anchor.read_text())
    return {"root": root, "bpp": doc["results"]["bpp"], "psnr": doc["results"]["psnr-rgb"]}


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def _section(kb, root):
    studies = load_studies(root)
    return studies, studies_sections(kb, studies, load_results(root), load_reported(root))


def test_gsdn_page_has_mean_std_and_the_thesis_row(project, kb):
    root = project["root"]
    studies, _ = _section(kb, root)
    _write_cells(root, studies[0], project["bpp"], project["psnr"], SCALE)
    _, sections = _section(kb, root)
    assert set(sections) == {"gdn", "gsdn", "1dn", "relu"}  # swaps, and the reported rows
    md = sections["gsdn"]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in md.splitlines() if line.startswith("| ")}
    sd = statistics.stdev([30.0, 40.0])
    fp_gsdn = rows["**fp-gsdn**"]  # this page's component in bold
    assert fp_gsdn[1] == "2" and fp_gsdn[2].startswith("+35.00 ± ") and float(fp_gsdn[2].split("± ")[1]) == \
        pytest.approx(sd, abs=0.01)
    # the thesis's row beside it, marked as reported, with its table and page
    assert fp_gsdn[4:6] == ["+44.21", "-1.41"] and "reported (" in fp_gsdn[6] and "Table 7.1, p. 62" in fp_gsdn[6]
    assert rows["**msh-gsdn**"][4:6] == ["-0.55", "+0.01"] and "Table 7.6, p. 74" in rows["**msh-gsdn**"][6]
    assert rows["msh-gdn"][1] == "1" and rows["msh-gdn"][2] == "+5.00 (1 seed)"  # one seed: no std
    assert rows["fp-relu"][:5] == ["`bmshj2018-factorized`", "—", "—", "—", "+44.37"]  # reported only
    header = next(line for line in md.splitlines() if line.startswith("| Variant"))
    assert "BD-rate % (CPU proxy)" in header and "BD-rate % (reported)" in header
    assert "**CPU proxy**" in md and "7 of 8 cells have results" in md
    assert "lic-bench study run configs/studies/nonlinearity.yaml" in md  # the missing cell's command
    assert 'id="study-nonlinearity-gsdn"' in md and "Plotly.newPlot" in md  # RD plot with seed bands
    assert "CPU proxy: nonlinearity on kodak" in md


def test_without_cells_the_page_shows_the_reported_numbers(project, kb):
    _, sections = _section(kb, project["root"])
    md = sections["gsdn"]
    assert "The measured study has no results yet" in md
    assert "`lic-bench study run configs/studies/nonlinearity.yaml`" in md
    assert "| **fp-gsdn** | `bmshj2018-factorized` | +44.21 | -1.41 |" in md
    assert "CPU proxy)" not in md.split("| Variant")[1].splitlines()[0]  # no measured columns
    assert "Table 7.3 (fp-gsdn, p. 64), Table 7.7 (msh-gsdn, p. 75)" in md  # the RD-point tables


def test_a_baseline_gives_bd_where_the_codec_anchor_cannot(project, kb, project_root):
    """Proxy curves 15 dB under BPG: the page shows BD against the study's fp-gdn instead."""
    root = project["root"]
    _study_file(root, project_root, baseline="fp-gdn")
    studies, _ = _section(kb, root)
    _write_cells(root, studies[0], project["bpp"], [q - 15.0 for q in project["psnr"]], SCALE)
    _, sections = _section(kb, root)
    md = sections["gsdn"]
    header = next(line for line in md.splitlines() if line.startswith("| Variant"))
    assert "BD-rate % vs fp-gdn (CPU proxy)" in header and "BD-rate % (CPU proxy)" not in header
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in md.splitlines() if line.startswith("| ")}
    # fp-gdn's seed-mean curve is at 1.42 x the anchor's rate; msh-gsdn seed 1 at 0.98 x
    assert float(rows["**msh-gsdn**"][2].split(" ±")[0]) == pytest.approx(-30.3, abs=0.3)
    assert "own `fp-gdn` variant" in md
    # the thesis orders fp: relu worst, gsdn next; msh: gsdn best, relu worst
    t71 = next(line for line in md.splitlines() if line.startswith("- Table 7.1"))
    assert "reported order (fewest bits first) fp-gdn, fp-gsdn;" in t71 and "CPU proxy order fp-gsdn, fp-gdn" in t71
    assert "a different order (Spearman ρ = -1.00, 2 of 4 variants)" in t71
    t76 = next(line for line in md.splitlines() if line.startswith("- Table 7.6"))
    assert "the same order (Spearman ρ = +1.00, 2 of 4 variants)" in t76


def test_proxy_validity_rho_is_shown(project, kb, project_root):
    """A study with reference curves and the same protocol gives the proxy's Spearman ρ."""
    root = project["root"]
    refs = {}
    for name, k in (("bmshj2018-factorized", 1.5), ("mbt2018-mean", 1.1)):
        path = root / "results" / "reported" / name / "fake.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"name": name, "results": {"bpp": [b * k for b in project["bpp"]],
                                                              "psnr-rgb": project["psnr"]}}))
        refs[name] = str(path)
    _study_file(root, project_root, name="proxy-validity", models=["bmshj2018-factorized", "mbt2018-mean"],
                swaps=[{}], reference=refs)
    studies, _ = _section(kb, root)
    check = next(s for s in studies if s.study.name == "proxy-validity")
    _write_cells(root, check, project["bpp"], project["psnr"],
                 {("bmshj2018-factorized", 1): 1.3, ("bmshj2018-factorized", 2): 1.35, ("mbt2018-mean", 1): 1.2,
                  ("mbt2018-mean", 2): 1.25})
    _, sections = _section(kb, root)
    assert "Spearman ρ = +1.00 between its ranking of 2 models" in sections["gsdn"]
    assert "study `proxy-validity`" in sections["gsdn"]


def test_study_text_is_escaped(project, kb, project_root):
    root = project["root"]
    _study_file(root, project_root, description="<script>alert(1)</script> [x](javascript:alert(1)) {: onclick=y}")
    _, sections = _section(kb, root)
    md = sections["gsdn"]
    assert "<script>" not in md and "](javascript:" not in md and "{: onclick" not in md


def test_reported_table_text_is_escaped(project, kb):
    root = project["root"]
    path = root / "results/reported/studies/nonlinearity/ferrari2025-registry.yaml"
    doc = yaml.safe_load(path.read_text())
    evil = "<img src=x onerror=alert(1)>[a](javascript:alert(1))`|"
    doc.update(anchor=evil, anchor_note=evil, dataset=evil)
    doc["tables"][0]["table"] = evil
    doc["tables"][0]["rows"][3]["variant"] = evil  # fp-gsdn's row, this page's component
    doc["metrics"][1]["variant"] = evil
    path.write_text(yaml.safe_dump(doc))
    _, sections = _section(kb, root)
    md = sections["gsdn"]
    assert "<img" not in md and "](javascript:" not in md and "&lt;img" in md
    header = next(line for line in md.splitlines() if line.startswith("| Variant"))
    hostile = [line for line in md.splitlines() if line.startswith("| ") and "&lt;img" in line]
    assert hostile and all(line.replace("\\|", "").count("|") == header.count("|") for line in hostile)


def test_a_broken_reported_table_is_one_line(project):
    from lic_bench.errors import UsageError

    path = project["root"] / "results/reported/studies/nonlinearity/ferrari2025-registry.yaml"
    path.write_text("study: nonlinearity\nprovenance: measured\n")
    with pytest.raises(UsageError, match="provenance must be 'reported'"):
        load_reported(project["root"])


def _tiny_kb():
    comps = [Component(id="non-linearity", name="Non-linearity", parent=None, area="non-linearity", summary="x"),
             Component(id="gsdn", name="GSDN", parent="non-linearity", area="non-linearity", summary="y")]
    from lic_bench.kb import Paper

    return KnowledgeBase(comps, [Paper(id="ferrari2025-registry", title="T", authors=["D. Ferrari"], year=2025,
                                       components=["gsdn"])])


@pytest.mark.parametrize("kind", ["study", "eval"])
def test_study_cells_stay_out_of_rd_charts(project, kind):
    """Study cells name the component and paper like eval results do, but no RD chart,
    BD table or leaderboard draws them (the "eval" case shows the check can fail)."""
    root = project["root"]
    kb = _tiny_kb()
    studies = load_studies(root)
    _write_cells(root, studies[0], project["bpp"], project["psnr"], SCALE)
    docs = load_results(root)
    cells = [d for d in docs if d["meta"].get("kind") == "study"]
    assert len(cells) == 7
    for d in cells:
        d["meta"]["kind"] = kind
    leaks = kind != "study"
    assert bool(for_component(docs, kb, "gsdn").results) is leaks
    assert bool(by_paper(docs, kb)["ferrari2025-registry"].results) is leaks
    site = build.render_site(kb, docs, studies=studies, reported=load_reported(root))
    page = site.pages[_md.component_path("gsdn")]
    results_part = page.split("## Results", 1)[1]
    assert ("Plotly.newPlot" in results_part) is leaks
    assert ("fp-gsdn" in site.pages[_md.paper_path("ferrari2025-registry")]
            or "bmshj2018-factorized" in site.pages[_md.paper_path("ferrari2025-registry")]) is leaks
    assert ("bmshj2018-factorized" in site.pages.get(_md.LEADERBOARD, "")) is leaks
    assert "## Studies" in page  # the study itself is still shown, in its own section


def test_empty_results_section_points_to_the_studies_above():
    from lic_bench.site._results import ResultSet, results_section

    plain = results_section(ResultSet(), "taxonomy", "../guide/")
    with_studies = results_section(ResultSet(), "taxonomy", "../guide/", studies=True)
    assert "No results yet" in plain and "Studies section" not in plain
    assert "study cells in the Studies section above are small-scale proxy runs" in with_studies
