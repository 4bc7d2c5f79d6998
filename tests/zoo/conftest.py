"""Files in the format of CompressAI's published weights, made here, served locally.

For each architecture CompressAI publishes, its own class is built at the widths of
its quality 1 (the smallest), seeded, and its state dict saved with ``torch.save`` in
the layout of the published files (the older key names that CompressAI's
``load_pretrained`` renames), named as the published files are
(``<stem>-<sha256[:8]>.pth.tar``). A local HTTP server plays CompressAI's download
host: the URL table CompressAI ships is pointed at it, and torch's hub cache is a
temporary folder, so nothing is fetched from the internet and nothing outside the
test's folders is written.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ARCHITECTURES = ("bmshj2018-factorized", "bmshj2018-hyperprior", "mbt2018-mean", "mbt2018",
                 "cheng2020-anchor", "cheng2020-attn")
CROP = 64


def published_layout(state: dict) -> dict:
    """The key names of CompressAI's published (v1) files: parameter lists of the
    entropy bottleneck, ``downsample`` for the strided residual blocks' shortcut."""
    out = {}
    for key, value in state.items():
        m = re.fullmatch(r"entropy_bottleneck\._(bias|matrix|factor)(\d+)", key)
        if m:
            plural = {"bias": "biases", "matrix": "matrices", "factor": "factors"}[m.group(1)]
            key = f"entropy_bottleneck._{plural}.{m.group(2)}"
        out[key.replace(".skip.", ".downsample.")] = value
    return out


def compressai_model(arch: str, quality: int = 1, metric: str = "mse"):
    """CompressAI's own model of ``arch`` at ``quality``'s widths, seeded, tables built."""
    from compressai.zoo.image import cfgs, model_architectures

    torch.manual_seed(1000 + ARCHITECTURES.index(arch) * 10 + quality + (metric != "mse"))
    net = model_architectures[arch](*cfgs[arch][quality]).eval()
    net.update(force=True)
    return net


def _stem(url: str) -> str:
    """``.../mbt2018-mean-1-e522738d.pth.tar`` -> ``mbt2018-mean-1``."""
    return re.sub(r"-[0-9a-f]{8}\.pth\.tar$", "", url.rsplit("/", 1)[-1])


@pytest.fixture(scope="session")
def zoo_files(tmp_path_factory):
    """``make(arch, quality=1, metric="mse") -> Path``: a CompressAI-format file in the
    served folder (made once per session)."""
    from compressai.zoo.image import model_urls

    root = tmp_path_factory.mktemp("zoo-served")
    made: dict[tuple, Path] = {}

    def make(arch: str, quality: int = 1, metric: str = "mse") -> Path:
        key = (arch, quality, metric)
        if key not in made:
            tmp = root / "unnamed.pth.tar"
            torch.save(published_layout(compressai_model(arch, quality, metric).state_dict()), tmp)
            digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:8]
            made[key] = tmp.rename(root / f"{_stem(model_urls[arch][metric][quality])}-{digest}.pth.tar")
        return made[key]

    make.root = root
    return make


@pytest.fixture(scope="session")
def zoo_server(zoo_files):
    """Base URL of an HTTP server on 127.0.0.1 serving the made files."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: Quiet(*a, directory=str(zoo_files.root), **k))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def published(zoo_files, zoo_server, monkeypatch, tmp_path):
    """``publish(arch, quality=1, metric="mse") -> Path``: make the file and point
    CompressAI's URL table at the local server for it. torch's hub cache is a temporary
    folder and ``$LIC_BENCH_WEIGHTS`` is unset."""
    from compressai.zoo import image

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.delenv("LIC_BENCH_WEIGHTS", raising=False)
    monkeypatch.delenv("LIC_BENCH_PRETRAINED_URL", raising=False)
    table = {a: {m: dict(q) for m, q in by.items()} for a, by in image.model_urls.items()}
    monkeypatch.setattr(image, "model_urls", table)

    def publish(arch: str, quality: int = 1, metric: str = "mse") -> Path:
        path = zoo_files(arch, quality, metric)
        table[arch][metric][quality] = f"{zoo_server}/{path.name}"
        return path

    return publish


@pytest.fixture(scope="session")
def kodak_crops(tmp_path_factory):
    """``<dir>/kodak/`` holding 64x64 crops of two Kodak images (from ../shared/data)."""
    from PIL import Image

    from lic_bench.paths import data_dir

    src = data_dir() / "kodak"
    files = sorted(src.glob("kodim*.png"))[:2]
    if len(files) < 2:
        pytest.skip(f"Kodak images not found in {src}")
    root = tmp_path_factory.mktemp("crops")
    (root / "kodak").mkdir()
    for i, path in enumerate(files):
        with Image.open(path) as im:
            left, top = 200 + 64 * i, 150
            im.convert("RGB").crop((left, top, left + CROP, top + CROP)).save(root / "kodak" / path.name)
    return root
