"""Shell commands: ``!cmd``, ``%shell`` and ``%%shell``, as Colab runs them.

The command runs in bash on a pseudo-terminal (programs see a terminal, so
they line-buffer and show progress bars), its output is copied to the cell as
it arrives, and text the user types in the browser's stdin box (plain
``input_reply`` messages, docs/colab-protocol.md) is written to the terminal.
Headless runs give the command /dev/null as stdin, so it can never wait for input.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from typing import Any

from google.colab import _message, _pip_warning

_BASH = shutil.which("bash") or "/bin/sh"
_IDLE_AFTER_EXIT_S = 0.1  # background children may keep the terminal open: stop waiting then
_FLUSH_EVERY_S = 0.1

_APT = re.compile(
    r"(?:^|[;&|(\s])(?:sudo\s+(?:-\S+\s+)*)?(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*"
    r"(?:install|update|upgrade|dist-upgrade|full-upgrade|remove|purge|autoremove)\b"
)


class ShellResult:
    """What ``%shell`` returns: like subprocess.CompletedProcess, stdout and stderr merged."""

    def __init__(self, args: str, returncode: int, command_output: str) -> None:
        self.args = args
        self.returncode = returncode
        self.output = command_output

    def check_returncode(self) -> None:
        if self.returncode:
            raise subprocess.CalledProcessError(self.returncode, self.args, output=self.output)

    def _ipython_display_(self) -> None:
        """Nothing: the output was already streamed to the cell, don't show it twice."""

    def __repr__(self) -> str:
        return f"ShellResult(args={self.args!r}, returncode={self.returncode})"


def apt_refusal(cmd: str) -> str | None:
    """Why an apt command cannot work in this runtime, or None when it can."""
    if not _APT.search(cmd):
        return None
    if os.geteuid() != 0:
        reason = f"the runtime runs as an unprivileged user (uid {os.geteuid()}), not as root"
    elif not (os.access("/usr", os.W_OK) and os.access("/var/lib/dpkg", os.W_OK)):
        reason = "the system directories (/usr, /var/lib/dpkg) are read-only in its sandbox"
    else:
        return None
    return (
        f"apt-get is not available in this runtime: {reason}. Python packages can be "
        "installed with `pip install`; system packages must be added to the runtime "
        "image by the administrator.\n"
    )


def _configure_terminal(fd: int) -> None:
    attrs = termios.tcgetattr(fd)
    attrs[1] &= ~termios.ONLCR  # keep "\n" line ends, not "\r\n"
    attrs[3] &= ~termios.ECHOCTL  # don't echo control characters as ^X
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


@contextlib.contextmanager
def _stdin_box(enabled: bool) -> Iterator[None]:
    """Ask the browser to show (then hide) a text box whose lines become the command's stdin."""
    if enabled:
        _message.send_request("cell_display_stdin", {"delayMillis": 500}, expect_reply=False)
    try:
        yield
    finally:
        if enabled:
            _message.send_request("cell_remove_stdin", {}, expect_reply=False)


def _read(fd: int) -> bytes | None:
    """Bytes from the terminal; b"" when nothing is ready; None once it is closed."""
    ready, _, _ = select.select([fd], [], [], 0.05)
    if not ready:
        return b""
    try:
        data = os.read(fd, 65536)
    except OSError as exc:
        if exc.errno == errno.EIO:  # every writer closed its end
            return None
        raise
    return data or None


