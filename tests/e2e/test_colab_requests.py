"""Colab requests answered by the page: the shell stdin box, runtime.unassign, secrets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import RUN_TIMEOUT, cell, open_notebook, outputs, run, run_and_wait
from tests.e2e.conftest import Served

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCREENSHOT = "/tmp/cloudbook-stdin.png"


def session_status(page: Page, nb_id: str) -> int:
    return int(
        page.evaluate(
            "async (id) => (await fetch('/api/notebooks/' + id + '/session')).status", nb_id
        )
    )


def test_shell_stdin_box_plain_and_password(page: Page, cloudbook_server: Served) -> None:
    open_notebook(
        page,
        cloudbook_server,
        "stdin.ipynb",
        [
            "!read -p 'name? ' n; echo hello $n",
            "%%shell\nread -s -p 'password? ' pw; echo\necho got ${#pw} characters",
            "!python3 -c \"import getpass; s = getpass.getpass('Secret: '); print('len', len(s))\"",
        ],
    )
    run(page, 0)
    box = cell(page, 0).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(outputs(page, 0)).to_contain_text("name? ")
    expect(box).to_have_attribute("type", "text")
    page.screenshot(path=SCREENSHOT)
    box.fill("bob")
    box.press("Enter")
    expect(outputs(page, 0)).to_contain_text("hello bob")
    expect(cell(page, 0).get_by_test_id("stdin-box")).to_have_count(0)

    run(page, 1)
    box = cell(page, 1).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(outputs(page, 1)).to_contain_text("password? ")
    expect(box).to_have_attribute("type", "password")  # echo off: masked
    box.fill("hunter2")
    box.press("Enter")
    expect(outputs(page, 1)).to_contain_text("got 7 characters")
    expect(outputs(page, 1)).not_to_contain_text("hunter2")
    expect(cell(page, 1).get_by_test_id("stdin-box")).to_have_count(0)

    run(page, 2)
    box = cell(page, 2).get_by_test_id("stdin-input")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(outputs(page, 2)).to_contain_text("Secret: ")
    expect(box).to_have_attribute("type", "password")
    box.fill("s3cr3t!")
    box.press("Enter")
    expect(outputs(page, 2)).to_contain_text("len 7")
    expect(outputs(page, 2)).not_to_contain_text("s3cr3t")


def test_runtime_unassign_deletes_the_runtime(page: Page, cloudbook_server: Served) -> None:
    nb_id = open_notebook(
        page,
        cloudbook_server,
        "unassign.ipynb",
        [
            "import os; print('pid', os.getpid())",
            "from google.colab import runtime\nruntime.unassign()",
            "print('back again')",
        ],
    )
    run_and_wait(page, 0)
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "idle")
    runtime_id = page.evaluate(
        "async (id) => (await (await fetch('/api/notebooks/' + id + '/session')).json())"
        ".runtime_id",
        nb_id,
    )
    run(page, 1)
    expect(kernel).to_have_attribute("data-state", "disconnected", timeout=60_000)
    expect(kernel).to_have_text("Connect")  # the badge is the Connect button again
    expect(page.get_by_role("alert")).to_contain_text("Runtime deleted")
    assert session_status(page, nb_id) == 404
    status = page.evaluate(
        "async (id) => (await fetch('/api/runtimes/' + id)).status", str(runtime_id)
    )
    assert status == 404

    run_and_wait(page, 2)  # a fresh runtime
    expect(outputs(page, 2)).to_have_text("back again")
    expect(kernel).to_have_attribute("data-state", "idle")


def test_disconnect_and_delete_runtime_menu(page: Page, cloudbook_server: Served) -> None:
    nb_id = open_notebook(
        page,
        cloudbook_server,
        "button.ipynb",
        ["open('/content/marker.txt', 'w').write('x')", "import os; os.path.exists('marker.txt')"],
    )
    run_and_wait(page, 0)
    run_and_wait(page, 1)
    expect(outputs(page, 1)).to_have_text("True")
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("Disconnect and delete runtime")).click()
    kernel = page.get_by_test_id("kernel-state")
    expect(kernel).to_have_attribute("data-state", "disconnected", timeout=30_000)
    assert session_status(page, nb_id) == 404
    run_and_wait(page, 1)  # a fresh runtime: the file is gone with the old one
    expect(outputs(page, 1)).to_have_text("False")


def test_missing_secret(page: Page, cloudbook_server: Served) -> None:
    open_notebook(
        page,
        cloudbook_server,
        "secret.ipynb",
        [
            "from google.colab import userdata\n"
            "try:\n    userdata.get('NO_SUCH_SECRET')\n"
            "except userdata.SecretNotFoundError as e:\n    print('missing:', e)"
        ],
    )
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text("missing: Secret NO_SUCH_SECRET does not exist.")


def test_input_and_getpass_ask_under_the_cell(page: Page, cloudbook_server: Served) -> None:
    open_notebook(
        page,
        cloudbook_server,
        "input.ipynb",
        [
            "name = input('Your name? ')\nprint('hi', name)",
            "import getpass\npw = getpass.getpass('Password: ')\nprint('got', len(pw))",
        ],
    )
    run(page, 0)
    box = cell(page, 0).get_by_test_id("stdin-box")
    expect(box).to_be_visible(timeout=RUN_TIMEOUT)
    expect(box).to_contain_text("Your name? ")
    field = box.get_by_test_id("stdin-input")
    expect(field).to_be_focused()
    field.fill("Ada")
    field.press("Enter")
    # The question and its answer stay in the output, as in Colab (docs/outputs.md).
    expect(outputs(page, 0)).to_have_text("Your name? Ada\nhi Ada\n")
    expect(box).to_have_count(0)

    run(page, 1)
    field = cell(page, 1).get_by_test_id("stdin-input")
    expect(field).to_have_attribute("type", "password", timeout=RUN_TIMEOUT)
    field.fill("hunter22")
    field.press("Enter")
    expect(outputs(page, 1)).to_have_text("Password: \ngot 8\n")
    expect(outputs(page, 1)).not_to_contain_text("hunter22")


def test_an_interrupted_question_goes_away(page: Page, cloudbook_server: Served) -> None:
    open_notebook(page, cloudbook_server, "ask.ipynb", ["input('Waiting: ')"])
    run(page, 0)
    expect(cell(page, 0).get_by_test_id("stdin-box")).to_be_visible(timeout=RUN_TIMEOUT)
    page.get_by_test_id("interrupt").click()
    expect(outputs(page, 0)).to_contain_text("KeyboardInterrupt", timeout=30_000)
    expect(cell(page, 0).get_by_test_id("stdin-box")).to_have_count(0)
