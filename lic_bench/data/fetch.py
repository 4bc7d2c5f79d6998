"""``lic-bench data fetch``: download official datasets, resume partial downloads and
verify every file against the SHA-256 list shipped with lic-bench.

A download goes to ``<file>.part`` and is renamed when complete; a later run asks the
server for the missing bytes only (HTTP ``Range``) and starts over when the server
ignores the range. Images are verified one by one (for an archive: after extraction);
a mismatching file is deleted and reported, never left looking valid.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lic_bench.data.catalogue import IMAGE_EXTENSIONS, DatasetInfo, Download, get_dataset_info
from lic_bench.errors import LicBenchError
from lic_bench.paths import data_dir

_CHUNK = 1 << 16
_USER_AGENT = "lic-bench-data-fetch"


class DownloadError(LicBenchError):
    """The server could not be reached or the data did not match its checksum."""


@dataclass
class FetchReport:
    dataset: str
    folder: Path
    downloaded: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    verified: int = 0
    unverified: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _mirror(url: str, mirror: str | None) -> str:
    """Replace scheme and host of ``url`` by ``mirror`` (a server with the same paths)."""
    if not mirror:
        return url
    path = url.split("://", 1)[1].split("/", 1)[1]
    return mirror.rstrip("/") + "/" + path


def download(
    url: str, dest: Path, *, sha256: str | None = None, progress: bool = True, timeout: float = 30
) -> Path:
    """Download ``url`` to ``dest``, resuming ``dest.part`` if present; verify ``sha256``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the part file is already complete
            response = None
        else:
            raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url}: {reason} (no connection to the server?)"
        ) from None
    if response is not None:
        with response:
            resumed = response.status == 206
            if not resumed:
                have = 0
            length = response.headers.get("Content-Length")
            total = have + int(length) if length is not None else None
            _stream(response, part, append=resumed, start=have, total=total,
                    label=dest.name, progress=progress, url=url)
    if sha256 is not None:
        actual = _sha256(part)
        if actual != sha256:
            part.unlink()
            raise DownloadError(
                f"{dest.name}: checksum mismatch (expected {sha256[:12]}..., got {actual[:12]}...); "
                "the file was deleted, run the command again"
            )
    part.replace(dest)
    return dest


def _stream(response, part: Path, *, append: bool, start: int, total: int | None,
            label: str, progress: bool, url: str) -> None:
    from tqdm import tqdm

    bar = tqdm(total=total, initial=start, unit="B", unit_scale=True, desc=label,
               disable=not progress, leave=False)
    try:
        with open(part, "ab" if append else "wb") as out:
            while True:
                try:
                    block = response.read(_CHUNK)
                except OSError as exc:
                    raise DownloadError(
                        f"download of {url} interrupted ({exc}); run the command again to resume"
                    ) from None
                if not block:
                    break
                out.write(block)
                bar.update(len(block))
    finally:
        bar.close()
    if total is not None and part.stat().st_size < total:
        raise DownloadError(
            f"download of {url} stopped at {part.stat().st_size} of {total} bytes; "
            "run the command again to resume"
        )


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
        elif _sha256(folder / name) != want:
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
    if dest.exists() and (want is None or _sha256(dest) == want):
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
    if wanted and all((folder / n).exists() and _sha256(folder / n) == expected[n] for n in wanted):
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
