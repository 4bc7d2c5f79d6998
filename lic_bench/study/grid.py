"""A study file and the grid of cells it names.

A study (``configs/studies/*.yaml``) is the ablation design of Ferrari 2025
(ferrari2025-registry, ch. 7) as data: model presets × component swaps × rates × seeds,
each cell trained with one protocol and tested on one dataset. One cell is one ``fit``
and one ``test``; its id is built from its settings only, so the same file always gives
the same cells, and a cell whose result file exists is done.

Keys of a study file (paths are relative to the study file, like ``extends``)::

    name: proxy-validity            # results/studies/<name>/
    protocol: ../protocols/cpu-mini.yaml   # or a list of config files
    settings: {trainer.max_steps: 1000}    # any config key, over the protocol
    anchor: x265-bpg444             # results/anchors/<anchor>/<dataset>.json
    dataset: kodak                  # test set; test_limit: N tests the first N images only
    models: [bmshj2018-factorized]  # registry presets, or {alias: preset}
    swaps: [{}, {model.nonlinearity: gsdn}]   # any --set keys; {name:, set:} to name one
    rates: {quality: [1, 3, 5]}     # or {lmbda: [...]}, or {gain-units: [λ, ...]}
    seeds: [1, 2]
    reference: {variant: results/reported/...json}   # published curves to rank against
    baseline: bmshj2018-factorized  # also BD against this variant's seed-mean curve (and rank by it)
    slurm: {timeout_min: 60}        # submitit parameters for --launcher slurm

``rates``: ``quality``/``lmbda`` give one fixed-rate cell per value; ``gain-units``
gives one variable-rate cell per seed (Cui et al. 2022 gain units, cui2021-asymmetric,
trained with each sample's λ, see :mod:`lic_bench.engine.loss`) that is tested at every
level of its λ list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError
from lic_bench.study.study_file import flatten, read_study_file, slug, variant_id

__all__ = ["Cell", "Study", "cell_spec", "expand", "flatten", "load_study", "protocol_digest", "slug",
           "variant_id"]

@dataclass(frozen=True)
class Cell:
    """One fit + test of a study; ``sets`` are the ``--set`` items over the protocol."""

    study: str
    id: str
    variant: str  # everything but seed and rate: one RD curve per seed
    model: str
    swap: str
    rate: str
    seed: int
    sets: tuple[str, ...]
    levels: tuple[float, ...] = ()  # gain units: the λ of each level tested
    protocol_hash: str = ""  # the protocol files' merged settings (see protocol_digest)

    @property
    def config_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.sets).encode()).hexdigest()[:16]


@dataclass
class Study:
    path: Path
    name: str
    description: str
    protocol: list[Path]
    settings: dict[str, Any]
    anchor: str
    dataset: str
    test_limit: int | None
    models: dict[str, str]
    swaps: list[tuple[str, dict[str, Any]]]
    rates: tuple[str, list[float]]
    seeds: list[int]
    reference: dict[str, Path] = field(default_factory=dict)
    baseline: str | None = None
    protocol_hash: str = ""
    slurm: dict[str, Any] = field(default_factory=dict)


def _as_sets(items: Mapping[str, Any]) -> list[str]:
    # JSON is YAML, so each value reads back as itself through --set (parse_set).
    return [f"{k}={json.dumps(v)}" for k, v in items.items()]


def load_study(path: str | Path, *, check_models: bool = True) -> Study:
    """Read and check a study file (:mod:`lic_bench.study.study_file`; one-line
    :class:`UsageError` for anything wrong).

    ``check_models=False`` skips the registry look-up of the model presets (it imports
    torch); the site, which must not import torch, reads study files that way.
    """
    from lic_bench.paths import project_root

    path = Path(path)
    raw = read_study_file(path, check_models=check_models)
    protocol_paths = [(path.parent / p).resolve() for p in raw.protocol or []]
    kind, values = raw.rates.kind()
    return Study(
        path=path, name=raw.name, description=raw.description or "",
        protocol=protocol_paths, settings=flatten(raw.settings or {}), anchor=raw.anchor or "x265-bpg444",
        dataset=raw.dataset or "kodak", test_limit=raw.test_limit, models=dict(raw.models),
        swaps=raw.swap_items(), rates=(kind, [float(v) if kind != "quality" else int(v) for v in values]),
        seeds=list(raw.seeds), reference={k: project_root() / v for k, v in (raw.reference or {}).items()},
        baseline=raw.baseline, protocol_hash=protocol_digest(protocol_paths), slurm=dict(raw.slurm or {}),
    )


def protocol_digest(paths: list[Path]) -> str:
    """A hash of the protocol files' settings, their ``extends`` chains merged in: editing a
    protocol's values (not its comments) makes the cells trained with it stale."""
    from lic_bench.engine.config import deep_merge, load_file

    merged: dict[str, Any] = {}
    for path in paths:
        merged = deep_merge(merged, load_file(path))
    return hashlib.sha256(json.dumps(merged, sort_keys=True, default=str).encode()).hexdigest()[:16]


