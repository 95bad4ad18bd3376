"""``!cmd``, ``%shell`` and ``%%shell``: streamed live, stdin from the browser, interrupts."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.colab.kernel import Kernel

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_output_streams_while_the_command_runs(kernel: Kernel) -> None:
    started = time.monotonic()
    r = await kernel.execute("!for i in 1 2 3; do echo $i; sleep 0.3; done")
    r.raise_for_error()
    assert r.stdout == "1\n2\n3\n"  # "\n" line ends, not the terminal's "\r\n"
    streams = r.of("stream")
    finished = r.messages[-1]["received"]
    # the first line arrived well before the command ended
    assert finished - streams[0]["received"] > 0.4, [m["received"] - started for m in streams]
    assert len(streams) >= 2


async def test_exit_code_variables_and_stderr(kernel: Kernel) -> None:
    r = await kernel.execute(
        "x = 'hello world'\n"
        "!echo {x} $x >&2; exit 3\n"
        "print('exit', _exit_code)\n"
        "!test -t 1 && echo terminal\n"
    )
    r.raise_for_error()
    # stderr is merged, as on a terminal; programs see a terminal on stdout
    assert r.stdout == "hello world hello world\nexit 3\nterminal\n"
    r = await kernel.execute("lines = !printf 'a\\nb\\n'\nprint(lines, type(lines).__name__)")
    assert r.raise_for_error().stdout == "['a', 'b'] SList\n"
    r = await kernel.execute(
        "def f():\n    y = 'local'\n    v = %sx echo $y\n    return v\nprint(f().n)"
    )
    assert r.raise_for_error().stdout == "local\n"


async def test_shell_magics(kernel: Kernel) -> None:
    r = await kernel.execute("%%shell\nset -e\necho one\nfor w in two three; do echo $w; done\n")
    r.raise_for_error()
    assert r.stdout == "one\ntwo\nthree\n"
    assert r.value is None  # the output is shown once, not again as the cell's value
    r = await kernel.execute("%%shell\necho failing\nexit 2\n")
    assert r.error is not None and r.error["ename"] == "CalledProcessError"
    assert "returned non-zero exit status 2" in r.error["evalue"]
    assert r.stdout == "failing\n"
    r = await kernel.execute("%%shell --ignore-errors\nexit 2\n")
    r.raise_for_error()
    r = await kernel.execute(
        "res = %shell echo from-line-magic\nprint(res.returncode, repr(res.output))"
    )
    assert r.raise_for_error().stdout == "from-line-magic\n0 'from-line-magic\\n'\n"
    r = await kernel.execute("%shell false")
    assert r.error is not None and r.error["ename"] == "CalledProcessError"


async def test_stdin_typed_in_the_browser(kernel: Kernel) -> None:
    kernel.stdin_lines = ["bob\n"]
    try:
        r = await kernel.execute("!read -p 'name? ' name; echo \"hello $name\"")
    finally:
        kernel.stdin_lines = []
    r.raise_for_error()
    assert r.stdout.endswith("hello bob\n")
    assert "name? " in r.stdout
    kinds = [m["metadata"]["colab_request_type"] for m in r.requests]
    assert kinds[0] == "cell_display_stdin" and kinds[-1] == "cell_remove_stdin"
    assert r.requests[0]["content"]["request"] == {"delayMillis": 500}


async def test_captured_output_with_stdin(kernel: Kernel) -> None:
    kernel.stdin_lines = ["typed\n", "\x04"]  # a line, then Ctrl-D
    try:
        r = await kernel.execute("x = !cat\nprint(x)")
    finally:
        kernel.stdin_lines = []
    # the terminal echoes what was typed, then cat repeats it (as on Colab)
    assert r.raise_for_error().stdout == "['typed', 'typed']\n"


async def test_interrupt_stops_the_command_not_the_cell(kernel: Kernel) -> None:
    msg_id = kernel.kc.execute("!echo started; sleep 30; echo never\nprint('after')")
    while True:
        msg = await kernel.kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "stream" and "started" in msg["content"]["text"]:
            break
    started = time.monotonic()
    await kernel.km.interrupt_kernel()
    r = await kernel.collect(msg_id)
    assert time.monotonic() - started < 5
    r.raise_for_error()
    assert r.stdout == "^C\nafter\n"


async def test_background_commands_do_not_hold_the_cell(kernel: Kernel) -> None:
    started = time.monotonic()
    r = await kernel.execute("!(sleep 3; echo late) > /dev/null 2>&1 &\n!echo next")
    r.raise_for_error()
    assert r.stdout == "next\n"
    assert time.monotonic() - started < 2.5
    await asyncio.sleep(0)


async def test_no_descriptor_is_closed_twice(kernel: Kernel) -> None:
    # The terminal's fd number can be reused (by zmq) while the command runs: closing it a
    # second time once aborted the kernel ("Assertion failed ... signaler.cpp").
    r = await kernel.execute(
        "import os\n"
        "from google.colab import _shell\n"
        "closed = []\n"
        "real_close = os.close\n"
        "os.close = lambda fd: (closed.append(fd), real_close(fd))[1]\n"
        "try:\n"
        "    _shell.run_command('echo hi')\n"
        "finally:\n"
        "    os.close = real_close\n"
        "print('twice', sorted({fd for fd in closed if closed.count(fd) > 1}))\n"
    )
    assert r.raise_for_error().stdout == "hi\ntwice []\n"


async def test_tensorflow_version_is_accepted_as_on_colab(kernel: Kernel) -> None:
    # Notebooks written for Colab's TF1 years start with this line: a notice, no error,
    # and the cells after it run.
    r = await kernel.execute("%tensorflow_version 2.x\nprint('next line runs')")
    r.raise_for_error()
    assert r.stdout == (
        "Colab only includes TensorFlow 2.x; %tensorflow_version has no effect.\nnext line runs\n"
    )
    r = await kernel.execute("%tensorflow_version 1.x")
    assert r.raise_for_error().stdout.startswith("Colab only includes TensorFlow 2.x")


async def test_portpicker_picks_a_free_port(kernel: Kernel) -> None:
    # Colab's own tutorials start servers on portpicker.pick_unused_port().
    r = await kernel.execute(
        "import portpicker, socket\n"
        "port = portpicker.pick_unused_port()\n"
        "s = socket.socket(); s.bind(('127.0.0.1', port)); s.close()\n"
        "print(1024 < port < 65536)"
    )
    assert r.raise_for_error().stdout == "True\n"
