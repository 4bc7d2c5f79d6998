"""Fixtures of the pipeline tests: tiny image folders and a tiny trained run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    torch.set_num_threads(1)


def smooth_image(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A natural-ish test image: low-frequency colour fields plus a little noise."""
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.28)
        channels.append(0.5 + 0.35 * np.sin(fx * 6.28 * xx + phase) * np.cos(fy * 6.28 * yy))
    img = np.stack(channels, -1) + rng.normal(0, 0.03, (height, width, 3))
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def write_images(folder: Path, count: int, height: int, width: int, seed: int = 0) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        path = folder / f"img{i:02d}.png"
        Image.fromarray(smooth_image(rng, height, width)).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory, shared_data) -> Path:
    """train/ (6 generated images + 2 real BSDS500 images, linked, not copied), val/, test/."""
    root = tmp_path_factory.mktemp("tiny-data")
    write_images(root / "train", 6, 72, 88, seed=1)
    for src in sorted((shared_data / "bsds500" / "train").glob("*.jpg"))[:2]:
        (root / "train" / src.name).symlink_to(src)
    write_images(root / "val", 4, 64, 64, seed=2)
    write_images(root / "test", 2, 176, 192, seed=3)
    return root


def tiny_overrides(data: Path, out: Path, **extra) -> list[str]:
    """``--set`` items for a seconds-long run of a very small model on ``tiny_data``."""
    items = {
        "model.name": "bmshj2018-hyperprior", "model.N": 8, "model.M": 12,
        "loss.quality": 3, "seed": 7, "threads": 1, "output_dir": str(out),
        "data.batch_size": 2, "data.val_batch_size": 2, "data.num_workers": 0,
        "data.train": f"{{dataset: {data / 'train'}, transform: random-crop, patch_size: 64}}",
        "data.val": f"{{dataset: {data / 'val'}, transform: center-crop, patch_size: 64}}",
        "test.dataset": str(data / "test"),
        "trainer.max_steps": 4, "trainer.val_every_n_steps": 2, "trainer.limit_val_batches": 1,
        "trainer.enable_progress_bar": False, "trainer.log_every_n_steps": 1,
        "checkpoint.every_n_steps": 2, "checkpoint.keep_last": -1,
        "optim.scheduler.name": "constant", "optim.lr": 1e-3,
    }
    items.update(extra)
    return [f"{k}={v}" for k, v in items.items()]


@pytest.fixture(scope="session")
def tiny_run(tiny_data, tmp_path_factory):
    """One 4-step training run shared by the evaluation tests."""
    from lic_bench.engine.config import load_config
    from lic_bench.engine.train import fit

    out = tmp_path_factory.mktemp("runs")
    cfg = load_config([], tiny_overrides(tiny_data, out))
    return fit(cfg)


@pytest.fixture(scope="session")
def image_writer():
    """``write_images(folder, count, height, width, seed=0)`` for tests that need files."""
    return write_images


@pytest.fixture(scope="session")
def overrides_for():
    """``tiny_overrides(data, out, **extra)``: --set items of a seconds-long run."""
    return tiny_overrides
