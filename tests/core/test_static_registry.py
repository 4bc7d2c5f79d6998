"""`models list` reads the registrations from the source (no torch): it must match the registry."""

from __future__ import annotations

from lic_bench.models.catalog import model_records
from lic_bench.static_registry import static_model_records


def test_source_reader_agrees_with_the_imported_registry():
    static = static_model_records()
    assert static is not None, "a model registration is not a literal decorator: models list would import torch"
    imported = [{k: v for k, v in r.items() if k != "params"} for r in model_records()]
    assert static == imported
    assert [r["name"] for r in static_model_records("bmshj2018-*")] == ["bmshj2018-factorized", "bmshj2018-hyperprior"]
