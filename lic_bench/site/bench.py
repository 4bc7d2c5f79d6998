"""Latency / throughput sections for component and model pages ([bench] fills this in)."""

from __future__ import annotations

from typing import Any


def bench_section(results: list[dict[str, Any]]) -> str:
    """Markdown/HTML with latency and throughput charts for ``results``; "" when there are none."""
    return ""


def bench_page(results: list[dict[str, Any]]) -> str:
    """Markdown for the benchmark overview page; "" when there are no benchmark results."""
    return ""
