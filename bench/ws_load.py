"""`python -m bench.ws_load`: many kernel WebSockets against one cloudbook replica.

Holds ``--idle`` kernel WebSockets open on one runtime's kernel, then runs ``--active``
clients at once on a second runtime's kernel (each sends ``kernel_info_request`` and
waits for the reply, ``--rounds`` times), and does the same against a plain
jupyter_server (two kernels, no proxy) beside it. Prints the latency of the active
requests (median / p99) on both, the difference (what the proxy adds under that load),
and the service's memory per held socket.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.__main__ import pct, wait_pool
from bench.procs import BIN, add_user_with_token, free_port, print_rows, process, rss_of, wait_http
from cloudbook.runtimes.kernel_client import KernelConnection, new_message


async def open_many(
    held: list[KernelConnection], url: str, headers: dict[str, str], n: int
) -> list[KernelConnection]:
    conns: list[KernelConnection] = []
    for start in range(0, n, 50):  # batches: a burst of 2,000 handshakes is not the test
        batch = [KernelConnection(url, headers, "v1") for _ in range(min(50, n - start))]
        await asyncio.gather(*(c.__aenter__() for c in batch))
        conns += batch
        held += batch
    return conns


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


async def load(
    idle_url: str, active_url: str, headers: dict[str, str], args: argparse.Namespace, pid: int
) -> tuple[list[float], float]:
    held: list[KernelConnection] = []
    try:
        before = rss_of(pid)
        await open_many(held, idle_url, headers, args.idle)
        grown = rss_of(pid)
        step(f"{args.idle} idle sockets held")
        active = await open_many(held, active_url, headers, args.active)
        step(f"{args.active} active sockets open")
        for conn in active:
            await asyncio.wait_for(info_round_trip(conn), 60)  # warm each path once
        step("active sockets warm")
        times: list[float] = []
        for _ in range(args.rounds):
            times += await asyncio.wait_for(
                asyncio.gather(*(info_round_trip(c) for c in active)), 120
            )
        step(f"{args.rounds} rounds done; closing")
        return times, (grown - before) / max(1, args.idle)
    finally:
        await close_all(held)


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="cloudbook-bench-ws-"))
    # --- plain jupyter_server, two kernels --------------------------------------------
    jport = free_port()
    jtoken = "bench-token"
    jcmd = [
        str(BIN / "jupyter-server"),
        f"--port={jport}",
        "--no-browser",
        "--allow-root",
        f"--ServerApp.root_dir={work}",
    ]
    jheaders = {"Authorization": f"token {jtoken}"}
    with process(jcmd, env={"JUPYTER_TOKEN": jtoken}) as jproc:
        wait_http(f"http://127.0.0.1:{jport}/api/status", ok=(200, 403))
        step("jupyter_server up")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{jport}", headers=jheaders, timeout=120
        ) as http:
            kernels = [(await http.post("/api/kernels", json={})).json()["id"] for _ in "ab"]
        base = f"ws://127.0.0.1:{jport}/api/kernels"
        direct, direct_mem = await load(
            f"{base}/{kernels[0]}/channels",
            f"{base}/{kernels[1]}/channels",
            jheaders,
            args,
            jproc.pid,
        )

    # --- one cloudbook replica, two runtimes --------------------------------------------
    data = work / "cb"
    token = add_user_with_token(data, "bench", "bench-password")
    cport = free_port()
    ccmd = [str(BIN / "cloudbook"), "serve", "--no-browser", "--port", str(cport)]
    headers = {"Authorization": f"Bearer {token}"}
    with process([*ccmd, "--data-dir", str(data)], env={"CLOUDBOOK_POOL_SIZE": "2"}) as cproc:
        wait_http(f"http://127.0.0.1:{cport}/")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{cport}", headers=headers, timeout=300
        ) as http:
            await wait_pool(http, timeout=300)
            step("cloudbook pool ready")
            urls = []
            for name in ("idle.ipynb", "active.ipynb"):
                nb = (await http.post("/api/notebooks", json={"name": name})).json()
                session = (await http.post(f"/api/notebooks/{nb['id']}/session")).json()
                urls.append(f"ws://127.0.0.1:{cport}{session['channels_url']}")
        proxied, per_socket = await load(urls[0], urls[1], headers, args, cproc.pid)

    def ms(values: list[float]) -> str:
        return f"{pct(values, 0.5) * 1000:.1f} / {pct(values, 0.99) * 1000:.1f} ms"

    rows = [
        (f"{args.idle} idle + {args.active} active sockets", ""),
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
    ]
    print_rows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ws_load")
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--active", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
