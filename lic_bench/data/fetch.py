"""``lic-bench data fetch``: download official datasets, resume partial downloads and
verify every file against the SHA-256 list shipped with lic-bench.

A download goes to ``<file>.part`` and is renamed when complete; a later run asks the
server for the missing bytes only (HTTP ``Range``) and starts over when the server
ignores the range. Images are verified one by one (for an archive: after extraction);
a mismatching file is deleted and reported, never left looking valid.
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lic_bench.data.catalogue import IMAGE_EXTENSIONS, DatasetInfo, Download, get_dataset_info
from lic_bench.download import DownloadError, download
from lic_bench.paths import data_dir
from lic_bench.results.meta import file_sha256


@dataclass
class FetchReport:
    dataset: str
    folder: Path
    downloaded: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    verified: int = 0
    unverified: list[str] = field(default_factory=list)



def _mirror(url: str, mirror: str | None) -> str:
    """Replace scheme and host of ``url`` by ``mirror`` (a server with the same paths)."""
    if not mirror:
        return url
    path = url.split("://", 1)[1].split("/", 1)[1]
    return mirror.rstrip("/") + "/" + path


def _extract(archive: Path, mapping: dict[str, str], folder: Path) -> list[str]:
    """Copy the image members under each prefix of ``mapping`` to ``folder/<sub-folder>``."""
    written: list[str] = []

    def target(name: str) -> Path | None:
        if Path(name).suffix.lower() not in IMAGE_EXTENSIONS:
            return None
        for prefix, sub in mapping.items():
            if name.startswith(prefix):
                return folder / sub / Path(name).name
        return None

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                dest = None if info.is_dir() else target(info.filename)
                if dest is not None:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
                    written.append(dest.relative_to(folder).as_posix())
    else:
        with tarfile.open(archive) as tf:
            for member in tf:
                dest = target(member.name) if member.isfile() else None
                if dest is not None:
                    src = tf.extractfile(member)
                    assert src is not None
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
                    written.append(dest.relative_to(folder).as_posix())
    return written


def _verify(info: DatasetInfo, folder: Path, names: list[str], report: FetchReport) -> None:
    expected = info.expected_checksums()
    bad = []
    for name in names:
        want = expected.get(name)
        if want is None:
            report.unverified.append(name)
        elif file_sha256(folder / name) != want:
            (folder / name).unlink()
            bad.append(name)
        else:
            report.verified += 1
    if bad:
        raise DownloadError(
            f"{len(bad)} file(s) of {info.name} did not match their checksum and were deleted: "
            + ", ".join(bad[:10]) + (" ..." if len(bad) > 10 else "")
        )


def fetch_dataset(
    name: str,
    root: str | Path | None = None,
    *,
    splits: list[str] | None = None,
    mirror: str | None = None,
    progress: bool = True,
    keep_archives: bool = False,
    timeout: float = 30,
) -> FetchReport:
    """Download dataset ``name`` into ``<data dir>/<folder>``; files already present
    with the right checksum are kept. ``mirror`` replaces the official host."""
    info = get_dataset_info(name)
    if not info.downloads:
        raise DownloadError(
            f"{name} has no official download lic-bench knows of; "
            f"place its images under {data_dir(root) / info.folder}"
        )
    for split in splits or []:
        info.split_dir(split, root)  # validates the split name
    folder = data_dir(root) / info.folder
    folder.mkdir(parents=True, exist_ok=True)
    report = FetchReport(dataset=name, folder=folder)
    expected = info.expected_checksums()
    for item in info.downloads:
        if splits and item.split is not None and item.split not in splits:
            continue
        if not item.extract:
            _fetch_file(item, folder, expected, mirror, progress, timeout, report, info)
        else:
            _fetch_archive(item, folder, root, mirror, progress, timeout, keep_archives, report, info,
                           splits)
    return report


def _fetch_file(item: Download, folder: Path, expected: dict[str, str], mirror, progress,
                timeout, report: FetchReport, info: DatasetInfo) -> None:
    dest = folder / item.filename
    want = expected.get(item.filename)
    if dest.exists() and (want is None or file_sha256(dest) == want):
        report.already_present.append(item.filename)
        if want:
            report.verified += 1
        return
    download(_mirror(item.url, mirror), dest, sha256=want, progress=progress, timeout=timeout)
    report.downloaded.append(item.filename)
    if want:
        report.verified += 1
    else:
        report.unverified.append(item.filename)


def _fetch_archive(item: Download, folder: Path, root, mirror, progress, timeout,
                   keep_archives: bool, report: FetchReport, info: DatasetInfo,
                   splits: list[str] | None) -> None:
    expected = info.expected_checksums()
    subs = set(item.extract.values())
    if splits:
        subs &= {info.splits[s] for s in splits}
    wanted = [n for n in expected if n.split("/", 1)[0] in subs]
    if wanted and all((folder / n).exists() and file_sha256(folder / n) == expected[n] for n in wanted):
        report.already_present.extend(wanted)
        report.verified += len(wanted)
        return
    archive = data_dir(root) / ".downloads" / item.filename
    if not archive.exists():
        download(_mirror(item.url, mirror), archive, progress=progress, timeout=timeout)
    written = _extract(archive, item.extract, folder)
    if not written:
        raise DownloadError(f"{item.filename}: no images found where expected in the archive")
    report.downloaded.extend(written)
    _verify(info, folder, written, report)
    if not keep_archives:
        archive.unlink()
