"""Finding runtime processes the way an operator would: by the marker in their environment."""

from __future__ import annotations

import os
from pathlib import Path


def runtime_pids(runtime_ids: set[str] | None = None) -> dict[int, str]:
    """pid -> runtime id for every live process carrying CLOUDBOOK_RUNTIME_ID."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if ") Z " in stat:  # zombies are already dead
            continue
        for var in environ.split(b"\0"):
            if var.startswith(b"CLOUDBOOK_RUNTIME_ID="):
                rid = var.split(b"=", 1)[1].decode()
                if runtime_ids is None or rid in runtime_ids:
                    found[int(entry.name)] = rid
    found.pop(os.getpid(), None)
    return found
