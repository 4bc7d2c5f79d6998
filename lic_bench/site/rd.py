"""Rate-distortion sections for component and paper pages ([anchors] fills this in)."""

from __future__ import annotations

from typing import Any


def rd_section(results: list[dict[str, Any]], anchors: list[dict[str, Any]]) -> str:
    """Markdown/HTML for RD curves of ``results`` against ``anchors``; "" when there are none."""
    return ""


def leaderboard_page(results: list[dict[str, Any]], anchors: list[dict[str, Any]]) -> str:
    """Markdown for the leaderboard page; "" until there is something to rank."""
    return ""
