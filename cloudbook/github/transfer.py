"""Content over git smart-HTTP: read one file, commit one file and push.

Reading: a throw-away bare repository, a shallow (depth 1) blob-less fetch of the one
ref, then only the one blob (fetched lazily from the promisor remote). Writing: the
same fetch of the branch tip (trees only), one commit made by ``git fast-import``
(no work tree, no checkout, no hooks), then a push that git refuses when someone else
pushed meanwhile. Nothing here starts git before the caller's names were checked.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from cloudbook.github.gitcli import GitFailed, GitRunner
from cloudbook.github.names import check_path, check_ref, is_sha
from cloudbook.services.errors import Conflict, InvalidInput, NotFound, ServiceError


class GitHostError(ServiceError):
    status = 502
    code = "git_host_error"


def _host_error(exc: GitFailed, what: str, token: str | None) -> ServiceError:
    """git's stderr → an error the user can act on (never the stderr itself)."""
    err = exc.stderr.lower()
    if exc.timed_out:
        return GitHostError("The git host did not answer in time; try again.", code="git_timeout")
    if "larger than" in str(exc):
        return InvalidInput(str(exc), code="file_too_large")
    if "authentication failed" in err or "invalid username or password" in err or " 403" in err:
        return ServiceError(
            "The git host refused your token: store a valid one under "
            "GitHub access (File → Save a copy in GitHub).",
            code="git_auth_failed",
            status=403,
        )
    asked_for_login = "could not read username" in err or "terminal prompts disabled" in err
    if asked_for_login and token is not None:
        # The host refused the token we sent in the header and asked for a login.
        return _host_error(GitFailed("", "authentication failed"), what, token)
    if asked_for_login or " 401" in err:
        return NotFound(
            f"{what} was not found, or it is private: store a token that can read it.",
            code="git_not_found",
        )
    missing = ("not found", "couldn't find remote ref", "not our ref", "does not exist", "bad file")
    if any(m in err for m in missing):
        return NotFound(f"{what} was not found.", code="git_not_found")
    return GitHostError(f"The git host failed while reading {what}.")


@dataclass(frozen=True)
class Remote:
    url: str  # built from the configured base URL and checked names only
    token: str | None


@asynccontextmanager
async def scratch_repo(git: GitRunner, tmp_root: Path | None) -> AsyncIterator[str]:
    path = await asyncio.to_thread(_bare_skeleton, tmp_root)
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, True)


def _bare_skeleton(tmp_root: Path | None) -> str:
    """An empty bare partial-clone repository, written directly: what ``git init --bare``
    makes, minus a process start (which costs tens of ms on a busy host)."""
    if tmp_root is not None:
        tmp_root.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="git-", dir=tmp_root))
    for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
        (root / sub).mkdir(parents=True)
    (root / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "config").write_text(
        "[core]\n\trepositoryformatversion = 1\n\tbare = true\n"
        "[extensions]\n\tpartialClone = origin\n"
    )
    return str(root)


def _remote_config(remote: Remote) -> dict[str, str]:
    return {
        "remote.origin.url": remote.url,
        "remote.origin.promisor": "true",
        "remote.origin.partialclonefilter": "blob:none",
        "fetch.fsckObjects": "true",
    }


async def _fetch_tip(git: GitRunner, repo: str, remote: Remote, ref: str) -> str:
    """Fetch ``ref``'s commit and trees (no blobs); its commit id."""
    check_ref(ref)
    await git.run(
        ["fetch", "--quiet", "--depth=1", "--filter=blob:none", "--no-tags", "--", "origin", ref],
        cwd=repo,
        token=remote.token,
        config=_remote_config(remote),
    )
    # FETCH_HEAD's first line starts with the commit id (no rev-parse process needed).
    head = await asyncio.to_thread((Path(repo) / "FETCH_HEAD").read_text)
    commit = head.split("\t", 1)[0].strip()
    if not is_sha(commit):
        raise GitHostError("The git host sent no commit.")
    return commit


async def read_file(
    git: GitRunner, remote: Remote, ref: str, path: str, tmp_root: Path | None, what: str
) -> tuple[bytes, str]:
    """The file's bytes at ``ref`` and the commit they come from."""
    check_path(path)
    async with scratch_repo(git, tmp_root) as repo:
        try:
            commit = await _fetch_tip(git, repo, remote, ref)
            # One process: resolves the path in the fetched trees, then fetches only
            # that blob from the promisor remote. The path was checked (no '..', no
            # leading '-', no control characters) and the commit is a hex id.
            data = await git.run(
                ["cat-file", "blob", f"{commit}:{path}"],
                cwd=repo,
                token=remote.token,
                config=_remote_config(remote),
            )
        except GitFailed as exc:
            raise _host_error(exc, what, remote.token) from None
        return data, commit


@dataclass(frozen=True)
class Pushed:
    commit: str
    branch: str


