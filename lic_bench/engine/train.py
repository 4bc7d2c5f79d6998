"""``fit`` and ``validate``: a Lightning Trainer built from a resolved config.

Every run gets its own folder ``<output_dir>/<name>/<UTC timestamp>/`` holding the
resolved ``config.yaml``, ``checkpoints/`` (every N steps, the last and the best),
CSV and TensorBoard logs and ``summary.json`` (steps, wall time, per-step time, final
validation metrics). ``trainer.devices``/``strategy``/``precision``/``accelerator`` pass
straight to Lightning, so multi-GPU DDP is ``devices: 4, strategy: ddp`` (plus
``num_nodes`` across machines; site/guides/train-distributed.md).

Under DDP, Lightning starts the other local processes by running the same command again.
They must write into the run folder of the first one, not a new timestamped folder of
their own: the first process names the folder in ``LIC_BENCH_RUN_DIR``, which the
children inherit (on several nodes, set it yourself, to one path on shared storage).
Only global rank 0 writes ``summary.json``; every rank takes part in the collective
calls at the end (the final checkpoint, the replica check).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lic_bench.engine.config import dump_config
from lic_bench.errors import UsageError
from lic_bench.paths import project_root

#: Environment variable naming the run folder that every DDP process writes into.
RUN_DIR_ENV = "LIC_BENCH_RUN_DIR"

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
    from lic_bench.ids import path_part

    name = path_part(cfg["name"], "run name")  # it may come from a checkpoint's config
    run_dir = base / name / _timestamp()
    n = 1
    while run_dir.exists():  # two runs in the same second never share a folder
        n += 1
        run_dir = base / name / f"{_timestamp()}-{n}"
    run_dir.mkdir(parents=True)
    return run_dir


def _is_launched_child() -> bool:
    """True in a DDP process started by Lightning or an external launcher (not rank 0)."""
    return any(os.environ.get(k, "0") != "0" for k in ("LOCAL_RANK", "NODE_RANK", "RANK"))


def _shared_run_dir(cfg: dict[str, Any]) -> Path:
    """The run folder: the one named by ``LIC_BENCH_RUN_DIR`` if set, else a new one."""
    named = os.environ.get(RUN_DIR_ENV)
    if not named:
        return make_run_dir(cfg)
    run_dir = Path(named)
    if list((run_dir / "checkpoints").glob("*.ckpt")):
        # Checked on every rank before any of them trains, so never a race with our own run.
        raise UsageError(f"{RUN_DIR_ENV}={run_dir} already holds checkpoints of another run; "
                         "name an empty folder")
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _replica_digest(module) -> str:
    """SHA-256 of a module's parameters and buffers (bytes, in name order)."""
    h = hashlib.sha256()
    for name, value in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _replicas_identical(trainer, module) -> bool | None:
    """Whether every DDP replica ends with the same weights (None with one process)."""
    import torch.distributed as dist

    if trainer.world_size < 2 or not (dist.is_available() and dist.is_initialized()):
        return None
    digests: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(digests, _replica_digest(module))
    return len(set(digests)) == 1


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
                           multiple=model.downsampling_factor)


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
    run_dir = _shared_run_dir(cfg)
    if resume is not None:
        cfg = {**cfg, "resumed_from": str(Path(resume).resolve())}
    if not _is_launched_child():
        dump_config(cfg, run_dir / "config.yaml")
    module = RDModule(cfg)
    datamodule = build_datamodule(cfg, module.model)
    trainer = build_trainer(cfg, run_dir, "fit")
    started = time.perf_counter()
    own_env = RUN_DIR_ENV not in os.environ
    if own_env:  # processes Lightning starts for DDP inherit the folder
        os.environ[RUN_DIR_ENV] = str(run_dir)
    try:
        _run_fit(trainer, module, datamodule, resume)
    finally:
        if own_env:
            os.environ.pop(RUN_DIR_ENV, None)
    wall = time.perf_counter() - started
    steps_done = trainer.global_step - start_step
    ckpt_cb = trainer.checkpoint_callback
    # Rank 0's folder and view of the files decide, so every rank makes the same
    # collective calls (save_checkpoint ends in a barrier).
    run_dir = Path(trainer.strategy.broadcast(str(run_dir)))
    last = run_dir / "checkpoints" / "last.ckpt"
    best = run_dir / "checkpoints" / "best.ckpt"
    last_saved = trainer.strategy.broadcast(_last_saved_step(last))
    if trainer.global_step > 0 and trainer.global_step != last_saved:
        # Stopped between periodic saves (max_time, early stopping): keep the final weights.
        trainer.save_checkpoint(last)
    identical = _replicas_identical(trainer, module)
    if identical is False:
        warnings.warn("DDP replicas ended with different weights; the checkpoint holds rank 0's",
                      RuntimeWarning, stacklevel=2)
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
    if trainer.is_global_zero:
        _write_atomically(run_dir / "summary.json", json.dumps(
            {**asdict(result), "start_step": start_step, "threads": cfg.get("threads"),
             "world_size": trainer.world_size, "replicas_identical": identical}, indent=2) + "\n")
    _leave_process_group()
    return result


def _leave_process_group() -> None:
    """End DDP's process group once every rank is done. Left open, gloo's threads are
    still running at interpreter exit, and a process now and then aborts there
    ("terminate called without an active exception") after a good run."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _run_fit(trainer, module, datamodule, resume) -> None:
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
    from lic_bench.models.checkpoint import load_plain

    ckpt = load_plain(path)
    step = ckpt.get("global_step", 0) if isinstance(ckpt, dict) else None
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise UsageError(f"{path}: not a lic-bench training checkpoint (no global_step)")
    return step


def config_from_checkpoint(path: str | Path) -> dict[str, Any]:
    """The resolved config a lic-bench checkpoint was trained with."""
    from lic_bench.models.checkpoint import load_plain

    ckpt = load_plain(path)
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
