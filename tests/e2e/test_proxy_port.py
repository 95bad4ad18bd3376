"""google.colab.kernel.proxyPort: a web server in the runtime shown in the output frame."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SERVE = r"""
import os, socket, subprocess, sys, time
os.makedirs('site', exist_ok=True)
with open('site/index.html', 'w') as f:
    f.write('<h1 id="hello">served from the runtime</h1>')
with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1'],
                          cwd='site', stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(200):
    try:
        socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.05)
from google.colab import output
output.serve_kernel_port_as_iframe(port, height='120')
from IPython.display import Javascript, display
display(Javascript('''
google.colab.kernel.proxyPort(%d).then((url) => {
  const a = document.createElement('pre'); a.id = 'url'; a.textContent = url;
  document.body.append(a);
});''' % port))
"""


def test_proxy_port_serves_the_runtime_web_server(page: Page, cloudbook_server: Served) -> None:
    log_in(page, cloudbook_server)
    nb_id = create_notebook(page, "port.ipynb", [code_cell(SERVE)])
    page.goto(f"{cloudbook_server.base}/notebooks/{nb_id}")
    page.get_by_test_id("run-all").click()
    frame = page.get_by_test_id("cell").first.frame_locator("iframe.output-frame")
    url = frame.locator("#url")
    expect(url).to_contain_text("/proxy/", timeout=60_000)
    assert url.inner_text().startswith(cloudbook_server.base) and url.inner_text().endswith("/")
    served = frame.frame_locator("iframe").locator("#hello")
    expect(served).to_have_text("served from the runtime", timeout=30_000)
