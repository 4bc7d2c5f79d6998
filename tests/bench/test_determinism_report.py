"""`lic-bench determinism`: the report's shape, and that it sees a difference."""

from __future__ import annotations

import pytest

from lic_bench.bench.determinism import BACKENDS, Backend, check_models, render_text
from lic_bench.site.determinism import dependent_models, determinism_section
from tests.cli_runner import run_cli

SMALL = {"N": 16, "M": 24}
FIELDS = ("backend", "status", "pixels_identical", "float_identical", "max_abs_diff",
          "pixels_sha256", "float_sha256", "decode_seconds", "note")


@pytest.fixture(scope="module")
def docs(kodak_dir):
    """Two small models; a backend that shifts the decoder output by 0.6 of a level
    (an injected arithmetic difference), one that cannot run, and CUDA."""
    backends = (
        BACKENDS[0],
        Backend("cpu-2t-onednn", threads=2),
        Backend("cpu-1t-perturbed", threads=1, perturb=0.6 / 255),
        Backend("cpu-1t-meta", device="meta"),
        Backend("cuda", device="cuda"),
    )
    names = ["bmshj2018-factorized", "mbt2018-mean"]
    return check_models(names, overrides={n: SMALL for n in names}, crop=(64, 96),
                        backends=backends)


@pytest.mark.slow
def test_report_shape_and_detection(docs):
    import torch

    assert [d["name"] for d in docs] == ["bmshj2018-factorized", "mbt2018-mean"]
    for doc in docs:
        res, meta = doc["results"], doc["meta"]
        assert set(FIELDS) <= set(res) and all(len(res[f]) == 5 for f in FIELDS)
        assert meta["kind"] == "determinism" and meta["provenance"] == "measured"
        assert meta["size"] == [64, 96] and meta["bpp"] > 0.1  # latents are not all zero
        assert meta["config"]["init_args"]["N"] == 16 and meta["taxonomy"]
        status = dict(zip(res["backend"], res["status"], strict=True))
        # A fresh process with another thread count decodes the same pixels and floats.
        assert status["cpu-1t-onednn"] == status["cpu-2t-onednn"] == "identical"
        assert res["float_identical"][1] is True
        # The injected difference is seen, and measured as one level.
        assert status["cpu-1t-perturbed"] == "differs"
        assert res["pixels_identical"][2] is False and res["max_abs_diff"][2] == 1
        assert res["pixels_sha256"][2] != res["pixels_sha256"][0]
        # A backend that fails is reported as an error with its message, not a crash.
        assert status["cpu-1t-meta"] == "error" and res["note"][3]
        if not torch.cuda.is_available():
            assert status["cuda"] == "skipped" and "no CUDA" in res["note"][4]
        assert doc["identical"] is False and doc["arithmetic_identical"] is False
    table = render_text(docs)
    assert "differs" in table and "mbt2018-mean" in table


@pytest.mark.slow
def test_page_section_lists_the_dependent_backends(docs):
    md = determinism_section(docs)
    assert "### Decoding across backends" in md
    assert "**differs** (up to 1 level)" in md and "reference" in md
    assert dict(dependent_models(docs))["mbt2018-mean"] == ["cpu-1t-perturbed", "cpu-1t-meta"]


def test_section_escapes_and_handles_agreement():
    doc = {"name": "x|<b>", "results": {"backend": ["a", "b"], "status": ["identical", "identical"],
                                        "float_identical": [True, False]},
           "meta": {"kind": "determinism", "reference_backend": "a", "image": "i.png",
                    "size": [8, 8], "bpp": 1.0, "command": "lic-bench determinism"}}
    md = determinism_section([doc])
    assert "x\\|&lt;b&gt;" in md and "<b>" not in md  # separator and markup escaped
    assert "same pixels, floats differ" in md
    assert "Every backend tried decodes every model above to the same pixels." in md
    assert determinism_section([]) == ""


def test_cli_unknown_model_is_one_line():
    proc = run_cli("determinism", "-m", "no-such-model", "--no-save")
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].startswith("error: unknown model(s) no-such-model")


def test_pages_route_determinism_documents_to_their_own_section():
    from lic_bench.site._results import for_paper, results_section

    doc = {"name": "m", "results": {"backend": ["a", "b"], "status": ["identical", "differs"],
                                    "max_abs_diff": [0, 3]},
           "meta": {"kind": "determinism", "papers": ["p"], "reference_backend": "a",
                    "image": "i.png", "size": [8, 8], "bpp": 1.0, "command": "lic-bench determinism"}}
    found = for_paper([doc], "p")
    assert found and found.determinism == [doc] and not found.results and not found.bench
    md = results_section(found, "papers", "../guide/")
    assert "### Decoding across backends" in md and "**differs** (up to 3 levels)" in md
    assert "Rate" not in md  # not drawn as an RD curve
