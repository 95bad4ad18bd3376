"""files.upload / upload_file / download / view with a scripted browser."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.colab.kernel import Kernel, Message

pytestmark = pytest.mark.asyncio(loop_scope="module")

START = re.compile(r'cloudbookUpload\.start\("([^"]+)", (\d+)\)')
NEXT = re.compile(r'cloudbookUpload\.next\("([^"]+)"\)')


class FilePicker:
    """Plays resources/upload.js: the user picks ``files``; chunks go out one per request."""

    def __init__(self, files: dict[str, bytes], cancel_after: int | None = None) -> None:
        self.files = list(files.items())
        self.cancel_after = cancel_after  # chunks sent before the user presses Cancel
        self.chunk = 0
        self.sent = 0
        self.position = (0, 0)
        self.widget_html = ""

    def __call__(self, request: Any, msg: Message) -> Any:
        script = request["script"]
        if m := START.fullmatch(script):
            self.chunk = int(m.group(2))
            return {
                "action": "files",
                "files": [{"name": n, "size": len(d), "type": ""} for n, d in self.files],
            }
        assert NEXT.fullmatch(script), script
        if self.cancel_after is not None and self.sent >= self.cancel_after:
            return {"action": "cancel"}
        index, offset = self.position
        while index < len(self.files) and offset >= len(self.files[index][1]):
            index, offset = index + 1, 0
        if index >= len(self.files):
            return {"action": "complete"}
        data = self.files[index][1][offset : offset + self.chunk]
        self.position = (index, offset + len(data))
        self.sent += 1
        return {
            "action": "append",
            "file": index,
            "offset": offset,
            "data": base64.b64encode(data).decode(),
        }


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


async def test_upload_saves_chunked_files_with_colab_names(
    kernel: Kernel, module_tmp: Path
) -> None:
    content = module_tmp / "content"
    (content / "data.csv").write_text("old")
    big = os.urandom(3 * 1024 * 1024 + 5)  # four chunks of 1 MiB
    picker = FilePicker({"data.csv": b"a,b\n1,2\n", "big.bin": big, "empty.txt": b""})
    kernel.handlers = {"cell_javascript_eval": picker}
    r = await kernel.execute(
        "from google.colab import files\n"
        "uploaded = files.upload()\n"
        "print({k: len(v) for k, v in uploaded.items()})\n"
    )
    r.raise_for_error()
    assert r.stdout.splitlines() == [
        "Saving data.csv to data (1).csv",
        "Saving big.bin to big.bin",
        "Saving empty.txt to empty.txt",
        "{'data.csv': 8, 'big.bin': 3145733, 'empty.txt': 0}",
    ]
    assert (content / "data (1).csv").read_bytes() == b"a,b\n1,2\n"
    assert (content / "big.bin").read_bytes() == big
    assert (content / "data.csv").read_text() == "old"
    assert picker.sent == 5  # one chunk, four chunks, none for the empty file
    # the widget: a file input and a cancel button, with the script that drives them
    html = r.of("display_data")[0]["content"]["data"]["text/html"]
    assert 'type="file"' in html and "multiple" in html and "cloudbookUpload" in html
    # a second clash gets the next number
    kernel.handlers = {"cell_javascript_eval": FilePicker({"data.csv": b"3"})}
    r = await kernel.execute("files.upload()")
    assert "Saving data.csv to data (2).csv" in r.raise_for_error().stdout


async def test_upload_to_target_dir_and_upload_file(kernel: Kernel, module_tmp: Path) -> None:
    content = module_tmp / "content"
    kernel.handlers = {"cell_javascript_eval": FilePicker({"a.txt": b"A"})}
    r = await kernel.execute("print(dict(files.upload(target_dir='in/sub')))")
    r.raise_for_error()
    assert r.stdout.splitlines() == ["Saving a.txt to in/sub/a.txt", "{'a.txt': b'A'}"]
    kernel.handlers = {"cell_javascript_eval": FilePicker({"whatever.txt": b"B"})}
    r = await kernel.execute("files.upload_file('named.txt')")
    r.raise_for_error()
    assert r.stdout == f"Saved whatever.txt to {content}/named.txt\n"
    assert (content / "named.txt").read_bytes() == b"B"


async def test_upload_cancelled_half_way_leaves_nothing(kernel: Kernel, module_tmp: Path) -> None:
    content = module_tmp / "content"
    before = listing(content)
    picker = FilePicker(
        {"one.bin": os.urandom(1024 * 1024), "two.bin": os.urandom(3 << 20)}, cancel_after=2
    )
    kernel.handlers = {"cell_javascript_eval": picker}
    r = await kernel.execute("print(len(files.upload()))")
    r.raise_for_error()
    assert r.stdout == "Upload cancelled; nothing was saved.\n0\n"
    assert listing(content) == before
    kernel.handlers = {"cell_javascript_eval": FilePicker({}, cancel_after=0)}
    r = await kernel.execute("files.upload_file('x.txt')")
    assert r.error is not None and r.error["evalue"] == "File has not been uploaded"
    assert listing(content) == before


async def test_upload_interrupted_leaves_nothing(kernel: Kernel, module_tmp: Path) -> None:
    content = module_tmp / "content"
    before = listing(content)
    picker = FilePicker({"slow.bin": os.urandom(2 << 20)})
    asked = 0

    def stall_after_first_chunk(request: Any, msg: Message) -> Any:
        nonlocal asked
        asked += 1
        if asked <= 2:
            return picker(request, msg)
        kernel.handlers = {}  # the browser goes quiet: the kernel waits
        return None

    kernel.handlers = {"cell_javascript_eval": stall_after_first_chunk}
    msg_id = kernel.kc.execute("files.upload()")
    while True:
        msg = await kernel.kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "colab_request":
            await kernel._answer(msg)
            if asked == 3:
                break
    # The kernel writes what it received while it waits for the next chunk.
    for _ in range(2400):  # a busy machine: up to two minutes
        if any(n.endswith(".part") for n in listing(content)):
            break
        await asyncio.sleep(0.05)
    assert any(n.endswith(".part") for n in listing(content))
    await kernel.km.interrupt_kernel()
    r = await kernel.collect(msg_id)
    assert r.error is not None and r.error["ename"] == "KeyboardInterrupt"
    assert listing(content) == before


async def test_upload_holds_no_whole_file_in_memory(kernel: Kernel, module_tmp: Path) -> None:
    size = 48 << 20
    kernel.handlers = {"cell_javascript_eval": FilePicker({"large.bin": b"\x07" * size})}
    r = await kernel.execute(
        "import resource\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "up = files.upload()\n"
        "grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(os.path.getsize('large.bin'), grew < 20 * 1024)\n",
        timeout=110,
    )
    r.raise_for_error()
    assert r.stdout.splitlines()[-1] == f"{size} True"
    os.unlink(module_tmp / "content" / "large.bin")


async def test_download_streams_over_a_comm(kernel: Kernel, module_tmp: Path) -> None:
    payload = os.urandom(2 * 1024 * 1024 + 17)
    (module_tmp / "content" / "report.bin").write_bytes(payload)
    r = await kernel.execute("files.download('report.bin')")
    r.raise_for_error()
    js = r.of("display_data")[0]["content"]["data"]["application/javascript"]
    target = re.search(r"cloudbook\.download\.[0-9a-f]{32}", js)
    assert target is not None
    assert f'"report.bin", {len(payload)}' in js
    received, messages = await kernel.comm_download(target.group(0))
    assert received == payload
    chunk_sizes = [len(m["buffers"][0]) for m in messages if m.get("buffers")]
    assert chunk_sizes == [1 << 20, 1 << 20, 17]
    done = [m for m in messages if m["msg_type"] == "comm_msg" and m["content"]["data"].get("done")]
    assert done[0]["content"]["data"]["size"] == len(payload)
    # one download per call: opening the comm again gets nothing
    again, messages = await kernel.comm_download(target.group(0))
    assert again == b"" and messages[-1]["msg_type"] == "comm_close"


async def test_download_and_view_of_missing_files(kernel: Kernel) -> None:
    r = await kernel.execute("files.download('nope.txt')")
    assert r.error is not None
    assert (r.error["ename"], r.error["evalue"]) == (
        "FileNotFoundError",
        "Cannot find file: nope.txt",
    )
    r = await kernel.execute("files.view('nope.txt')")
    assert r.error is not None and r.error["evalue"] == "Cannot find file: nope.txt"
    r = await kernel.execute("files.view('.')")
    r.raise_for_error()
    js = r.of("display_data")[0]["content"]["data"]["application/javascript"]
    assert "c.files.view(path)" in js and json.dumps(os.getcwd()) not in js
