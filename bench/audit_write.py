"""What an audit event costs where it is written: the login route with and without the
audit write, on SQLite (the default store), through the app in-process.

    .venv/bin/python -m bench.audit_write [--runs 200]

Prints the mean and p95 of a password login (argon2 dominates) and of a bare
``AuditLog.record``, and the ratio login-with-audit / login-without."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path


def _p95(xs: list[float]) -> float:
    return sorted(xs)[int(len(xs) * 0.95) - 1]


async def main(runs: int) -> None:
    import httpx

    from cloudbook.server.app import create_app
    from cloudbook.services.audit import AuditLog
    from cloudbook.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", pool_size=0, open_browser=False)
        app = create_app(settings, wait_ready=True)
        async with app.router.lifespan_context(app):
            services = app.state.cloudbook.services
            await services.users.create("bench", "long enough pw")
            http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            )
            body = {"name": "bench", "password": "long enough pw"}

            async def logins() -> list[float]:
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    r = await http.post("/api/auth/login", json=body)
                    times.append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 200
                return times

            with_audit = await logins()
            real = services.users.audit

            class Off(AuditLog):
                async def record(self, *a: object, **k: object) -> None:
                    return None

            services.users.audit = Off(services.db)
            without = await logins()
            services.users.audit = real
            records = []
            for n in range(runs):
                start = time.perf_counter()
                await real.record("account.quota", detail={"n": n})
                records.append((time.perf_counter() - start) * 1000)
            await http.aclose()
    for label, xs in (
        ("login, audited", with_audit),
        ("login, no audit", without),
        ("AuditLog.record", records),
    ):
        print(f"{label:18s} mean {statistics.mean(xs):7.2f} ms  p95 {_p95(xs):7.2f} ms")
    ratio = statistics.mean(with_audit) / statistics.mean(without)
    print(f"ratio audited/unaudited login: {ratio:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    asyncio.run(main(parser.parse_args().runs))
