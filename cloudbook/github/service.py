"""Open from GitHub, import into the drive, save a copy in GitHub or a Gist, browse."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cloudbook.github.badge import with_badge_cell
from cloudbook.github.credentials import GitCredentials
from cloudbook.github.gitcli import GitRunner
from cloudbook.github.hosts import host_api
from cloudbook.github.names import (
    GistRef,
    NotebookRef,
    check_gist_id,
    check_owner,
    check_path,
    check_ref,
    check_repo,
    owner_from_page,
    parse_source_url,
    split_repo,
)
from cloudbook.github.transfer import Remote, branch_names, commit_file, read_file
from cloudbook.services.errors import Conflict, InvalidInput, NotFound
from cloudbook.services.identity import UserInfo
from cloudbook.services.keyring import Keyring
from cloudbook.services.nbcontent import dumps, normalize
from cloudbook.services.notebooks import NotebookInfo, NotebookService
from cloudbook.settings import Settings
from cloudbook.store.database import Database


@dataclass(frozen=True)
class Opened:
    name: str
    content: dict[str, Any]
    source: str  # the service path that opens it again (/github/... or /gist/...)
    commit: str | None
    scroll_to: str | None = None
    # The file as the host sent it (checked JSON): answered as is, not re-encoded.
    raw: bytes | None = None

    def to_json(self) -> bytes:
        """The OpenedOut body, with the notebook's own bytes spliced in (a 1 MB notebook
        costs no re-encoding)."""
        head = {
            "name": self.name,
            "source": self.source,
            "commit": self.commit,
            "scroll_to": self.scroll_to,
        }
        content = self.raw if self.raw is not None else json.dumps(self.content).encode()
        return json.dumps(head).encode()[:-1] + b', "content": ' + content + b"}"


@dataclass(frozen=True)
class SavedCopy:
    commit: str
    url: str
    branch: str


def _check_base(url: str, allow_http: bool) -> str:
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"git host URL must be {'/'.join(schemes)} without user info: {url}")
    return url.rstrip("/")


def parse_notebook_bytes(data: bytes) -> dict[str, Any]:
    try:
        content = json.loads(data)
    except ValueError:
        raise InvalidInput(
            "The file is not a notebook (not JSON).", code="invalid_notebook"
        ) from None
    if not isinstance(content, dict) or content.get("nbformat") != 4:
        raise InvalidInput("Only nbformat 4 notebooks can be opened.", code="invalid_notebook")
    return content


class GitHubService:
    def __init__(
        self, settings: Settings, db: Database, keyring: Keyring, notebooks: NotebookService
    ) -> None:
        self.base_url = _check_base(settings.git_base_url, settings.git_allow_http)
        self.api_url = _check_base(settings.git_api_url, settings.git_allow_http)
        self.git_host = urlsplit(self.base_url).netloc
        self.service_url = settings.base_url
        self.own_hosts = {urlsplit(settings.base_url).netloc}
        self.rest = host_api(
            settings.git_host_kind, self.api_url, self.base_url, settings.git_timeout
        )
        # GitLab's projects may sit in subgroups: owners are namespace paths there.
        self.nested = self.rest.kind == "gitlab"
        self.git = GitRunner(
            binary=settings.git_binary,
            allow_http=settings.git_allow_http,
            timeout=settings.git_timeout,
            max_output=settings.max_body_bytes,
            basic_user=self.rest.basic_user,
        )
        self.credentials = GitCredentials(db, keyring, self.git_host)
        self.notebooks = notebooks
        self.tmp_root: Path = settings.data_dir / "tmp" / "git"

    def host_info(self) -> dict[str, str]:
        return {
            "kind": self.rest.kind,
            "host": self.git_host,
            "prefix": urlsplit(self.base_url).path.rstrip("/"),
            "gists": self.rest.gists_name,
        }

    def remote(self, owner: str, repo: str, token: str | None) -> Remote:
        owner = check_owner(owner, nested=self.nested)
        return Remote(f"{self.base_url}/{owner}/{check_repo(repo)}.git", token)

    # --- reading ---------------------------------------------------------------

    async def open_ref(self, user: UserInfo, ref: NotebookRef) -> Opened:
        token = await self.credentials.token(user)
        remote = self.remote(ref.owner, ref.repo, token)
        what = f"{ref.owner}/{ref.repo}: {ref.path} at {ref.ref}"
        try:
            data, commit = await read_file(self.git, remote, ref.ref, ref.path, self.tmp_root, what)
        except NotFound:
            # In .../blob/feature/x/nb.ipynb the branch may be "feature/x": as GitHub does,
            # take the longest branch the path starts with (asked only after a miss).
            longer = await self._longer_ref(remote, ref)
            if longer is None:
                raise
            ref = longer
            data, commit = await read_file(self.git, remote, ref.ref, ref.path, self.tmp_root, what)
        content = await asyncio.to_thread(parse_notebook_bytes, data)
        return Opened(ref.name, content, ref.page_path(), commit, raw=data)

    async def _longer_ref(self, remote: Remote, ref: NotebookRef) -> NotebookRef | None:
        parts = ref.path.split("/")
        if len(parts) < 2:
            return None
        names = await branch_names(self.git, remote, self.tmp_root)
        for k in range(len(parts) - 1, 0, -1):
            candidate = "/".join([ref.ref, *parts[:k]])
            if candidate in names:
                return NotebookRef(ref.owner, ref.repo, candidate, "/".join(parts[k:]))
        return None

    async def open_gist(self, user: UserInfo, ref: GistRef) -> Opened:
        files = await self.rest.gist_files(ref.gist_id, await self.credentials.token(user))
        for name, text in sorted(files.items()):
            if name.endswith(".ipynb"):
                if text is None:
                    raise InvalidInput("This gist's notebook is too large.", code="file_too_large")
                content = parse_notebook_bytes(text.encode())
                return Opened(name.rsplit("/", 1)[-1], content, ref.page_path(), None)
        raise NotFound("This gist holds no .ipynb file.", code="git_not_found")

    async def open_url(self, user: UserInfo, url: str, own_host: str | None = None) -> Opened:
        """``own_host``: the host the request came to (links to this service itself)."""
        parsed = parse_source_url(
            url,
            own_hosts=self.own_hosts | ({own_host} if own_host else set()),
            git_host=self.git_host,
            git_prefix=urlsplit(self.base_url).path.rstrip("/"),
            nested=self.nested,
        )
        source = parsed.source
        if isinstance(source, NotebookRef):
            opened = await self.open_ref(user, source)
        else:
            opened = await self.open_gist(user, source)
        return Opened(
            opened.name,
            opened.content,
            opened.source,
            opened.commit,
            parsed.scroll_to,
            opened.raw,
        )

    async def import_from_url(
        self, user: UserInfo, url: str, own_host: str | None = None
    ) -> NotebookInfo:
        """A drive copy of the notebook the URL names (``name (1).ipynb`` on a clash)."""
        opened = await self.open_url(user, url, own_host)
        stem = opened.name.removesuffix(".ipynb")
        for n in range(100):
            name = opened.name if n == 0 else f"{stem} ({n}).ipynb"
            try:
                return await self.notebooks.create(user, name, opened.content)
            except Conflict as exc:
                if exc.code != "name_taken":
                    raise
        raise Conflict("Too many notebooks share this name.", code="name_taken")

    # --- writing ---------------------------------------------------------------

    async def save_copy(
        self,
        user: UserInfo,
        notebook_id: str | None,
        *,
        repo: str,
        branch: str | None,
        path: str,
        message: str,
        include_link: bool,
        new_branch_from: str | None,
        content: dict[str, Any] | None = None,
    ) -> SavedCopy:
        """Commit a drive notebook (or, for a scratch copy, ``content``) to the git host."""
        owner, name = split_repo(repo, nested=self.nested)
        check_path(path)
        if branch:
            check_ref(branch)
        if new_branch_from not in (None, "", "default"):
            check_ref(str(new_branch_from))
        if new_branch_from is not None and not branch:
            raise InvalidInput("Name the new branch.", code="invalid_git_name")
        if notebook_id is not None:
            # A copy to the caller's own account: reading the notebook is enough.
            _, content = await self.notebooks.get(user, notebook_id, need="viewer")
        if content is None:
            raise InvalidInput("Nothing to save.", code="invalid_notebook")
        token = await self.credentials.token(user)
        if token is None:
            raise InvalidInput(
                "Store a token for the git host first (it needs write access).",
                code="git_token_missing",
            )
        checked = await asyncio.to_thread(normalize, content)  # bad content: before git runs

        async def data_for(target: str) -> bytes:
            # The badge opens the file where it lands (the branch is known only once the
            # remote's default branch was read).
            final = checked
            if include_link:
                page = NotebookRef(owner, name, target, path).page_path()
                final = with_badge_cell(checked, self.service_url, page)
            return await asyncio.to_thread(dumps, final)

        who = re.sub(r"[^A-Za-z0-9._-]", "", user.name) or "user"
        pushed = await commit_file(
            self.git,
            self.remote(owner, name, token),
            branch=branch or None,
            path=path,
            data=data_for,
            message=message.strip() or f"Saved {path} from cloudbook",
            committer=f"{who} <{who}@users.noreply.cloudbook>",
            new_branch_from=new_branch_from,
            tmp_root=self.tmp_root,
            what=f"{owner}/{name}",
        )
        url = self.rest.blob_url(owner, name, pushed.branch, path)
        return SavedCopy(pushed.commit, url, pushed.branch)

    async def save_gist(
        self,
        user: UserInfo,
        notebook_id: str,
        *,
        gist_id: str | None,
        description: str,
        public: bool,
    ) -> dict[str, str]:
        if gist_id is not None:
            check_gist_id(gist_id)
        info, content = await self.notebooks.get(user, notebook_id, need="viewer")
        token = await self.credentials.token(user)
        if token is None:
            raise InvalidInput("Store a token for the git host first.", code="git_token_missing")
        data = await asyncio.to_thread(lambda: dumps(normalize(content)))
        filename = info.name.rsplit("/", 1)[-1]
        gid, url = await self.rest.save_gist(
            gist_id, {filename: data.decode()}, description or filename, public, token
        )
        return {"id": gid, "url": url}

    # --- browsing --------------------------------------------------------------

    async def my_repos(self, user: UserInfo) -> list[str]:
        """The repositories the stored token's user works on ([] without a token)."""
        token = await self.credentials.token(user)
        return [] if token is None else await self.rest.my_repos(token)

    async def browse_owner(self, user: UserInfo, owner: str) -> list[dict[str, Any]]:
        """``owner``: as in the page's path (a GitLab subgroup as ``group~sub``)."""
        owner = owner_from_page(owner, nested=self.nested)
        repos = await self.rest.repos(owner, await self.credentials.token(user))
        return [
            {"name": r.name, "private": r.private, "default_branch": r.default_branch}
            for r in repos
        ]

    async def browse_repo(
        self, user: UserInfo, owner: str, repo: str, ref: str | None
    ) -> dict[str, Any]:
        owner = owner_from_page(owner, nested=self.nested)
        check_repo(repo)
        token = await self.credentials.token(user)
        info = await self.rest.repo(owner, repo, token)
        default = info.default_branch or "main"
        branch = check_ref(ref) if ref else default
        branches = await self.rest.branches(owner, repo, token)
        paths = await self.rest.tree(owner, repo, branch, token) if branches else []
        return {
            "default_branch": default,
            "branch": branch,
            "branches": branches,
            "notebooks": sorted(p for p in paths if p.endswith(".ipynb")),
        }
