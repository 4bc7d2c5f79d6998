"""``--checkpoint`` takes a state dict in CompressAI's model-zoo layout and sizes the
model from it (N, M), as CompressAI's ``from_state_dict`` does."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lic_bench.bitstream.codec import compress_file, decompress_file  # noqa: E402
from lic_bench.errors import UsageError  # noqa: E402


def _image(path):
    from PIL import Image

    g = torch.Generator().manual_seed(0)
    x = (torch.rand(40, 56, 3, generator=g) * 255).to(torch.uint8).numpy()
    Image.fromarray(x).save(path)
    return path


def test_zoo_state_dict_of_another_width_loads(tmp_path):
    import compressai.models as cm

    torch.manual_seed(0)
    zoo = cm.MeanScaleHyperprior(N=16, M=24)
    zoo.update(force=True)
    ckpt = tmp_path / "mbt2018-mean-zoo.pth.tar"
    torch.save(zoo.state_dict(), ckpt)  # the zoo's layout: a bare state dict
    image = _image(tmp_path / "x.png")
    info = compress_file(image, tmp_path / "x.lic", model="mbt2018-mean", checkpoint=ckpt, threads=1)
    assert info["model"] == "mbt2018-mean"
    out = decompress_file(tmp_path / "x.lic", tmp_path / "y.png", checkpoint=ckpt, threads=1)
    assert (tmp_path / "y.png").is_file() and out


def test_oversized_zoo_file_is_refused(tmp_path):
    state = {"g_a.0.weight": torch.zeros(600, 3, 1, 1), "g_a.6.weight": torch.zeros(8, 600, 1, 1)}
    ckpt = tmp_path / "huge.pth"
    torch.save(state, ckpt)
    with pytest.raises(UsageError, match="N=600"):
        compress_file(_image(tmp_path / "x.png"), tmp_path / "x.lic", model="mbt2018-mean", checkpoint=ckpt)
