"""Typed settings of an experiment config: what ``fit``, ``test`` and study cells accept.

Every section of a config is a pydantic model with ``extra="forbid"``: a misspelt key,
a learning rate given as ``"abc"`` or a batch of 0 is refused in one line naming the
key, wherever the config came from (a file, ``--set``, a study cell, or the config
stored in a checkpoint that ``fit --resume`` reads). Values are coerced the way
YAML users expect (``lr: 3e-4``, which YAML 1.1 reads as a string, becomes a float).

The ``model`` section is not typed here: its keys depend on the model, and it is
resolved against the registries by :func:`lic_bench.models.load_model_config`
(typed and bounded for untrusted files by :mod:`lic_bench.models.settings`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lic_bench.errors import UsageError

__all__ = ["ExperimentSettings", "defaults", "validate_config"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LossSettings(_Section):
    distortion: Literal["mse", "ms-ssim"] = "mse"
    lmbda: float | None = Field(None, gt=0)
    quality: int | None = None  # 1..8 of the distortion's λ table (checked on resolving)


class SchedulerSettings(_Section):
    """``plateau``: ×``factor`` after ``patience`` validations without improvement
    (CompressAI's zoo: ÷2, patience 20); ``cosine``: per step down to ``min_lr``."""

    name: Literal["plateau", "cosine", "constant"] = "plateau"
    factor: float = Field(0.5, gt=0, lt=1)
    patience: int = Field(20, ge=0)
    min_lr: float = Field(1e-6, ge=0)
    warmup_steps: int = Field(0, ge=0)


class OptimSettings(_Section):
    lr: float = Field(1e-4, gt=0)
    aux_lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    clip_max_norm: float | None = Field(1.0, gt=0)
    scheduler: SchedulerSettings = SchedulerSettings()


class SplitSettings(_Section):
    """One data split: a dataset name under the data folder, or a folder path."""

    dataset: str
    split: str | None = None
    transform: Literal["random-crop", "center-crop", "no-crop"] = "center-crop"
    patch_size: int = Field(256, ge=1)
    scan: str = "auto"
    multiple: int | None = Field(None, ge=1)


class DataSettings(_Section):
    data_dir: str | None = None
    batch_size: int = Field(16, ge=1)
    val_batch_size: int = Field(16, ge=1)
    num_workers: int = Field(2, ge=0)
    train: SplitSettings = SplitSettings(dataset="bsds500", split="train", transform="random-crop")
    val: SplitSettings | None = SplitSettings(dataset="bsds500", split="val", transform="center-crop")


class TrainerSettings(_Section):
    """Our keys, and the Lightning ``Trainer`` arguments lic-bench passes on."""

    max_steps: int = Field(1_000_000, ge=-1)
    max_time: str | float | None = None  # seconds, or "DD:HH:MM:SS"
    val_every_n_steps: int | None = Field(1000, ge=1)
    limit_val_batches: int | float = Field(1.0, ge=0)
    log_every_n_steps: int = Field(50, ge=1)
    accelerator: str = "auto"
    devices: int | str | list[int] = 1
    num_nodes: int = Field(1, ge=1)
    strategy: str = "auto"
    precision: Literal["32-true", "32", "bf16-mixed", "bf16-true", "16-mixed", "64-true"] = "32-true"
    num_sanity_val_steps: int = Field(0, ge=-1)
    enable_progress_bar: bool = True
    accumulate_grad_batches: int = Field(1, ge=1)


class CheckpointSettings(_Section):
    every_n_steps: int | None = Field(1000, ge=0)
    keep_last: int = Field(3, ge=-1)
    save_best: bool = True


class EarlyStoppingSettings(_Section):
    enabled: bool = True
    monitor: str = "val/loss"
    patience: int = Field(20, ge=0)
    min_delta: float = Field(0.0, ge=0)


class TestSettings(_Section):
    dataset: str = "kodak"
    split: str | None = None
    lpips_net: Literal["alex", "vgg", "squeeze"] | None = "alex"


class ExperimentSettings(_Section):
    """A whole config (Ferrari 2025, ferrari2025-registry, section 6.6: an open config,
    where a missing field takes its default)."""

    name: str | None = None  # run name; default "<model>-<distortion>-<lambda>"
    description: str = ""
    seed: int = Field(1, ge=0)
    output_dir: str = "runs"
    threads: int | None = Field(None, ge=1)
    protocol: str | None = None
    resumed_from: str | None = None
    model: dict[str, Any] | None = None  # resolved by lic_bench.models.load_model_config
    loss: LossSettings = LossSettings()
    optim: OptimSettings = OptimSettings()
    data: DataSettings = DataSettings()
    trainer: TrainerSettings = TrainerSettings()
    checkpoint: CheckpointSettings = CheckpointSettings()
    early_stopping: EarlyStoppingSettings = EarlyStoppingSettings()
    test: TestSettings = TestSettings()


def defaults() -> dict[str, Any]:
    """Every section with its default values, as plain data."""
    return ExperimentSettings().model_dump()


def validate_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` checked and coerced to its types, as plain data; one-line UsageError otherwise."""
    try:
        return ExperimentSettings.model_validate(cfg).model_dump()
    except ValidationError as exc:
        raise UsageError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        section = err["loc"][:-1]
        known = _known_keys(section)
        return f"unknown config key {key!r}" + (f"; known here: {', '.join(known)}" if known else "")
    value = err.get("input")
    shown = repr(value) if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"config key {key!r}: {err['msg']} (got {shown[:60]}){more}"


def _known_keys(section: tuple) -> list[str]:
    model: type[BaseModel] | None = ExperimentSettings
    for part in section:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return []
        annotation = model.model_fields[part].annotation
        model = next((a for a in (annotation, *getattr(annotation, "__args__", ()))
                      if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return list(model.model_fields) if model is not None else []
