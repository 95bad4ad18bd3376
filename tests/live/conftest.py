"""A bare shared document and an executor on a real kernel, for tests without a page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cloudbook.live.executor import NotebookExecutor
from cloudbook.live.spill import SpillFiles
from cloudbook.runtimes.jupyter_api import JupyterServerClient
from tests.jupyter_fixtures import JupyterServer


@dataclass
class BareDocument:
    """A YNotebook with a change counter: what the executor needs of a live document."""

    ynotebook: Any
    changes: int = 0
    waiters: list[Callable[[], None]] = field(default_factory=list)

    def changed(self) -> None:
        self.changes += 1
        for wake in list(self.waiters):
            wake()

    async def until(self, predicate: Callable[[], bool], timeout: float = 60) -> None:
        """Wait for a state of the document (woken by each change, never by time)."""
        event = asyncio.Event()
        self.waiters.append(event.set)
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    event.clear()
                    await event.wait()
        finally:
            self.waiters.remove(event.set)

    def cell(self, cell_id: str) -> dict[str, Any]:
        for index, ycell in enumerate(self.ynotebook.ycells):
            if ycell.get("id") == cell_id:
                cell: dict[str, Any] = self.ynotebook.get_cell(index)
                cell["execution_state"] = ycell.get("execution_state")
                return cell
        raise KeyError(cell_id)


def make_document(sources: dict[str, str]) -> BareDocument:
    from jupyter_ydoc import YNotebook

    nb = YNotebook()
    nb.set(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "id": cell_id,
                    "source": source,
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                }
                for cell_id, source in sources.items()
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    return BareDocument(nb)


@pytest.fixture
async def kernel(jupyter_server: JupyterServer) -> AsyncIterator[str]:
    client = JupyterServerClient(jupyter_server.runtime())
    kernel_id = await client.start_kernel()
    await client.wait_kernel_ready(kernel_id)
    yield kernel_id
    await client.delete_kernel(kernel_id)


@pytest.fixture
async def start_executor(
    jupyter_server: JupyterServer, kernel: str, tmp_path: Path
) -> AsyncIterator[Callable[..., Any]]:
    started: list[NotebookExecutor] = []

    async def start(doc: BareDocument, **options: Any) -> NotebookExecutor:
        executor = NotebookExecutor(
            doc,
            jupyter_server.runtime(),
            kernel,
            spills=SpillFiles(tmp_path / "spill", "nb-1"),
            **options,
        )
        await executor.start()
        started.append(executor)
        return executor

    yield start
    for executor in started:
        await executor.close()
