"""Raise this process's soft limit on open files to its hard limit.

Every held kernel WebSocket costs descriptors: in the service, the browser's socket and
the upstream one; in a runtime's Jupyter server, the socket plus four ZeroMQ sockets to
the kernel (shell, control, stdin, iopub), whose other ends are the kernel's. Many
distributions start services with a soft limit of 1024, a few hundred sockets. The hard
limit is the operator's decision; the soft one is only a default, which children inherit.
Imports nothing heavy: the runtime side calls it at start.
"""

from __future__ import annotations

import resource


def raise_open_files_limit() -> int:
    """The soft RLIMIT_NOFILE after raising it as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        return soft
    return want
