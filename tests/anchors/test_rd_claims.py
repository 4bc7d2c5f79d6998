"""Claims (papers' stated BD-rates) validate, are recomputed from points against the same
anchor and version, and the page and ``rd claims`` show the gaps."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from lic_bench.kb.schema import Claim, Paper
from lic_bench.rd.claims import largest_gaps, recompute, rows_to_csv, rows_to_text
from lic_bench.site.claims import claims_page
from tests.cli_runner import run_cli

BPP = [0.1, 0.2, 0.4, 0.8, 1.6]
PSNR = [28.0, 30.5, 33.0, 35.5, 38.0]


def claim(**kw):
    base = {"codec": "toy", "bd_rate": -20.0, "anchor": "vtm", "anchor_version": "9.1", "dataset": "kodak",
            "metric": "psnr-rgb", "where": "Table 1", "source": "https://arxiv.org/abs/0000.00000"}
    return Claim.model_validate({**base, **kw})


def doc(name, bpp, dataset="kodak", version=None, tag="authors", **meta):
    m = {"kind": "reported", "provenance": "reported", "dataset": dataset, "tag": tag, "averaging": "per-quality", **meta}
    if version:
        m["model_version"] = version
    return {"name": name, "results": {"bpp": list(bpp), "psnr-rgb": PSNR}, "meta": m, "_path": f"reported/{name}/{tag}.json"}


@pytest.fixture
def docs():
    # the toy codec spends 80 % of the anchor's bits at every quality: BD-rate -20 % exactly
    return [doc("vtm", BPP, version="9.1", tag="v91"), doc("vtm", [b * 0.5 for b in BPP], version="17.0", tag="v17"),
            doc("toy", [b * 0.8 for b in BPP]), doc("toy", [b * 0.8 for b in BPP], dataset="tecnick"),
            doc("vtm", BPP, dataset="tecnick", version="9.1", tag="v91")]


# --------------------------------------------------------------------------- schema
def test_claim_validates_and_refuses_what_is_not_a_claim():
    c = claim(bd_rate=-7)
    assert c.bd_rate == -7 and c.dataset == "kodak"
    assert claim(dataset=["kodak", "tecnick"]).dataset == ["kodak", "tecnick"]
    for bad in ({"bd_rate": -150.0}, {"source": "ftp://x"}, {"where": ""}, {"metric": "lpips"},
                {"anchor": "VTM 12.1"}, {"dataset": []}, {"dataset": "Kodak set"}, {"guess": True},
                {"bd_rate": "-7"}):
        with pytest.raises(ValidationError):
            claim(**bad)


def test_paper_record_carries_claims():
    rec = {"id": "toy2099-codec", "title": "T", "authors": ["A B"], "year": 2024,
           "claims": [claim().model_dump()]}
    assert Paper.model_validate(rec).claims[0].anchor_version == "9.1"
    rec["claims"][0]["codec"] = "Not Kebab"
    with pytest.raises(ValidationError):
        Paper.model_validate(rec)


# --------------------------------------------------------------------------- recomputation
def test_recompute_against_the_same_version(docs):
    ok = recompute("p", claim(), docs)
    assert ok.status == "ok" and ok.recomputed == pytest.approx(-20.0, abs=0.01) and ok.gap == pytest.approx(0, abs=0.01)
    assert ok.anchor_files == ["reported/vtm/v91.json"]
    # against VTM 17.0 (half the bits of 9.1 here) the same points give +60 %
    other = recompute("p", claim(anchor_version="VTM-17.0"), docs)
    assert other.recomputed == pytest.approx(60.0, abs=0.05)
    wrong = recompute("p", claim(bd_rate=-10.0), docs)
    assert wrong.status == "gap" and wrong.gap == pytest.approx(-10.0, abs=0.01)
    assert largest_gaps([ok, wrong]) == [wrong]


def test_missing_anchor_version_or_points_is_said_not_guessed(docs):
    r = recompute("p", claim(anchor_version="12.1"), docs)
    assert r.status == "no-anchor" and r.recomputed is None and "versions here: 17.0, 9.1" in r.notes[0]
    r = recompute("p", claim(codec="nobody"), docs)
    assert r.status == "no-points" and r.gap is None
    r = recompute("p", claim(dataset="clic2020-pro-valid"), docs)
    assert r.status == "no-points"
    # no version stated while the anchor's curves differ by version: not guessed
    r = recompute("p", claim(anchor_version=None), docs)
    assert r.status == "no-anchor" and "differ by version (17.0, 9.1)" in r.notes[0]
    r = recompute("p", claim(dataset="unstated"), docs)
    assert r.status == "no-points" and "names no dataset" in r.notes[0]
    # a learned anchor without a version: compared with its one curve, and the row says so
    r = recompute("p", claim(anchor_version=None, anchor="elic"), docs + [doc("elic", BPP)])
    assert r.recomputed == pytest.approx(-20.0, abs=0.01) and "no elic version" in r.notes[0]


def test_claim_over_several_datasets_is_their_mean_or_best(docs):
    r = recompute("p", claim(dataset=["kodak", "tecnick"]), docs)
    assert r.dataset == "kodak+tecnick" and r.recomputed == pytest.approx(-20.0, abs=0.01)
    assert len(r.test_files) == 2
    # "up to": the largest saving of the datasets (tecnick's toy curve is made better here)
    better = [d for d in docs if not (d["name"] == "toy" and d["meta"]["dataset"] == "tecnick")]
    better.append(doc("toy", [b * 0.5 for b in BPP], dataset="tecnick"))
    mean = recompute("p", claim(dataset=["kodak", "tecnick"]), better)
    best = recompute("p", claim(dataset=["kodak", "tecnick"], over_datasets="best"), better)
    assert mean.recomputed == pytest.approx(-35.0, abs=0.05) and best.recomputed == pytest.approx(-50.0, abs=0.05)


def test_text_and_csv_output(docs):
    rows = [recompute("p", claim(), docs), recompute("p", claim(bd_rate=-10.0), docs)]
    text = rows_to_text(rows)
    assert "2 claims on 1 codecs; 2 recomputed; 1 with a gap > 2 points" in text
    table = list(csv.DictReader(io.StringIO(rows_to_csv(rows))))
    assert [r["status"] for r in table] == ["ok", "gap"] and float(table[1]["gap"]) == pytest.approx(-10.0)


# --------------------------------------------------------------------------- the page
def test_claims_page_lists_gaps_and_links_papers(docs):
    paper = Paper.model_validate({"id": "toy2099-codec", "title": "T", "authors": ["A B"], "year": 2024,
                                  "claims": [claim().model_dump(), claim(bd_rate=-10.0, where="Table 9").model_dump(),
                                             claim(anchor_version="12.1").model_dump()]})
    kb = SimpleNamespace(papers={"toy2099-codec": paper})
    page = claims_page(kb, docs)
    gaps = page.split("## Gaps larger than 2 points")[1].split("## All claims")[0]
    assert "Table 9" in gaps and "**-10.00**" in gaps and "Table 1" not in gaps
    assert "[toy2099-codec](../papers/toy2099-codec.md)" in page
    assert 'href="https://arxiv.org/abs/0000.00000"' in page and "no-anchor" in page
    assert claims_page(SimpleNamespace(papers={}), docs) == ""


# --------------------------------------------------------------------------- the committed claims
def test_rd_claims_on_the_committed_records():
    out = run_cli("rd", "claims", "-f", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    rows = data["rows"]
    assert data["codecs"] >= 30
    # LALIC's CVPR abstract (-15.26 % vs VTM-9.1 on Kodak) from its released points and VTM run
    lalic = [r for r in rows if r["codec"] == "lalic" and r["dataset"] == "kodak" and r["claimed"] == -15.26]
    assert lalic and lalic[0]["recomputed"] == pytest.approx(-15.26, abs=0.05)
    assert all(abs(g["gap"]) > 2 for g in data["largest_gaps"])
    bad = run_cli("rd", "claims", "--codec", "no-such-codec")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
