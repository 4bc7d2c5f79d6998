"""Ablation studies: a grid of fit + test cells (grid), run resumably (runner, worker),
reported as BD-rate mean ± std over seeds (report). ``lic-bench study run|report``."""
