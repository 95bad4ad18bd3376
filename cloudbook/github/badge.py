"""The "Open in cloudbook" badge and the link cell Colab adds to copies it saves."""

from __future__ import annotations

from typing import Any

BADGE_CELL_ID = "view-in-github"

BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="136" height="20" role="img" \
aria-label="Open in cloudbook"><title>Open in cloudbook</title>\
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
<stop offset="1" stop-opacity=".1"/></linearGradient>\
<clipPath id="r"><rect width="136" height="20" rx="3" fill="#fff"/></clipPath>\
<g clip-path="url(#r)"><rect width="42" height="20" fill="#555"/>\
<rect x="42" width="94" height="20" fill="#f9ab00"/>\
<rect width="136" height="20" fill="url(#s)"/></g>\
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" \
font-size="11"><text x="21" y="14">Open</text>\
<text x="88" y="14" fill="#333">in cloudbook</text></g></svg>
"""


def badge_markdown(base_url: str, page_path: str) -> str:
    return (
        f'<a href="{base_url}{page_path}" target="_parent">'
        f'<img src="{base_url}/assets/badge.svg" alt="Open In cloudbook"/></a>'
    )


def with_badge_cell(content: dict[str, Any], base_url: str, page_path: str) -> dict[str, Any]:
    """A copy with the badge as the first cell (replacing one added before)."""
    cell = {
        "cell_type": "markdown",
        "id": BADGE_CELL_ID,
        "metadata": {"id": BADGE_CELL_ID, "colab_type": "text"},
        "source": badge_markdown(base_url, page_path),
    }
    cells = [
        c
        for c in content.get("cells", [])
        if not (isinstance(c, dict) and (c.get("metadata") or {}).get("id") == BADGE_CELL_ID)
        and not (isinstance(c, dict) and c.get("id") == BADGE_CELL_ID)
    ]
    return {**content, "cells": [cell, *cells]}
