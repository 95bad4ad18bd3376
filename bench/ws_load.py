"""`python -m bench.ws_load`: many kernel WebSockets against one cloudbook replica.

Holds ``--idle`` kernel WebSockets open, spread over ``--idle-kernels`` runtimes'
kernels (as many users' open notebooks are), then runs ``--active`` clients at once,
spread over ``--active-kernels`` more runtimes' kernels (each sends
``kernel_info_request`` and waits for the reply, ``--rounds`` times), and does the same
against plain jupyter_servers (as many kernels, no proxy) beside it. Spreading matters:
every socket on a kernel hears every status message of that kernel, so N sockets on one
kernel cost N² messages (each jupyter_server connection asks its kernel for its info).

The plain server gets the same ZeroMQ socket cap as a runtime's server
(``bench.jupyter_widen``): stock, it refuses channels past ~250 WebSockets.

Prints the latency of the active requests (median / p99) on both, the difference (what
the proxy adds under that load), and the service's memory per held socket.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.__main__ import pct, wait_pool
from bench.procs import BIN, add_user_with_token, free_port, print_rows, process, rss_of, wait_http
from cloudbook.open_files import raise_open_files_limit
from cloudbook.runtimes.kernel_client import KernelConnection, new_message


def widen_config(work: Path) -> Path:
    path = work / "jupyter_server_config.py"
    # As a runtime's server (cloudbook.runtime_side.__main__): no keepalive pings, whose
    # check closes sockets whose client is slow to answer (here: one client, 2,000 sockets).
    path.write_text(
        'c.ServerApp.jpserver_extensions = {"bench.jupyter_widen": True}\n'
        'c.ServerApp.tornado_settings = {"ws_ping_interval": 0}\n'
    )
    return path


RETRIED = [0]  # handshakes that timed out once and were tried again (reported)


async def open_one(url: str, headers: dict[str, str]) -> KernelConnection:
    for attempt in range(3):
        conn = KernelConnection(url, headers, "v1")
        try:
            await conn.__aenter__()
            return conn
        except TimeoutError:
            if attempt == 2:
                raise
            RETRIED[0] += 1
    raise AssertionError("unreachable")


async def open_many(
    held: list[KernelConnection], url: str, headers: dict[str, str], n: int
) -> list[KernelConnection]:
    conns: list[KernelConnection] = []
    for start in range(0, n, 25):  # batches: a burst of 2,000 handshakes is not the test
        batch = await asyncio.gather(*(open_one(url, headers) for _ in range(min(25, n - start))))
        conns += batch
        held += batch
    return conns


DRAINS: list[asyncio.Task[None]] = []


async def drain(conn: KernelConnection) -> None:
    """Read and drop what an idle socket receives, as a browser's page does: unread, the
    frames would pile up in the proxy and the servers (backpressure), not in a page."""
    ws = conn._ws
    assert ws is not None
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def close_all(held: list[KernelConnection]) -> None:
    """All at once: one by one, 2,000 close handshakes with a busy server take minutes."""
    await asyncio.gather(*(c.__aexit__(None, None, None) for c in held), return_exceptions=True)


async def info_round_trip(conn: KernelConnection) -> float:
    msg = new_message("kernel_info_request", {}, conn.session, "shell")
    start = time.perf_counter()
    await conn.send(msg)
    while True:
        reply = await conn.recv()
        if (
            reply["channel"] == "shell"
            and reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]
        ):
            return time.perf_counter() - start


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def spread(total: int, urls: list[str]) -> list[tuple[str, int]]:
    return [(u, total // len(urls) + (i < total % len(urls))) for i, u in enumerate(urls)]


async def load(
    idle_urls: list[str],
    active_urls: list[str],
    headers: dict[str, str],
    args: argparse.Namespace,
    pids: list[int],
) -> tuple[list[float], float]:
    held: list[KernelConnection] = []
    try:
        before = sum(rss_of(pid) for pid in pids)
        for url, share in spread(args.idle, idle_urls):
            for conn in await open_many(held, url, headers, share):
                DRAINS.append(asyncio.create_task(drain(conn)))
        grown = sum(rss_of(pid) for pid in pids)
        step(f"{args.idle} idle sockets held")
        active: list[KernelConnection] = []
        for url, share in spread(args.active, active_urls):
            active += await open_many(held, url, headers, share)
        step(f"{args.active} active sockets open")
        # Warm each path once (one unmeasured round).
        await asyncio.wait_for(asyncio.gather(*(info_round_trip(c) for c in active)), 300)
        step("active sockets warm")
        times: list[float] = []
        for _ in range(args.rounds):
            times += await asyncio.wait_for(
                asyncio.gather(*(info_round_trip(c) for c in active)), 120
            )
        step(f"{args.rounds} rounds done; closing")
        return times, (grown - before) / max(1, args.idle)
    finally:
        for task in DRAINS:
            task.cancel()
        DRAINS.clear()
        await close_all(held)


async def plain_servers(work: Path, args: argparse.Namespace) -> tuple[list[float], float, int]:
    # --- plain jupyter_servers, as many kernels ----------------------------------------
    # Several servers, as the runtimes are: one process holding every socket would need
    # ~9 descriptors per socket (ZeroMQ's mailboxes and connections), past this machine's
    # hard limit of open files at 2,000.
    jtoken = "bench-token"
    jheaders = {"Authorization": f"token {jtoken}"}
    env = {"JUPYTER_TOKEN": jtoken, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with contextlib.ExitStack() as stack:
        ports, pids = [], []
        for _ in range(max(1, args.direct_servers)):
            jport = free_port()
            jcmd = [
                str(BIN / "jupyter-server"),
                f"--port={jport}",
                "--no-browser",
                "--allow-root",
                f"--ServerApp.root_dir={work}",
                f"--config={widen_config(work)}",
            ]
            pids.append(stack.enter_context(process(jcmd, env=env)).pid)
            ports.append(jport)
        channels = []
        for i in range(args.idle_kernels + args.active_kernels):
            jport = ports[i % len(ports)]
            wait_http(f"http://127.0.0.1:{jport}/api/status", ok=(200, 403))
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{jport}", headers=jheaders, timeout=120
            ) as http:
                kernel = (await http.post("/api/kernels", json={})).json()["id"]
            channels.append(f"ws://127.0.0.1:{jport}/api/kernels/{kernel}/channels")
        step(f"{len(ports)} jupyter_servers up")
        split = args.active_kernels
        direct, direct_mem = await load(channels[split:], channels[:split], jheaders, args, pids)
    retried, RETRIED[0] = RETRIED[0], 0
    return direct, direct_mem, retried


async def through_cloudbook(work: Path, args: argparse.Namespace) -> tuple[list[float], float]:
    # --- one cloudbook replica, two runtimes --------------------------------------------
    data = work / "cb"
    token = add_user_with_token(data, "bench", "bench-password")
    cport = free_port()
    ccmd = [str(BIN / "cloudbook"), "serve", "--no-browser", "--port", str(cport)]
    headers = {"Authorization": f"Bearer {token}"}
    log = work / "cloudbook.log"
    step(f"cloudbook's log: {log}")
    with process(
        [*ccmd, "--data-dir", str(data)], env={"CLOUDBOOK_POOL_SIZE": "2"}, log=log
    ) as cproc:
        wait_http(f"http://127.0.0.1:{cport}/")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{cport}", headers=headers, timeout=300
        ) as http:
            await wait_pool(http, timeout=300)
            step("cloudbook pool ready")
            urls = []
            names = [
                *(f"active-{i}.ipynb" for i in range(args.active_kernels)),
                *(f"idle-{i}.ipynb" for i in range(args.idle_kernels)),
            ]
            for name in names:
                nb = (await http.post("/api/notebooks", json={"name": name})).json()
                session = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                urls.append(f"ws://127.0.0.1:{cport}{session['channels_url']}")
            step(f"{len(urls)} runtimes attached")
        split = args.active_kernels
        return await load(urls[split:], urls[:split], headers, args, [cproc.pid])


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="cloudbook-bench-ws-"))
    if args.cloudbook_only:  # investigating the proxied side alone
        direct: list[float] = [0.0]
        direct_mem = 0.0
        direct_retried = 0
    else:
        direct, direct_mem, direct_retried = await plain_servers(work, args)
        step(f"direct: {pct(direct, 0.5) * 1000:.1f} / {pct(direct, 0.99) * 1000:.1f} ms")
    proxied, per_socket = await through_cloudbook(work, args)

    def ms(values: list[float]) -> str:
        return f"{pct(values, 0.5) * 1000:.1f} / {pct(values, 0.99) * 1000:.1f} ms"

    rows = [
        (
            f"{args.idle} idle sockets on {args.idle_kernels} kernels"
            f" + {args.active} active on {args.active_kernels}, {args.rounds} rounds",
            "",
        ),
        ("kernel_info round trip, jupyter_server direct (median / p99)", ms(direct)),
        ("kernel_info round trip, through cloudbook (median / p99)", ms(proxied)),
        (
            "added by the proxy at p99",
            f"{(pct(proxied, 0.99) - pct(direct, 0.99)) * 1000:.1f} ms",
        ),
        (
            "service memory per held socket (RSS growth / idle sockets)",
            f"{per_socket / 1024:.1f} KiB",
        ),
        ("jupyter_server memory per held socket", f"{direct_mem / 1024:.1f} KiB"),
        (
            "handshakes retried after a 10 s timeout: direct / cloudbook",
            f"{direct_retried} / {RETRIED[0]}",
        ),
    ]
    print_rows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ws_load")
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--active", type=int, default=200)
    parser.add_argument("--idle-kernels", type=int, default=40)
    parser.add_argument("--active-kernels", type=int, default=5)
    parser.add_argument("--direct-servers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cloudbook-only", action="store_true")
    raise_open_files_limit()  # this client holds every socket too
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