async def branch_names(git: GitRunner, remote: Remote, tmp_root: Path | None) -> set[str]:
    """The remote's branch and tag names (one ``ls-remote``)."""
    async with scratch_repo(git, tmp_root) as repo:
        try:
            out = await git.run(
                ["ls-remote", "--heads", "--tags", "--", "origin"],
                cwd=repo,
                token=remote.token,
                config=_remote_config(remote),
            )
        except GitFailed:
            return set()
    names = set()
    for line in out.decode().splitlines():
        name = line.partition("\t")[2]
        for prefix in ("refs/heads/", "refs/tags/"):
            if name.startswith(prefix):
                names.add(name.removeprefix(prefix).removesuffix("^{}"))
    return names


async def _remote_heads(git: GitRunner, repo: str, remote: Remote) -> tuple[dict[str, str], str]:
    """Branch → commit on the remote, and its default branch ('' for an empty repo)."""
    out = await git.run(
        ["ls-remote", "--symref", "--", "origin", "HEAD", "refs/heads/*"],
        cwd=repo,
        token=remote.token,
        config=_remote_config(remote),
    )
    heads: dict[str, str] = {}
    default = ""
    for line in out.decode().splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            default = line[5:].split("\t")[0].removeprefix("refs/heads/")
            continue
        sha, _, name = line.partition("\t")
        if name.startswith("refs/heads/"):
            heads[name.removeprefix("refs/heads/")] = sha
    if default not in heads:
        default = "main" if "main" in heads else (next(iter(heads), ""))
    return heads, default


def _fast_import_stream(
    branch_ref: str,
    parent: str | None,
    path: str,
    data: bytes,
    message: str,
    committer: str,
) -> bytes:
    msg = message.encode()
    when = f"{int(time.time())} +0000"
    lines = [
        f"commit {branch_ref}\n".encode(),
        f"committer {committer} {when}\n".encode(),
        f"data {len(msg)}\n".encode() + msg + b"\n",
    ]
    if parent is not None:
        lines.append(f"from {parent}\n".encode())
    lines.append(f"M 100644 inline {path}\n".encode())
    lines.append(f"data {len(data)}\n".encode() + data + b"\n")
    return b"".join(lines)


async def commit_file(
    git: GitRunner,
    remote: Remote,
    *,
    branch: str | None,
    path: str,
    data: Callable[[str], Awaitable[bytes]],
    message: str,
    committer: str,
    new_branch_from: str | None,
    tmp_root: Path | None,
    what: str,
) -> Pushed:
    """Commit ``await data(branch)`` at ``path`` on ``branch`` and push it.

    ``branch`` None: the default branch. ``new_branch_from`` set: ``branch`` must not
    exist yet and starts at that branch ('' or 'default': the default branch). An empty
    repository gets a root commit. Someone else's push in between → 409 push_conflict.
    """
    check_path(path)
    if branch is not None:
        check_ref(branch)
    if new_branch_from not in (None, "", "default"):
        check_ref(new_branch_from)
    if "\0" in message or len(message) > 10_000:
        raise InvalidInput("The commit message is too long or holds NUL.", code="invalid_message")
    async with scratch_repo(git, tmp_root) as repo:
        try:
            heads, default = await _remote_heads(git, repo, remote)
            target = branch or default or "main"
            check_ref(target)
            if new_branch_from is not None:
                if target in heads:
                    raise Conflict(
                        f"The branch {target!r} already exists; choose another name.",
                        code="branch_exists",
                    )
                base = default if new_branch_from in ("", "default") else new_branch_from
                if heads and base not in heads:
                    raise NotFound(f"No branch {base!r} to start from.", code="git_not_found")
                parent = await _fetch_tip(git, repo, remote, base) if heads else None
            elif target in heads:
                parent = await _fetch_tip(git, repo, remote, target)
            elif not heads:
                parent = None  # an empty repository: the first commit
            else:
                raise NotFound(
                    f"No branch {target!r}: pick an existing one or make a new branch.",
                    code="no_such_branch",
                )
            local = "refs/heads/cloudbook-save"
            content = await data(target)
            stream = _fast_import_stream(local, parent, path, content, message, committer)
            await git.run(["fast-import", "--quiet", "--done"], cwd=repo, stdin=stream + b"done\n")
            commit = (await git.run(["rev-parse", "--verify", local], cwd=repo)).decode().strip()
            if not is_sha(commit):
                raise GitHostError("git made no commit.")
            await _push(git, repo, remote, commit, target, parent or "", target in heads)
        except GitFailed as exc:
            raise _host_error(exc, what, remote.token) from None
        return Pushed(commit=commit, branch=target)


async def _push(
    git: GitRunner, repo: str, remote: Remote, commit: str, branch: str, parent: str, existed: bool
) -> None:
    # An existing branch must still be at the commit we built on; a new one must still
    # be absent, which a plain push already demands (it is never forced).
    lease = [f"--force-with-lease=refs/heads/{branch}:{parent}"] if existed else []
    try:
        await git.run(
            ["push", "--quiet", *lease, "--", "origin", f"{commit}:refs/heads/{branch}"],
            cwd=repo,
            token=remote.token,
            config=_remote_config(remote),
        )
    except GitFailed as exc:
        err = exc.stderr.lower()
        if any(s in err for s in ("stale info", "fetch first", "non-fast-forward", "rejected")):
            raise Conflict(
                f"Someone pushed to {branch!r} while you saved; nothing was overwritten. "
                "Save on a new branch instead, or try again.",
                code="push_conflict",
            ) from None
        raise
