"""The thesis's reported BD tables (results/reported/studies/) match the thesis's text.

Every number of ``nonlinearity/ferrari2025-registry.yaml`` is compared with the rows
printed above the caption "Table 7.x:" in the seed text, and so is the page the thesis's
list of tables gives; a typo in the committed file fails here. Skipped where the seed
text is not on the machine (a fresh clone without /work/shared).
"""

from __future__ import annotations

import re

import pytest

from lic_bench.paths import data_dir
from lic_bench.study.reported import load_reported

SEED = "000_03b085e09599d4cf.txt"
_ROW = re.compile(r"^(?P<label>(?:fp|msh)_\w+)\t(?P<rate>-?[\d.]+)%\t(?P<psnr>-?[\d.]+) dB$")


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = data_dir().parent / "seeds" / SEED
    if not path.is_file():
        pytest.skip(f"seed text not found at {path}")
    return path.read_text(encoding="utf-8")


def _printed_rows(text: str, table: str) -> dict[str, tuple[float, float]]:
    """The rows of the BD table whose caption is ``Table <table>:`` (rows sit above it)."""
    lines = text.splitlines()
    caption = next(i for i, line in enumerate(lines) if line.startswith(f"Table {table}: Bjøntegaard"))
    rows: dict[str, tuple[float, float]] = {}
    for line in reversed(lines[:caption]):
        match = _ROW.match(line.strip())
        if match:
            rows[match["label"]] = (float(match["rate"]), float(match["psnr"]))
        elif rows and line.strip():
            break  # the header line above the rows ends the table
    return rows


def _printed_page(text: str, table: str) -> int:
    """The page of ``table`` in the thesis's list of tables (``7.1<TAB>caption<TAB>62``)."""
    match = re.search(rf"^{re.escape(table)}\tBjøntegaard[^\n]*\t(\d+)$", text, re.MULTILINE)
    assert match, f"Table {table} not in the list of tables"
    return int(match[1])


def test_thesis_tables_match_the_thesis(seed_text):
    (reported,) = [r for r in load_reported() if r["study"] == "nonlinearity"]
    assert reported["paper"] == "ferrari2025-registry" and reported["provenance"] == "reported"
    assert [t["table"] for t in reported["tables"]] == ["7.1", "7.6"]
    for table in reported["tables"]:
        printed = _printed_rows(seed_text, table["table"])
        assert len(printed) == 4, printed
        committed = {r["label"]: (r["bd_rate"], r["bd_psnr"]) for r in table["rows"]}
        assert committed == printed, f"Table {table['table']}"
        assert table["page"] == _printed_page(seed_text, table["table"])
        for row in table["rows"]:  # the label names the same variant and component
            prefix, comp = row["label"].split("_")
            assert row["variant"] == f"{prefix}-{comp}" and row["component"] == comp


def _printed_metrics(text: str, table: str) -> tuple[str, list[list[float]]]:
    """(thesis model_component, the 8 columns) of the metric table captioned ``Table <table>:``."""
    lines = text.splitlines()
    caption = next(i for i, line in enumerate(lines) if line.startswith(f"Table {table}: Metrics"))
    model = {"factorized prior": "fp", "mean-scale hyperprior": "msh"}
    found = re.search(r"the (factorized prior|mean-scale hyperprior) model with (\w+) as", lines[caption])
    rows = []
    for line in reversed(lines[:caption]):
        if re.fullmatch(r"[\d.]+(\t[\d.]+){7}", line.strip()):
            rows.append([float(x) for x in line.split("\t")])
        elif rows and line.strip():
            break
    return f"{model[found[1]]}-{found[2].lower()}", [list(c) for c in zip(*reversed(rows), strict=True)]


def test_thesis_metric_tables_match_the_thesis(seed_text):
    """Tables 7.2-7.5 and 7.7-7.10: Kodak and CLIC 2021 columns (bpp, MS-SSIM dB, PSNR, LPIPS)."""
    (reported,) = [r for r in load_reported() if r["study"] == "nonlinearity"]
    tables = {t["table"]: t for t in reported["metrics"]}
    assert sorted(tables) == sorted(["7.2", "7.3", "7.4", "7.5", "7.7", "7.8", "7.9", "7.10"])
    names = ["bpp", "ms-ssim-db", "psnr", "lpips"]
    for num, table in tables.items():
        variant, columns = _printed_metrics(seed_text, num)
        assert len(columns) == 8 and all(len(c) == 5 for c in columns), num
        assert table["variant"] == variant and table["component"] == variant.split("-")[1], num
        committed = [table["datasets"][d][n] for d in ("kodak", "clic2021") for n in names]
        assert committed == columns, f"Table {num}"
        page = re.search(rf"^{re.escape(num)}\tMetrics[^\n]*\t(\d+)$", seed_text, re.MULTILINE)
        assert table["page"] == int(page[1]), num


def test_a_typo_would_fail(seed_text):
    """The comparison above can fail: a changed digit no longer matches."""
    printed = _printed_rows(seed_text, "7.6")
    assert printed["msh_gsdn"] == (-0.55, 0.01)
    assert printed["msh_gsdn"] != (-0.56, 0.01)
