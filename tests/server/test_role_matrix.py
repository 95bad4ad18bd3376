"""The role matrix: every route of the app by every role → allowed, or refused with nothing
changed. Generated from the router, so a route missing from tests/server/role_table.py
fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import AppHarness, Client
from tests.server.role_table import ROUTES, Ctx, Need

RANK = {"none": 0, "viewer": 1, "commenter": 2, "editor": 3, "owner": 4}
REFUSALS = {"no_such_notebook", "forbidden_role", "not_author", "no_such_comment"}
# Who asks, weakest first (the owner last: some of its calls delete or give away).
ASKERS = [
    ("stranger", "none"),
    ("link", "viewer"),  # "stranger" again, with general access "viewer"
    ("vic", "viewer"),
    ("cora", "commenter"),
    ("ed", "editor"),  # by a share of the folder the notebook is in
    ("alice", "owner"),
]
NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {},
    "cells": [
        {
            "cell_type": "code",
            "id": "cell-one",
            "source": "print(1)",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
    ],
}


def app_routes(app: Any) -> Iterator[tuple[str, str]]:
    def walk(routes: list[Any]) -> Iterator[Any]:
        for r in routes:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes)
            else:
                yield r

    for route in walk(app.routes):
        methods = set(getattr(route, "methods", None) or {"WS"}) - {"HEAD"}
        if len(methods) > 3:
            yield "*", route.path
            continue
        for method in methods:
            yield method, route.path


async def test_every_route_is_in_the_role_table(harness: AppHarness) -> None:
    found = set(app_routes(harness.app))
    missing = sorted(found - set(ROUTES))
    assert not missing, f"routes without a role in tests/server/role_table.py: {missing}"
    stale = sorted(set(ROUTES) - found)
    assert not stale, f"role_table.py names routes that are gone: {stale}"


async def _state(owner: Client, notebook_id: str) -> tuple[Any, ...]:
    """What a refused call must leave as it was."""
    nb = (await owner.get(f"/api/notebooks/{notebook_id}")).json()
    shares = (await owner.get(f"/api/notebooks/{notebook_id}/shares")).json()
    comments = (await owner.get(f"/api/notebooks/{notebook_id}/comments")).json()
    listing = (await owner.get("/api/notebooks")).json()
    for row in listing["notebooks"]:
        row.pop("opened_at")  # the owner's own GET above opens it
    published = (await owner.get(f"/api/notebooks/{notebook_id}/publish")).json()
    return (
        nb.get("revision"),
        nb.get("content"),
        nb.get("name"),
        shares,
        comments,
        listing,
        published,
    )


NOTEBOOK_ROUTES = sorted(
    (key for key, need in ROUTES.items() if need.scope in ("notebook", "comment")),
    key=lambda k: (k[1], k[0]),
)


@pytest.mark.timeout(300)
async def test_role_matrix(harness: AppHarness) -> None:
    users = {name: await harness.user(name) for name in ("alice", "stranger", "vic", "cora", "ed")}
    alice = users["alice"]
    # Who may ask for a PDF, not the PDF itself (tests/server/test_publish_api.py): allowed
    # callers get 503 chromium_missing instead of a Chromium run each.
    harness.app.state.cloudbook.services.publishing.chromium = "no-chromium-here"  # type: ignore[attr-defined]
    checked = 0
    for method, template in NOTEBOOK_ROUTES:
        if method == "WS":
            continue  # the watch socket: tests/server/test_sharing_live.py
        need = ROUTES[(method, template)]
        assert need.role is not None
        r = await alice.post("/api/folders", json={"path": f"team{checked}"})
        assert r.status_code == 201, r.text
        created = await alice.post(
            "/api/notebooks", json={"name": f"team{checked}/n.ipynb", "content": NOTEBOOK}
        )
        notebook_id = created.json()["id"]
        base = f"/api/notebooks/{notebook_id}"
        for name, role in (("vic", "viewer"), ("cora", "commenter")):
            r = await alice.post(f"{base}/shares", json={"user": name, "role": role})
            assert r.status_code == 200, r.text
        r = await alice.post(
            "/api/folder-shares",
            params={"path": f"team{checked}"},
            json={"user": "ed", "role": "editor"},
        )
        assert r.status_code == 200, r.text
        comment = await alice.post(f"{base}/comments", json={"cell_id": "cell-one", "body": "hm"})
        assert comment.status_code == 201, comment.text
        checked += 1
        for asker, role in ASKERS:
            client = users["stranger" if asker == "link" else asker]
            if asker == "link":
                r = await alice.put(f"{base}/general-access", json={"role": "viewer"})
                assert r.status_code == 200
            got = (await alice.get(base)).json()
            ctx = Ctx(
                notebook_id=notebook_id,
                revision=got["revision"],
                content=got["content"],
                comment_id=comment.json()["comments"][0]["id"],
                cell_id="cell-one",
            )
            allowed = RANK[role] >= RANK[need.role]
            before = None if allowed else await _state(alice, notebook_id)
            r = await _call(client, method, template, need, ctx)
            where = f"{method} {template} as {asker} ({role})"
            code = _code(r)
            if allowed:
                assert code not in REFUSALS and r.status_code != 401, (where, r.text)
            else:
                if role == "none":
                    assert r.status_code == 404, (where, r.text)
                else:
                    assert r.status_code == 403, (where, r.text)
                assert code in REFUSALS, (where, r.text)
                assert await _state(alice, notebook_id) == before, f"{where} changed something"
            if asker == "link":
                r = await alice.put(f"{base}/general-access", json={"role": None})
                assert r.status_code == 200
    assert checked == sum(1 for k in NOTEBOOK_ROUTES if k[0] != "WS")


def _code(r: Any) -> str | None:
    try:
        body = r.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("code"))
        if "code" in body:
            return str(body["code"])
    return None


async def _call(client: Client, method: str, template: str, need: Need, ctx: Ctx) -> Any:
    path = (
        template.replace("{notebook_id}", ctx.notebook_id)
        .replace("{comment_id}", ctx.comment_id)
        .replace("{revision}", "1")
        .replace("{cell_id}", ctx.cell_id)
        .replace("{stream}", "stdout")
        .replace("{name}", "vic" if "/shares/" in template else "API_KEY")
    )
    kw: dict[str, Any] = {}
    if need.body is not None:
        kw["json"] = need.body(ctx)
    if need.params is not None:
        kw["params"] = need.params(ctx)
    if method == "GET":
        return await client.get(path, **kw)
    if method == "POST":
        return await client.post(path, **kw)
    if method == "PUT":
        return await client.put(path, **kw)
    if method == "PATCH":
        return await client.patch(path, **kw)
    assert method == "DELETE", method
    return await client.delete(path, **kw)


OTHER_IDS = (
    r"\{(?!notebook_id\}|comment_id\}|revision\}|cell_id\}|stream\}|name\})[a-z_]+(:path)?\}"
)


@pytest.mark.timeout(300)
async def test_a_disabled_user_is_refused_everywhere(harness: AppHarness) -> None:
    """The matrix's "disabled user" row: an editor of the notebook (with a comment of their
    own, a browser session and an API token) is disabled; then every route that is not
    public answers 401 to both, and nothing of the notebook changes."""
    import re

    services = harness.app.state.cloudbook.services  # type: ignore[attr-defined]
    alice = await harness.user("alice")
    dana = await harness.user("dana")
    created = await alice.post("/api/notebooks", json={"name": "n.ipynb", "content": NOTEBOOK})
    notebook_id = created.json()["id"]
    base = f"/api/notebooks/{notebook_id}"
    assert (await alice.post(f"{base}/shares", json={"user": "dana", "role": "editor"})).is_success
    comment = await dana.post(f"{base}/comments", json={"cell_id": "cell-one", "body": "mine"})
    assert comment.status_code == 201, comment.text
    token = await services.users.create_api_token(await services.users.get_by_name("dana"))
    admin = (await services.users.first_admin())[0]
    dana_id = (await dana.get("/api/me")).json()["id"]
    await services.admin.update(admin, dana_id, disabled=True)

    got = (await alice.get(base)).json()
    ctx = Ctx(
        notebook_id=notebook_id,
        revision=got["revision"],
        content=got["content"],
        comment_id=comment.json()["comments"][0]["id"],
        cell_id="cell-one",
    )
    before = await _state(alice, notebook_id)
    async with harness.anonymous() as script:
        by_token = Client(http=script, name="dana")
        script.headers["Authorization"] = f"Bearer {token}"
        walked = 0
        for (method, template), need in sorted(ROUTES.items()):
            if need.scope == "public" or method in ("WS", "*"):
                continue
            # Ids _call does not fill (runtimes, users, paths...) are any value: the
            # answer must be 401 before any of them is looked at.
            filled = re.sub(OTHER_IDS, "1", template)
            for client in (dana, by_token):
                r = await _call(client, method, filled, need, ctx)
                assert r.status_code == 401, (method, template, r.status_code, r.text)
                walked += 1
    assert walked > 100
    assert await _state(alice, notebook_id) == before