def _interrupt(process: subprocess.Popen[bytes], count: int) -> None:
    """First interrupt: SIGINT to the command's process group; then SIGTERM, SIGKILL."""
    try:
        if count == 1:
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.5)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_command(cmd: str, quiet: bool = False) -> ShellResult:
    """Run ``cmd`` in bash on a pseudo-terminal, streaming its output to the cell.

    ``quiet``: collect the output without showing it (``x = !cmd``).
    """
    refusal = apt_refusal(cmd)
    if refusal:
        sys.stderr.write(refusal)
        sys.stderr.flush()
        return ShellResult(cmd, 100, refusal)
    headless = _message.is_headless()
    parent, child = pty.openpty()
    _configure_terminal(child)
    stdin = os.open(os.devnull, os.O_RDONLY) if headless else child
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    collected: list[str] = []
    interrupts = 0
    try:
        with _stdin_box(enabled=not headless):
            process = subprocess.Popen(
                cmd,
                shell=True,
                executable=_BASH,
                stdin=stdin,
                stdout=child,
                stderr=child,
                close_fds=True,
                start_new_session=True,  # its own process group, for interrupts
            )
            os.close(child)
            # stdin may be that same fd: never close a number the kernel may have reused
            # since (zmq's own fds: closing one aborts the kernel)
            stdin = -1 if stdin == child else stdin
            child = -1
            exited_at: float | None = None
            echo: bool | None = None
            flushed_at = time.monotonic()
            while True:
                try:
                    data = _read(parent)
                    if data is None:
                        break
                    if data:
                        text = decoder.decode(data)
                        if not quiet:
                            sys.stdout.write(text)
                        collected.append(text)
                    elif (
                        exited_at is not None and time.monotonic() - exited_at > _IDLE_AFTER_EXIT_S
                    ):
                        break
                    # ipykernel may hold writes until the cell ends: send them at a steady pace
                    if not data or time.monotonic() - flushed_at > _FLUSH_EVERY_S:
                        sys.stdout.flush()
                        flushed_at = time.monotonic()
                    if exited_at is None and process.poll() is not None:
                        exited_at = time.monotonic()
                    if not headless and exited_at is None:
                        echo = _forward_input(parent, echo)
                except KeyboardInterrupt:
                    interrupts += 1
                    _interrupt(process, interrupts)
                    if interrupts > 2:
                        raise
            process.wait()
    finally:
        for fd in {parent, child, stdin} - {-1}:
            with contextlib.suppress(OSError):
                os.close(fd)
    tail = decoder.decode(b"", final=True)
    if tail:
        if not quiet:
            sys.stdout.write(tail)
        collected.append(tail)
    sys.stdout.flush()
    if interrupts:
        print("^C")
    return ShellResult(cmd, process.returncode, "".join(collected))


def _forward_input(fd: int, echo: bool | None) -> bool:
    """Write what the user typed to the terminal; tell the browser when echo changes."""
    line = _message.read_stdin_line(0)
    if line is not None:
        os.write(fd, line.encode("utf-8"))
    now = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    # The browser's box starts with echo on: a command that turned it off before the
    # first look (read -s, getpass) must be reported too.
    if now != (True if echo is None else echo):
        # e.g. a password prompt turned echo off: the browser masks what is typed
        _message.send_request("cell_update_stdin", {"echo": now}, expect_reply=False)
    return now


def system(shell: Any, cmd: str) -> None:
    """``!cmd``: replaces InteractiveShell.system; the exit status goes to ``_exit_code``."""
    # depth=2: the frame of the user's code (this function is called through a lambda)
    expanded = shell.var_expand(cmd, depth=2)
    before = _pip_warning.installed() if _pip_warning.is_install(expanded) else None
    result = run_command(expanded)
    shell.user_ns["_exit_code"] = result.returncode
    _after_command()
    if before is not None:
        _pip_warning.warn(_pip_warning.changed_and_imported(before, _pip_warning.installed()))
    if getattr(shell, "system_raise_on_error", False) and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, cmd)


def getoutput(shell: Any, cmd: str, split: bool = True, depth: int = 0) -> Any:
    """``x = !cmd``: replaces InteractiveShell.getoutput (output collected, not shown)."""
    from IPython.utils.text import LSString, SList

    if cmd.rstrip().endswith("&"):
        raise OSError("Background processes not supported.")
    result = run_command(shell.var_expand(cmd, depth=depth + 2), quiet=True)
    _after_command()
    if getattr(shell, "system_raise_on_error", False) and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, cmd, output=result.output)
    return SList(result.output.splitlines()) if split else LSString(result.output)


def _after_command() -> None:
    # `!pip install x` followed by `import x` in the same cell must work.
    from google.colab import _packages

    _packages.refresh()


def shell_line_magic(line: str) -> ShellResult:
    """``%shell CMD``: run CMD, raise CalledProcessError if it fails."""
    result = run_command(line)
    _after_command()
    result.check_returncode()
    return result


def shell_cell_magic(line: str, cell: str) -> ShellResult:
    """``%%shell [--ignore-errors]``: run the cell as a bash script."""
    options = line.split()
    unknown = [o for o in options if o != "--ignore-errors"]
    if unknown:
        raise ValueError(f"%%shell: unknown option {unknown[0]} (only --ignore-errors)")
    result = run_command(cell)
    _after_command()
    if "--ignore-errors" not in options:
        result.check_returncode()
    return result
