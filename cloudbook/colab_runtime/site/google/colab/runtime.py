"""``google.colab.runtime``: managing the runtime from a notebook."""

from __future__ import annotations

from google.colab import _message, errors

__all__ = ["unassign"]


def unassign() -> None:
    """Ask the service to delete this runtime (the same as "Disconnect and delete runtime").

    The browser answers first, then deletes the runtime: the kernel goes away
    shortly after this returns.
    """
    if _message.is_headless():
        print("runtime.unassign(): headless run; the runtime is deleted when the run ends.")
        return
    try:
        request_id = _message.send_request("unassign_runtime", {})
        reply = _message.read_reply_with_buffers(request_id, timeout_sec=60)
    except _message.MessageError as exc:
        raise errors.RuntimeManagementError(f"Unable to request VM unassignment: {exc}") from None
    if reply is None:
        raise errors.RuntimeManagementError("Unable to request VM unassignment.")
