"""A real kernel started the way runtimes start it, and a tiny scripted "browser".

The kernel comes from the kernelspec the runtimes use (found through
JUPYTER_PATH, with the ``google.colab`` extension), with the site directory on
PYTHONPATH. ``FakeFrontend`` speaks the browser's half of the Colab protocol
(docs/colab-protocol.md) over jupyter_client: it answers ``colab_request``
messages seen on iopub with ``input_reply`` messages on stdin, and opens comms.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from cloudbook.colab_runtime import JUPYTER_DATA_DIR, SITE_DIR

Message = dict[str, Any]
Handler = Callable[[Any, Message], Any]


class FrontendError(Exception):
    """Raised by a handler: the reply carries ``error`` instead of ``data``."""


@contextlib.contextmanager
def _jupyter_path() -> Iterator[None]:
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(JUPYTER_DATA_DIR)
    try:
        yield
    finally:
        if old is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = old


def kernel_spec_manager() -> KernelSpecManager:
    """As a runtime's Jupyter server sees kernelspecs with JUPYTER_PATH set by the provider."""
    with _jupyter_path():
        manager = KernelSpecManager()
        manager.kernel_dirs  # noqa: B018 - resolve the search path while the variable is set
    return manager


def kernel_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDBOOK_")}
    env["PYTHONPATH"] = str(SITE_DIR)
    env["CLOUDBOOK_PACKAGES_DIR"] = str(tmp / "packages")
    env["PIP_NO_INDEX"] = "1"  # tests install local files only
    env["IPYTHONDIR"] = str(tmp / "ipython")  # history database of its own (sqlite locks)
    env.update(extra)
    return env


def _wrapped_specs(specs: KernelSpecManager, wrapper: list[str], tmp: Path) -> KernelSpecManager:
    spec = specs.get_kernel_spec("python3").to_dict()
    argv = list(spec["argv"])
    if argv[0] == "python":
        argv[0] = sys.executable
    spec["argv"] = [*wrapper, *argv]
    directory = tmp / "kernelspecs" / "python3"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kernel.json").write_text(json.dumps(spec))
    return KernelSpecManager(kernel_dirs=[str(directory.parent)])


@dataclass
class Result:
    status: str = ""
    messages: list[Message] = field(default_factory=list)
    requests: list[Message] = field(default_factory=list)

    def of(self, msg_type: str) -> list[Message]:
        return [m for m in self.messages if m["msg_type"] == msg_type]

    @property
    def stdout(self) -> str:
        return "".join(
            m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stdout"
        )

    @property
    def stderr(self) -> str:
        return "".join(
            m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stderr"
        )

    @property
    def error(self) -> Message | None:
        errors = self.of("error")
        return errors[0]["content"] if errors else None

    @property
    def value(self) -> str | None:
        results = self.of("execute_result")
        return results[0]["content"]["data"]["text/plain"] if results else None

    def raise_for_error(self) -> Result:
        if self.error:
            raise AssertionError(f"{self.error['ename']}: {self.error['evalue']}\n{self.stdout}")
        return self


class Kernel:
    """One running kernel and its client; ``handlers`` play the browser."""

    def __init__(self, km: AsyncKernelManager, kc: Any) -> None:
        self.km = km
        self.kc = kc
        self.handlers: dict[str, Handler] = {}
        self.stdin_lines: list[str] = []  # typed into a shell command's stdin box

    @classmethod
    async def start(cls, env: dict[str, str], wrapper: list[str] | None = None) -> Kernel:
        """Start the runtimes' python3 kernel; ``wrapper`` (e.g. bwrap ...) runs it sandboxed."""
        specs = kernel_spec_manager()
        if wrapper:
            specs = _wrapped_specs(specs, wrapper, Path(env["CLOUDBOOK_PACKAGES_DIR"]).parent)
        km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)
        await km.start_kernel(env=env)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        return cls(km, kc)

    async def stop(self) -> None:
        self.kc.stop_channels()
        await self.km.shutdown_kernel(now=True)

    def reply(self, value: Any, buffers: list[bytes] | None = None) -> None:
        msg = self.kc.session.msg("input_reply", {"value": value})
        if buffers:
            msg["buffers"] = buffers
        self.kc.stdin_channel.send(msg)

    async def _answer(self, msg: Message) -> None:
        kind = msg["metadata"].get("colab_request_type")
        handler = self.handlers.get(kind)
        if handler is None:
            return  # e.g. cell_display_stdin: no reply expected
        reply: dict[str, Any] = {
            "type": "colab_reply",
            "colab_msg_id": msg["metadata"]["colab_msg_id"],
        }
        try:
            data = handler(msg["content"]["request"], msg)
            if inspect.isawaitable(data):
                data = await data
            reply["data"] = data
        except FrontendError as exc:
            reply["error"] = str(exc)
        self.reply(reply)

    async def execute(self, code: str, timeout: float = 60) -> Result:
        msg_id = self.kc.execute(code, allow_stdin=True)
        return await self.collect(msg_id, timeout)

    async def collect(self, msg_id: str, timeout: float = 60) -> Result:
        result = Result()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no idle status within {timeout}s; got {result.messages!r}")
            msg = await self.kc.get_iopub_msg(timeout=left)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            msg["received"] = time.monotonic()
            kind = msg["msg_type"]
            if kind == "colab_request":
                result.requests.append(msg)
                await self._answer(msg)
                if msg["metadata"].get("colab_request_type") == "cell_display_stdin":
                    for line in self.stdin_lines:
                        self.reply(line)
                continue
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            result.messages.append(msg)
        while True:  # skip replies to other requests (wait_for_ready's kernel_info, say)
            reply = await self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        result.status = reply["content"]["status"]
        return result

    async def comm_download(self, target: str, timeout: float = 60) -> tuple[bytes, list[Message]]:
        """Open a comm to ``target`` and pull chunks as the download JavaScript does."""
        comm_id = uuid.uuid4().hex
        self.kc.shell_channel.send(
            self.kc.session.msg(
                "comm_open", {"comm_id": comm_id, "target_name": target, "data": {}}
            )
        )
        chunks: list[bytes] = []
        seen: list[Message] = []
        deadline = time.monotonic() + timeout

        def ask() -> None:
            self.kc.shell_channel.send(
                self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"action": "next"}})
            )

        ask()
        while True:
            msg = await self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["content"].get("comm_id") != comm_id:
                continue
            seen.append(msg)
            if msg["msg_type"] == "comm_close":
                return b"".join(chunks), seen
            if msg["msg_type"] == "comm_msg":
                chunks.extend(bytes(b) for b in msg.get("buffers", []))
                if not msg["content"]["data"].get("done"):
                    ask()


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)
