"""The git runner's limits: time, size, and where the token goes (never argv)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cloudbook.github.gitcli import GitRunner
from cloudbook.github.transfer import Remote, read_file
from cloudbook.services.errors import ServiceError
from tests.github.bridge import GitBridge
from tests.github.conftest import TOKEN


async def test_a_host_that_does_not_answer_times_out(bridge: GitBridge, tmp_path: Path) -> None:
    bridge.stall = threading.Event()
    git = GitRunner(allow_http=True, timeout=2)
    remote = Remote(f"{bridge.base_url}/git/octo/demo.git", None)
    scratch = tmp_path / "scratch"
    try:
        with pytest.raises(ServiceError) as caught:
            await read_file(git, remote, "main", "notebooks/demo.ipynb", scratch, "octo/demo")
    finally:
        bridge.stall.set()
    assert caught.value.code == "git_timeout"
    assert list(scratch.iterdir()) == []  # the scratch repository is gone


async def test_a_file_over_the_size_limit_is_refused(bridge: GitBridge, tmp_path: Path) -> None:
    git = GitRunner(allow_http=True, timeout=30, max_output=100)
    remote = Remote(f"{bridge.base_url}/git/octo/demo.git", None)
    with pytest.raises(ServiceError) as caught:
        await read_file(git, remote, "main", "notebooks/demo.ipynb", tmp_path, "octo/demo")
    assert caught.value.code == "file_too_large"


async def test_the_token_goes_in_env_config_never_argv(
    bridge: GitBridge, tmp_path: Path, git_log: Path, settings: object
) -> None:
    wrapper = tmp_path / "git-wrapper"
    git = GitRunner(binary=str(wrapper), allow_http=True, timeout=30)
    env = git.env(str(tmp_path), TOKEN, {})
    assert env["GIT_CONFIG_NOSYSTEM"] == "1" and env["GIT_CONFIG_GLOBAL"] == "/dev/null"
    assert env["GIT_TERMINAL_PROMPT"] == "0" and env["GIT_ALLOW_PROTOCOL"] == "https:http"
    pairs = {
        env[f"GIT_CONFIG_KEY_{i}"]: env[f"GIT_CONFIG_VALUE_{i}"]
        for i in range(int(env["GIT_CONFIG_COUNT"]))
    }
    assert pairs["protocol.file.allow"] == "never"
    assert pairs["core.hooksPath"] == "/dev/null"
    assert pairs["credential.helper"] == ""
    assert pairs["http.followRedirects"] == "false"
    assert pairs["http.extraHeader"].startswith("Authorization: Basic ")
    assert TOKEN not in pairs["http.extraHeader"]  # base64, and only in the environment
    assert GitRunner(allow_http=False).env("/", None, {})["GIT_ALLOW_PROTOCOL"] == "https"

    bridge.private.add("octo/demo")
    remote = Remote(f"{bridge.base_url}/git/octo/demo.git", TOKEN)
    data, _ = await read_file(git, remote, "main", "notebooks/demo.ipynb", tmp_path / "t", "x")
    assert b"hello from github" in data
    calls = git_log.read_text()
    assert "fetch" in calls and "cat-file" in calls
    assert TOKEN not in calls
