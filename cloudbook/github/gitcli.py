"""The one way this service runs git: a hardened subprocess, async, bounded.

- Arguments are built by this package from checked names (``names.py``); positionals
  always follow ``--`` where git accepts it.
- The environment is built from nothing: no system or global config, no hooks, no
  credential helpers, no prompts, no submodules, no redirects; only https (and http
  where the settings allow it, for tests) may be spoken.
- The token goes in an ``http.extraHeader`` through ``GIT_CONFIG_COUNT`` variables,
  never in argv (visible in ``ps``), URLs or logs; stderr is scrubbed of it anyway.
- Every call has a time limit and a cap on what it may print.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import signal
from dataclasses import dataclass, field

log = logging.getLogger("cloudbook.github")

MAX_STDERR = 16 * 1024


class GitFailed(Exception):
    """git exited non-zero (``stderr`` scrubbed), ran too long, or printed too much."""

    def __init__(self, message: str, stderr: str = "", *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.stderr = stderr
        self.timed_out = timed_out


@dataclass
class GitRunner:
    binary: str = "git"
    allow_http: bool = False
    timeout: float = 60.0
    max_output: int = 64 * 1024 * 1024
    # The Basic-auth user name sent with the token (GitHub: x-access-token; GitLab
    # documents oauth2; Gitea takes any name with a token as the password).
    basic_user: str = "x-access-token"
    # Extra fixed config for every call (e.g. remote.origin.url of one operation).
    started: int = field(default=0, init=False)

    def env(self, home: str, token: str | None, config: dict[str, str]) -> dict[str, str]:
        protocols = "https:http" if self.allow_http else "https"
        pairs: dict[str, str] = {
            "protocol.allow": "never",
            "protocol.https.allow": "always",
            "protocol.file.allow": "never",
            "protocol.ext.allow": "never",
            "core.hooksPath": "/dev/null",
            "core.fsmonitor": "false",
            "core.askPass": "",
            "credential.helper": "",
            "submodule.recurse": "false",
            "fetch.recurseSubmodules": "false",
            "push.recurseSubmodules": "no",
            "http.followRedirects": "false",
            "http.lowSpeedLimit": "1024",
            "http.lowSpeedTime": str(int(self.timeout)),
            "protocol.version": "2",
            "gc.auto": "0",
            "maintenance.auto": "false",
            "init.defaultBranch": "main",
            "advice.detachedHead": "false",
        }
        if self.allow_http:
            pairs["protocol.http.allow"] = "always"
        pairs.update(config)
        items = list(pairs.items())
        if token is not None:
            basic = base64.b64encode(f"{self.basic_user}:{token}".encode()).decode()
            items.append(("http.extraHeader", f"Authorization: Basic {basic}"))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "GIT_ALLOW_PROTOCOL": protocols,
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_CONFIG_COUNT": str(len(items)),
        }
        for i, (key, value) in enumerate(items):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        return env

    async def run(
        self,
        args: list[str],
        *,
        cwd: str,
        token: str | None = None,
        config: dict[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> bytes:
        """stdout of ``git <args>`` in ``cwd``; raises GitFailed."""
        self.started += 1
        proc = await asyncio.create_subprocess_exec(
            self.binary,
            *args,
            cwd=cwd,
            env=self.env(cwd, token, config or {}),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # a timeout kills git and what it started
        )
        try:
            out, err = await asyncio.wait_for(self._collect(proc, stdin), self.timeout)
        except TimeoutError:
            _kill(proc)
            await proc.wait()
            raise GitFailed("The git host did not answer in time.", timed_out=True) from None
        except GitFailed:
            _kill(proc)
            await proc.wait()
            raise
        text = _scrub(err.decode("utf-8", "replace"), token, self.basic_user)
        if proc.returncode != 0:
            log.info("git %s failed: %s", args[0], text.strip()[-500:])
            raise GitFailed(f"git {args[0]} failed", text)
        return out

    async def _collect(
        self, proc: asyncio.subprocess.Process, stdin: bytes | None
    ) -> tuple[bytes, bytes]:
        assert proc.stdout is not None and proc.stderr is not None

        async def feed() -> None:
            if stdin is None or proc.stdin is None:
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(stdin)
                await proc.stdin.drain()
                proc.stdin.close()

        async def read(stream: asyncio.StreamReader, limit: int, keep_tail: bool) -> bytes:
            chunks: list[bytes] = []
            size = 0
            while chunk := await stream.read(1 << 16):
                size += len(chunk)
                if size > limit and not keep_tail:
                    raise GitFailed("The file is larger than this service accepts.")
                chunks.append(chunk)
                if keep_tail and size > limit:
                    joined = b"".join(chunks)[-limit:]
                    chunks, size = [joined], len(joined)
            return b"".join(chunks)

        results = await asyncio.gather(
            feed(),
            read(proc.stdout, self.max_output, False),
            read(proc.stderr, MAX_STDERR, True),
        )
        await proc.wait()
        return results[1], results[2]


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _scrub(text: str, token: str | None, basic_user: str) -> str:
    if token:
        text = text.replace(token, "***")
        text = text.replace(base64.b64encode(f"{basic_user}:{token}".encode()).decode(), "***")
    return text
