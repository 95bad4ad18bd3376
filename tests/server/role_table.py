"""What each route needs, in one table: the role matrix tests walk the app's router and
fail on a route missing here, so a new route must say who may use it.

Scopes:
- ``("notebook", ROLE)``: about one notebook; ROLE (viewer < commenter < editor < owner) is
  the least role that may use it. Below it: 404 for one who cannot see the notebook,
  403 ``forbidden_role`` (or ``not_author``) for one who can.
- ``("comment", ROLE)``: about one comment (of the notebook), as above.
- ``"runtime"``: about one runtime: its owner only, 404 for everyone else.
- ``"own"``: the caller's own things (drive, secrets, tokens, credentials): no id of
  anyone else's in the path.
- ``"public"``: no login needed (health, log-in, the page shell, static assets).
- ``"admin"``: admins only (tests/server/test_admin_api.py walks them as other users).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Body = Callable[["Ctx"], Any]


@dataclass
class Ctx:
    notebook_id: str
    revision: int
    content: dict[str, Any]
    comment_id: str
    cell_id: str


@dataclass(frozen=True)
class Need:
    scope: str
    role: str | None = None
    body: Body | None = None
    params: Callable[[Ctx], dict[str, str]] | None = None


def nb(role: str, body: Body | None = None, **kw: Any) -> Need:
    return Need("notebook", role, body, **kw)


OWN = Need("own")
PUBLIC = Need("public")
RUNTIME = Need("runtime")
ADMIN = Need("admin")

ROUTES: dict[tuple[str, str], Need] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/vendor/plotly.min.js"): PUBLIC,  # a public library (output frames load it)
    ("GET", "/"): PUBLIC,
    ("GET", "/notebooks/{notebook_id}"): PUBLIC,  # the page shell; data comes by the API
    ("GET", "/github/{path:path}"): PUBLIC,
    ("GET", "/github"): PUBLIC,
    ("GET", "/gist/{path:path}"): PUBLIC,
    ("GET", "/assets/badge.svg"): PUBLIC,
    ("WS", "/static"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    # A published view: anyone with its unguessable token (tests/server/test_publish_api.py)
    ("GET", "/p/{token}"): PUBLIC,
    # --- the caller's own ---
    ("GET", "/api/me"): OWN,
    ("POST", "/api/me/password"): OWN,
    ("GET", "/api/tokens"): OWN,
    ("DELETE", "/api/tokens/{token_id}"): OWN,
    ("GET", "/admin"): PUBLIC,  # the page shell; its data comes from admin-only routes
    ("GET", "/api/auth/providers"): PUBLIC,
    ("GET", "/auth/oidc/login"): PUBLIC,
    ("GET", "/auth/oidc/callback"): PUBLIC,
    ("GET", "/api/admin/users"): ADMIN,
    ("POST", "/api/admin/users"): ADMIN,
    ("PATCH", "/api/admin/users/{user_id}"): ADMIN,
    ("POST", "/api/admin/users/{user_id}/password"): ADMIN,
    ("GET", "/api/admin/runtimes"): ADMIN,
    ("DELETE", "/api/admin/runtimes/{runtime_id}"): ADMIN,
    ("GET", "/api/admin/audit"): ADMIN,
    ("GET", "/api/admin/images/{name}/log"): ADMIN,
    ("POST", "/api/admin/images/{name}/build"): ADMIN,
    ("GET", "/api/images"): OWN,
    ("GET", "/api/me/credentials/google"): OWN,
    ("PUT", "/api/me/credentials/google"): OWN,
    ("DELETE", "/api/me/credentials/google"): OWN,
    ("GET", "/api/github/host"): OWN,
    ("GET", "/api/github/my-repos"): OWN,
    ("GET", "/api/me/credentials/github"): OWN,
    ("PUT", "/api/me/credentials/github"): OWN,
    ("DELETE", "/api/me/credentials/github"): OWN,
    ("GET", "/api/github/open"): OWN,
    ("POST", "/api/github/save"): OWN,
    ("GET", "/api/github/repos/{owner}"): OWN,
    ("GET", "/api/github/repos/{owner}/{repo}"): OWN,
    ("POST", "/api/scratch/{scratch_id}/session"): OWN,
    ("GET", "/api/scratch/{scratch_id}/session"): OWN,
    ("DELETE", "/api/scratch/{scratch_id}/session"): OWN,
    ("POST", "/api/notebooks"): OWN,
    ("POST", "/api/notebooks/import"): OWN,
    ("GET", "/api/notebooks"): OWN,
    ("POST", "/api/folders"): OWN,
    ("GET", "/api/folders"): OWN,
    ("PATCH", "/api/folders"): OWN,
    ("DELETE", "/api/folders"): OWN,
    ("GET", "/api/trash"): OWN,
    ("POST", "/api/trash/{item_id}/restore"): OWN,
    ("DELETE", "/api/trash/{item_id}"): OWN,
    ("DELETE", "/api/trash"): OWN,
    ("GET", "/api/runtime-types"): OWN,
    ("PUT", "/api/secrets/{name}"): OWN,
    ("DELETE", "/api/secrets/{name}"): OWN,
    ("GET", "/api/shared-with-me"): OWN,
    # A folder of another user, by owner and path: 404 without a role on it
    # (tests/server/test_sharing_api.py::test_browse_a_shared_folder).
    ("GET", "/api/shared-folder"): OWN,
    ("GET", "/api/folder-shares"): OWN,  # a folder of the caller's drive, by path
    ("POST", "/api/folder-shares"): OWN,
    ("PATCH", "/api/folder-shares/{name}"): OWN,
    ("DELETE", "/api/folder-shares/{name}"): OWN,
    ("PUT", "/api/folder-general-access"): OWN,
    # --- one runtime: its owner only ---
    ("GET", "/api/runtimes/{runtime_id}"): RUNTIME,
    ("GET", "/api/runtimes/{runtime_id}/resources"): RUNTIME,
    ("DELETE", "/api/runtimes/{runtime_id}"): RUNTIME,
    ("POST", "/api/runtimes/{runtime_id}/kernels/{kernel_id}/interrupt"): RUNTIME,
    ("POST", "/api/runtimes/{runtime_id}/kernels/{kernel_id}/restart"): RUNTIME,
    ("WS", "/api/runtimes/{runtime_id}/kernels/{kernel_id}/channels"): RUNTIME,
    ("GET", "/api/runtimes/{runtime_id}/files"): RUNTIME,
    ("GET", "/api/runtimes/{runtime_id}/files/download"): RUNTIME,
    ("PUT", "/api/runtimes/{runtime_id}/files/content"): RUNTIME,
    ("POST", "/api/runtimes/{runtime_id}/files/directories"): RUNTIME,
    ("PATCH", "/api/runtimes/{runtime_id}/files"): RUNTIME,
    ("DELETE", "/api/runtimes/{runtime_id}/files"): RUNTIME,
    ("POST", "/api/runtimes/{runtime_id}/ports/{port}/url"): RUNTIME,
    # The proxy checks a signed link of the runtime's owner instead of a login.
    ("*", "/api/runtimes/{runtime_id}/proxy/{port}/{token}/{path:path}"): RUNTIME,
    ("WS", "/api/runtimes/{runtime_id}/proxy/{port}/{token}/{path:path}"): RUNTIME,
    # --- one notebook ---
    ("GET", "/api/notebooks/{notebook_id}"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/file"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/export/html"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/export/pdf"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/publish"): nb("editor"),
    ("POST", "/api/notebooks/{notebook_id}/publish"): nb("owner"),
    ("DELETE", "/api/notebooks/{notebook_id}/publish"): nb("owner"),
    ("POST", "/api/notebooks/{notebook_id}/duplicate"): nb("viewer", lambda c: {}),
    ("POST", "/api/notebooks/{notebook_id}/playground"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/runtime-type"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/shares"): nb("viewer"),
    ("GET", "/api/notebooks/{notebook_id}/comments"): nb("viewer"),
    ("WS", "/api/notebooks/{notebook_id}/watch"): nb("viewer"),
    ("POST", "/api/notebooks/{notebook_id}/github"): nb(
        "viewer", lambda c: {"repo": "someone/repo", "path": "a.ipynb", "message": "m"}
    ),
    ("POST", "/api/notebooks/{notebook_id}/gist"): nb("viewer", lambda c: {}),
    ("POST", "/api/notebooks/{notebook_id}/comments"): nb(
        "commenter", lambda c: {"cell_id": c.cell_id, "body": "looks good"}
    ),
    ("PUT", "/api/notebooks/{notebook_id}"): nb(
        "editor", lambda c: {"content": c.content, "base_revision": c.revision}
    ),
    ("GET", "/api/notebooks/{notebook_id}/revisions"): nb("editor"),
    ("GET", "/api/notebooks/{notebook_id}/revisions/{revision}"): nb("editor"),
    ("POST", "/api/notebooks/{notebook_id}/revisions/{revision}/restore"): nb(
        "editor", lambda c: {"base_revision": c.revision}
    ),
    ("PATCH", "/api/notebooks/{notebook_id}/runtime-type"): nb(
        "editor", lambda c: {"accelerator": "none", "gpu_type": None, "shape": "standard"}
    ),
    # Sessions: each runs in a runtime of their own; attaching to a Jupyter server that
    # is not there is refused after the role check, so no runtime starts here.
    ("POST", "/api/notebooks/{notebook_id}/session"): nb(
        "editor", lambda c: {"attach": {"url": "http://127.0.0.1:9/"}}
    ),
    ("GET", "/api/notebooks/{notebook_id}/session"): nb("editor"),
    ("DELETE", "/api/notebooks/{notebook_id}/session"): nb("editor"),
    # The caller's own secrets, for a notebook they run.
    ("GET", "/api/secrets"): nb("editor", params=lambda c: {"notebook_id": c.notebook_id}),
    ("PUT", "/api/notebooks/{notebook_id}/secrets/{name}/access"): nb(
        "editor", lambda c: {"granted": True}
    ),
    ("GET", "/api/notebooks/{notebook_id}/secrets/{name}"): nb("editor"),
    ("POST", "/api/notebooks/{notebook_id}/credentials/google"): nb("editor"),
    # Cells run by the service into the live document (off here: an allowed caller gets
    # 503 live_off after the role check), and the live document's socket.
    ("POST", "/api/notebooks/{notebook_id}/execute"): nb(
        "editor", lambda c: {"cell_ids": [c.cell_id], "client_id": 1}
    ),
    ("GET", "/api/notebooks/{notebook_id}/execution"): nb("editor"),
    ("POST", "/api/notebooks/{notebook_id}/input"): nb(
        "editor", lambda c: {"request_id": "r1", "value": "typed"}
    ),
    ("GET", "/api/notebooks/{notebook_id}/outputs/{cell_id}/{stream}"): nb("editor"),
    ("POST", "/api/notebooks/{notebook_id}/revisions/pin"): nb("editor"),
    ("WS", "/api/notebooks/{notebook_id}/live"): nb(
        "editor"
    ),  # tests/server/test_live_documents.py
    ("PATCH", "/api/notebooks/{notebook_id}"): nb("owner", lambda c: {"name": "renamed.ipynb"}),
    ("DELETE", "/api/notebooks/{notebook_id}"): nb("owner"),
    ("POST", "/api/notebooks/{notebook_id}/shares"): nb(
        "owner", lambda c: {"user": "stranger", "role": "viewer"}
    ),
    ("PATCH", "/api/notebooks/{notebook_id}/shares/{name}"): nb(
        "owner", lambda c: {"role": "commenter"}
    ),
    ("DELETE", "/api/notebooks/{notebook_id}/shares/{name}"): nb("owner"),
    ("PUT", "/api/notebooks/{notebook_id}/general-access"): nb(
        "owner", lambda c: {"role": "viewer"}
    ),
    ("POST", "/api/notebooks/{notebook_id}/owner"): nb("owner", lambda c: {"user": "stranger"}),
    # --- one comment (the owner's, on the notebook) ---
    ("PATCH", "/api/comments/{comment_id}"): Need(
        "comment", "commenter", lambda c: {"resolved": True}
    ),
    ("DELETE", "/api/comments/{comment_id}"): Need("comment", "owner"),  # its author
}
