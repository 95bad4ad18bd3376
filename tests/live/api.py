"""Helpers of the API tests of cells run by the service: a notebook, runs, waits."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

LOOP = "import time; [time.sleep(0.3) or print(i) for i in range(20)]"


def notebook(cells: dict[str, str]) -> dict[str, Any]:
    return {
        "cells": [
            {
                "cell_type": "code",
                "id": cell_id,
                "source": source,
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
            for cell_id, source in cells.items()
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


async def create(http: httpx.AsyncClient, cells: dict[str, str]) -> str:
    r = await http.post("/api/notebooks", json={"name": "live.ipynb", "content": notebook(cells)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def until_state(
    http: httpx.AsyncClient, notebook_id: str, done: Any, timeout: float = 90
) -> dict[str, Any]:
    """Poll the run state until ``done(state)`` (each answer is an event we wait on)."""
    async with asyncio.timeout(timeout):
        while True:
            r = await http.get(f"/api/notebooks/{notebook_id}/execution")
            assert r.status_code == 200, r.text
            state: dict[str, Any] = r.json()
            if done(state):
                return state
            await asyncio.sleep(0.05)


def idle(state: dict[str, Any]) -> bool:
    return state["running"] is None and not state["queued"]


async def saved_cell(
    http: httpx.AsyncClient, notebook_id: str, cell_id: str, done: Any, timeout: float = 60
) -> dict[str, Any]:
    """The cell as saved in the file, once ``done(cell)``."""
    async with asyncio.timeout(timeout):
        while True:
            content = (await http.get(f"/api/notebooks/{notebook_id}")).json()["content"]
            cell: dict[str, Any] = next(c for c in content["cells"] if c["id"] == cell_id)
            if done(cell):
                return cell
            await asyncio.sleep(0.1)


def stdout(cell: dict[str, Any]) -> str:
    text = "".join(
        "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
        for o in cell["outputs"]
        if o["output_type"] == "stream"
    )
    return text
