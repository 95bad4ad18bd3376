"""The colab_request / colab_reply round trip, against a scripted browser."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.colab.kernel import FrontendError, Kernel, Message

pytestmark = pytest.mark.asyncio(loop_scope="module")


def evaluate(request: Any, msg: Message) -> Any:
    script = request["script"]
    if script == "1 + 1":
        return 2
    if script.startswith("throw"):
        raise FrontendError("Error: boom from the page")
    if script == "({a: [1, 'two', null]})":
        return {"a": [1, "two", None]}
    raise FrontendError(f"unexpected script {script!r}")


async def test_eval_js_returns_the_browsers_value(kernel: Kernel) -> None:
    kernel.handlers = {"cell_javascript_eval": evaluate}
    r = await kernel.execute(
        "from google.colab import output\n"
        "print(output.eval_js('1 + 1'), output.eval_js('({a: [1, \\'two\\', null]})'))"
    )
    r.raise_for_error()
    assert r.stdout == "2 {'a': [1, 'two', None]}\n"
    first = r.requests[0]
    assert first["metadata"]["colab_request_type"] == "cell_javascript_eval"
    assert first["content"]["request"] == {"script": "1 + 1"}
    # parented to the cell's execute_request, so the browser knows which cell asks
    assert first["parent_header"]["msg_type"] == "execute_request"
    assert len(first["metadata"]["colab_msg_id"]) == 36


async def test_eval_js_that_throws_raises_message_error(kernel: Kernel) -> None:
    kernel.handlers = {"cell_javascript_eval": evaluate}
    r = await kernel.execute(
        "from google.colab import output, _message\n"
        "try:\n"
        "    output.eval_js('throw new Error(\"boom\")')\n"
        "except _message.MessageError as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    r.raise_for_error()
    assert r.stdout == "MessageError Error: boom from the page\n"


async def test_eval_js_times_out_with_none_and_ignore_result_does_not_wait(kernel: Kernel) -> None:
    kernel.handlers = {}  # a browser that never answers
    r = await kernel.execute(
        "import time\n"
        "from google.colab import output\n"
        "t = time.monotonic()\n"
        "print(output.eval_js('1 + 1', timeout_sec=0.3), output.eval_js('x', ignore_result=True))\n"
        "print(0.25 < time.monotonic() - t < 5)\n"
    )
    r.raise_for_error()
    assert r.stdout == "None None\nTrue\n"


async def test_replies_out_of_order_and_binary_buffers(kernel: Kernel) -> None:
    """A reply to another request is kept for it; replies may carry binary buffers."""
    kernel.handlers = {}
    msg_id = kernel.kc.execute(
        "from google.colab import _message\n"
        "a = _message.send_request('first', {})\n"
        "b = _message.send_request('second', {})\n"
        "print(_message.read_reply_with_buffers(a, timeout_sec=30))\n"
        "print(_message.read_reply_with_buffers(b, timeout_sec=30))\n"
    )
    requests: list[Message] = []
    while len(requests) < 2:
        msg = await kernel.kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "colab_request":
            requests.append(msg)
    ids = [m["metadata"]["colab_msg_id"] for m in requests]
    kernel.reply({"type": "colab_reply", "colab_msg_id": ids[1], "data": "two"})
    kernel.reply("stray text")  # shell stdin: not a reply, must not confuse anyone
    kernel.reply({"type": "colab_reply", "colab_msg_id": ids[0], "data": 1}, buffers=[b"\x00\xff"])
    r = await kernel.collect(msg_id)
    r.raise_for_error()
    assert r.stdout == "(1, [b'\\x00\\xff'])\n('two', [])\n"


async def test_callbacks_invoked_as_the_browser_does(kernel: Kernel) -> None:
    """invokeFunction(name, args, kwargs) becomes hidden code run with execute_request."""
    r = await kernel.execute(
        "from google.colab import output\n"
        "import IPython\n"
        "def concat(a, b, sep=''):\n"
        "    print('called')\n"
        "    return IPython.display.JSON({'result': a + sep + b})\n"
        "output.register_callback('notebook.Concat', concat)\n"
    )
    r.raise_for_error()
    count = r.of("execute_input")[0]["content"]["execution_count"]
    tricky = "it's \"quoted\" \\ back'''slash\n\u2028\x85 é"
    code = (
        "__import__('google.colab.output._js', fromlist=['_'])._invoke_function("
        + json.dumps("notebook.Concat")
        + ", "
        + json.dumps(json.dumps(["hello ", tricky], ensure_ascii=False), ensure_ascii=False)
        + ", "
        + json.dumps(json.dumps({"sep": "|"}))
        + ")"
    )
    msg_id = kernel.kc.execute(code, silent=False, store_history=False)
    r = await kernel.collect(msg_id)
    r.raise_for_error()
    assert r.stdout == "called\n"
    assert r.of("execute_result")[0]["content"]["data"]["application/json"] == {
        "result": "hello |" + tricky
    }
    # store_history=False: the user's execution counter does not move
    after = await kernel.execute("pass")
    assert after.of("execute_input")[0]["content"]["execution_count"] == count + 1


async def test_unknown_or_unregistered_callback_is_an_error(kernel: Kernel) -> None:
    await kernel.execute(
        "from google.colab import output\n"
        "output.register_callback('gone', print)\n"
        "output.unregister_callback('gone')\n"
    )
    for name in ("gone", "never.registered"):
        code = (
            "__import__('google.colab.output._js', fromlist=['_'])._invoke_function("
            f"{json.dumps(name)}, '[]', '{{}}')"
        )
        r = await kernel.collect(kernel.kc.execute(code, store_history=False))
        assert r.status == "error"
        assert r.error is not None
        assert (r.error["ename"], r.error["evalue"]) == (
            "ValueError",
            f"Function not found: {name}",
        )
