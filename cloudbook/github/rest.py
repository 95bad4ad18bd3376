"""The git host's REST API, used only for listings and gists (content moves over git).

The shape is GitHub's (also GitHub Enterprise's and Gitea's ``/api/v1``); the base URL
is ``CLOUDBOOK_GIT_API_URL``. Redirects are not followed, answers are size-capped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from cloudbook.services.errors import NotFound, ServiceError

MAX_ANSWER = 32 * 1024 * 1024


class RestClient:
    def __init__(self, api_url: str, timeout: float = 30.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    async def call(
        self,
        method: str,
        path: str,
        token: str | None,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Accept": "application/vnd.github+json", "User-Agent": "cloudbook"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
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
        return answer.json()

    async def repos(self, owner: str, token: str | None) -> list[dict[str, Any]]:
        data = await self.call(
            "GET", f"/users/{quote(owner)}/repos", token, params={"per_page": "100"}
        )
        return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []

    async def repo(self, owner: str, repo: str, token: str | None) -> dict[str, Any]:
        data = await self.call("GET", f"/repos/{quote(owner)}/{quote(repo)}", token)
        return data if isinstance(data, dict) else {}

    async def branches(self, owner: str, repo: str, token: str | None) -> list[str]:
        data = await self.call(
            "GET",
            f"/repos/{quote(owner)}/{quote(repo)}/branches",
            token,
            params={"per_page": "100"},
        )
        return [str(b["name"]) for b in data if isinstance(b, dict) and "name" in b]

    async def tree(self, owner: str, repo: str, ref: str, token: str | None) -> list[str]:
        """Every file path at ``ref`` (recursive tree)."""
        data = await self.call(
            "GET",
            f"/repos/{quote(owner)}/{quote(repo)}/git/trees/{quote(ref, safe='')}",
            token,
            params={"recursive": "1"},
        )
        items = data.get("tree", []) if isinstance(data, dict) else []
        return [str(i["path"]) for i in items if isinstance(i, dict) and i.get("type") == "blob"]

    async def gist(self, gist_id: str, token: str | None) -> dict[str, Any]:
        data = await self.call("GET", f"/gists/{quote(gist_id)}", token)
        return data if isinstance(data, dict) else {}

    async def save_gist(
        self,
        gist_id: str | None,
        files: dict[str, str],
        description: str,
        public: bool,
        token: str,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "description": description,
            "files": {name: {"content": text} for name, text in files.items()},
        }
        if gist_id is None:
            body["public"] = public
            data = await self.call("POST", "/gists", token, body)
        else:
            data = await self.call("PATCH", f"/gists/{quote(gist_id)}", token, body)
        return data if isinstance(data, dict) else {}
