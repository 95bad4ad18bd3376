"""Open from GitHub, import, Save a copy in GitHub / Gist, browse, the token, scratch
sessions and the badge; thin: the logic is in cloudbook.github.service."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cloudbook.server.deps import CurrentUser, ServicesDep
from cloudbook.server.frontend import _index
from cloudbook.server.live_io import flush_live
from cloudbook.server.routes.notebooks import IMPORT_HANDLERS
from cloudbook.server.routes.runtimes import SessionOut, _session
from cloudbook.services.errors import NotFound

if TYPE_CHECKING:
    from cloudbook.server.state import Services
    from cloudbook.services.identity import UserInfo
    from cloudbook.services.notebooks import NotebookInfo

router = APIRouter(tags=["github"])
pages = APIRouter(include_in_schema=False)
SCRATCH_ID = re.compile(r"[0-9a-f]{28}")


class GitToken(BaseModel):
    token: str = Field(max_length=4096)


class GitTokenState(BaseModel):
    stored: bool


class OpenedOut(BaseModel):
    name: str
    content: dict[str, Any]
    source: str = Field(description="The service path that opens it again.")
    commit: str | None
    scroll_to: str | None


class SaveToGit(BaseModel):
    repo: str = Field(max_length=201, description="owner/name")
    branch: str | None = Field(default=None, max_length=200)
    path: str = Field(max_length=1024)
    message: str = Field(default="", max_length=10_000)
    include_link: bool = True
    new_branch_from: str | None = Field(
        default=None, max_length=200, description="'default' or a branch: make `branch` from it"
    )


class SaveScratchToGit(SaveToGit):
    content: dict[str, Any]


class SavedOut(BaseModel):
    commit: str
    url: str
    branch: str


class SaveGist(BaseModel):
    gist_id: str | None = Field(default=None, max_length=64)
    description: str = Field(default="", max_length=1000)
    public: bool = False


class GistOut(BaseModel):
    id: str
    url: str


class RepoOut(BaseModel):
    name: str
    private: bool
    default_branch: str


class RepoList(BaseModel):
    repos: list[RepoOut]


class MyRepos(BaseModel):
    repos: list[str] = Field(description="owner/name, most recently active first")


class GitHostOut(BaseModel):
    kind: str = Field(description="github, gitlab or gitea: the REST shape of its API")
    host: str = Field(description="host[:port] of the git host's links")
    prefix: str = Field(description="path prefix of the git host's links ('' or '/gitea')")
    gists: str = Field(description="what the host calls a gist ('Gist', 'Snippet'); '' for none")


class RepoBrowse(BaseModel):
    default_branch: str
    branch: str
    branches: list[str]
    notebooks: list[str]


@router.get("/api/me/credentials/github", response_model=GitTokenState)
async def token_state(user: CurrentUser, s: ServicesDep) -> GitTokenState:
    return GitTokenState(stored=await s.github.credentials.token(user) is not None)


@router.put("/api/me/credentials/github", status_code=204)
async def put_token(body: GitToken, user: CurrentUser, s: ServicesDep) -> Response:
    await s.github.credentials.put(user, body.token)
    return Response(status_code=204)


@router.delete("/api/me/credentials/github", status_code=204)
async def delete_token(user: CurrentUser, s: ServicesDep) -> Response:
    await s.github.credentials.delete(user)
    return Response(status_code=204)


@router.get("/api/github/open", response_model=OpenedOut)
async def open_notebook(url: str, request: Request, user: CurrentUser, s: ServicesDep) -> Response:
    """The notebook a GitHub, Colab or /github/... URL names, as a scratch copy."""
    opened = await s.github.open_url(user, url, request.url.netloc)
    return Response(opened.to_json(), media_type="application/json")


async def import_url_handler(
    body: Any, user: UserInfo, s: Services, own_host: str | None = None
) -> NotebookInfo | None:
    """The `url` variant of POST /api/notebooks/import, shaped as the drive routes'
    IMPORT_HANDLERS hook (returns None when the body has no `url`)."""
    url = getattr(body, "url", None)
    if not isinstance(url, str):
        return None
    return await s.github.import_from_url(user, url, own_host)


async def _save_copy(
    s: Services, user: UserInfo, notebook_id: str | None, body: SaveToGit
) -> SavedOut:
    content = body.content if isinstance(body, SaveScratchToGit) else None
    if notebook_id is not None:
        await flush_live(s, user, notebook_id)  # the copy holds what the pages show
    saved = await s.github.save_copy(
        user,
        notebook_id,
        repo=body.repo,
        branch=body.branch,
        path=body.path,
        message=body.message,
        include_link=body.include_link,
        new_branch_from=body.new_branch_from,
        content=content,
    )
    return SavedOut(**saved.__dict__)


@router.post("/api/notebooks/{notebook_id}/github", response_model=SavedOut)
async def save_to_git(
    notebook_id: str, body: SaveToGit, user: CurrentUser, s: ServicesDep
) -> SavedOut:
    return await _save_copy(s, user, notebook_id, body)


@router.post("/api/github/save", response_model=SavedOut)
async def save_scratch_to_git(
    body: SaveScratchToGit, user: CurrentUser, s: ServicesDep
) -> SavedOut:
    """Save a copy in GitHub from a scratch copy (a notebook opened from GitHub)."""
    return await _save_copy(s, user, None, body)


@router.post("/api/notebooks/{notebook_id}/gist", response_model=GistOut)
async def save_to_gist(
    notebook_id: str, body: SaveGist, user: CurrentUser, s: ServicesDep
) -> GistOut:
    await flush_live(s, user, notebook_id)
    out = await s.github.save_gist(
        user, notebook_id, gist_id=body.gist_id, description=body.description, public=body.public
    )
    return GistOut(**out)


@router.get("/api/github/host", response_model=GitHostOut)
async def git_host(user: CurrentUser, s: ServicesDep) -> GitHostOut:
    """The configured git host, so the page reads its links (GitLab's ``/-/blob/``…)."""
    return GitHostOut(**s.github.host_info())


@router.get("/api/github/my-repos", response_model=MyRepos)
async def my_repos(user: CurrentUser, s: ServicesDep) -> MyRepos:
    """The repositories to pick from in Save a copy in GitHub (needs a stored token)."""
    return MyRepos(repos=await s.github.my_repos(user))


@router.get("/api/github/repos/{owner}", response_model=RepoList)
async def list_repos(owner: str, user: CurrentUser, s: ServicesDep) -> RepoList:
    return RepoList(repos=[RepoOut(**r) for r in await s.github.browse_owner(user, owner)])


@router.get("/api/github/repos/{owner}/{repo}", response_model=RepoBrowse)
async def browse_repo(
    owner: str, repo: str, user: CurrentUser, s: ServicesDep, ref: str | None = None
) -> RepoBrowse:
    return RepoBrowse(**await s.github.browse_repo(user, owner, repo, ref))


def _scratch(scratch_id: str) -> str:
    if not SCRATCH_ID.fullmatch(scratch_id):
        raise NotFound("No such scratch notebook.", code="no_such_notebook")
    return f"scratch-{scratch_id}"


@router.post("/api/scratch/{scratch_id}/session", response_model=SessionOut)
async def scratch_attach(
    scratch_id: str, user: CurrentUser, s: ServicesDep
) -> SessionOut | JSONResponse:
    """A runtime for a scratch copy (a notebook opened from GitHub, not in the drive)."""
    return _session(await s.runtimes.attach(user, _scratch(scratch_id)))


@router.get("/api/scratch/{scratch_id}/session", response_model=SessionOut)
async def scratch_session(
    scratch_id: str, user: CurrentUser, s: ServicesDep
) -> SessionOut | JSONResponse:
    managed = s.runtimes.for_notebook(user, _scratch(scratch_id))
    if managed is None:
        raise NotFound("This notebook has no runtime.", code="no_session")
    return _session(managed)


@router.delete("/api/scratch/{scratch_id}/session", status_code=204)
async def scratch_detach(scratch_id: str, user: CurrentUser, s: ServicesDep) -> Response:
    await s.runtimes.detach_notebook(user, _scratch(scratch_id))
    return Response(status_code=204)


@pages.get("/assets/badge.svg")
async def badge() -> Response:
    from cloudbook.github.badge import BADGE_SVG

    return Response(
        BADGE_SVG, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"}
    )


@pages.get("/gist/{path:path}")
async def gist_page(path: str) -> Response:
    return _index()


@pages.get("/github")
async def link_page() -> Response:
    return _index()


IMPORT_HANDLERS.append(import_url_handler)
