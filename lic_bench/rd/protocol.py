"""What a curve is, beyond its points: how it averages over images, what it was trained
for, which image set it is on. BD-rates compare only curves of the same protocol.

Two averaging protocols give different curves for the same codec (issue #21: the same
x265 BPG 4:4:4 encoder, swept per quality or coded at the JPEG AI target rates, is
6.2 % BD-rate apart on Kodak), so a BD-rate between two protocols measures the
protocol as much as the codec. The vocabulary lives in :mod:`lic_bench.results.meta`.
"""

from __future__ import annotations

from typing import Any

from lic_bench.errors import UsageError
from lic_bench.results.meta import (
    AVERAGING_FIELD,
    AVERAGING_VALUES,
    DATASET_ALIASES,
    OBJECTIVE_ALIASES,
    OBJECTIVE_FIELD,
    OBJECTIVE_VALUES,
    PER_QUALITY,
    PER_TARGET_RATE,
    meta_of,
)


class ProtocolMismatch(UsageError):
    """Two curves averaged over images in different ways."""


def averaging_of(doc: dict[str, Any]) -> str:
    """``meta.averaging``; files written before it existed are read by what they hold:
    a ``rate_control`` block (the target-rate runner's) means per target rate, anything
    else was made one quality value or lambda per point."""
    meta = meta_of(doc)
    value = meta.get(AVERAGING_FIELD)
    if value in AVERAGING_VALUES:
        return str(value)
    if value is not None:
        raise UsageError(f"{doc.get('_path') or doc.get('name')}: meta.averaging {value!r} is not one of "
                         f"{', '.join(AVERAGING_VALUES)}")
    return PER_TARGET_RATE if isinstance(meta.get("rate_control"), dict) else PER_QUALITY


def objective_of(doc: dict[str, Any]) -> str:
    """The training objective (``mse``, ``ms-ssim``, ``other``), ``none`` for classical codecs."""
    from lic_bench.kb.result_links import is_classical

    meta = meta_of(doc)
    orig = meta.get("original_meta")
    if is_classical(doc) or (isinstance(orig, dict) and orig.get("type") == "classical"):
        return "none"
    value = str(meta.get(OBJECTIVE_FIELD) or "mse").casefold()
    value = OBJECTIVE_ALIASES.get(value, value)
    return value if value in OBJECTIVE_VALUES else "other"


def dataset_of(doc: dict[str, Any]) -> str | None:
    """The dataset name (``meta.dataset`` or its ``name``), former spellings mapped."""
    value = meta_of(doc).get("dataset")
    if isinstance(value, dict):
        value = value.get("name")
    if not value:
        return None
    return DATASET_ALIASES.get(str(value), str(value))


def mismatch(anchor: dict[str, Any], test: dict[str, Any]) -> str | None:
    """A sentence naming the two protocols when they differ, else None."""
    a, t = averaging_of(anchor), averaging_of(test)
    if a == t:
        return None
    name = lambda d: d.get("_path") or d.get("name") or "?"  # noqa: E731
    return (f"protocol mismatch: anchor {name(anchor)} is averaged {a}, test {name(test)} {t} "
            "(the same codec differs by several % BD-rate between the two)")


def check(anchor: dict[str, Any], test: dict[str, Any], allow: bool = False) -> list[str]:
    """Refuse two protocols (``ProtocolMismatch``, one line), or with ``allow`` return the
    warning that goes into the output."""
    why = mismatch(anchor, test)
    if why is None:
        return []
    if not allow:
        raise ProtocolMismatch(why + "; pass --allow-protocol-mismatch to compute it anyway")
    return [why + "; computed anyway (--allow-protocol-mismatch)"]
