"""Kernels for the google.colab tests: one per test module (starting one takes ~1 s)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.colab.kernel import Kernel, kernel_env


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("colab")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kernel(module_tmp: Path) -> AsyncIterator[Kernel]:
    """A kernel with a browser attached (the test plays the browser)."""
    content = module_tmp / "content"
    content.mkdir()
    k = await Kernel.start(kernel_env(module_tmp))
    await k.execute(f"import os; os.chdir({str(content)!r})")
    yield k
    await k.stop()