def expand(study: Study, *, validate: bool = True) -> list[Cell]:
    """Every cell of the grid, in a stable order; refuses colliding or invalid cells.

    ``validate=False`` skips resolving each cell's config (which loads the model's
    config through the registry): the cells and their ids are the same.
    """
    from lic_bench.engine.config import load_config

    kind, values = study.rates
    if kind == "gain-units":
        rate_items = [("gain", {"model.variable_rate": "gain-units", "model.lmbdas": values,
                                "loss.lmbda": max(values)}, tuple(values))]
    else:
        rate_items = [(f"q{v}" if kind == "quality" else f"l{slug(v)}", {f"loss.{kind}": v}, ())
                      for v in values]
    cells: list[Cell] = []
    seen_ids: dict[str, Cell] = {}
    seen_sets: dict[tuple[str, ...], Cell] = {}
    checked: set[tuple[str, str, str]] = set()
    for alias, preset in study.models.items():
        for swap_label, swap in study.swaps:
            for rate_label, rate, levels in rate_items:
                for seed in study.seeds:
                    items = {**study.settings, "model.name": preset, **swap, **rate, "seed": seed,
                             "test.dataset": study.dataset}
                    variant = variant_id(alias, swap_label)
                    cell = Cell(study=study.name, id=f"{variant}-{rate_label}-s{slug(seed)}", variant=variant,
                                model=preset, swap=swap_label, rate=rate_label, seed=seed,
                                sets=tuple(_as_sets(items)), levels=levels, protocol_hash=study.protocol_hash)
                    if cell.id in seen_ids:
                        raise UsageError(f"{study.path}: cells collide: two cells are named {cell.id!r}; "
                                         "name the swaps ({name: ..., set: {...}})")
                    key = tuple(sorted(cell.sets))
                    if key in seen_sets:
                        raise UsageError(f"{study.path}: cells {seen_sets[key].id!r} and {cell.id!r} "
                                         "have the same settings")
                    if validate and (preset, swap_label, rate_label) not in checked:  # seeds cannot break a config
                        checked.add((preset, swap_label, rate_label))
                        try:
                            load_config(study.protocol, list(cell.sets))
                        except UsageError as exc:
                            raise UsageError(f"{study.path}: cell {cell.id}: {exc}") from None
                    seen_ids[cell.id], seen_sets[key] = cell, cell
                    cells.append(cell)
    return cells


def cell_spec(cell: Cell, study: Study, *, results_dir: Path, runs_dir: Path, threads: int | None) -> dict:
    """Everything a worker needs to run one cell (plain data, so it pickles and serialises)."""
    return {"cell": asdict(cell), "protocol": [str(p) for p in study.protocol], "dataset": study.dataset,
            "test_limit": study.test_limit, "result": str(results_dir / f"{cell.id}.json"),
            "runs": str(runs_dir / cell.id), "threads": threads, "config_hash": cell.config_hash,
            "protocol_hash": cell.protocol_hash}
