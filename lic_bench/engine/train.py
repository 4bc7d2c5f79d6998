"""``fit`` and ``validate``: a Lightning Trainer built from a resolved config.

Every run gets its own folder ``<output_dir>/<name>/<UTC timestamp>/`` holding the
resolved ``config.yaml``, ``checkpoints/`` (every N steps, the last and the best),
CSV and TensorBoard logs and ``summary.json`` (steps, wall time, per-step time, final
validation metrics). ``trainer.devices``/``strategy``/``precision``/``accelerator`` pass
straight to Lightning, so multi-GPU DDP is ``devices: 4, strategy: ddp``.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lic_bench.engine.config import dump_config
from lic_bench.errors import UsageError
from lic_bench.paths import project_root

# Trainer arguments that lic-bench maps itself; any other key of the trainer section is
# passed to lightning.Trainer unchanged.
_OWN_TRAINER_KEYS = {"max_time", "val_every_n_steps"}


@dataclass
class FitResult:
    run_dir: str
    last_checkpoint: str | None
    best_checkpoint: str | None
    global_step: int
    wall_time_s: float
    seconds_per_step: float | None
    stopped_by: str
    val_metrics: dict[str, float]


def _timestamp() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def make_run_dir(cfg: dict[str, Any]) -> Path:
    base = Path(cfg.get("output_dir") or "runs")
    if not base.is_absolute():
        base = project_root() / base
    run_dir = base / cfg["name"] / _timestamp()
    n = 1
    while run_dir.exists():  # two runs in the same second never share a folder
        n += 1
        run_dir = base / cfg["name"] / f"{_timestamp()}-{n}"
    run_dir.mkdir(parents=True)
    return run_dir


def _max_time(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return _dt.timedelta(seconds=float(value))
    return str(value)


def _set_threads(cfg: dict[str, Any]) -> None:
    if cfg.get("threads"):
        import torch

        torch.set_num_threads(int(cfg["threads"]))


def build_trainer(cfg: dict[str, Any], run_dir: Path, stage: str = "fit"):
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, LearningRateMonitor, ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

    tcfg = dict(cfg["trainer"])
    callbacks: list[Any] = []
    if stage == "fit":
        ck = cfg["checkpoint"]
        every = int(ck.get("every_n_steps") or 0) or None
        callbacks.append(ModelCheckpoint(
            dirpath=run_dir / "checkpoints", filename="step={step:07d}", auto_insert_metric_name=False,
            every_n_train_steps=every, save_top_k=int(ck.get("keep_last", 3)), monitor="global_step",
            mode="max", save_last=True, save_on_train_epoch_end=False,
        ))
        if ck.get("save_best", True):
            callbacks.append(ModelCheckpoint(
                dirpath=run_dir / "checkpoints", filename="best", monitor="val/loss", mode="min",
                save_top_k=1, save_on_train_epoch_end=False, enable_version_counter=False,
            ))
        es = cfg.get("early_stopping") or {}
        if es.get("enabled"):
            callbacks.append(EarlyStopping(
                monitor=es.get("monitor", "val/loss"), patience=int(es.get("patience", 20)),
                min_delta=float(es.get("min_delta", 0.0)), mode="min", check_on_train_epoch_end=False,
            ))
        callbacks.append(LearningRateMonitor(logging_interval="step"))
    loggers = [CSVLogger(run_dir, name="logs", version=""),
               TensorBoardLogger(run_dir, name="tensorboard", version="", default_hp_metric=False)]
    val_every = tcfg.get("val_every_n_steps")
    extra = {k: v for k, v in tcfg.items() if k not in _OWN_TRAINER_KEYS}
    extra.setdefault("max_epochs", -1)
    return L.Trainer(
        default_root_dir=run_dir,
        logger=loggers,
        callbacks=callbacks,
        max_time=_max_time(tcfg.get("max_time")),
        val_check_interval=int(val_every) if val_every else None,
        check_val_every_n_epoch=None if val_every else 1,
        use_distributed_sampler=False,  # the training sampler shards by rank itself
        enable_checkpointing=stage == "fit",
        **extra,
    )


def build_datamodule(cfg: dict[str, Any], model):
    from lic_bench.data.datamodule import ImageDataModule

    return ImageDataModule(cfg["data"], seed=int(cfg["seed"]),
                           multiple=getattr(model, "downsampling_factor", None))


def fit(cfg: dict[str, Any], resume: str | Path | None = None) -> FitResult:
    """Train the model of a resolved config; ``resume`` continues a checkpoint exactly."""
    import lightning as L

    from lic_bench.engine.module import RDModule

    if resume is not None and not Path(resume).is_file():
        raise UsageError(f"{resume}: no such checkpoint to resume from")
    # Read first (plain data only), before a run folder or trainer exists.
    start_step = _read_ckpt_step(resume) if resume is not None else 0
    _set_threads(cfg)
    L.seed_everything(int(cfg["seed"]), workers=True, verbose=False)
    run_dir = make_run_dir(cfg)
    if resume is not None:
        cfg = {**cfg, "resumed_from": str(Path(resume).resolve())}
    dump_config(cfg, run_dir / "config.yaml")
    module = RDModule(cfg)
    datamodule = build_datamodule(cfg, module.model)
    trainer = build_trainer(cfg, run_dir, "fit")
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Our loader is resumable, and two-worker loading is a deliberate choice on 2 cores.
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        # Checkpoints hold the state after the step's update, which is what resuming needs.
        warnings.filterwarnings("ignore", message=".*no pre-optimization state was saved.*")
        # A resumed run writes to a new run folder on purpose (never over the old one).
        warnings.filterwarnings("ignore", message="The dirpath has changed from.*")
        # weights_only: a checkpoint from elsewhere must not unpickle code.
        trainer.fit(module, datamodule=datamodule, ckpt_path=str(resume) if resume else None,
                    weights_only=True)
    wall = time.perf_counter() - started
    steps_done = trainer.global_step - start_step
    ckpt_cb = trainer.checkpoint_callback
    last = run_dir / "checkpoints" / "last.ckpt"
    best = run_dir / "checkpoints" / "best.ckpt"
    if trainer.global_step > 0 and trainer.global_step != _last_saved_step(last):
        # Stopped between periodic saves (max_time, early stopping): keep the final weights.
        trainer.save_checkpoint(last)
    stopped = _stop_reason(trainer, cfg)
    result = FitResult(
        run_dir=str(run_dir),
        last_checkpoint=str(last) if last.exists() else None,
        best_checkpoint=str(best) if best.exists() else (ckpt_cb.best_model_path or None),
        global_step=int(trainer.global_step),
        wall_time_s=round(wall, 3),
        seconds_per_step=round(wall / steps_done, 4) if steps_done else None,
        stopped_by=stopped,
        val_metrics={k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val/")},
    )
    (run_dir / "summary.json").write_text(json.dumps(
        {**asdict(result), "start_step": start_step, "threads": cfg.get("threads")}, indent=2) + "\n")
    return result


def _stop_reason(trainer, cfg: dict[str, Any]) -> str:
    from lightning.pytorch.callbacks import Timer

    early = trainer.early_stopping_callback
    if early is not None and early.wait_count >= early.patience:
        return "early_stopping"
    if trainer.global_step >= int(cfg["trainer"]["max_steps"]):
        return "max_steps"
    timers = [cb for cb in trainer.callbacks if isinstance(cb, Timer)]
    if timers and (timers[0].time_remaining() or 0) <= 0:
        return "max_time"
    return "interrupted"


def _last_saved_step(path: Path) -> int | None:
    return _read_ckpt_step(path) if path.is_file() else None


def _read_ckpt_step(path: str | Path) -> int:
    import torch

    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning is noise here
            warnings.simplefilter("ignore")
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a bad file
        raise UsageError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from None
    step = ckpt.get("global_step", 0) if isinstance(ckpt, dict) else None
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise UsageError(f"{path}: not a lic-bench training checkpoint (no global_step)")
    return step


def config_from_checkpoint(path: str | Path) -> dict[str, Any]:
    """The resolved config a lic-bench checkpoint was trained with."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such checkpoint")
    try:
        with warnings.catch_warnings():  # a foreign pickle's protocol warning is noise here
            warnings.simplefilter("ignore")
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a bad file
        raise UsageError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from None
    hp = ckpt.get("hyper_parameters") if isinstance(ckpt, dict) else None
    cfg = hp.get("config") if isinstance(hp, dict) else None
    if not isinstance(cfg, dict) or not isinstance(cfg.get("model"), dict):
        raise UsageError(f"{path}: not a lic-bench training checkpoint (no config inside); pass --config")
    from lic_bench.models import load_model_config

    # The file is untrusted: its model may be named only by registry id.
    try:
        model = load_model_config(cfg["model"], trusted=False)
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None
    return {**cfg, "model": model}


