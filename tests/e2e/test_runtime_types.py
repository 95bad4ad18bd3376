"""'Change runtime type' with a fake NVML (one fake T4, warm pools cpu:1,gpu:1): the
dialog stores Colab's metadata, the run gets the GPU from the warm pool, a second GPU
notebook is offered to wait, waits in line and gets the GPU when the first lets it go."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.colab_steps import RUN_TIMEOUT, cell, open_cells, outputs, run, run_and_wait
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, fetch_notebook, log_in, store_notebook

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
PROBE = "import os; print(os.environ['CUDA_VISIBLE_DEVICES'] or 'cpu')"


@pytest.fixture
def serve_env() -> dict[str, str]:
    return {"CLOUDBOOK_FAKE_GPUS": "T4", "CLOUDBOOK_POOL": "cpu:1,gpu:1"}


def runtime_menu(page: Page, item: str) -> None:
    page.get_by_role("button", name="Runtime", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(item)).click()


def test_change_type_then_wait_in_line_for_the_gpu(
    page: Page, cloudbook_server: Served, tmp_path: Path
) -> None:
    log_in(page, cloudbook_server)
    first = open_cells(page, cloudbook_server, "first.ipynb", [code_cell(PROBE)])
    runtime_menu(page, "Change runtime type")
    dialog = page.get_by_test_id("runtime-type-dialog")
    expect(dialog.get_by_test_id("gpu-type")).to_be_disabled()  # accelerator None
    dialog.get_by_test_id("accelerator-gpu").check()
    dialog.get_by_test_id("gpu-type").select_option(label="T4 (1 of 1 free)")
    page.screenshot(path=str(tmp_path / "runtime-type-dialog.png"))
    dialog.get_by_test_id("runtime-type-save").click()
    expect(dialog).to_have_count(0)
    meta = fetch_notebook(page, first)["content"]["metadata"]
    assert meta["accelerator"] == "GPU" and meta["colab"]["gpuType"] == "T4"
    run_and_wait(page, 0)
    expect(outputs(page, 0)).to_have_text(re.compile(r"^GPU-fake"))
    expect(page.get_by_test_id("resources-gpu")).to_be_visible()
    # The bars open as figures: the GPU's memory (the fake's 16 GiB) and its utilisation.
    page.get_by_test_id("resources").click()
    details = page.get_by_test_id("runtime-details")
    expect(details).to_contain_text("GPU RAM (T4)0 B / 17.2 GB")
    expect(details.get_by_test_id("gpu-utilisation")).to_have_text("0%")
    page.screenshot(path=str(tmp_path / "gpu-figures.png"))
    page.get_by_test_id("resources").click()
    expect(details).to_be_hidden()

    # A Colab notebook that asks for a GPU, in a second tab: none is free.
    other = page.context.new_page()
    other.goto(cloudbook_server.base + "/")  # logged in already (same browser context)
    colab_meta = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
    second = store_notebook(
        other,
        "second.ipynb",
        {"nbformat": 4, "nbformat_minor": 4, "metadata": colab_meta, "cells": [code_cell(PROBE)]},
    )
    other.goto(f"{cloudbook_server.base}/notebooks/{second}")
    run(other, 0)
    ask = other.get_by_test_id("no-gpu-dialog")
    expect(ask).to_contain_text("No T4 GPU is free right now")
    # "Connect without GPU": this run is on the CPU; the notebook still asks for a GPU.
    other.get_by_test_id("no-gpu-cpu").click()
    expect(outputs(other, 0)).to_have_text("cpu", timeout=RUN_TIMEOUT)
    runtime_menu(other, "Disconnect and delete runtime")
    expect(other.get_by_test_id("kernel-state")).to_have_attribute("data-state", "disconnected")
    run(other, 0)
    expect(ask).to_contain_text("No T4 GPU is free right now")
    other.get_by_test_id("no-gpu-wait").click()
    expect(other.get_by_role("alert").filter(has_text="Waiting for a GPU")).to_contain_text(
        "number 1 in line"
    )
    other.screenshot(path=str(tmp_path / "waiting.png"))

    runtime_menu(page, "Disconnect and delete runtime")
    count = cell(other, 0).get_by_test_id("execution-count")
    expect(count).to_have_text(re.compile(r"^\[\d+\]$"), timeout=RUN_TIMEOUT)
    expect(outputs(other, 0)).to_have_text(re.compile(r"^GPU-fake"))

    # Changing the type back disconnects; the next run is on the CPU.
    runtime_menu(other, "Change runtime type")
    other.get_by_test_id("accelerator-none").check()
    other.get_by_test_id("runtime-type-save").click()
    expect(other.get_by_test_id("kernel-state")).to_have_attribute("data-state", "disconnected")
    run_and_wait(other, 0)
    expect(outputs(other, 0)).to_have_text("cpu")
    assert "accelerator" not in fetch_notebook(other, second)["content"]["metadata"]
