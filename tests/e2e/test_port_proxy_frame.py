"""The kernel-port proxy from where Colab uses it: a link asked for by the page, loaded in a
frame nested in a sandboxed (opaque-origin, cookie-less) frame, as serve_kernel_port_as_iframe
does, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.e2e.colab_steps import open_notebook, outputs, run_and_wait
from tests.e2e.conftest import Served
from tests.server.test_port_proxy import START_HTTP_SERVER

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def test_runtime_web_server_in_a_sandboxed_frame(page: Page, cloudbook_server: Served) -> None:
    nb_id = open_notebook(page, cloudbook_server, "serve.ipynb", [START_HTTP_SERVER])
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text(re.compile(r"^\d+\s*$"))
    port = int(outputs(page, 0).inner_text().strip())
    url = page.evaluate(
        """async ([id, port]) => {
            const s = await (await fetch('/api/notebooks/' + id + '/session')).json();
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/runtimes/' + s.runtime_id + '/ports/' + port + '/url', {
                method: 'POST',
                headers: {'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])}});
            return (await r.json()).url;
        }""",
        [nb_id, port],
    )
    assert url.startswith(cloudbook_server.base) and url.endswith("/")
    target = url + "hello.txt"

    def is_target(frame: Frame) -> bool:
        return frame.url == target

    with page.expect_event("framenavigated", predicate=is_target) as navigated:
        page.evaluate(
            """(src) => {
                const outer = document.createElement('iframe');
                outer.setAttribute('sandbox', 'allow-scripts');
                outer.srcdoc = '<iframe src="' + src + '" width="400" height="80"></iframe>';
                document.body.append(outer);
            }""",
            target,
        )
    inner = navigated.value
    expect(inner.locator("body")).to_have_text("hello from the runtime")
    # What it serves runs in an opaque origin: no access to the service's cookies.
    assert inner.evaluate(
        "() => { try { return document.cookie; } catch (e) { return 'denied'; } }"
    ) in ("", "denied")
