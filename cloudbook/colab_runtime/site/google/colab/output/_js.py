"""JavaScript in the cell's output frame, and Python callbacks invoked from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from google.colab import _message

_functions: dict[str, Callable[..., Any]] = {}


def eval_js(script: str, ignore_result: bool = False, timeout_sec: float | None = None) -> Any:
    """Evaluate ``script`` in the output frame of the running cell and return its value.

    A Promise is awaited by the browser. Raises MessageError with the browser's
    message when the script throws; returns None when ``timeout_sec`` passes first.
    """
    if _message.is_headless():
        raise _message.headless_error(
            "output.eval_js()", "JavaScript can only run in a browser (open the notebook)"
        )
    request_id = _message.send_request(
        "cell_javascript_eval", {"script": script}, expect_reply=not ignore_result
    )
    if ignore_result:
        return None
    return _message.read_reply_from_input(request_id, timeout_sec)


def register_callback(function_name: str, callback: Callable[..., Any]) -> None:
    """Make ``callback`` callable from output JavaScript:
    ``google.colab.kernel.invokeFunction(function_name, args, kwargs)``."""
    _functions[function_name] = callback


def unregister_callback(function_name: str) -> None:
    """Forget a registered callback (no error when it was not registered)."""
    _functions.pop(function_name, None)


def _invoke_function(function_name: str, json_args: str, json_kwargs: str) -> Any:
    """Run a registered callback; the browser executes a call to this (docs/colab-protocol.md)."""
    args = json.loads(json_args) if json_args else []
    kwargs = json.loads(json_kwargs) if json_kwargs else {}
    callback = _functions.get(function_name)
    if callback is None:
        raise ValueError(f"Function not found: {function_name}")
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise TypeError("invokeFunction needs an array of arguments and an object of keywords")
    return callback(*args, **kwargs)
