"""A jupyter_server extension for the plain server ``bench.ws_load`` compares against: the
same ZeroMQ socket cap and open-files limit as a cloudbook runtime's server, nothing else."""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "bench.jupyter_widen"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from cloudbook.runtime_side.handlers import widen_kernel_sockets

    widen_kernel_sockets(serverapp)
