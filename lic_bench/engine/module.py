"""The Lightning module that trains any registry model on the rate-distortion loss
(Ferrari 2025, ferrari2025-registry, sections 6.4 and 7.1.2: Adam, main and auxiliary
optimizers, learning-rate decay, early stopping).

Two optimizers, as in CompressAI's training example: the main one for every parameter
except the entropy bottleneck's ``quantiles``, which the auxiliary optimizer fits to the
auxiliary loss. Optimization is manual; the auxiliary step goes to the raw optimizer so
that Lightning's ``global_step`` counts training steps, not optimizer calls.

Under DDP the quantiles are left out of the gradient all-reduce: the auxiliary loss
does not depend on the data, so every replica computes the same auxiliary gradient
locally. Were they left in, their bucket would complete only at the auxiliary backward,
after the main optimizer had already stepped on gradients not yet averaged, and the
replicas would drift apart (measured: every parameter differed after 4 steps on 2
processes).

Checkpoints carry, besides Lightning's own state (weights, both optimizers, scheduler,
loop progress), the RNG states (restored right before training continues) and the
training sampler's position, so a resumed run repeats exactly what an uninterrupted one
would have done.
"""

from __future__ import annotations

import math
import random
from typing import Any

import lightning as L
import numpy as np
import torch

from lic_bench.engine.loss import RateDistortionLoss
from lic_bench.engine.step import training_math
from lic_bench.metrics.distortion import psnr_from_mse

_RNG_KEY = "lic_bench_rng"


def _is_auxiliary(name: str) -> bool:
    return name.endswith("quantiles")


def split_parameters(model: torch.nn.Module) -> tuple[list, list]:
    """(main, auxiliary) parameters: auxiliary are the entropy bottlenecks' quantiles."""
    main, aux = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (aux if _is_auxiliary(name) else main).append(param)
    return main, aux


