"""Receiving files: from the browser's file picker, or from the command line when headless.

Browser uploads arrive one chunk per ``output.eval_js`` round trip (base64, 1 MiB
of file each, driven by resources/upload.js in the cell's output frame). Every
chunk is appended to a hidden partial file next to its destination, so no file is
ever held whole in memory; partial files get their final names only once every
file has arrived, and a cancel, an error or an interrupt deletes them all.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from google.colab import _message

CHUNK_BYTES = 1024 * 1024


class UploadedFiles(Mapping[str, bytes]):
    """``{original file name: contents}`` as Colab returns, read from disk on access.

    ``paths`` maps each name to where it was saved.
    """

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = dict(paths)

    def __getitem__(self, name: str) -> bytes:
        with open(self.paths[name], "rb") as f:
            return f.read()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name!r}: <{self.paths[name]}>" for name in self.paths)
        return "{" + inner + "}"


def safe_name(name: str) -> str:
    """The file name part of what the browser sent (never a path)."""
    base = os.path.basename(str(name).replace("\\", "/")).strip()
    return base if base not in ("", ".", "..") else "upload"


def unique_path(path: str) -> str:
    """``path``, or ``name (1).ext``, ``name (2).ext``, ... when taken (Colab's rule)."""
    if not os.path.lexists(path):
        return path
    stem, ext = os.path.splitext(path)
    counter = 1
    while os.path.lexists(f"{stem} ({counter}){ext}"):
        counter += 1
    return f"{stem} ({counter}){ext}"


def claim(partial: str, wanted: str) -> str:
    """Give ``partial`` the name ``wanted`` (or the next free variant) without clobbering."""
    while True:
        final = unique_path(wanted)
        try:
            os.link(partial, final)  # fails if the name was taken meanwhile
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system
            if os.path.lexists(final):
                continue
            os.rename(partial, final)
            return final
        os.unlink(partial)
        return final


def _target(target_dir: str) -> str:
    directory = target_dir or "."
    os.makedirs(directory, exist_ok=True)
    return directory


def _partial(directory: str) -> str:
    fd, path = tempfile.mkstemp(prefix=".cloudbook-upload-", suffix=".part", dir=directory)
    os.close(fd)
    return path


def _discard(paths: list[str]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _widget_html(upload_id: str, multiple: bool) -> str:
    script = resources.files("google.colab").joinpath("resources/upload.js").read_text("utf-8")
    return f"""
<div class="cloudbook-upload">
  <input type="file" id="{upload_id}-input" {"multiple" if multiple else ""} disabled
         style="border:none" />
  <button id="{upload_id}-cancel" disabled>Cancel upload</button>
  <progress id="{upload_id}-progress" hidden></progress>
  <pre id="{upload_id}-status" style="margin:4px 0">Upload widget is only available when \
the cell has been executed in the current browser session. Please rerun this cell to enable.</pre>
</div>
<script>{script}</script>"""


def receive_from_browser(target_dir: str, multiple: bool) -> list[tuple[str, str]] | None:
    """Run the picker; [(original name, partial path)] once all arrived, None if cancelled.

    The caller renames the partial files; on any exception they are deleted here.
    """
    from google.colab import output
    from google.colab.output import _publish

    directory = _target(target_dir)
    upload_id = "upload-" + uuid.uuid4().hex
    _publish.html(_widget_html(upload_id, multiple))
    started = output.eval_js(f"cloudbookUpload.start({json.dumps(upload_id)}, {CHUNK_BYTES})")
    if not isinstance(started, dict) or started.get("action") != "files":
        return None
    files = [safe_name(f.get("name", "")) for f in started.get("files", [])]
    partials: list[str] = []
    try:
        for _ in files:
            partials.append(_partial(directory))
        while True:
            step = output.eval_js(f"cloudbookUpload.next({json.dumps(upload_id)})")
            action = step.get("action") if isinstance(step, dict) else None
            if action == "complete":
                return list(zip(files, partials, strict=True))
            if action != "append":
                _discard(partials)
                return None
            index = int(step["file"])
            with open(partials[index], "ab") as f:
                f.write(base64.b64decode(step.get("data", "")))
    except BaseException:
        _discard(partials)
        raise


def _headless_sources() -> dict[str, str]:
    raw = os.environ.get("CLOUDBOOK_UPLOADS", "")
    if not raw:
        raise _message.headless_error(
            "files.upload()", "give the files with `cloudbook run --upload NAME=PATH`"
        )
    try:
        sources: Any = json.loads(raw)
    except ValueError:
        raise _message.MessageError("CLOUDBOOK_UPLOADS is not a JSON object") from None
    if not isinstance(sources, dict) or not sources:
        raise _message.headless_error(
            "files.upload()", "give the files with `cloudbook run --upload NAME=PATH`"
        )
    return {str(k): str(v) for k, v in sources.items()}


def receive_headless(target_dir: str) -> list[tuple[str, str]]:
    """The files named by CLOUDBOOK_UPLOADS, copied to partial files in the target dir."""
    directory = _target(target_dir)
    partials: list[tuple[str, str]] = []
    try:
        for name, source in _headless_sources().items():
            partial = _partial(directory)
            partials.append((safe_name(name), partial))
            with open(source, "rb") as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK_BYTES)
    except BaseException:
        _discard([p for _, p in partials])
        raise
    return partials
