"""`cloudbook serve`: bind, answer at once, load the rest in the background."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys

from cloudbook.settings import Settings


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP: asyncio then sets TCP_NODELAY on every accepted connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        print(f"cloudbook: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        raise SystemExit(1) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> int:
    import uvicorn

    from cloudbook.server import log_redaction
    from cloudbook.server.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn re-raises the signal that stopped it once shutdown is complete; after a clean
    # shutdown on SIGTERM the process should exit 0, not die of the signal.
    signal.signal(signal.SIGTERM, lambda *_: None)
    from cloudbook.open_files import raise_open_files_limit

    # Two descriptors per proxied kernel WebSocket (browser and upstream).
    raise_open_files_limit()
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    sock = _bind(settings.host, settings.port)
    settings.port = sock.getsockname()[1]
    app = create_app(settings)
    # No access log: query strings (login links) must never reach a log line.
    config = uvicorn.Config(
        app,
        log_level="info",
        access_log=False,
        ws="websockets-sansio",
        # Loopback and LAN: compressing large outputs costs more than it saves.
        ws_per_message_deflate=False,
    )
    # After uvicorn configured its logging: WebSocket handshake lines hold proxy tokens.
    log_redaction.install()
    server = uvicorn.Server(config)

    async def announce() -> None:
        state = app.state.cloudbook
        await state.ready.wait()
        if state.init_failed:
            server.should_exit = True
            return
        print(f"cloudbook is running at {settings.base_url}", flush=True)
        if state.login_link:
            print(f"Log in as admin (this link works once): {state.login_link}", flush=True)
        if settings.open_browser:
            import webbrowser

            webbrowser.open(state.login_link or settings.base_url)

    async def main() -> None:
        task = asyncio.create_task(announce())
        try:
            await server.serve(sockets=[sock])
        finally:
            task.cancel()

    try:
        import uvloop  # uvicorn[standard] brings it: faster sockets for the kernel proxy
    except ImportError:
        asyncio.run(main())
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main())
    return 1 if app.state.cloudbook.init_failed else 0
