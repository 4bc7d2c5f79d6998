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
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_bench.errors import UsageError

_KEYS = {"name", "description", "protocol", "settings", "anchor", "dataset", "test_limit",
         "models", "swaps", "rates", "seeds", "reference", "baseline", "slurm"}
_RATE_KINDS = ("quality", "lmbda", "gain-units")
_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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


def slug(value: Any) -> str:
    """``0.0067`` -> ``0p0067``, ``"GSDN"`` -> ``gsdn``: a value as a piece of a kebab id."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = text.lower().replace(".", "p").replace("_", "-")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"trainer": {"max_steps": 5}}`` -> ``{"trainer.max_steps": 5}`` (dotted keys kept)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not dotted.startswith(("data.train", "data.val")):
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _check_key(dotted: str, where: str) -> None:
    """The first two parts of a config key must exist (``model.*`` is checked by the model)."""
    from lic_bench.engine.config import _SECTIONS, DEFAULTS

    head, _, rest = dotted.partition(".")
    if head not in _SECTIONS:
        raise UsageError(f"{where}: unknown config key {dotted!r} (sections: {', '.join(sorted(DEFAULTS))})")
    section = DEFAULTS.get(head)
    second = rest.split(".")[0]
    if isinstance(section, dict) and second and second not in section:
        raise UsageError(f"{where}: unknown config key {dotted!r} ({head} has: {', '.join(section)})")


def _as_sets(items: Mapping[str, Any]) -> list[str]:
    # JSON is YAML, so each value reads back as itself through --set (parse_set).
    return [f"{k}={json.dumps(v)}" for k, v in items.items()]


def _need(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in raw:
        raise UsageError(f"{where}: the study needs '{key}'")
    value = raw[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise UsageError(f"{where}: '{key}' has the wrong type ({type(value).__name__})")
    return value


def load_study(path: str | Path, *, check_models: bool = True) -> Study:
    """Read and check a study file (one-line :class:`UsageError` for anything wrong).

    ``check_models=False`` skips the registry look-up of the model presets (it imports
    torch); the site, which must not import torch, reads study files that way.
    """
    from lic_bench.config_files import read_yaml

    path = Path(path)
    raw = read_yaml(path)
    where = str(path)
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown study key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    name = str(_need(raw, "name", str, where))
    if not _KEBAB.match(name):
        raise UsageError(f"{where}: name {name!r} must be kebab-case")
    protocol = raw.get("protocol") or []
    protocol = [protocol] if isinstance(protocol, str) else protocol
    if not isinstance(protocol, list) or not all(isinstance(p, str) for p in protocol):
        raise UsageError(f"{where}: 'protocol' is a config file or a list of them")
    protocol_paths = [(path.parent / p).resolve() for p in protocol]
    for p in protocol_paths:
        if not p.is_file():
            raise UsageError(f"{where}: protocol file {p} does not exist")
    settings = flatten(raw.get("settings") or {})
    for key in settings:
        _check_key(key, where)

    models = raw.get("models")
    if isinstance(models, list) and all(isinstance(m, str) for m in models):
        models = {m: m for m in models}
    if not isinstance(models, dict) or not models:
        raise UsageError(f"{where}: 'models' is a list of registry presets or a mapping alias: preset")
    if check_models:
        from lic_bench.registry import MODELS, load_all

        load_all()
    for alias, preset in models.items():
        if check_models and preset not in MODELS:
            raise UsageError(f"{where}: unknown model {preset!r} (known: {', '.join(MODELS.list())})")
        if not _KEBAB.match(str(alias)):
            raise UsageError(f"{where}: model alias {alias!r} must be kebab-case")

    swaps = []
    for item in raw.get("swaps") or [{}]:
        if not isinstance(item, dict):
            raise UsageError(f"{where}: each swap is a mapping of --set keys (or {{name:, set:}})")
        if set(item) == {"name", "set"}:
            label, items = slug(item["name"]), flatten(item["set"] or {})
        else:
            items = flatten(item)
            label = "-".join(slug(v) if isinstance(v, str) else f"{slug(k.split('.')[-1])}{slug(v)}"
                             for k, v in sorted(items.items()))
        for key in items:
            _check_key(key, where)
        swaps.append((label, items))

    rates = raw.get("rates")
    if not (isinstance(rates, dict) and len(rates) == 1 and next(iter(rates)) in _RATE_KINDS):
        raise UsageError(f"{where}: 'rates' is one of {{quality: [...]}}, {{lmbda: [...]}}, {{gain-units: [λ, ...]}}")
    kind, values = next(iter(rates.items()))
    if not isinstance(values, list) or not values or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        raise UsageError(f"{where}: rates.{kind} must be a list of positive numbers")
    if kind == "gain-units" and len(values) < 2:
        raise UsageError(f"{where}: rates.gain-units needs at least 2 λ levels")

    seeds = raw.get("seeds", [1])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool)
                                                           for s in seeds):
        raise UsageError(f"{where}: 'seeds' is a list of integers")
    limit = raw.get("test_limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise UsageError(f"{where}: 'test_limit' is a positive number of images")
    reference = raw.get("reference") or {}
    if not isinstance(reference, dict):
        raise UsageError(f"{where}: 'reference' maps a variant to a results file")
    baseline = raw.get("baseline")
    variants = [variant_id(alias, label) for alias in models for label, _ in swaps]
    if baseline is not None and (not isinstance(baseline, str) or baseline not in variants):
        raise UsageError(f"{where}: 'baseline' names one of the study's variants ({', '.join(variants)})")
    slurm = raw.get("slurm") or {}
    if not isinstance(slurm, dict):
        raise UsageError(f"{where}: 'slurm' is a mapping of submitit parameters")
    from lic_bench.paths import project_root

    return Study(
        path=path, name=name, description=str(raw.get("description") or ""),
        protocol=protocol_paths, settings=settings, anchor=str(raw.get("anchor") or "x265-bpg444"),
        dataset=str(raw.get("dataset") or "kodak"), test_limit=limit, models=models, swaps=swaps,
        rates=(kind, [float(v) if kind != "quality" else int(v) for v in values]), seeds=seeds,
        reference={str(k): project_root() / str(v) for k, v in reference.items()}, baseline=baseline,
        protocol_hash=protocol_digest(protocol_paths),
        slurm=slurm,
    )


def protocol_digest(paths: list[Path]) -> str:
    """A hash of the protocol files' settings, their ``extends`` chains merged in: editing a
    protocol's values (not its comments) makes the cells trained with it stale."""
    from lic_bench.engine.config import deep_merge, load_file

    merged: dict[str, Any] = {}
    for path in paths:
        merged = deep_merge(merged, load_file(path))
    return hashlib.sha256(json.dumps(merged, sort_keys=True, default=str).encode()).hexdigest()[:16]


def variant_id(alias: str, swap: str) -> str:
    return "-".join(p for p in (alias, swap) if p)


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
