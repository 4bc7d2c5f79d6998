"""Datasets, transforms and the resumable sampler on tiny generated and real images."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from lic_bench.data import (
    BadImageWarning,
    CenterCrop,
    ImageFolder,
    NoCrop,
    RandomCrop,
    build_transform,
    resolve_split,
)
from lic_bench.data.sampling import ResumableSampler
from lic_bench.errors import UsageError


def _corrupt_folder(tmp_path, write_images):
    write_images(tmp_path, 3, 40, 48)
    (tmp_path / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    good = tmp_path / "img00.png"
    data = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "notes.txt").write_text("not an image, ignored")
    return tmp_path


def test_bad_images_skipped_with_one_warning(tmp_path, image_writer):
    folder = _corrupt_folder(tmp_path, image_writer)
    with pytest.warns(BadImageWarning) as record:
        ds = ImageFolder(folder, transform=CenterCrop(32))
    assert len(record) == 1
    message = str(record[0].message)
    assert "garbage.png" in message and "truncated.png" in message and "skipped 2" in message
    assert len(ds) == 3 and [p.name for p, _ in ds.skipped] == ["garbage.png", "truncated.png"]
    assert ds[0].shape == (3, 32, 32)


def test_file_broken_after_scan_is_replaced_not_fatal(tmp_path, image_writer):
    image_writer(tmp_path, 3, 40, 48)
    ds = ImageFolder(tmp_path, transform=CenterCrop(32))
    ds.files[1].write_bytes(b"broken later")
    with pytest.warns(BadImageWarning, match="img01.png"):
        x = ds[1]
    assert torch.equal(x, ds[2])  # the next readable image stands in
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a file is reported once, not on every access
        ds[1]


def test_empty_or_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        ImageFolder(tmp_path)
    with pytest.raises(UsageError):
        ImageFolder(tmp_path / "nope")


def test_transforms(tmp_path):
    img = Image.new("RGB", (50, 30), (10, 20, 30))
    a = RandomCrop(24)(img, 5)
    assert a.shape == (3, 24, 24) and a.max() <= 1
    big = Image.fromarray((torch.rand(60, 80, 3) * 255).byte().numpy())
    assert torch.equal(RandomCrop(32)(big, 11), RandomCrop(32)(big, 11))
    assert any(not torch.equal(RandomCrop(32)(big, 11), RandomCrop(32)(big, s)) for s in range(12, 20))
    assert RandomCrop(64)(img, 0).shape == (3, 64, 64)  # padded when the image is smaller
    c = CenterCrop(20)(big)
    pixels = torch.from_numpy(np.array(big)).permute(2, 0, 1).float() / 255
    assert torch.equal(c, pixels[:, 20:40, 30:50])
    n = NoCrop(multiple=16)(img)
    assert n.shape == (3, 32, 64)
    assert torch.equal(n[:, :30, :50], NoCrop()(img))
    with pytest.raises(UsageError):
        build_transform({"transform": "random-crop", "patch_size": 100}, multiple=64)
    with pytest.raises(UsageError):
        build_transform({"transform": "zoom"})


def test_real_bsds_and_kodak_splits(shared_data):
    train = resolve_split("bsds500", "train", shared_data)
    assert train.name == "train"
    ds = ImageFolder(resolve_split("kodak", None, shared_data))
    assert len(ds) == 24 and ds.names()[0] == "kodim01"
    assert ds.load(0).size == (768, 512)
    with pytest.raises(UsageError, match="no split"):
        resolve_split("bsds500", "holdout", shared_data)
    with pytest.raises(UsageError, match="unknown dataset"):
        resolve_split("imagenet-nope", None, shared_data)


def test_dataset_checksum_tracks_bytes(tmp_path, image_writer):
    image_writer(tmp_path, 2, 20, 20)
    first = ImageFolder(tmp_path).checksum()
    assert first == ImageFolder(tmp_path).checksum()
    image_writer(tmp_path, 2, 20, 20, seed=9)
    assert ImageFolder(tmp_path).checksum() != first


def test_sampler_resumes_where_it_stopped():
    full = ResumableSampler(10, seed=3)
    full.set_epoch(2)
    everything = list(full)
    assert sorted(i for i, _ in everything) == list(range(10))
    part = ResumableSampler(10, seed=3)
    part.set_epoch(2)
    part.advance(4)
    restored = ResumableSampler(10, seed=3)
    restored.load_state_dict(part.state_dict())
    assert list(restored) == everything[4:]
    restored.set_epoch(3)  # a new epoch starts from its beginning with a new order
    assert len(list(restored)) == 10 and list(restored) != everything
    shards = [list(ResumableSampler(10, seed=3, rank=r, world_size=2)) for r in range(2)]
    assert not {i for i, _ in shards[0]} & {i for i, _ in shards[1]}
