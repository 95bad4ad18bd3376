"""What a user may name on a git host, checked before any git process starts.

Every owner, repository, ref and path that reaches git passes through here first, and
URLs are parsed into these parts (never handed to git as given): a URL is only ever a
way to name ``owner/repo/ref/path`` on the one configured host.

On GitLab (``nested=True``) the owner may be a namespace path, ``group/sub``: each part is
checked as an owner. In the service's own ``/github/{owner}/...`` paths such an owner is
written with ``~`` for ``/`` (``/github/group~sub/project/blob/...``): no host allows ``~``
in a name, so the encoding is unambiguous and survives proxies that decode ``%2F``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cloudbook.services.errors import InvalidInput

_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,99})")
_REPO = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,99}")
_REF_CHARS = re.compile(r"[A-Za-z0-9._/+-]{1,200}")
_GIST_ID = re.compile(r"[0-9a-fA-F]{1,64}")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
COLAB_HOST = "colab.research.google.com"
MAX_PATH = 1024
MAX_NAMESPACE_DEPTH = 20  # GitLab's own limit on subgroup nesting


def _bad(what: str, why: str) -> InvalidInput:
    return InvalidInput(f"Invalid {what}: {why}.", code="invalid_git_name")


def check_owner(owner: str, *, nested: bool = False) -> str:
    """A user or organisation; with ``nested`` also a GitLab namespace ``group/sub``."""
    parts = owner.split("/") if nested else [owner]
    if len(parts) > MAX_NAMESPACE_DEPTH:
        raise _bad("owner", "too many subgroups")
    for part in parts:
        if not _OWNER.fullmatch(part) or ".." in part:
            raise _bad("owner", "letters, digits, '-', '_' and '.' only")
    return owner


def owner_from_page(segment: str, *, nested: bool = False) -> str:
    """The owner a ``/github/{owner}`` segment names (``group~sub`` → ``group/sub``)."""
    if "~" in segment and not nested:
        raise _bad("owner", "subgroups ('~') exist only on GitLab")
    return check_owner(segment.replace("~", "/"), nested=nested)


def owner_in_page(owner: str) -> str:
    """How ``owner`` is written in the service's own paths (``group/sub`` → ``group~sub``)."""
    return owner.replace("/", "~")


def check_repo(repo: str) -> str:
    if not _REPO.fullmatch(repo) or repo in (".", "..") or ".." in repo:
        raise _bad("repository name", "letters, digits, '-', '_' and '.' only")
    return repo


def check_ref(ref: str) -> str:
    """A branch, tag or commit name as git's check-ref-format would take it, minus the
    parts that could ever read as an option or a revision expression."""
    if not _REF_CHARS.fullmatch(ref):
        raise _bad("branch", "letters, digits and . _ / + - only")
    parts = ref.split("/")
    if (
        ref.startswith(("-", "/"))
        or ref.endswith(("/", ".", ".lock"))
        or ".." in ref
        or any(not p or p.startswith(".") or p.endswith(".lock") for p in parts)
        or ref == "HEAD"
    ):
        raise _bad("branch", f"{ref!r} is not a usable branch name")
    return ref


def check_path(path: str, *, notebook: bool = True) -> str:
    """A file path inside a repository."""
    if not path or len(path) > MAX_PATH:
        raise _bad("path", "empty or too long")
    if _CONTROL.search(path) or "\\" in path or '"' in path:
        raise _bad("path", "control characters, backslashes and quotes are not allowed")
    for part in path.split("/"):
        if part in ("", ".", "..") or part.startswith("-") or part != part.strip():
            raise _bad("path", "empty, '.', '..' or '-'-leading parts are not allowed")
        if part == ".git":
            raise _bad("path", "'.git' is not allowed")
    if notebook and not path.endswith(".ipynb"):
        raise _bad("path", "it must end with .ipynb")
    return path


def check_gist_id(gist_id: str) -> str:
    if not _GIST_ID.fullmatch(gist_id):
        raise _bad("gist id", "hexadecimal digits only")
    return gist_id


def is_sha(text: str) -> bool:
    return bool(_SHA.fullmatch(text))


def split_repo(full: str, *, nested: bool = False) -> tuple[str, str]:
    """``owner/name`` (with ``nested``: ``group/sub/name`` or ``group~sub/name``) →
    (owner, name), both checked."""
    text = full.strip()
    if nested:
        owner, sep, name = text.replace("~", "/").rpartition("/")
    else:
        owner, sep, name = text.partition("/")
    if not sep:
        raise _bad("repository", "write it as owner/name")
    if name.endswith(".git"):
        name = name[:-4]
    return check_owner(owner, nested=nested), check_repo(name)


@dataclass(frozen=True)
class NotebookRef:
    """One notebook file on the git host: ``/github/{owner}/{repo}/blob/{ref}/{path}``."""

    owner: str
    repo: str
    ref: str
    path: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def page_path(self) -> str:
        return f"/github/{owner_in_page(self.owner)}/{self.repo}/blob/{self.ref}/{self.path}"


@dataclass(frozen=True)
class GistRef:
    user: str
    gist_id: str

    def page_path(self) -> str:
        return f"/gist/{self.user}/{self.gist_id}"