def validate(cfg: dict[str, Any], checkpoint: str | Path) -> dict[str, float]:
    """Validation-set metrics (val/loss, val/bpp, val/psnr, ...) of a checkpoint."""
    import lightning as L

    from lic_bench.engine.module import RDModule

    if not Path(checkpoint).is_file():
        raise UsageError(f"{checkpoint}: no such checkpoint")
    _set_threads(cfg)
    L.seed_everything(int(cfg["seed"]), verbose=False)
    module = RDModule(cfg)
    datamodule = build_datamodule(cfg, module.model)
    run_dir = Path(checkpoint).resolve().parent.parent / "validate" / _timestamp()
    trainer = build_trainer({**cfg, "trainer": {**cfg["trainer"], "limit_val_batches": 1.0}},
                            run_dir, "validate")
    if not cfg["data"].get("val"):
        raise UsageError("the config has no data.val entry to validate on")
    with warnings.catch_warnings():
        # Validation needs none of the training callbacks the checkpoint mentions.
        warnings.filterwarnings("ignore", message=".*callbacks used to create the checkpoint.*")
        out = trainer.validate(module, datamodule=datamodule, ckpt_path=str(checkpoint), weights_only=True,
                               verbose=False)
    return {k: float(v) for k, v in (out[0] if out else {}).items()}
