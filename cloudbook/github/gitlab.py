"""GitLab's REST API (``/api/v4``) behind the ``GitHostApi`` interface.

Owners are groups or users (a group is asked first, as GitLab's namespaces hold both);
a project is named by its URL-encoded ``owner/repo`` path; trees are paged (``X-Next-Page``);
gists are personal snippets (``/snippets``), opened through ``/gist/{user}/{id}`` as on
GitHub. An owner may be a subgroup's namespace path (``group/sub``): groups are named by
their URL-encoded full path, as projects are.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from cloudbook.github.rest import MAX_PAGES, RepoInfo, RestClient, dicts
from cloudbook.services.errors import NotFound

# A snippet file's raw_url ends in /raw/{ref}/{path}: the ref of its snippet repository.
_RAW_REF = re.compile(r"/raw/([A-Za-z0-9._-]{1,100})/")


def _project(owner: str, repo: str) -> str:
    return quote(f"{owner}/{repo}", safe="")


class GitLabApi:
    kind = "gitlab"
    basic_user = "oauth2"  # GitLab's documented user name for token auth over git
    gists_name = "Snippet"

    def __init__(self, api_url: str, web_url: str, timeout: float = 30.0) -> None:
        self.http = RestClient(api_url, timeout)
        self.web_url = web_url.rstrip("/")

    async def _pages(
        self, path: str, token: str | None, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = "1"
        for _ in range(MAX_PAGES):
            answer = await self.http.answer(
                "GET", path, token, params={**params, "per_page": "100", "page": page}
            )
            out.extend(dicts(answer.data))
            page = answer.headers.get("X-Next-Page", "").strip()
            if not page.isdigit():
                break
        return out

    async def repos(self, owner: str, token: str | None) -> list[RepoInfo]:
        try:
            found = await self._pages(f"/groups/{quote(owner, safe='')}/projects", token, {})
        except NotFound:
            if "/" in owner:  # users are never nested
                raise
            found = await self._pages(f"/users/{quote(owner, safe='')}/projects", token, {})
        return [_repo_info(p) for p in found]

    async def my_repos(self, token: str) -> list[str]:
        # Projects the user may push to (Developer, 30, and up), subgroups' included.
        found = await self._pages(
            "/projects",
            token,
            {"membership": "true", "min_access_level": "30", "order_by": "last_activity_at"},
        )
        names = [str(p.get("path_with_namespace", "")) for p in found]
        return [n for n in names if "/" in n]

    async def repo(self, owner: str, repo: str, token: str | None) -> RepoInfo:
        data = await self.http.call("GET", f"/projects/{_project(owner, repo)}", token)
        return _repo_info(data if isinstance(data, dict) else {})

    async def branches(self, owner: str, repo: str, token: str | None) -> list[str]:
        found = await self._pages(
            f"/projects/{_project(owner, repo)}/repository/branches", token, {}
        )
        return [str(b["name"]) for b in found if "name" in b]

    async def tree(self, owner: str, repo: str, ref: str, token: str | None) -> list[str]:
        found = await self._pages(
            f"/projects/{_project(owner, repo)}/repository/tree",
            token,
            {"ref": ref, "recursive": "true"},
        )
        return [str(i["path"]) for i in found if i.get("type") == "blob" and "path" in i]

    async def gist_files(self, gist_id: str, token: str | None) -> dict[str, str | None]:
        """A snippet's files: file name → content (read one by one, raw)."""
        data = await self.http.call("GET", f"/snippets/{quote(gist_id)}", token)
        files = dicts(data.get("files")) if isinstance(data, dict) else []
        out: dict[str, str | None] = {}
        for f in files:
            name = str(f.get("path", ""))
            if not name.endswith(".ipynb"):
                out[name] = ""  # named, not read: only notebooks are opened
                continue
            ref = _RAW_REF.search(str(f.get("raw_url", "")))
            raw = await self.http.answer(
                "GET",
                f"/snippets/{quote(gist_id)}/files/{ref.group(1) if ref else 'main'}/"
                f"{quote(name, safe='')}/raw",
                token,
                raw=True,
            )
            out[name] = bytes(raw.data).decode("utf-8", "replace")
        return out

    async def save_gist(
        self,
        gist_id: str | None,
        files: dict[str, str],
        description: str,
        public: bool,
        token: str,
    ) -> tuple[str, str]:
        if gist_id is None:
            body: dict[str, Any] = {
                "title": description,
                "visibility": "public" if public else "private",
                "files": [{"file_path": n, "content": t} for n, t in files.items()],
            }
            data = await self.http.call("POST", "/snippets", token, body)
        else:
            current = await self.http.call("GET", f"/snippets/{quote(gist_id)}", token)
            have = {
                str(f.get("path"))
                for f in (dicts(current.get("files")) if isinstance(current, dict) else [])
            }
            body = {
                "title": description,
                "files": [
                    {"action": "update" if n in have else "create", "file_path": n, "content": t}
                    for n, t in files.items()
                ],
            }
            data = await self.http.call("PUT", f"/snippets/{quote(gist_id)}", token, body)
        data = data if isinstance(data, dict) else {}
        return str(data.get("id", "")), str(data.get("web_url", ""))

    def blob_url(self, owner: str, repo: str, branch: str, path: str) -> str:
        return f"{self.web_url}/{owner}/{repo}/-/blob/{branch}/{path}"


def _repo_info(p: dict[str, Any]) -> RepoInfo:
    return RepoInfo(
        name=str(p.get("path", "")),
        private=str(p.get("visibility", "private")) != "public",
        default_branch=str(p.get("default_branch") or ""),
    )
