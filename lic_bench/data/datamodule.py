"""Lightning data module: train / val / test image folders from a config's ``data``
section (Ferrari 2025, ferrari2025-registry, section 6.5's BaseDataModule, with named
datasets instead of one class per dataset).

Config::

    data:
      data_dir: null            # default lic_bench.paths.data_dir()
      batch_size: 16
      val_batch_size: 16
      num_workers: 2
      train: {dataset: bsds500, split: train, transform: random-crop, patch_size: 256}
      val:   {dataset: bsds500, split: val, transform: center-crop, patch_size: 256}
      test:  {dataset: kodak, transform: no-crop}

``dataset`` is a name from :mod:`lic_bench.data.catalogue` or a folder path.
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader

from lic_bench.data.catalogue import resolve_split
from lic_bench.data.images import ImageFolder
from lic_bench.data.sampling import ResumableLoader, ResumableSampler
from lic_bench.data.transforms import build_transform
from lic_bench.errors import UsageError


def build_dataset(spec: dict[str, Any], data_dir: str | None = None,
                  multiple: int | None = None) -> ImageFolder:
    """An :class:`ImageFolder` for one entry of the ``data`` section."""
    if "dataset" not in spec:
        raise UsageError("a data entry needs 'dataset' (a known name or a folder path)")
    folder = resolve_split(str(spec["dataset"]), spec.get("split"), data_dir)
    name = str(spec["dataset"]) + (f"/{spec['split']}" if spec.get("split") else "")
    return ImageFolder(folder, transform=build_transform(spec, multiple),
                       scan=spec.get("scan", "auto"), name=name)


class ImageDataModule(L.LightningDataModule):
    def __init__(self, data: dict[str, Any], seed: int = 0, multiple: int | None = None):
        super().__init__()
        self.cfg = data
        self.seed = seed
        self.multiple = multiple
        self.train_set: ImageFolder | None = None
        self.val_set: ImageFolder | None = None
        self.test_set: ImageFolder | None = None

    def _build(self, key: str) -> ImageFolder | None:
        spec = self.cfg.get(key)
        if not spec:
            return None
        return build_dataset(spec, self.cfg.get("data_dir"), self.multiple)

    def setup(self, stage: str | None = None) -> None:
        if stage in (None, "fit") and self.train_set is None:
            self.train_set = self._build("train")
            if self.train_set is None:
                raise UsageError("the config has no data.train entry")
        if stage in (None, "fit", "validate") and self.val_set is None:
            self.val_set = self._build("val")
        if stage in (None, "test") and self.test_set is None:
            self.test_set = self._build("test")

    def _workers(self) -> dict[str, Any]:
        workers = int(self.cfg.get("num_workers", 0))
        return {"num_workers": workers, "persistent_workers": workers > 0}

    def train_dataloader(self) -> DataLoader:
        assert self.train_set is not None
        batch = int(self.cfg.get("batch_size", 16))
        rank = self.trainer.global_rank if self.trainer else 0
        world = self.trainer.world_size if self.trainer else 1
        sampler = ResumableSampler(len(self.train_set), seed=self.seed, rank=rank, world_size=world)
        if len(sampler) < batch:
            raise UsageError(
                f"training set {self.train_set.name} has {len(sampler)} images per device, "
                f"fewer than batch_size {batch}"
            )
        # A private generator keeps the loader from drawing on the global RNG, whose
        # state is part of what a checkpoint restores.
        return ResumableLoader(self.train_set, batch_size=batch, sampler=sampler, drop_last=True,
                               generator=torch.Generator().manual_seed(self.seed), **self._workers())

    def _eval_loader(self, dataset: ImageFolder | None, batch_key: str) -> DataLoader:
        if dataset is None:
            return []  # type: ignore[return-value] - Lightning skips an empty list
        return DataLoader(dataset, batch_size=int(self.cfg.get(batch_key, 1)), shuffle=False,
                          generator=torch.Generator(), **self._workers())

    def val_dataloader(self) -> DataLoader:
        return self._eval_loader(self.val_set, "val_batch_size")

    def test_dataloader(self) -> DataLoader:
        return self._eval_loader(self.test_set, "test_batch_size")
