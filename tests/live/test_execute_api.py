"""POST /api/notebooks/{id}/execute on a live service with a real runtime, no page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cloudbook.settings import Settings
from tests.live.api import LOOP, create, idle, saved_cell, stdout, until_state
from tests.server.live import LiveServer, live_server


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    settings.pool_size = 1
    settings.live_stream_max_bytes = 64 * 1024
    settings.live_documents = True
    async with live_server(settings) as server:
        await server.services.runtimes.wait_pool_ready(timeout=90)
        yield server


async def test_run_with_no_page_lands_in_the_saved_file(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(http, {"loop": LOOP, "after": "21 * 2"})
        r = await http.post(
            f"/api/notebooks/{nb}/execute", json={"cell_ids": ["loop", "after"], "client_id": 7}
        )
        assert r.status_code == 202, r.text
        assert r.json() == {"queued": ["loop", "after"]}
        running = await until_state(http, nb, lambda s: s["running"] == "loop")
        assert running["queued"] == ["after"]
        await until_state(http, nb, idle)
        cell = await saved_cell(http, nb, "after", lambda c: c["outputs"])
        assert cell["outputs"][0]["data"] == {"text/plain": "42"}
        loop = await saved_cell(http, nb, "loop", lambda c: True)
    assert stdout(loop) == "".join(f"{i}\n" for i in range(20))
    assert loop["metadata"]["executionInfo"]["user"]["displayName"] == "alice"
    assert loop["execution_count"] + 1 == cell["execution_count"]


async def test_input_is_answered_by_another_tab_of_the_same_user(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as first, live.client(token) as second:
        nb = await create(first, {"ask": "x = input('Your name: ')\nprint('hi', x)"})
        await first.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["ask"], "client_id": 1})
        state = await until_state(second, nb, lambda s: s["requests"])
        request_id, request = next(iter(state["requests"].items()))
        assert request == {
            "kind": "input",
            "cell_id": "ask",
            "user_id": request["user_id"],
            "client_id": 1,
            "prompt": "Your name: ",
            "password": False,
            "type": None,
            "request": None,
        }
        r = await second.post(
            f"/api/notebooks/{nb}/input", json={"request_id": request_id, "value": "Ada"}
        )
        assert r.status_code == 204, r.text
        again = await second.post(
            f"/api/notebooks/{nb}/input", json={"request_id": request_id, "value": "Eve"}
        )
        assert again.status_code == 404
        await until_state(second, nb, idle)
        cell = await saved_cell(second, nb, "ask", lambda c: c["outputs"])
    assert stdout(cell) == "Your name: Ada\nhi Ada\n"


async def test_colab_request_is_answered_after_the_running_tab_left(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(
            http, {"js": "from google.colab import output\nprint(output.eval_js('1+1'))"}
        )
        await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["js"], "client_id": 5})
        # The tab with client id 5 is gone; another tab of alice sees the request and answers.
        state = await until_state(http, nb, lambda s: s["requests"])
        request_id, request = next(iter(state["requests"].items()))
        assert request["kind"] == "colab"
        assert request["type"] == "cell_javascript_eval"
        assert request["request"] == {"script": "1+1"}
        r = await http.post(
            f"/api/notebooks/{nb}/input", json={"request_id": request_id, "value": {"data": 2}}
        )
        assert r.status_code == 204, r.text
        await until_state(http, nb, idle)
        cell = await saved_cell(http, nb, "js", lambda c: c["outputs"])
    assert stdout(cell) == "2\n"


async def test_long_output_is_cut_and_the_full_file_is_the_owners_until_deleted(
    live: LiveServer,
) -> None:
    alice = await live.token_for("alice")
    bob = await live.token_for("bob")
    async with live.client(alice) as http, live.client(bob) as other:
        nb = await create(http, {"big": "for i in range(10000):\n    print(f'row {i:05d}')"})
        await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["big"]})
        await until_state(http, nb, idle)
        cell = await saved_cell(http, nb, "big", lambda c: c["outputs"])
        text = stdout(cell)
        url = f"/api/notebooks/{nb}/outputs/big/stdout"
        assert text.startswith("row 00000\n")
        assert f"[output cut after 64 KiB: full output at {url}]" in text
        assert len(text.encode()) < 64 * 1024 + 200
        full = await http.get(url)
        assert full.status_code == 200
        assert full.text == "".join(f"row {i:05d}\n" for i in range(10000))
        assert full.headers["content-type"].startswith("text/plain")
        # Someone else reads nothing, runs nothing, answers nothing.
        assert (await other.get(url)).status_code == 404
        r = await other.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["big"]})
        assert r.status_code == 404
        r = await other.post(f"/api/notebooks/{nb}/input", json={"request_id": "x", "value": "1"})
        assert r.status_code == 404
        assert (await other.get(f"/api/notebooks/{nb}/execution")).status_code == 404
        assert (await http.get(f"/api/notebooks/{nb}/outputs/big/stdin")).status_code == 404
        assert (
            await http.get(f"/api/notebooks/{nb}/outputs/..%2F..%2Fx/stdout")
        ).status_code == 404
        # Deleted: in the Trash the file stays (a restore brings the link back), but
        # nobody reads it; emptying the Trash deletes it.
        folder = live.services.executors.spill_root / nb
        assert [p.name.endswith(".stdout.txt") for p in folder.iterdir()] == [True]
        assert (await http.delete(f"/api/notebooks/{nb}")).status_code == 204
        assert (await http.get(url)).status_code == 404
        assert folder.is_dir()
        assert (await http.delete("/api/trash")).status_code == 200
        assert not folder.exists()


async def test_bad_requests_change_nothing(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(http, {"a": "1"})
        for body in ({}, {"cell_ids": []}, {"cell_ids": ["a"], "extra": 1}, {"cell_ids": "a"}):
            r = await http.post(f"/api/notebooks/{nb}/execute", json=body)
            assert r.status_code == 422, (body, r.text)
        r = await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["missing"]})
        assert r.status_code == 202 and r.json() == {"queued": []}
        r = await http.post(f"/api/notebooks/{nb}/input", json={"request_id": "nope", "value": "1"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_request"


async def test_interrupt_and_restart_end_the_run_and_drop_the_queue(live: LiveServer) -> None:
    token = await live.token_for("alice")
    async with live.client(token) as http:
        nb = await create(
            http,
            {"spin": "import time\nprint('go', flush=True)\nwhile True: time.sleep(0.1)"}
            | {"next": "print('not run')"},
        )
        await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["spin", "next"]})
        # Interrupt once the loop runs (a signal to an idle kernel does nothing).
        await saved_cell(http, nb, "spin", lambda c: "go" in stdout(c))
        session = (await http.get(f"/api/notebooks/{nb}/session")).json()
        kernel = f"/api/runtimes/{session['runtime_id']}/kernels/{session['kernel_id']}"
        assert (await http.post(f"{kernel}/interrupt")).status_code == 204
        await until_state(http, nb, idle)
        spin = await saved_cell(http, nb, "spin", lambda c: c["outputs"][-1:])
        assert spin["outputs"][-1]["ename"] == "KeyboardInterrupt"
        assert (await saved_cell(http, nb, "next", lambda c: True))["outputs"] == []
        # Again, then a restart instead: the run ends, and the next run works.
        await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["spin"]})
        await saved_cell(http, nb, "spin", lambda c: "go" in stdout(c) and len(c["outputs"]) == 1)
        assert (await http.post(f"{kernel}/restart")).status_code == 204
        await until_state(http, nb, idle)
        await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["next"]})
        await until_state(http, nb, idle)
        cell = await saved_cell(http, nb, "next", lambda c: c["outputs"])
    assert stdout(cell) == "not run\n", cell
    assert cell["execution_count"] == 1  # a fresh kernel


async def test_a_runaway_print_cannot_fill_the_service_disk(settings: Settings) -> None:
    """Attack: a kernel prints 40 MB in a cell the service runs. The document keeps its
    stream cap, and the full-output file stops at the cell's output cap (the kernel proxy's
    OutputCap, applied by the executor too): the service's disk is not the kernel's."""
    settings.pool_size = 1
    settings.live_stream_max_bytes = 64 * 1024
    settings.output_cell_max_bytes = 1024 * 1024
    settings.live_documents = True
    async with live_server(settings) as live:
        await live.services.runtimes.wait_pool_ready(timeout=90)
        token = await live.token_for("alice")
        async with live.client(token) as http:
            code = "for i in range(40):\n    print(str(i % 10) * 1_000_000)"
            nb = await create(http, {"flood": code})
            r = await http.post(f"/api/notebooks/{nb}/execute", json={"cell_ids": ["flood"]})
            assert r.status_code == 202, r.text
            await until_state(http, nb, idle)
            cell = await saved_cell(http, nb, "flood", lambda c: "MB not shown" in str(c))
    assert "output truncated" in str(cell["outputs"])
    spilled = [p for p in (settings.data_dir / "live_outputs").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in spilled) < 2 * 1024 * 1024
