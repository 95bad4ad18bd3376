"""``google.colab.files``: moving files between the browser and the runtime."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from google.colab import _ipython, _message, _upload
from google.colab._upload import UploadedFiles

__all__ = ["download", "upload", "upload_file", "view"]

DOWNLOAD_CHUNK_BYTES = 1024 * 1024


def _receive(target_dir: str, multiple: bool) -> list[tuple[str, str]] | None:
    if _message.is_headless():
        return _upload.receive_headless(target_dir)
    return _upload.receive_from_browser(target_dir, multiple)


def upload(target_dir: str = "") -> UploadedFiles:
    """Let the user pick files in the browser and save them in ``target_dir`` (default: cwd).

    Returns ``{name: contents}`` (contents read from disk when accessed). A name
    already taken is saved as ``name (1).ext``. Cancelling saves nothing.
    """
    received = _receive(target_dir, multiple=True)
    if received is None:
        print("Upload cancelled; nothing was saved.")
        return UploadedFiles({})
    directory = target_dir or "."
    saved: dict[str, str] = {}
    for name, partial in received:
        final = _upload.claim(partial, os.path.join(directory, name) if target_dir else name)
        print(f"Saving {name} to {final}")
        saved[name] = final
    return UploadedFiles(saved)


def upload_file(filename: str) -> None:
    """Let the user pick one file in the browser and save it as ``filename`` (replacing it)."""
    received = _receive(os.path.dirname(filename), multiple=False)
    if not received:
        raise ValueError("File has not been uploaded")
    if len(received) > 1:
        for _, partial in received:
            os.unlink(partial)
        raise ValueError("Multiple files received, please upload a single file")
    name, partial = received[0]
    os.replace(partial, filename)
    print(f"Saved {name} to {os.path.join(os.getcwd(), filename)}")


_DOWNLOAD_JS = """(async (target, name, size, element) => {
  const kernel = window.google && google.colab && google.colab.kernel;
  if (!kernel || kernel.accessAllowed === false || !kernel.comms) return;
  const box = document.createElement('div');
  const label = document.createElement('label');
  label.textContent = `Downloading "${name}": `;
  const progress = document.createElement('progress');
  progress.max = Math.max(size, 1);
  progress.value = 0;
  box.append(label, progress);
  (element || document.body).appendChild(box);
  const parts = [];
  let received = 0;
  let done = false;
  try {
    const channel = await kernel.comms.open(target, {});
    channel.send({action: 'next'});
    for await (const message of channel.messages) {
      for (const buffer of message.buffers || []) {
        parts.push(buffer);
        received += buffer.byteLength;
      }
      progress.value = received;
      if (message.data && message.data.done) { done = true; break; }
      channel.send({action: 'next'});
    }
  } catch (e) {
    done = false;
  }
  if (!done) {
    label.textContent = `Download of "${name}" is no longer available; run the cell again.`;
    progress.remove();
    return;
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob(parts, {type: 'application/octet-stream'}));
  link.download = name;
  box.appendChild(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); box.remove(); }, 1000);
})(%s, window.element);"""


def _serve_download(path: str, target: str) -> None:
    """Answer one browser comm on ``target`` with the file, one chunk per request."""
    manager = _ipython.get_kernel().comm_manager

    def on_open(comm: Any, _open_msg: dict[str, Any]) -> None:
        manager.unregister_target(target, on_open)  # one download per call
        handle = open(path, "rb")  # closed when the comm finishes
        sent = 0

        def on_msg(_msg: dict[str, Any]) -> None:
            nonlocal sent
            if handle.closed:
                return
            chunk = handle.read(DOWNLOAD_CHUNK_BYTES)
            if chunk:
                comm.send({"offset": sent}, buffers=[chunk])
                sent += len(chunk)
                return
            handle.close()
            comm.send({"done": True, "size": sent})
            comm.close()

        def on_close(_msg: dict[str, Any]) -> None:
            handle.close()

        comm.on_msg(on_msg)
        comm.on_close(on_close)

    manager.register_target(target, on_open)


def download(filename: str) -> None:
    """Send the file to the browser, which saves it (streamed over a comm, with progress)."""
    if not os.path.exists(filename):
        raise FileNotFoundError(f"Cannot find file: {filename}")
    if os.path.isdir(filename):
        raise IsADirectoryError(f"Cannot download a directory: {filename}")
    name = os.path.basename(filename)
    size = os.path.getsize(filename)
    if _message.is_headless():
        print(f"files.download({filename!r}): headless run, no browser to save it; skipped.")
        return
    target = "cloudbook.download." + uuid.uuid4().hex
    _serve_download(os.path.abspath(filename), target)
    from google.colab.output import _publish

    args = ", ".join(json.dumps(v) for v in (target, name, size))
    _publish._display(
        {
            "application/javascript": _DOWNLOAD_JS % args,
            "text/plain": f"<download of {name}, {size} bytes>",
        }
    )


def view(filepath: str) -> None:
    """Open the file (or folder) in the browser's file panel."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"Cannot find file: {filepath}")
    path = os.path.abspath(filepath)
    from google.colab.output import _publish

    code = (
        "((path) => { const c = window.google && google.colab;"
        f" if (c && c.files && c.files.view) c.files.view(path); }})({json.dumps(path)});"
    )
    _publish._display({"application/javascript": code, "text/plain": f"<view {path}>"})