@dataclass(frozen=True)
class ParsedSource:
    source: NotebookRef | GistRef
    scroll_to: str | None = None


def _segments(path: str) -> list[str]:
    inner = path.removeprefix("/").removesuffix("/")
    raw = inner.split("/") if inner else []
    if "" in raw:
        # "a//b" would silently name "a/b" (another namespace on GitLab).
        raise _bad("URL", "empty path segments")
    out: list[str] = []
    for seg in raw:
        decoded = unquote(seg)
        if "/" in decoded or _CONTROL.search(decoded):
            raise _bad("URL", "percent-encoded slashes or control characters")
        out.append(decoded)
    return out


def notebook_ref(
    owner: str, repo: str, ref: str, path: str, *, nested: bool = False
) -> NotebookRef:
    return NotebookRef(
        check_owner(owner, nested=nested), check_repo(repo), check_ref(ref), check_path(path)
    )


def parse_page_path(path: str, *, nested: bool = False) -> NotebookRef | GistRef:
    """``/github/o/r/blob/ref/p.ipynb`` or ``/gist/user/id`` (the service's own paths)."""
    parts = _segments(path)
    if len(parts) >= 6 and parts[0] == "github" and parts[3] == "blob":
        # The ref is one segment, as in Colab's links; branches with '/' can be opened
        # from the browse page, which names them by commit.
        owner = owner_from_page(parts[1], nested=nested)
        return notebook_ref(owner, parts[2], parts[4], "/".join(parts[5:]), nested=nested)
    if len(parts) == 3 and parts[0] == "gist":
        return GistRef(check_owner(parts[1]), check_gist_id(parts[2]))
    raise InvalidInput(
        "This is not a notebook link: use /github/{owner}/{repo}/blob/{branch}/{path}.ipynb "
        "or /gist/{user}/{id}.",
        code="unsupported_url",
    )


def parse_source_url(
    url: str, *, own_hosts: set[str], git_host: str, git_prefix: str = "", nested: bool = False
) -> ParsedSource:
    """A github.com, Colab or service URL (or a bare ``/github/...`` path) → what it names.

    Anything else is refused: other schemes (``file:``, ``ssh:``, ``ext::``), user
    info, hosts that are neither the git host, Colab nor this service.
    """
    text = url.strip()
    if _CONTROL.search(text) or " " in text:
        raise InvalidInput("The URL contains spaces or control characters.", code="invalid_url")
    if text.startswith("/") and not text.startswith("//"):
        parts = urlsplit(text)
        return ParsedSource(parse_page_path(parts.path, nested=nested), _scroll_to(parts.fragment))
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("Only https:// links to notebooks can be opened.", code="invalid_url")
    if "@" in parts.netloc:
        raise InvalidInput("Links with a user name or password are refused.", code="invalid_url")
    host = parts.netloc.lower()
    scroll = _scroll_to(parts.fragment)
    if host == git_host.lower():
        path = parts.path
        if git_prefix and path.startswith(git_prefix + "/"):
            path = path[len(git_prefix) :]
        segs = _segments(path)
        # GitHub's …/blob/{ref}/…, GitLab's …/-/blob/{ref}/…, Gitea's …/src/branch/{ref}/…
        # GitLab's "-" (a name no group or project may take) ends the namespace path.
        dash = segs.index("-") if nested and "-" in segs else -1
        if dash > 2 and len(segs) > dash + 3 and segs[dash + 1] == "blob":
            owner = "/".join(segs[: dash - 1])
            ref = notebook_ref(
                owner, segs[dash - 1], segs[dash + 2], "/".join(segs[dash + 3 :]), nested=True
            )
            return ParsedSource(ref, scroll)
        if len(segs) >= 6 and segs[2] == "-" and segs[3] == "blob":
            segs = [*segs[:2], *segs[3:]]
        elif len(segs) >= 6 and segs[2] == "src" and segs[3] in ("branch", "tag", "commit"):
            segs = [segs[0], segs[1], "blob", *segs[4:]]
        if len(segs) >= 5 and segs[2] == "blob":
            return ParsedSource(notebook_ref(segs[0], segs[1], segs[3], "/".join(segs[4:])), scroll)
        raise InvalidInput(
            "Link to a notebook file (…/blob/branch/x.ipynb).", code="unsupported_url"
        )
    if host == "gist.github.com" or host.startswith("gist."):
        segs = _segments(parts.path)
        if len(segs) == 2:
            return ParsedSource(GistRef(check_owner(segs[0]), check_gist_id(segs[1])), scroll)
        raise InvalidInput("Link to a gist as gist.github.com/user/id.", code="unsupported_url")
    if host == COLAB_HOST or host in own_hosts:
        return ParsedSource(parse_page_path(parts.path, nested=nested), scroll)
    raise InvalidInput(
        f"Links to {parts.hostname} cannot be opened: use a {git_host}, Colab or "
        "cloudbook link to a notebook.",
        code="unsupported_url",
    )


def _scroll_to(fragment: str) -> str | None:
    for item in fragment.split("&"):
        key, _, value = item.partition("=")
        if key == "scrollTo" and value and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
            return value
    return None
