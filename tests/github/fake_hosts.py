"""Small fakes of GitLab's (``/gitlab/api/v4``) and Gitea's (``/gitea/api/v1``) REST
endpoints that cloudbook uses, computed from the bridge's real bare repositories (the
git side is the bridge's real ``git http-backend`` for every host kind).

Both page with a deliberately small page size (``PAGE``), so the adapters' paging is
exercised; ``bridge.groups`` are GitLab groups / Gitea organisations (the other owners
are users)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

if TYPE_CHECKING:
    from tests.github.bridge import GitBridge

PAGE = 2


class Reply(Protocol):
    command: str

    def json(self, status: int, data: object) -> None: ...

    def send(self, status: int, body: bytes, ctype: str, extra: dict[str, str]) -> None: ...


def _owner_repos(bridge: GitBridge, owner: str, token: str | None) -> list[str]:
    return [
        f"{owner}/{r.name[:-4]}"
        for r in sorted((bridge.root / owner).glob("*.git"))
        if token or f"{owner}/{r.name[:-4]}" not in bridge.private
    ]


def _visible(bridge: GitBridge, full: str, token: str | None) -> bool:
    return bridge.bare(full).is_dir() and (token is not None or full not in bridge.private)


def _page(items: list[Any], query: dict[str, list[str]], size_key: str) -> tuple[list[Any], int]:
    page = int(query.get("page", ["1"])[0])
    size = min(int(query.get(size_key, ["100"])[0]), PAGE)
    return items[(page - 1) * size : page * size], page


def gitlab(
    bridge: GitBridge,
    reply: Reply,
    parts: list[str],
    query: dict[str, list[str]],
    body: bytes,
    token: str | None,
) -> None:
    def paged(items: list[Any]) -> None:
        chunk, page = _page(items, query, "per_page")
        more = page * PAGE < len(items)
        data = json.dumps(chunk).encode()
        reply.send(200, data, "application/json", {"X-Next-Page": str(page + 1) if more else ""})

    if len(parts) == 3 and parts[0] in ("groups", "users") and parts[2] == "projects":
        owner = unquote(parts[1])  # a subgroup is named by its encoded full path
        is_group = owner in bridge.groups
        if (parts[0] == "groups") != is_group or not (bridge.root / owner).is_dir():
            return reply.json(404, {"message": "404 Not Found"})
        return paged([_gitlab_project(bridge, f) for f in _owner_repos(bridge, owner, token)])
    if parts == ["projects"] and query.get("membership") == ["true"]:
        if token is None:
            return reply.json(401, {"message": "401 Unauthorized"})
        everything = sorted(bridge.root.rglob("*.git"))  # subgroups' projects too
        return paged(
            [_gitlab_project(bridge, str(p.relative_to(bridge.root))[:-4]) for p in everything]
        )
    if len(parts) >= 2 and parts[0] == "projects":
        full = unquote(parts[1])
        if not _visible(bridge, full, token):
            return reply.json(404, {"message": "404 Project Not Found"})
        if len(parts) == 2:
            return reply.json(200, _gitlab_project(bridge, full))
        if parts[2:] == ["repository", "branches"]:
            return paged(
                [
                    {"name": b["name"], "commit": {"id": b["commit"]}}
                    for b in _branches(bridge, full)
                ]  # type: ignore[index]
            )
        if parts[2:] == ["repository", "tree"]:
            ref = query.get("ref", [""])[0]
            try:
                items = bridge.tree(full, ref)["tree"]
            except Exception:
                return reply.json(404, {"message": "404 Tree Not Found"})
            return paged(
                [{"path": i["path"], "type": i["type"], "name": i["path"]} for i in items]  # type: ignore[union-attr,index]
            )
    if parts[:1] == ["snippets"]:
        return _gitlab_snippet(bridge, reply, parts[1:], body, token)
    reply.json(404, {"message": "404 Not Found"})


def _gitlab_project(bridge: GitBridge, full: str) -> dict[str, object]:
    info = bridge.repo_json(full)
    empty = not bridge.branches(full)
    return {
        "path": full.rsplit("/", 1)[1],
        "name": full.rsplit("/", 1)[1].title(),  # GitLab's display name: not what URLs use
        "path_with_namespace": full,
        "visibility": "private" if full in bridge.private else "public",
        "default_branch": None if empty else info["default_branch"],
        "empty_repo": empty,
    }


def _branches(bridge: GitBridge, full: str) -> list[dict[str, object]]:
    return [{"name": b["name"], "commit": b["commit"]["sha"]} for b in bridge.branches(full)]  # type: ignore[index]


def _gitlab_snippet(
    bridge: GitBridge, reply: Reply, parts: list[str], body: bytes, token: str | None
) -> None:
    def shown(sid: str) -> dict[str, object]:
        s = bridge.snippets[sid]
        return {
            "id": int(sid),
            "title": s["title"],
            "visibility": s["visibility"],
            "web_url": f"{bridge.base_url}/-/snippets/{sid}",
            "files": [
                {"path": p, "raw_url": f"{bridge.base_url}/-/snippets/{sid}/raw/main/{p}"}
                for p in s["files"]
            ],
        }

    if reply.command == "GET" and parts:
        snippet = bridge.snippets.get(parts[0])
        if snippet is None or (snippet["visibility"] != "public" and token is None):
            return reply.json(404, {"message": "404 Snippet Not Found"})
        if len(parts) == 1:
            return reply.json(200, shown(parts[0]))
        # /snippets/:id/files/:ref/:file_path/raw (the ref of the snippet's repository)
        if len(parts) == 5 and parts[1] == "files" and parts[2] == "main" and parts[4] == "raw":
            text = snippet["files"].get(unquote(parts[3]))
            if text is not None:
                return reply.send(200, text.encode(), "text/plain", {})
        return reply.json(404, {"message": "404 File Not Found"})
    if token is None:
        return reply.json(401, {"message": "401 Unauthorized"})
    data = json.loads(body)
    if reply.command == "POST" and not parts:
        sid = str(len(bridge.snippets) + 1)
        bridge.snippets[sid] = {
            "title": data["title"],
            "visibility": data["visibility"],
            "files": {f["file_path"]: f["content"] for f in data["files"]},
        }
        return reply.json(201, shown(sid))
    if reply.command == "PUT" and len(parts) == 1 and parts[0] in bridge.snippets:
        files = bridge.snippets[parts[0]]["files"]
        for f in data["files"]:
            if (f["action"] == "update") != (f["file_path"] in files):
                return reply.json(400, {"message": "A file with this name doesn't exist"})
            files[f["file_path"]] = f["content"]
        return reply.json(200, shown(parts[0]))
    reply.json(404, {"message": "404 Not Found"})


def gitea(
    bridge: GitBridge,
    reply: Reply,
    parts: list[str],
    query: dict[str, list[str]],
    body: bytes,
    token: str | None,
) -> None:
    def paged(items: list[Any]) -> None:
        chunk, _ = _page(items, query, "limit")
        data = json.dumps(chunk).encode()
        reply.send(200, data, "application/json", {"X-Total-Count": str(len(items))})

    if len(parts) == 3 and parts[0] in ("users", "orgs") and parts[2] == "repos":
        is_org = parts[1] in bridge.groups
        if (parts[0] == "orgs") != is_org or not (bridge.root / parts[1]).is_dir():
            return reply.json(404, {"message": "user does not exist"})
        return paged([_gitea_repo(bridge, f) for f in _owner_repos(bridge, parts[1], token)])
    if parts == ["user", "repos"]:
        if token is None:
            return reply.json(401, {"message": "token is required"})
        everything = sorted(bridge.root.glob("*/*.git"))
        return paged([_gitea_repo(bridge, f"{p.parent.name}/{p.name[:-4]}") for p in everything])
    if len(parts) >= 3 and parts[0] == "repos":
        full = f"{parts[1]}/{parts[2]}"
        if not _visible(bridge, full, token):
            return reply.json(404, {"message": "The target couldn't be found."})
        if len(parts) == 3:
            return reply.json(200, _gitea_repo(bridge, full))
        if parts[3:] == ["branches"]:
            return paged(
                [
                    {"name": b["name"], "commit": {"id": b["commit"]}}
                    for b in _branches(bridge, full)
                ]  # type: ignore[index]
            )
        if parts[3:5] == ["git", "trees"]:
            try:
                items = bridge.tree(full, unquote("/".join(parts[5:])))["tree"]
            except Exception:
                return reply.json(404, {"message": "sha not found"})
            assert isinstance(items, list)
            chunk, page = _page(items, query, "per_page")
            return reply.json(
                200,
                {
                    "sha": parts[5],
                    "tree": chunk,
                    "truncated": page * PAGE < len(items),
                    "page": page,
                    "total_count": len(items),
                },
            )
    reply.json(404, {"message": "not found"})


def _gitea_repo(bridge: GitBridge, full: str) -> dict[str, object]:
    info = bridge.repo_json(full)
    return {
        "name": info["name"],
        "full_name": full,
        "private": info["private"],
        "default_branch": info["default_branch"],
        "empty": not bridge.branches(full),
        "id": uuid.uuid5(uuid.NAMESPACE_URL, full).int % 10_000,
    }
