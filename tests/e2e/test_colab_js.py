"""google.colab's JavaScript API in the output frame, against a real runtime."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]


# Both pages: the service's live document (the page only views it) and the page's own
# kernel socket; each must draw every output once and keep a field's focus.
@pytest.fixture(params=["live", "page"])
def serve_env(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"CLOUDBOOK_LIVE_DOCUMENTS": "1" if request.param == "live" else "0"}


EVAL = r"""
from IPython.display import Javascript, display
from google.colab import output
display(Javascript('window.square = (x) => x * x;'))
print('sum', output.eval_js('1 + 2'))
print('defined earlier', output.eval_js('square(7)'))
print('awaited', output.eval_js('new Promise((r) => setTimeout(() => r({a: [1, "x"]}), 50))'))
print('undefined', output.eval_js('undefined'))
"""

THROWS = r"""
from google.colab import output
output.eval_js('throw new Error("boom from js")')
"""

CALLBACKS = r"""
import IPython
from IPython.display import HTML, display
from google.colab import output

def add(a, b, scale=1):
    print('adding', a, b)
    return IPython.display.JSON({'sum': (a + b) * scale})

output.register_callback('add', add)
# A callback that itself asks the browser: the request goes to the invoking cell's frame.
def ask():
    return IPython.display.JSON({'v': output.eval_js('window.answer')})

output.register_callback('ask', ask)

def shrink():
    IPython.display.clear_output()
    display(HTML('<p id="small">small now</p>'))

output.register_callback('shrink', shrink)
display(HTML('''
<button id="go">go</button> <span id="res"></span>
<button id="ask">ask</button> <span id="asked"></span>
<button id="bad">bad</button> <span id="err"></span>
<button id="shrink" onclick="google.colab.kernel.invokeFunction('shrink')">shrink</button>
<div style="height: 400px">tall</div>
<script>
window.answer = 7;
document.getElementById('ask').onclick = () =>
  google.colab.kernel.invokeFunction('ask').then((r) => {
    document.getElementById('asked').textContent = 'answer ' + r.data['application/json'].v;
  });
document.getElementById('go').onclick = () =>
  google.colab.kernel.invokeFunction('add', [2, 3], {scale: 10}).then((r) => {
    document.getElementById('res').textContent = 'sum ' + r.data['application/json'].sum;
  });
document.getElementById('bad').onclick = () =>
  google.colab.kernel.invokeFunction('never_registered', [], {}).catch((e) => {
    document.getElementById('err').textContent = e.ename + ': ' + e.evalue;
  });
</script>'''))
"""

COMMS = r"""
from IPython.display import HTML, Javascript, display
from google.colab import files, output

def target(comm, open_msg):
    @comm.on_msg
    def _(msg):
        data = msg['content']['data']
        if data.get('bye'):
            comm.close()
        else:
            comm.send({'echo': data, 'nbuf': len(msg['buffers'])}, buffers=[b'\x01\x02\x03'])
    comm.send({'hello': open_msg['content']['data']})

get_ipython().kernel.comm_manager.register_target('echo', target)
display(HTML('<div id="box">box:</div>'
             '<button id="disc" onclick="google.colab.kernel.disconnect()">disconnect</button>'))
with output.to_header_area():
    print('in the header')
with output.redirect_to_element('#box'):
    print('in the box')
display(Javascript('''
(async () => {
  const el = document.createElement('pre');
  el.id = 'comm';
  document.body.append(el);
  const ch = await google.colab.kernel.comms.open('echo', {x: 1});
  ch.send({y: 2}, {buffers: [new Uint8Array([9, 9]).buffer]});
  const got = [];
  for await (const m of ch.messages) {
    got.push(JSON.stringify(m.data) + '/' + m.buffers.map((b) => b.byteLength).join(','));
    if (got.length === 2) ch.send({bye: true});
  }
  got.push('ended');
  el.textContent = got.join(' | ');
})();
'''))
print('default area again', output.eval_js(
    'google.colab.output.getActiveOutputArea() === google.colab.output.getDefaultOutputArea()'))
files.view('/content/sample_data')
"""


def cell(page: Page, index: int) -> Locator:
    return page.get_by_test_id("cell").nth(index)


def open_notebook(page: Page, served: Served, *sources: str) -> None:
    log_in(page, served)
    nb_id = create_notebook(page, "js.ipynb", [code_cell(s) for s in sources])
    page.goto(f"{served.base}/notebooks/{nb_id}")


def test_eval_js_returns_values_and_errors(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, EVAL, THROWS)
    page.get_by_test_id("run-all").click()
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    expect(inner.get_by_text("undefined None")).to_be_visible(timeout=60_000)
    expect(inner.get_by_text("sum 3")).to_be_visible()
    expect(inner.get_by_text("defined earlier 49")).to_be_visible()
    expect(inner.get_by_text("awaited {'a': [1, 'x']}")).to_be_visible()

    # A script that throws: MessageError in Python, with the browser's message.
    error = cell(page, 1).get_by_test_id("outputs").locator(".output-error")
    expect(error).to_contain_text("MessageError", timeout=60_000)
    expect(error).to_contain_text("Error: boom from js")


def test_invoke_function_runs_the_python_callback(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, CALLBACKS)
    page.get_by_test_id("run-all").click()
    count = page.get_by_test_id("execution-count").first
    expect(count).to_have_text("[1]", timeout=60_000)
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    inner.locator("#go").click()
    expect(inner.locator("#res")).to_have_text("sum 50", timeout=30_000)
    # The callback's print joins the invoking cell's output; the counter stays.
    expect(inner.get_by_text("adding 2 3")).to_be_visible()
    expect(count).to_have_text("[1]")
    inner.locator("#ask").click()
    expect(inner.locator("#asked")).to_have_text("answer 7", timeout=30_000)

    inner.locator("#bad").click()
    expect(inner.locator("#err")).to_have_text(
        "ValueError: Function not found: never_registered", timeout=30_000
    )
    expect(inner.locator(".output-error-text")).to_contain_text("Function not found")

    # clear_output from a callback empties the frame (it shrinks) but keeps its document.
    iframe = cell(page, 0).locator("iframe.output-frame")
    assert iframe.evaluate("f => f.getBoundingClientRect().height") > 400
    inner.locator("#shrink").click()
    expect(inner.locator("#small")).to_have_text("small now", timeout=30_000)
    expect(inner.locator("#go")).to_have_count(0)
    page.wait_for_function(
        "f => f.getBoundingClientRect().height < 100", arg=iframe.element_handle()
    )
    frame = iframe.element_handle().content_frame()
    assert frame is not None and frame.evaluate("() => window.answer") == 7


def test_comms_output_areas_files_view_and_disconnect(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, COMMS)
    page.evaluate(
        "window.addEventListener('cloudbook:files-view', (e) => { window.viewed = e.detail.path; })"
    )
    page.get_by_test_id("run-all").click()
    inner = cell(page, 0).frame_locator("iframe.output-frame")
    expect(inner.locator("#comm")).to_have_text(
        '{"hello":{"x":1}}/ | {"echo":{"y":2},"nbuf":1}/3 | ended', timeout=60_000
    )
    expect(inner.locator("#output-header")).to_contain_text("in the header")
    expect(inner.locator("#box")).to_contain_text("box:in the box")
    expect(inner.locator("#output-area")).to_contain_text("default area again True")
    page.wait_for_function("window.viewed === '/content/sample_data'")

    inner.locator("#disc").click()
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "disconnected", timeout=30_000)
