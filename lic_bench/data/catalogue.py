"""The datasets lic-bench knows by name: where their splits live under the data folder
and where the official copies can be downloaded.

A dataset folder sits under :func:`lic_bench.paths.data_dir` (``--data-dir``,
``$LIC_BENCH_DATA``, default ``../shared/data``); a split is a sub-folder (BSDS500's
``train``/``val``/``test``) or the folder itself (Kodak is one test set).

Each dataset is registered (:func:`register_dataset`) in the dataset registry,
:data:`lic_bench.registry.DATASETS`, which ``components list``, ``data list``, ``eval``,
``test`` and ``fit`` read; another package adds its own through :mod:`lic_bench.plugins`.
A plugin's ``folder`` may be absolute (a data set kept outside the data folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lic_bench.errors import UsageError
from lic_bench.paths import data_dir
from lic_bench.registry import DATASETS

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".tif", ".tiff", ".webp"}
)


@dataclass(frozen=True)
class Download:
    """One file of an official source. ``extract`` maps archive member prefixes to
    sub-folders of the dataset (empty for a file that is an image itself)."""

    url: str
    filename: str
    extract: dict[str, str] = field(default_factory=dict)
    split: str | None = None  # the split this download provides (None: all of them)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    description: str
    folder: str
    splits: dict[str, str]  # split name -> sub-folder ("" = the dataset folder itself)
    default_split: str
    downloads: tuple[Download, ...] = ()
    checksums: str | None = None  # file in lic_bench/data/checksums (sha256sum format)
    homepage: str = ""
    licence: str = ""

    def split_dir(self, split: str | None = None, root: str | Path | None = None) -> Path:
        split = split or self.default_split
        if split not in self.splits:
            raise UsageError(
                f"dataset {self.name!r} has no split {split!r}; it has {', '.join(self.splits)}"
            )
        return data_dir(root) / self.folder / self.splits[split]

    def expected_checksums(self) -> dict[str, str]:
        """``{relative path: sha256}`` from the shipped list (empty when there is none)."""
        if not self.checksums:
            return {}
        text = resources.files("lic_bench.data").joinpath("checksums", self.checksums).read_text()
        out = {}
        for line in text.splitlines():
            if line.strip():
                digest, name = line.split(maxsplit=1)
                out[name.lstrip("*").removeprefix("./")] = digest
        return out


_KODAK = "http://r0k.us/graphics/kodak/kodak"
_BSDS = (
    "http://www.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/BSR/BSR_bsds500.tgz"
)
_CLIC = "https://data.vision.ee.ethz.ch/cvl/clic"


def register_dataset(info: DatasetInfo, *, papers: tuple[str, ...] = ()) -> DatasetInfo:
    """Register ``info`` under its name (kebab-case) in the dataset registry; returns it."""
    return DATASETS.register(info.name, papers=papers, description=info.description,
                             splits=list(info.splits), default_split=info.default_split)(info)


for _info in (
    DatasetInfo(
        name="kodak",
        description="Kodak Lossless True Color Image Suite: 24 PNGs, 768x512 (standard test set)",
        folder="kodak",
        splits={"test": ""},
        default_split="test",
        downloads=tuple(
            Download(f"{_KODAK}/kodim{i:02d}.png", f"kodim{i:02d}.png") for i in range(1, 25)
        ),
        checksums="kodak.sha256",
        homepage="http://r0k.us/graphics/kodak/",
        licence="released by Eastman Kodak for unrestricted usage",
    ),
    DatasetInfo(
        name="bsds500",
        description="Berkeley Segmentation Dataset 500: JPEGs 481x321, train 200 / val 100 / test 200",
        folder="bsds500",
        splits={"train": "train", "val": "val", "test": "test"},
        default_split="train",
        downloads=(
            Download(
                _BSDS,
                "BSR_bsds500.tgz",
                extract={f"BSR/BSDS500/data/images/{s}/": s for s in ("train", "val", "test")},
            ),
        ),
        checksums="bsds500.sha256",
        homepage="https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/resources.html",
        licence="research and non-commercial use (Berkeley terms)",
    ),
    DatasetInfo(
        name="clic2020",
        description="CLIC 2020 professional and mobile validation / test PNGs",
        folder="clic2020",
        splits={
            "professional-valid": "professional-valid",
            "mobile-valid": "mobile-valid",
            "professional-test": "professional-test",
            "mobile-test": "mobile-test",
        },
        default_split="professional-valid",
        downloads=(
            Download(f"{_CLIC}/professional_valid_2020.zip", "professional_valid_2020.zip",
                     extract={"": "professional-valid"}, split="professional-valid"),
            Download(f"{_CLIC}/mobile_valid_2020.zip", "mobile_valid_2020.zip",
                     extract={"": "mobile-valid"}, split="mobile-valid"),
            Download(f"{_CLIC}/test/CLIC2020Professional_test.zip",
                     "CLIC2020Professional_test.zip",
                     extract={"": "professional-test"}, split="professional-test"),
            Download(f"{_CLIC}/test/CLIC2020Mobile_test.zip", "CLIC2020Mobile_test.zip",
                     extract={"": "mobile-test"}, split="mobile-test"),
        ),
        homepage="http://compression.cc/",
        licence="CLIC terms (Unsplash photos)",
    ),
    DatasetInfo(
        name="wiki49",
        description="49 natural photos, 0.7-1.5 MP PNG, downscaled from Wikimedia Commons",
        folder="wiki49",
        splits={"test": ""},
        default_split="test",
        homepage="https://commons.wikimedia.org/",
        licence="mostly Creative Commons; attribution list in the folder",
    ),
):
    register_dataset(_info)


def get_dataset_info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise UsageError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} (or give a folder path)")
    return DATASETS.get(name)


def resolve_split(dataset: str, split: str | None = None, root: str | Path | None = None) -> Path:
    """Folder of a split of a named dataset, or ``dataset`` itself when it is a path."""
    if dataset in DATASETS:
        path = DATASETS.get(dataset).split_dir(split, root)
    else:
        path = Path(dataset).expanduser()
        if not path.is_absolute() and not path.exists():
            raise UsageError(
                f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)} "
                "(or give a folder path)"
            )
        if split:
            path = path / split if (path / split).is_dir() else path
    if not path.is_dir():
        hint = f"; try `lic-bench data fetch {dataset}`" if dataset in DATASETS else ""
        raise UsageError(f"dataset folder {path} not found{hint}")
    return path


def dataset_table(root: str | Path | None = None) -> list[dict]:
    """One row per dataset split: where it lives and how many images are there now."""
    rows = []
    for info in (entry.obj for entry in DATASETS.registered()):
        for split in info.splits:
            folder = info.split_dir(split, root)
            count = 0
            if folder.is_dir():
                count = sum(1 for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
            rows.append({"dataset": info.name, "split": split, "images": count, "folder": str(folder),
                         "downloadable": bool(info.downloads), "description": info.description})
    return rows
