"""The git host's REST API, used only for listings and gists (content moves over git).

``RestClient`` is the HTTP part every host shares (redirects not followed, answers
size-capped, the host's errors mapped to ours); ``GitHubApi`` speaks GitHub's shape
(also GitHub Enterprise's ``/api/v3``). GitLab and Gitea have their own adapters
(``cloudbook/github/gitlab.py``, ``gitea.py``) behind the same ``GitHostApi``
interface (``cloudbook/github/hosts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from cloudbook.services.errors import NotFound, ServiceError

MAX_ANSWER = 32 * 1024 * 1024
# Pages followed at most for one listing (a tree of 100 x 50 entries is plenty for
# finding notebooks; a host that never stops paging cannot hold a request forever).
MAX_PAGES = 50


@dataclass(frozen=True)
class RepoInfo:
    name: str
    private: bool
    default_branch: str  # "" when the host does not say (an empty repository)


@dataclass(frozen=True)
class Answer:
    data: Any
    headers: httpx.Headers


class RestClient:
    def __init__(
        self,
        api_url: str,
        timeout: float = 30.0,
        *,
        auth_scheme: str = "Bearer",
        accept: str = "application/json",
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.auth_scheme = auth_scheme
        self.accept = accept

    async def call(
        self,
        method: str,
        path: str,
        token: str | None,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        return (await self.answer(method, path, token, body, params)).data

    async def answer(
        self,
        method: str,
        path: str,
        token: str | None,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        *,
        raw: bool = False,
    ) -> Answer:
        """The host's answer (JSON, or bytes with ``raw``) and its headers (for paging)."""
        headers = {"Accept": self.accept, "User-Agent": "cloudbook"}
        if token:
            headers["Authorization"] = f"{self.auth_scheme} {token}"
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            try:
                answer = await client.request(
                    method, self.api_url + path, headers=headers, json=body, params=params
                )
            except httpx.HTTPError:
                raise ServiceError(
                    "The git host's API could not be reached.", code="git_host_error", status=502
                ) from None
        if len(answer.content) > MAX_ANSWER:
            raise ServiceError("The git host answered too much.", code="git_host_error", status=502)
        if answer.status_code == 401:
            raise ServiceError(
                "The git host refused your token: store a valid one.",
                code="git_auth_failed",
                status=403,
            )
        if answer.status_code in (403, 404):
            raise NotFound(
                "Not found on the git host (or private: store a token that can read it).",
                code="git_not_found",
            )
        if answer.status_code >= 300:
            raise ServiceError(
                f"The git host's API answered {answer.status_code}.",
                code="git_host_error",
                status=502,
            )
        if raw:
            return Answer(answer.content, answer.headers)
        try:
            data = answer.json()
        except ValueError:
            raise ServiceError(
                "The git host's API did not answer JSON.", code="git_host_error", status=502
            ) from None
        return Answer(data, answer.headers)


def dicts(data: Any) -> list[dict[str, Any]]:
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


class GitHubApi:
    """GitHub's REST shape (github.com, GitHub Enterprise)."""

    kind = "github"
    basic_user = "x-access-token"
    gists_name = "Gist"

    def __init__(self, api_url: str, web_url: str, timeout: float = 30.0) -> None:
        self.http = RestClient(api_url, timeout, accept="application/vnd.github+json")
        self.web_url = web_url.rstrip("/")

    async def repos(self, owner: str, token: str | None) -> list[RepoInfo]:
        data = await self.http.call(
            "GET", f"/users/{quote(owner)}/repos", token, params={"per_page": "100"}
        )
        return [_repo_info(r) for r in dicts(data)]

    async def repo(self, owner: str, repo: str, token: str | None) -> RepoInfo:
        data = await self.http.call("GET", f"/repos/{quote(owner)}/{quote(repo)}", token)
        return _repo_info(data if isinstance(data, dict) else {})

    async def my_repos(self, token: str) -> list[str]:
        data = await self.http.call(
            "GET", "/user/repos", token, params={"per_page": "100", "sort": "updated"}
        )
        return [str(r["full_name"]) for r in dicts(data) if "full_name" in r]

    async def branches(self, owner: str, repo: str, token: str | None) -> list[str]:
        data = await self.http.call(
            "GET",
            f"/repos/{quote(owner)}/{quote(repo)}/branches",
            token,
            params={"per_page": "100"},
        )
        return [str(b["name"]) for b in dicts(data) if "name" in b]

    async def tree(self, owner: str, repo: str, ref: str, token: str | None) -> list[str]:
        """Every file path at ``ref`` (recursive tree)."""
        data = await self.http.call(
            "GET",
            f"/repos/{quote(owner)}/{quote(repo)}/git/trees/{quote(ref, safe='')}",
            token,
            params={"recursive": "1"},
        )
        items = data.get("tree", []) if isinstance(data, dict) else []
        return [str(i["path"]) for i in dicts(items) if i.get("type") == "blob"]

    async def gist_files(self, gist_id: str, token: str | None) -> dict[str, str | None]:
        """File name → content (None: too large for the API to include)."""
        data = await self.http.call("GET", f"/gists/{quote(gist_id)}", token)
        files = data.get("files") if isinstance(data, dict) else None
        out: dict[str, str | None] = {}
        for name, f in (files or {}).items():
            if isinstance(f, dict):
                out[str(name)] = None if f.get("truncated") else str(f.get("content", ""))
        return out

    async def save_gist(
        self,
        gist_id: str | None,
        files: dict[str, str],
        description: str,
        public: bool,
        token: str,
    ) -> tuple[str, str]:
        """(id, web URL) of the gist made or updated."""
        body: dict[str, Any] = {
            "description": description,
            "files": {name: {"content": text} for name, text in files.items()},
        }
        if gist_id is None:
            body["public"] = public
            data = await self.http.call("POST", "/gists", token, body)
        else:
            data = await self.http.call("PATCH", f"/gists/{quote(gist_id)}", token, body)
        data = data if isinstance(data, dict) else {}
        return str(data.get("id", "")), str(data.get("html_url", ""))

    def blob_url(self, owner: str, repo: str, branch: str, path: str) -> str:
        return f"{self.web_url}/{owner}/{repo}/blob/{branch}/{path}"


def _repo_info(r: dict[str, Any]) -> RepoInfo:
    return RepoInfo(
        name=str(r.get("name", "")),
        private=bool(r.get("private")),
        default_branch=str(r.get("default_branch") or ""),
    )
