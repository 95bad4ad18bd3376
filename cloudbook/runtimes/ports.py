"""Which TCP ports a local runtime's processes listen on.

Sandboxed runtimes share the host's network namespace (the service reaches
their Jupyter server on 127.0.0.1), so a web server started in a runtime is a
listening socket of the host. The kernel-port proxy must reach only sockets
that belong to the asking user's runtime, never the service's own or another
runtime's: a socket belongs to a runtime when one of its processes (found by
the runtime's marker variable) holds it open.
"""

from __future__ import annotations

import os
from pathlib import Path

LISTEN = "0A"


def _listening_inodes() -> dict[int, int]:
    """inode -> port of every listening TCP socket (IPv4 and IPv6) of this namespace."""
    found: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == LISTEN:
                found[int(parts[9])] = int(parts[1].rsplit(":", 1)[1], 16)
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listening_ports(pids: list[int]) -> set[int]:
    listening = _listening_inodes()
    ports: set[int] = set()
    for pid in pids:
        for inode in _socket_inodes(pid):
            if inode in listening:
                ports.add(listening[inode])
    return ports
