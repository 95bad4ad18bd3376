"""A loopback GitHub (tests/github/bridge.py) and settings pointing the service at it.

``git_calls`` counts every git process the service starts: the git binary setting is a
wrapper that appends a line to a file and then runs the real git."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cloudbook.settings import Settings
from tests.github.bridge import GitBridge

TOKEN = "ghp_test_token_0123456789"


def notebook_bytes(text: str = "print('hello from github')", extra: str = "") -> bytes:
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Demo" + extra},
            {
                "cell_type": "code",
                "id": "code1",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": text,
            },
        ],
    }
    return json.dumps(nb, indent=1).encode()


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[GitBridge]:
    b = GitBridge(tmp_path / "repos", tokens={TOKEN})
    b.start()
    b.create_repo("octo/demo", {"notebooks/demo.ipynb": notebook_bytes(), "README.md": b"hi\n"})
    b.create_repo("octo/secret", {"private.ipynb": notebook_bytes("print(42)")}, private=True)
    b.create_repo("octo/empty")
    yield b
    b.stop()


@pytest.fixture
def git_log(tmp_path: Path) -> Path:
    return tmp_path / "git-calls.log"


@pytest.fixture
def settings(tmp_path: Path, bridge: GitBridge, git_log: Path) -> Settings:
    wrapper = tmp_path / "git-wrapper"
    real = shutil.which("git")
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{git_log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return Settings(
        data_dir=tmp_path / "data",
        pool_size=0,
        open_browser=False,
        sandbox="auto",
        git_base_url=f"{bridge.base_url}/git",
        git_api_url=f"{bridge.base_url}/api",
        git_allow_http=True,
        git_binary=str(wrapper),
        git_timeout=30,
    )


@pytest.fixture
def git_calls(git_log: Path) -> Callable[[], int]:
    def count() -> int:
        return len(git_log.read_text().splitlines()) if git_log.exists() else 0

    return count