def _rng_states() -> dict[str, Any]:
    # Plain types and tensors only, so the checkpoint still loads with weights_only=True.
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    states = {"torch": torch.get_rng_state(), "python": random.getstate(),
              "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss),
                        float(gauss)]}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def _set_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    random.setstate(states["python"])
    kind, keys, pos, has_gauss, gauss = states["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


class RDModule(L.LightningModule):
    """Wraps ``build_model(config["model"])`` with the loss and optimizers of ``config``."""

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        from lic_bench.models import build_model

        # "model" is the resolved model config, where lic_bench.models.read_checkpoint looks.
        self.save_hyperparameters({"config": config, "model": config["model"]})
        self.config = config
        self.model = build_model(config["model"])
        # DDP wraps this module: keep the auxiliary parameters out of its all-reduce (see
        # the module docstring). PyTorch's documented way to exclude parameters from DDP.
        torch.nn.parallel.DistributedDataParallel._set_params_and_buffers_to_ignore_for_model(
            self, [f"model.{n}" for n, _ in self.model.named_parameters() if _is_auxiliary(n)])
        self.criterion = RateDistortionLoss(config["loss"]["lmbda"], config["loss"]["distortion"])
        self.automatic_optimization = False
        self._pending_rng: dict[str, Any] | None = None

    def forward(self, x: torch.Tensor) -> dict:
        return self.model(x)

    # -- training ---------------------------------------------------------------------
    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        with training_math():  # flushed denormals, for this step only (engine/step.py)
            return self._training_step(batch)

    def _training_step(self, batch: torch.Tensor) -> torch.Tensor:
        opt, aux_opt = self.optimizers()
        out = self.model(batch)
        losses = self.criterion(out, batch)
        opt.zero_grad()
        self.manual_backward(losses["loss"])
        clip = self.config["optim"].get("clip_max_norm")
        if clip:
            self.clip_gradients(opt, gradient_clip_val=float(clip), gradient_clip_algorithm="norm")
        opt.step()

        # The auxiliary loss only moves the quantiles; computed in full precision and
        # stepped on the raw optimizer (see the module docstring).
        aux_opt.zero_grad()
        with torch.autocast(device_type=self.device.type, enabled=False):
            aux_loss = self.model.aux_loss()
        aux_loss.backward()
        aux_opt.optimizer.step()

        self._step_scheduler_per_step()
        batch_size = batch.shape[0]
        # Advanced here, not in on_train_batch_end: checkpoint callbacks save before the
        # module's own batch-end hook runs, and the saved position must include this batch.
        sampler = getattr(self.trainer.train_dataloader, "sampler", None)
        if hasattr(sampler, "advance"):
            sampler.advance(batch_size)
        self.log_dict(
            {
                "train/loss": losses["loss"].detach(),
                "train/bpp": losses["bpp"].detach(),
                "train/mse": losses["mse"].detach(),
                "train/psnr": psnr_from_mse(float(losses["mse"].detach())),
                "train/aux_loss": aux_loss.detach(),
                "lr": opt.param_groups[0]["lr"],
            },
            prog_bar=False, on_step=True, on_epoch=False, batch_size=batch_size,
        )
        self.log("loss", losses["loss"].detach(), prog_bar=True, on_step=True, logger=False,
                 batch_size=batch_size)
        self.log("bpp", losses["bpp"].detach(), prog_bar=True, on_step=True, logger=False,
                 batch_size=batch_size)
        self.log("global_step", float(self.global_step), on_step=True, logger=False,
                 batch_size=batch_size)
        return losses["loss"].detach()

    # -- validation ---------------------------------------------------------------------
    def validation_step(self, batch: torch.Tensor, batch_idx: int) -> None:
        out = self.model(batch)
        losses = self.criterion(out, batch)
        metrics = {f"val/{k}": v.detach() for k, v in losses.items()}
        metrics["val/psnr"] = -10.0 * torch.log10(losses["mse"].detach().clamp_min(1e-12))
        metrics["val/aux_loss"] = self.model.aux_loss().detach()
        self.log_dict(metrics, on_step=False, on_epoch=True, prog_bar=False, sync_dist=True,
                      batch_size=batch.shape[0])

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking:
            return
        sched = self.lr_schedulers()
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            value = self.trainer.callback_metrics.get("val/loss")
            if value is not None:
                sched.step(float(value))

    # -- optimizers ----------------------------------------------------------------------
    def configure_optimizers(self):
        optim = self.config["optim"]
        main, aux = split_parameters(self.model)
        opt = torch.optim.Adam(main, lr=float(optim["lr"]),
                               weight_decay=float(optim.get("weight_decay") or 0.0))
        aux_opt = torch.optim.Adam(aux, lr=float(optim["aux_lr"]))
        sched_cfg = dict(optim.get("scheduler") or {"name": "constant"})
        name = sched_cfg.get("name", "constant")
        if name == "plateau":
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, mode="min", factor=float(sched_cfg.get("factor", 0.5)),
                patience=int(sched_cfg.get("patience", 20)),
                min_lr=float(sched_cfg.get("min_lr", 0.0)),
            )
        elif name in ("cosine", "constant"):
            sched = torch.optim.lr_scheduler.LambdaLR(opt, self._lr_factor_fn(sched_cfg))
        else:
            raise ValueError(f"unknown scheduler {name!r} (plateau, cosine, constant)")
        # Stepped by hand (manual optimization): per step, or on val/loss for plateau.
        return [opt, aux_opt], [sched]

    def _lr_factor_fn(self, sched_cfg: dict[str, Any]):
        """Per-step factor: linear warm-up, then constant or cosine down to ``min_lr``."""
        lr = float(self.config["optim"]["lr"])
        floor = float(sched_cfg.get("min_lr", 0.0)) / lr
        warmup = int(sched_cfg.get("warmup_steps", 0))
        total = int(self.config["trainer"]["max_steps"])
        cosine = sched_cfg.get("name") == "cosine"

        def factor(step: int) -> float:
            if warmup and step < warmup:
                return (step + 1) / warmup
            if not cosine:
                return 1.0
            t = min(1.0, (step - warmup) / max(1, total - warmup))
            return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * t))

        return factor

    def _step_scheduler_per_step(self) -> None:
        sched = self.lr_schedulers()
        if sched is not None and not isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step()

    # -- exact resume --------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint[_RNG_KEY] = _rng_states()

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._pending_rng = checkpoint.get(_RNG_KEY)

    def on_train_start(self) -> None:
        # Restored here, after set-up code that may draw random numbers, so the next
        # training step sees the generator exactly where the saved run left it.
        if self._pending_rng is not None:
            _set_rng_states(self._pending_rng)
            self._pending_rng = None
