"""A training sampler and loader that make resuming exact.

:class:`ResumableSampler` draws a fresh permutation per epoch from ``(seed, epoch)`` and
hands each index out together with a per-sample seed for the random crop. It knows how
many samples training has consumed in the current epoch (the training module calls
:meth:`ResumableSampler.advance` after each step, because the loader's workers run ahead
of training), and :class:`ResumableLoader` exposes that position as ``state_dict`` so
Lightning stores it in every checkpoint and restores it before iterating again: a run
killed at step k and resumed sees exactly the batches an uninterrupted run would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Sampler


def _mix(*values: int) -> int:
    """A 31-bit seed from integers (splitmix-style), stable across Python versions."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h ^= (v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)) & 0xFFFFFFFFFFFFFFFF
        h = (h * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return int(h >> 33)


class ResumableSampler(Sampler):
    """Per-epoch shuffled ``(index, crop_seed)`` pairs, sharded by ``rank``."""

    def __init__(self, size: int, seed: int = 0, rank: int = 0, world_size: int = 1,
                 shuffle: bool = True):
        self.size = size
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.shuffle = shuffle
        self.epoch = 0
        self.consumed = 0  # samples of this rank's shard used by training this epoch

    def _order(self) -> list[int]:
        if self.shuffle:
            g = torch.Generator().manual_seed(_mix(self.seed, self.epoch))
            order = torch.randperm(self.size, generator=g).tolist()
        else:
            order = list(range(self.size))
        usable = len(order) - len(order) % self.world_size if len(order) >= self.world_size else len(order)
        return order[:usable][self.rank :: self.world_size]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        order = self._order()
        for position in range(self.consumed, len(order)):
            yield order[position], _mix(self.seed, self.epoch, position, self.rank)

    def __len__(self) -> int:
        return len(self._order()) if self.world_size > 1 else self.size

    def set_epoch(self, epoch: int) -> None:
        if epoch != self.epoch:
            self.epoch = epoch
            self.consumed = 0

    def advance(self, samples: int) -> None:
        self.consumed += samples

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "consumed": self.consumed, "seed": self.seed,
                "size": self.size}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("size", self.size) != self.size:
            # A different dataset: the old position means nothing; start the epoch over.
            self.epoch, self.consumed = int(state["epoch"]), 0
            return
        self.epoch, self.consumed = int(state["epoch"]), int(state["consumed"])


class ResumableLoader(DataLoader):
    """A DataLoader whose position (its sampler's) is saved in checkpoints."""

    def state_dict(self) -> dict[str, Any]:
        return self.sampler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.sampler.load_state_dict(state)
