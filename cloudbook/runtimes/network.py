"""A runtime's outbound network: slirp4netns attached to its private network namespace.

Why slirp4netns rather than pasta: its addressing is fixed (10.0.2.100 in the
namespace, 10.0.2.2 the gateway, 10.0.2.3 the DNS forwarder) whatever the host's
addresses, so the namespace's blocking routes are the same everywhere; it has a
switch that refuses the host's loopback (``--disable-host-loopback``), confines
itself (``--enable-sandbox``: own mount namespace, pivot_root, capabilities
dropped; ``--enable-seccomp``), and it is the stack rootless Podman and Docker
have used for years. pasta is faster but copies the host's addresses and routes
into the namespace and maps the gateway to the host by default, both of which
would have to be undone. Throughput is not the bottleneck of ``pip install``.

It needs CAP_NET_ADMIN over the namespace to create ``tap0``: a service started as
root runs it as root (the namespace belongs to the host's user namespace, so that
kernel code never holds CAP_NET_ADMIN over it) and it confines itself at once
(``--enable-sandbox`` drops every capability but NET_BIND_SERVICE); a service
started as an ordinary user runs it as itself, joining the runtime's user
namespace. It carries the runtime's marker (orphan reclaim finds it) and dies
with the service.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

TAP = "tap0"
MTU = 65520


class NetworkUnavailable(RuntimeError):
    pass


def slirp_path() -> str | None:
    return shutil.which("slirp4netns")


def read_child_pid(info_fd: int, timeout: float) -> int:
    """bwrap's ``--info-fd`` JSON: the pid (on the host) of the sandbox's first process."""
    data = _read_until(info_fd, timeout, lambda d: d.rstrip().endswith(b"}"))
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError, TypeError):
        raise NetworkUnavailable("the sandbox did not start (no child pid)") from None


def _read_until(fd: int, timeout: float, done: Callable[[bytes], bool]) -> bytes:
    deadline = time.monotonic() + timeout
    data = b""
    try:
        while not done(data):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data


def _in_private_mount_namespace(preexec: Callable[[], None] | None) -> Callable[[], None]:
    # slirp4netns's sandbox unshares a mount namespace, makes only "/" private and detaches
    # its old root: the copies of the drive slots (shared, docs/security.md) unmounted there
    # would take the drive of every warm runtime with them. Start it from a namespace
    # where every mount is already private.
    from cloudbook.runtimes.mounts import enter_private_namespace

    def run() -> None:
        if preexec is not None:
            preexec()
        enter_private_namespace()

    return run


def start_slirp(
    child_pid: int,
    *,
    env: dict[str, str],
    log_path: Path,
    preexec: Callable[[], None] | None,
    timeout: float,
    userns: bool,
) -> subprocess.Popen[bytes]:
    """Start slirp4netns for the namespace of ``child_pid``; return once ``tap0`` is up."""
    slirp = slirp_path()
    if slirp is None:
        raise NetworkUnavailable(
            "CLOUDBOOK_RUNTIME_NETWORK=internet needs slirp4netns (apt-get install slirp4netns)"
        )
    if not userns:
        preexec = _in_private_mount_namespace(preexec)
    ready_r, ready_w = os.pipe()
    command = [
        slirp,
        "--configure",
        f"--mtu={MTU}",
        "--disable-host-loopback",
        # As root it confines itself (own mount namespace, caps dropped); run as an
        # ordinary user it has nothing to drop and its sandbox step fails (setegid(0)).
        *([] if userns else ["--enable-sandbox"]),
        "--enable-seccomp",
        f"--ready-fd={ready_w}",
        *([f"--userns-path=/proc/{child_pid}/ns/user"] if userns else []),
        "--netns-type=path",
        f"/proc/{child_pid}/ns/net",
        TAP,
    ]
    try:
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(ready_w,),
                start_new_session=True,
                preexec_fn=preexec,
            )
    finally:
        os.close(ready_w)
    if _read_until(ready_r, timeout, lambda d: b"1" in d) != b"1":
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()  # killed: it exits at once; an unreaped one would stay a zombie
        tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
        raise NetworkUnavailable(f"slirp4netns did not configure the network:\n{tail}")
    return proc
