"""The checks in front of 'Connect to a runtime by URL': URL shape and the allowlist."""

from __future__ import annotations

import pytest

from cloudbook.runtimes.attach import Allowlist, check_allowed, parse_server_url
from cloudbook.services.errors import ServiceError


def test_url_is_split_into_base_and_token() -> None:
    assert parse_server_url("http://127.0.0.1:8888/lab?token=abc", None) == (
        "http://127.0.0.1:8888",
        "abc",
    )
    assert parse_server_url("https://h.example/user/x/tree/", "given") == (
        "https://h.example/user/x",
        "given",
    )
    assert parse_server_url("http://[::1]:8888/", "") == ("http://[::1]:8888", "")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://h/", "gopher://h:70/", "http://u:p@h/", "http://h:99999/"],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ServiceError) as caught:
        parse_server_url(url, None)
    assert caught.value.code == "invalid_runtime_url"


async def test_allowlist() -> None:
    off = Allowlist.parse("")
    with pytest.raises(ServiceError) as caught:
        await check_allowed("http://127.0.0.1:8888", off)
    assert caught.value.code == "attach_disabled"
    loopback = Allowlist.parse("127.0.0.0/8, jupyter.internal")
    await check_allowed("http://127.0.0.1:8888", loopback)
    await check_allowed("http://jupyter.internal:8888", loopback)  # listed by name
    for outside in ("http://169.254.169.254", "http://10.0.0.1:8888", "http://[::1]:8888"):
        with pytest.raises(ServiceError) as caught:
            await check_allowed(outside, loopback)
        assert caught.value.code == "attach_not_allowed"
