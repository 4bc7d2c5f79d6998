"""Rate-distortion tools: curves from results documents, BD-rate, importers of reported curves."""

from lic_bench.rd.bd import BDResult, bd_curves, bd_documents
from lic_bench.rd.curves import Curve, curve, has_metric

__all__ = ["BDResult", "Curve", "bd_curves", "bd_documents", "curve", "has_metric"]
