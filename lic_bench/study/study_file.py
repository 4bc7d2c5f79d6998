"""The study file's types: one pydantic model, strict, no unknown keys.

A study file (``configs/studies/*.yaml``, see :mod:`lic_bench.study.grid` for its keys)
comes from elsewhere, so everything in it is checked before anything is run: types
(strict: ``"3"`` is not a seed), forms (kebab-case names, one rate kind, positive
rates), what it refers to (protocol files, registry presets, config keys, the baseline
variant). :func:`read_study_file` turns the first thing wrong into one line,
``<path>: <field>: <what is wrong>``. The model cells' own configs are checked when
the grid is expanded (each cell's config is resolved) and by
:mod:`lic_bench.study.trust`, not here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lic_bench.errors import UsageError

__all__ = ["StudyFile", "check_config_key", "flatten", "read_study_file", "slug", "swap_label", "variant_id"]

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _kebab(value: str) -> str:
    if not _KEBAB.match(value):
        raise ValueError(f"{value!r} must be kebab-case")
    return value


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _presets(value: Any) -> Any:
    # a list of presets is the mapping of each to itself
    if isinstance(value, list):
        if not all(isinstance(m, str) for m in value):
            raise ValueError("a list of registry presets, or a mapping alias: preset")
        return {m: m for m in value}
    return value


Kebab = Annotated[str, AfterValidator(_kebab)]
Positive = Annotated[float, Field(gt=0)]


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


def check_config_key(dotted: str) -> None:
    """The first two parts of a config key must exist (``model.*`` is checked by the model)."""
    from lic_bench.engine.config import _SECTIONS, DEFAULTS

    head, _, rest = dotted.partition(".")
    if head not in _SECTIONS:
        raise ValueError(f"unknown config key {dotted!r} (sections: {', '.join(sorted(DEFAULTS))})")
    section = DEFAULTS.get(head)
    second = rest.split(".")[0]
    if isinstance(section, dict) and second and second not in section:
        raise ValueError(f"unknown config key {dotted!r} ({head} has: {', '.join(section)})")


def _config_items(data: Mapping[str, Any]) -> dict[str, Any]:
    items = flatten(data)
    for key in items:
        check_config_key(key)
    return items


def swap_label(swap: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(label, --set items)`` of one checked swap: ``{name:, set:}`` names itself, any
    other is labelled by its values (``{model.N: 16}`` -> ``n16``)."""
    if set(swap) == {"name", "set"}:
        return slug(swap["name"]), flatten(swap["set"] or {})
    items = flatten(swap)
    label = "-".join(slug(v) if isinstance(v, str) else f"{slug(k.split('.')[-1])}{slug(v)}"
                     for k, v in sorted(items.items()))
    return label, items


def variant_id(alias: str, swap: str) -> str:
    return "-".join(p for p in (alias, swap) if p)


class Rates(BaseModel):
    """Exactly one kind: ``quality`` or ``lmbda`` give one fixed-rate cell per value,
    ``gain-units`` one variable-rate cell tested at each of its λ (at least 2)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    quality: list[Annotated[int, Field(gt=0)]] | None = Field(None, min_length=1)
    lmbda: list[Positive] | None = Field(None, min_length=1)
    gain_units: list[Positive] | None = Field(None, alias="gain-units", min_length=2)

    @model_validator(mode="after")
    def _one_kind(self) -> Rates:
        if sum(v is not None for v in (self.quality, self.lmbda, self.gain_units)) != 1:
            raise ValueError("give one of {quality: [...]}, {lmbda: [...]}, {gain-units: [λ, ...]}")
        return self

    def kind(self) -> tuple[str, list[float]]:
        if self.quality is not None:
            return "quality", list(self.quality)
        if self.lmbda is not None:
            return "lmbda", list(self.lmbda)
        return "gain-units", list(self.gain_units or [])


class StudyFile(BaseModel):
    """A study file as written (paths relative to it); see :mod:`lic_bench.study.grid`.

    Validated with ``context={"folder": <the file's folder>, "check_models": bool}``.
    """

    model_config = ConfigDict(strict=True, extra="forbid")

    name: Kebab
    description: str | None = None
    protocol: Annotated[list[str], BeforeValidator(_one_or_list)] | None = None
    settings: dict[str, Any] | None = None
    anchor: str | None = None
    dataset: str | None = None
    test_limit: Annotated[int, Field(ge=1)] | None = None
    models: Annotated[dict[Kebab, str], BeforeValidator(_presets), Field(min_length=1)]
    swaps: list[dict[str, Any]] | None = None
    rates: Rates
    seeds: list[int] = Field([1], min_length=1)
    reference: dict[str, str] | None = None
    baseline: str | None = None
    slurm: dict[str, Any] | None = None

    @field_validator("protocol")
    @classmethod
    def _protocol_files(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        folder = Path((info.context or {}).get("folder", "."))
        for p in value or []:
            if not (folder / p).resolve().is_file():
                raise ValueError(f"protocol file {(folder / p).resolve()} does not exist")
        return value

    @field_validator("settings")
    @classmethod
    def _settings_keys(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        _config_items(value or {})
        return value

    @field_validator("models")
    @classmethod
    def _known_presets(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        if (info.context or {}).get("check_models", True):
            from lic_bench.registry import MODELS, load_all

            load_all()
            for preset in value.values():
                if preset not in MODELS:
                    raise ValueError(f"unknown model {preset!r} (known: {', '.join(MODELS.list())})")
        return value

    @field_validator("swaps")
    @classmethod
    def _swap_keys(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for swap in value or []:
            if set(swap) == {"name", "set"}:
                if not isinstance(swap["set"], Mapping | None):
                    raise ValueError("a named swap's 'set' is a mapping of --set keys")
                _config_items(swap["set"] or {})
            else:
                _config_items(swap)
        return value

    @field_validator("baseline")
    @classmethod
    def _baseline_is_a_variant(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "models" not in info.data or "swaps" not in info.data:
            return value  # nothing to check against: the models or swaps are wrong already
        swaps = [swap_label(s)[0] for s in info.data["swaps"] or [{}]]
        variants = [variant_id(alias, label) for alias in info.data["models"] for label in swaps]
        if value not in variants:
            raise ValueError(f"{value!r} names none of the study's variants ({', '.join(variants)})")
        return value

    def swap_items(self) -> list[tuple[str, dict[str, Any]]]:
        """``(label, --set items)`` of each swap (none: the presets as they are)."""
        return [swap_label(s) for s in self.swaps or [{}]]


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _one_line(where: str, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    unknown = [str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    if unknown:
        return (f"{where}: unknown study key(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(StudyFile.model_fields))}")
    err = errors[0]
    field = ".".join(str(p) for p in err["loc"] if p != "[key]") or "study"
    if err["type"] == "missing":
        what = "missing (a study needs it)"
    elif err["type"] == "extra_forbidden":
        what = "unknown key"
    elif err["type"] == "value_error":
        what = err["msg"].removeprefix("Value error, ")
    else:
        msg = re.sub(r" or instance of \w+", "", err["msg"])
        what = f"{msg[0].lower()}{msg[1:]} (got {_shown(err.get('input'))})"
    return f"{where}: {field}: {what}"


def read_study_file(path: Path, *, check_models: bool = True) -> StudyFile:
    """The checked study file at ``path``; one-line :class:`UsageError` otherwise."""
    from lic_bench.config_files import read_yaml

    raw = read_yaml(path)
    try:
        return StudyFile.model_validate(raw, context={"folder": path.parent, "check_models": check_models})
    except ValidationError as exc:
        raise UsageError(_one_line(str(path), exc)) from None
