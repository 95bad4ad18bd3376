"""Colab's output tags in the browser: use_tags, clear(output_tags=...), temporary()."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import RUN_TIMEOUT, cell, open_notebook, outputs, run, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import fetch_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

TAGGED_CLEAR = """from google.colab import output
print('kept')
with output.use_tags('progress'):
    print('working 1')
    with output.use_tags('inner'):
        print('inner work')
    print('working 2')
print('also kept')
output.clear(output_tags='inner')
print('after inner clear')
output.clear(output_tags=['progress'])
"""

TEMPORARY = """from google.colab import output
print('start')
with output.temporary():
    print('please wait')
    !read -p 'continue? ' x
print('finished')
"""

WAIT_CLEAR = """from google.colab import output
with output.use_tags('old'):
    print('old line')
print('untagged')
output.clear(wait=True, output_tags='old')
!read -s x
print('new line')
"""


def test_tagged_clears_remove_only_their_outputs(page: Page, cloudbook_server: Served) -> None:
    cells = [TAGGED_CLEAR, TEMPORARY, WAIT_CLEAR]
    nb_id = open_notebook(page, cloudbook_server, "tags.ipynb", cells)
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text("kept\nalso kept\nafter inner clear\n")

    # temporary(): shown while the block runs, gone when it ends
    run(page, 1)
    box = cell(page, 1).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(outputs(page, 1)).to_have_text("start\nplease wait\ncontinue? ")
    box.press("Enter")
    expect(outputs(page, 1)).to_have_text("start\nfinished\n")

    # clear(wait=True, output_tags=...): the old tagged output stays until the next output
    run(page, 2)
    box = cell(page, 2).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(outputs(page, 2)).to_have_text("old line\nuntagged\n")
    box.press("Enter")  # read -s: no echo, so "new line" is the next output
    expect(outputs(page, 2)).to_have_text("untagged\nnew line\n", timeout=RUN_TIMEOUT)
    expect(cell(page, 2).get_by_test_id("execution-count")).to_have_text("[3]")

    # what is saved is what the user saw
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=20_000)
    saved = fetch_notebook(page, nb_id)["content"]["cells"]
    texts = ["".join(o.get("text", "") for o in c["outputs"]) for c in saved]
    assert texts == [
        "kept\nalso kept\nafter inner clear\n",
        "start\nfinished\n",
        "untagged\nnew line\n",
    ]
    assert all("outputarea" not in str(o) for c in saved for o in c["outputs"])
