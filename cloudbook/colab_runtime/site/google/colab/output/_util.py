"""Showing a web server that runs inside the runtime."""

from __future__ import annotations

import json
import os
from typing import Any

from google.colab.output import _publish


def proxy_path(port: int, path: str = "/") -> str:
    """Where the service exposes ``port`` of this runtime (to the notebook's user only)."""
    runtime_id = os.environ.get("CLOUDBOOK_RUNTIME_ID", "")
    base = f"/api/runtimes/{runtime_id}/proxy/{int(port)}/"
    return base + path.lstrip("/")


def _js_args(*values: Any) -> str:
    return ", ".join(json.dumps(v).replace("</", "<\\/") for v in values)


# The browser maps a runtime port to a URL of the service (google.colab.kernel.proxyPort);
# the runtime id is passed along for browsers that build the URL themselves.
_IFRAME_JS = """(async (port, path, width, height, cache, runtimeId, element) => {
  const kernel = (window.google && google.colab && google.colab.kernel) || {};
  if (kernel.accessAllowed === false && !cache) return;
  const base = kernel.proxyPort
    ? await kernel.proxyPort(port, {cache})
    : new URL(`/api/runtimes/${runtimeId}/proxy/${port}/`, document.baseURI).toString();
  const iframe = document.createElement('iframe');
  iframe.src = new URL(path.replace(/^\\//, ''), base).toString();
  iframe.height = height;
  iframe.width = width;
  iframe.style.border = 0;
  iframe.allow = 'clipboard-read; clipboard-write; autoplay; fullscreen';
  (element || document.body).appendChild(iframe);
})(%s, window.element);"""

_WINDOW_JS = """(async (port, path, text, runtimeId, element) => {
  const kernel = (window.google && google.colab && google.colab.kernel) || {};
  if (kernel.accessAllowed === false) return;
  const base = kernel.proxyPort
    ? await kernel.proxyPort(port)
    : new URL(`/api/runtimes/${runtimeId}/proxy/${port}/`, document.baseURI).toString();
  const anchor = document.createElement('a');
  anchor.href = new URL(path.replace(/^\\//, ''), base).toString();
  anchor.target = '_blank';
  anchor.rel = 'noopener';
  anchor.textContent = text;
  (element || document.body).appendChild(anchor);
})(%s, window.element);"""


def serve_kernel_port_as_iframe(
    port: int,
    path: str = "/",
    width: str = "100%",
    height: str = "400",
    cache_in_notebook: bool = False,
) -> None:
    """Show the web server listening on ``port`` inside the runtime in an iframe."""
    runtime_id = os.environ.get("CLOUDBOOK_RUNTIME_ID", "")
    code = _IFRAME_JS % _js_args(int(port), path, width, height, cache_in_notebook, runtime_id)
    text = f"<serving runtime port {int(port)} at {proxy_path(port, path)}>"
    _publish._display({"application/javascript": code, "text/plain": text})


def serve_kernel_port_as_window(
    port: int, path: str = "/", anchor_text: str | None = None, skip_warning: bool = False
) -> None:
    """Show a link that opens the web server on ``port`` inside the runtime in a new tab."""
    del skip_warning  # Colab warns about third-party cookies; the service needs none
    runtime_id = os.environ.get("CLOUDBOOK_RUNTIME_ID", "")
    text = anchor_text or f"https://localhost:{int(port)}{path}"
    code = _WINDOW_JS % _js_args(int(port), path, text, runtime_id)
    _publish._display({"application/javascript": code, "text/plain": proxy_path(port, path)})


def enable_custom_widget_manager() -> None:
    """Colab needs this for third-party ipywidgets; cloudbook's outputs always support them."""


def disable_custom_widget_manager() -> None:
    """See enable_custom_widget_manager (nothing to switch off)."""


def flush_all() -> None:
    """Flush stdout, stderr and pending matplotlib figures, so output order is kept."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    backend = sys.modules.get("matplotlib_inline.backend_inline")
    if backend is not None:
        backend.flush_figures()


def get_locally_unique_id(prefix: str = "id") -> str:
    """A fresh element id (unique across kernel restarts too: pids repeat in sandboxes)."""
    import uuid

    return f"{prefix}-{uuid.uuid4().hex[:16]}"
