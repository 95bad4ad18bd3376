"""The runtime side of cloudbook: what runs inside every runtime's Jupyter server.

``python -m cloudbook.runtime_side`` starts that server (see ``__main__``) with this
package as its only jupyter_server extension, which adds:

- TCP_NODELAY on kernel WebSockets: Tornado leaves Nagle's algorithm on, which
  costs ~40 ms per small message round trip.
- ``GET /api/cloudbook/resources``: RAM, disk and GPUs, for the top bar.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "cloudbook.runtime_side"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from cloudbook.runtime_side.handlers import install

    install(serverapp)
