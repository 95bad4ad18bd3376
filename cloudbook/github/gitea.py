"""Gitea's REST API (``/api/v1``; Forgejo speaks the same) behind ``GitHostApi``.

Close to GitHub's shape, with its own paging: lists take ``page``/``limit`` (the server
caps ``limit``, 50 by default), trees answer ``truncated`` and take ``page``/``per_page``.
An owner is a user or an organisation. Gitea has no gists: saving or opening one is
refused with a clear error (``gists_unsupported``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from cloudbook.github.rest import MAX_PAGES, RepoInfo, RestClient, dicts
from cloudbook.services.errors import InvalidInput, NotFound

LIMIT = 50


def _no_gists() -> InvalidInput:
    return InvalidInput(
        "This git host (Gitea) has no gists: save a copy in a repository instead.",
        code="gists_unsupported",
    )


class GiteaApi:
    kind = "gitea"
    basic_user = "x-access-token"  # any name: Gitea reads the token from the password
    gists_name = ""

    def __init__(self, api_url: str, web_url: str, timeout: float = 30.0) -> None:
        self.http = RestClient(api_url, timeout, auth_scheme="token")
        self.web_url = web_url.rstrip("/")

    async def _list(self, path: str, token: str | None) -> list[dict[str, Any]]:
        """Every page: the server may cap ``limit`` below what we ask, so paging stops
        at ``X-Total-Count`` (or an empty page), not at a short one."""
        out: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            answer = await self.http.answer(
                "GET", path, token, params={"page": str(page), "limit": str(LIMIT)}
            )
            data = dicts(answer.data)
            out.extend(data)
            total = answer.headers.get("X-Total-Count", "")
            if not data or (total.isdigit() and len(out) >= int(total)):
                break
        return out

    async def repos(self, owner: str, token: str | None) -> list[RepoInfo]:
        try:
            found = await self._list(f"/users/{quote(owner)}/repos", token)
        except NotFound:
            found = await self._list(f"/orgs/{quote(owner)}/repos", token)
        return [_repo_info(r) for r in found]

    async def my_repos(self, token: str) -> list[str]:
        found = await self._list("/user/repos", token)
        return [str(r["full_name"]) for r in found if "full_name" in r]

    async def repo(self, owner: str, repo: str, token: str | None) -> RepoInfo:
        data = await self.http.call("GET", f"/repos/{quote(owner)}/{quote(repo)}", token)
        return _repo_info(data if isinstance(data, dict) else {})

    async def branches(self, owner: str, repo: str, token: str | None) -> list[str]:
        found = await self._list(f"/repos/{quote(owner)}/{quote(repo)}/branches", token)
        return [str(b["name"]) for b in found if "name" in b]

    async def tree(self, owner: str, repo: str, ref: str, token: str | None) -> list[str]:
        out: list[str] = []
        for page in range(1, MAX_PAGES + 1):
            data = await self.http.call(
                "GET",
                f"/repos/{quote(owner)}/{quote(repo)}/git/trees/{quote(ref, safe='')}",
                token,
                params={"recursive": "true", "page": str(page), "per_page": "1000"},
            )
            data = data if isinstance(data, dict) else {}
            out += [
                str(i["path"])
                for i in dicts(data.get("tree"))
                if i.get("type") == "blob" and "path" in i
            ]
            if not data.get("truncated"):
                break
        return out

    async def gist_files(self, gist_id: str, token: str | None) -> dict[str, str | None]:
        raise _no_gists()

    async def save_gist(
        self,
        gist_id: str | None,
        files: dict[str, str],
        description: str,
        public: bool,
        token: str,
    ) -> tuple[str, str]:
        raise _no_gists()

    def blob_url(self, owner: str, repo: str, branch: str, path: str) -> str:
        return f"{self.web_url}/{owner}/{repo}/src/branch/{branch}/{path}"


def _repo_info(r: dict[str, Any]) -> RepoInfo:
    return RepoInfo(
        name=str(r.get("name", "")),
        private=bool(r.get("private")),
        default_branch="" if r.get("empty") else str(r.get("default_branch") or ""),
    )
