"""RD charts that answer one question: grouped by model, few curves at first, no repeated
colour, proxy runs labelled and hidden; and the trends page's honest records label."""

from __future__ import annotations

from lic_bench.site.rd import MAX_VISIBLE_MODELS, model_title, rd_figure
from lic_bench.site.trends import all_records_label


def _doc(name: str, tag: str, prov: str = "reported", offset: float = 0.0, **meta) -> dict:
    bpp = [0.2, 0.4, 0.8, 1.2]
    return {"name": name, "_path": f"results/reported/{name}/{tag}-kodak.json",
            "meta": {"kind": "eval" if prov == "measured" else "reported", "provenance": prov, "tag": tag,
                     "dataset": "kodak", **meta},
            "results": {"bpp": bpp, "psnr-rgb": [28 + offset + 6 * b for b in bpp]}}


def test_curves_grouped_by_model_with_few_shown_and_unique_colours():
    docs = [_doc(f"model-{i}", src, offset=i + j / 10, papers=[f"smith20{10 + i}-thing"])
            for i in range(9) for j, src in enumerate(("authors", "compressai"))]
    docs.append(_doc("model-0", "cpu-mini", "measured", offset=-5, run="cpu-mini-x", training={"global_step": 2000}))
    anchors = [_doc("x265-bpg444", "anchor", "measured", kind="anchor"), _doc("vvc420", "anchor", "measured", kind="anchor")]
    fig = rd_figure(docs, anchors, "psnr-rgb")
    shown = [t for t in fig.data if t["visible"] is True]
    assert len(shown) == MAX_VISIBLE_MODELS + 2 <= 8  # one source per model, two anchors
    assert len({t["line"]["color"] for t in fig.data}) == len(fig.data)
    groups = {t["legendgroup"] for t in fig.data}
    assert "model-0 · Smith 2010" in groups
    proxy = [t for t in fig.data if "trained here" in t["legendgroup"]]
    assert proxy and all(t["visible"] == "legendonly" for t in proxy)
    buttons = fig.layout["updatemenus"][0]["buttons"]
    assert buttons[1]["args"][0]["visible"] == [True] * len(fig.data)
    assert fig.layout["legend"]["orientation"] == "v"  # beside the plot, off the x-axis title


def test_model_title_names_the_paper():
    assert model_title({"name": "wyh", "meta": {"papers": ["wang2022-neural"]}}) == "wyh · Wang 2022"
    assert model_title({"name": "jpeg", "meta": {}}) == "jpeg"


def test_records_label_says_what_it_holds(tiny_kb):
    from types import SimpleNamespace as NS

    assert all_records_label(tiny_kb).startswith(f"All {len(tiny_kb.papers)} records")
    assert "never checked" in all_records_label(tiny_kb)  # the tiny records carry no `verified`
    # (stand-ins: the label reads only ``verified.unverified``, whatever else a record holds)
    papers = {"a": NS(verified=NS(unverified=["venue"])), "b": NS(verified=NS(unverified=[]))}
    assert all_records_label(NS(papers=papers)) == "All 2 records, as corrected (1 with unconfirmed fields)"
    papers = {"a": NS(verified=NS(status="partly"))}  # a format the count does not know
    assert all_records_label(NS(papers=papers)) == "All 1 records, as corrected"
