"""The frontend's API types are generated from the server's OpenAPI document."""

from __future__ import annotations

from scripts.gen_api_types import TARGET, current_text


def test_committed_api_types_match_the_server() -> None:
    assert TARGET.read_text() == current_text(), (
        "frontend/src/api-types.ts is out of date: run `python scripts/gen_api_types.py`"
    )
