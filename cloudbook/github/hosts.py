"""One interface over the git hosts' REST APIs (listings and gists only; content moves
over git for every host). ``CLOUDBOOK_GIT_HOST_KIND`` picks the adapter."""

from __future__ import annotations

from typing import Literal, Protocol

from cloudbook.github.rest import RepoInfo

HostKind = Literal["github", "gitlab", "gitea"]


class GitHostApi(Protocol):
    kind: str
    # The Basic-auth user name git sends with the token.
    basic_user: str
    # What the host calls a gist ("Gist", "Snippet"); "" when it has none.
    gists_name: str

    async def repos(self, owner: str, token: str | None) -> list[RepoInfo]: ...

    async def repo(self, owner: str, repo: str, token: str | None) -> RepoInfo: ...

    async def branches(self, owner: str, repo: str, token: str | None) -> list[str]: ...

    async def my_repos(self, token: str) -> list[str]:
        """``owner/name`` of the repositories the token's user works on (to pick from)."""
        ...

    async def tree(self, owner: str, repo: str, ref: str, token: str | None) -> list[str]:
        """Every file path at ``ref``."""
        ...

    async def gist_files(self, gist_id: str, token: str | None) -> dict[str, str | None]:
        """File name → content (None: too large to be sent)."""
        ...

    async def save_gist(
        self,
        gist_id: str | None,
        files: dict[str, str],
        description: str,
        public: bool,
        token: str,
    ) -> tuple[str, str]:
        """(id, web URL) of the gist made (``gist_id`` None) or updated."""
        ...

    def blob_url(self, owner: str, repo: str, branch: str, path: str) -> str:
        """The host's web page of a file."""
        ...


def host_api(kind: HostKind, api_url: str, web_url: str, timeout: float) -> GitHostApi:
    if kind == "gitlab":
        from cloudbook.github.gitlab import GitLabApi

        return GitLabApi(api_url, web_url, timeout)
    if kind == "gitea":
        from cloudbook.github.gitea import GiteaApi

        return GiteaApi(api_url, web_url, timeout)
    from cloudbook.github.rest import GitHubApi

    return GitHubApi(api_url, web_url, timeout)
