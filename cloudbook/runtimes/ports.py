"""Which TCP ports a local runtime's processes listen on.

A socket belongs to a runtime when one of its processes (found by the runtime's
marker variable) holds it open. The socket tables are read in each process's own
network namespace (``/proc/PID/net/tcp``): a sandboxed runtime has a private one,
and the proxy reaches its ports from inside (the runtime-side port forwarder),
never through the host's loopback.
"""

from __future__ import annotations

import os
from pathlib import Path

LISTEN = "0A"


def _listening_inodes(pid: int | str = "self") -> dict[int, int]:
    """inode -> port of every listening TCP socket (IPv4 and IPv6) of ``pid``'s namespace."""
    found: dict[int, int] = {}
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
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
    tables: dict[str, dict[int, int]] = {}
    ports: set[int] = set()
    for pid in pids:
        try:
            netns = os.readlink(f"/proc/{pid}/ns/net")
        except OSError:
            continue
        if netns not in tables:
            tables[netns] = _listening_inodes(pid)
        listening = tables[netns]
        for inode in _socket_inodes(pid):
            if inode in listening:
                ports.add(listening[inode])
    return ports
