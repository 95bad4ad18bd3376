"""A notebook shared with a viewer whose saved outputs (the owner's HTML and JavaScript)
try to act as the viewer in the viewer's browser: read /api/me, overwrite the viewer's
own notebook, plant a secret, read parent.document and document.cookie, move the top
page, open the service in a popup. Each gets nowhere: the test checks what the attack
would have changed (the viewer's notebook, secrets, page URL) is as it was."""

from __future__ import annotations

import json
from html import escape
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.colab_steps import cell
from tests.e2e.conftest import Served
from tests.e2e.helpers import code_cell, create_notebook, fetch_notebook, log_in, store_notebook
from tests.e2e.test_sharing import add_user, log_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ATTACK = """
(async () => {
  const base = %(base)s, victim = %(victim)s, out = {};
  const api = async (method, path, body) => {
    try {
      const r = await fetch(base + path, {method, credentials: 'include',
        headers: {'Content-Type': 'application/json'}, body: body && JSON.stringify(body)});
      return 'status ' + r.status + ' ' + (await r.text()).slice(0, 200);
    } catch (e) { return 'no data'; }
  };
  out.me = await api('GET', '/api/me');
  out.put = await api('PUT', '/api/notebooks/' + victim,
    {content: {nbformat: 4, nbformat_minor: 5, metadata: {}, cells: []}, base_revision: 1});
  out.secret = await api('PUT', '/api/secrets/STOLEN', {value: 'planted'});
  try {
    const r = await fetch('/api/notebooks', {credentials: 'include'});
    out.relative = 'status ' + r.status + ' ' + (await r.text()).slice(0, 200);
  } catch (e) { out.relative = 'no data'; }
  try { out.parent = parent.document.title; } catch (e) { out.parent = 'blocked'; }
  try { out.cookie = document.cookie; } catch (e) { out.cookie = 'blocked'; }
  try { top.location = base + '/?pwned=1'; out.top = 'moved'; } catch (e) { out.top = 'blocked'; }
  try {
    const w = window.open(base + '/api/me');
    try { out.popup = w ? w.document.body.innerText : 'none'; } catch (e) { out.popup = 'blocked'; }
  } catch (e) { out.popup = 'blocked'; }
  document.body.dataset.probe = JSON.stringify(out);
})();
"""
LIST = (
    "async () => (await (await fetch('/api/notebooks')).json())"
    ".notebooks.map(n => [n.id, n.name, n.revision])"
)


def _attack_notebook(base: str, victim: str) -> dict[str, Any]:
    script = ATTACK % {"base": json.dumps(base), "victim": json.dumps(victim)}
    html = f'<p id="owner-html">owner output</p><img src="x" onerror="{escape(script)}">'
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                **code_cell("# the owner's output"),
                "id": "attack",
                "execution_count": 1,
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": html}, "metadata": {}},
                    {
                        "output_type": "display_data",
                        "data": {"application/javascript": script},
                        "metadata": {},
                    },
                ],
            }
        ],
    }


def test_shared_outputs_cannot_act_as_the_viewer(
    browser: Browser, cloudbook_server: Served
) -> None:
    served = cloudbook_server
    add_user(served, "bob", "bob-password")
    bob_context = browser.new_context()
    bob = bob_context.new_page()
    log_in_as(bob, served, "bob", "bob-password")
    victim = create_notebook(bob, "mine.ipynb", [code_cell("print('bob private work')")])
    status = bob.evaluate(
        """async () => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/secrets/MY_KEY', {method: 'PUT',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({value: 'bob-secret-value'})});
            return r.status;
        }"""
    )
    assert status == 200
    before_nb = fetch_notebook(bob, victim)
    before_secrets = bob.evaluate("async () => (await (await fetch('/api/secrets')).json())")
    before_list = bob.evaluate(LIST)

    alice = browser.new_context().new_page()
    log_in(alice, served)
    shared = store_notebook(alice, "charts.ipynb", _attack_notebook(served.base, victim))
    r = alice.evaluate(
        """async (id) => {
            const xsrf = document.cookie.split('; ').find(c => c.startsWith('cloudbook_xsrf='));
            const r = await fetch('/api/notebooks/' + id + '/shares', {method: 'POST',
                headers: {'Content-Type': 'application/json',
                          'X-XSRF-Token': decodeURIComponent(xsrf.split('=')[1])},
                body: JSON.stringify({user: 'bob', role: 'viewer'})});
            return r.status;
        }""",
        shared,
    )
    assert r == 200

    popups: list[Any] = []
    bob_context.on("page", lambda p: popups.append(p))
    url = f"{served.base}/notebooks/{shared}"
    bob.goto(url)
    expect(bob.get_by_test_id("role-badge")).to_have_text("Viewer")
    frame = cell(bob, 0).frame_locator("iframe.output-frame")
    expect(frame.locator("#owner-html")).to_have_text("owner output")
    probe = frame.locator("body[data-probe]")
    expect(probe).to_have_count(1, timeout=60_000)
    seen = json.loads(probe.first.get_attribute("data-probe") or "{}")

    # Every request went out without the viewer's session (or not at all).
    for key in ("me", "put", "secret", "relative"):
        assert seen[key] == "no data" or seen[key].startswith("status 401"), (key, seen[key])
    assert seen["parent"] == "blocked" and seen["cookie"] == "blocked"
    assert seen["top"] == "blocked" and seen["popup"] in ("blocked", "none")
    # A popup, where the browser opened one, is sandboxed too: an opaque origin whose
    # requests carry no session.
    for popup in popups:
        popup.wait_for_load_state()
        assert popup.evaluate("self.origin") == "null"
        got = popup.evaluate(
            "async (b) => { try { return (await fetch(b + '/api/me',"
            " {credentials: 'include'})).status; } catch (e) { return 'no data'; } }",
            served.base,
        )
        assert got in ("no data", 401)
        popup.close()

    # Nothing the attack aimed at changed.
    assert bob.url == url
    assert bob.evaluate("document.cookie").count("cloudbook_xsrf=") == 1
    after_nb = fetch_notebook(bob, victim)
    assert (after_nb["revision"], after_nb["content"]) == (
        before_nb["revision"],
        before_nb["content"],
    )
    assert bob.evaluate("async () => (await (await fetch('/api/secrets')).json())") == (
        before_secrets
    )
    assert bob.evaluate(LIST) == before_list
    assert bob.evaluate("async () => (await fetch('/api/me')).status") == 200
    bob.screenshot(path="/work/notes/shots/audit-viewer-attack.png")
