"""PDF through headless Chromium's print of the static HTML (no script runs, nothing is
fetched: the document is self-contained, its CSP allows no network and every request
goes to a dead proxy). One Chromium per PDF, in a temp dir, under a timeout (the caller
bounds how many run at once)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from cloudbook.services.errors import ServiceError, Unavailable

FLAGS = [
    "--headless",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    # No --blink-settings=scriptEnabled=false: headless print needs script itself (it
    # writes nothing then). The document's CSP (no script-src) keeps page scripts off.
    # Nothing leaves: every fetch would go to a closed port (the discard port).
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--no-pdf-header-footer",
]


class PdfFailed(ServiceError):
    status = 502
    code = "pdf_failed"


def chromium_path(configured: str) -> str:
    found = shutil.which(configured)
    if found is None:
        raise Unavailable(
            f"PDF export needs Chromium, and {configured!r} was not found: install it or set "
            "CLOUDBOOK_CHROMIUM to its path.",
            code="chromium_missing",
        )
    return found


async def html_to_pdf(html: str, chromium: str, timeout: float) -> bytes:
    binary = chromium_path(chromium)
    with tempfile.TemporaryDirectory(prefix="cloudbook-pdf-") as tmp:
        folder = Path(tmp)
        page = folder / "notebook.html"
        out = folder / "notebook.pdf"
        await asyncio.to_thread(page.write_text, html, "utf-8")
        args = [*FLAGS, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={out}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to start as root without it
        proc = await asyncio.create_subprocess_exec(
            binary,
            *args,
            page.as_uri(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,  # dbus noise; the PDF's presence decides
            cwd=folder,
            env={"HOME": str(folder), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            start_new_session=True,
        )
        try:
            await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            _kill(proc)
            await proc.wait()
            raise PdfFailed(f"Chromium did not print the PDF within {timeout:g} s.") from None
        except BaseException:
            _kill(proc)
            await proc.wait()
            raise
        data = await asyncio.to_thread(_read, out)
        if proc.returncode != 0 or not data.startswith(b"%PDF"):
            raise PdfFailed(f"Chromium could not print the PDF (exit {proc.returncode}).")
        return data


def _kill(proc: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(proc.pid, 9)  # its own session: the renderer and GPU children too
    except ProcessLookupError:
        pass


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
