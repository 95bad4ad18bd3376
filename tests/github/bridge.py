"""A stand-in for GitHub on loopback: real ``git http-backend`` for the git side, and a
small fake of the few REST endpoints cloudbook uses (listings, gists).

- git: ``/git/{owner}/{repo}.git/...`` → ``git http-backend`` (CGI), with protocol v2
  (``Git-Protocol`` header), ``uploadpack.allowFilter`` and chunked request bodies.
  Basic auth with a token as the password: private repositories need it to read, every
  push needs it; a wrong token is refused (401) like GitHub does.
- REST: ``/api/...``, computed from the same bare repositories with git.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.github import fake_hosts


def git(*args: str, cwd: Path | None = None, input: bytes | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, check=True
    ).stdout.decode()


@dataclass
class GitBridge:
    root: Path
    tokens: set[str] = field(default_factory=set)
    private: set[str] = field(default_factory=set)
    gists: dict[str, dict[str, object]] = field(default_factory=dict)
    # GitLab groups / Gitea organisations, and GitLab snippets (tests/github/fake_hosts.py).
    groups: set[str] = field(default_factory=lambda: {"octo"})
    snippets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The Basic-auth user names git sent with a token.
    basic_users: set[str] = field(default_factory=set)
    # Every REST path asked (not git's), to prove a refused input reached no API.
    rest_calls: list[str] = field(default_factory=list)
    # Called with the repo's bare path just before a push is taken (to stage a race).
    before_push: Callable[[Path], None] | None = None
    # While set, git requests wait on it (a host that does not answer).
    stall: threading.Event | None = None
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def bare(self, full: str) -> Path:
        return self.root / f"{full}.git"

    def create_repo(
        self,
        full: str,
        files: dict[str, bytes] | None = None,
        *,
        branch: str = "main",
        private: bool = False,
    ) -> Path:
        path = self.bare(full)
        path.mkdir(parents=True)
        git("init", "--bare", "--quiet", f"--initial-branch={branch}", str(path))
        for key, value in (
            ("http.receivepack", "true"),
            ("uploadpack.allowFilter", "true"),
            ("uploadpack.allowAnySHA1InWant", "true"),
            ("receive.denyNonFastForwards", "false"),
        ):
            git("config", key, value, cwd=path)
        if private:
            self.private.add(full)
        if files:
            self.commit(full, branch, files, "initial")
        return path

    def commit(self, full: str, branch: str, files: dict[str, bytes], message: str) -> str:
        """A commit made directly in the bare repository (someone else's push)."""
        path = self.bare(full)
        parent = (
            subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                cwd=path,
                capture_output=True,
            )
            .stdout.decode()
            .strip()
        )
        stream = [
            f"commit refs/heads/{branch}\n",
            "committer T <t@example.com> 0 +0000\n",
            f"data {len(message)}\n{message}\n",
        ]
        if parent:
            stream.append(f"from {parent}\n")
        data = "".join(stream).encode()
        for name, content in files.items():
            data += f"M 100644 inline {name}\ndata {len(content)}\n".encode() + content + b"\n"
        git("fast-import", "--quiet", cwd=path, input=data)
        return git("rev-parse", f"refs/heads/{branch}", cwd=path).strip()

    def head(self, full: str, branch: str) -> str:
        return git("rev-parse", f"refs/heads/{branch}", cwd=self.bare(full)).strip()

    def parents(self, full: str, branch: str) -> list[str]:
        line = git("rev-list", "--parents", "-n", "1", f"refs/heads/{branch}", cwd=self.bare(full))
        return line.split()[1:]

    def log(self, full: str, branch: str) -> list[str]:
        return git("log", "--format=%s", f"refs/heads/{branch}", cwd=self.bare(full)).splitlines()

    def branch_names(self, full: str) -> list[str]:
        return [str(b["name"]) for b in self.branches(full)]

    def files(self, full: str, branch: str) -> list[str]:
        return git("ls-tree", "-r", "--name-only", branch, cwd=self.bare(full)).splitlines()

    def read(self, full: str, ref: str, name: str) -> bytes:
        return subprocess.run(
            ["git", "cat-file", "blob", f"{ref}:{name}"],
            cwd=self.bare(full),
            capture_output=True,
            check=True,
        ).stdout

    def start(self) -> None:
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.dispatch()

            def do_POST(self) -> None:
                self.dispatch()

            def do_PATCH(self) -> None:
                self.dispatch()

            def do_PUT(self) -> None:
                self.dispatch()

            def body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def token(self) -> str | None:
                scheme, _, value = (self.headers.get("Authorization") or "").partition(" ")
                if scheme.lower() == "basic":
                    user, _, password = base64.b64decode(value).decode().partition(":")
                    bridge.basic_users.add(user)
                    return password
                if scheme.lower() in ("bearer", "token"):
                    return value
                return None

            def send(self, status: int, body: bytes, ctype: str, extra: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def json(self, status: int, data: object) -> None:
                self.send(status, json.dumps(data).encode(), "application/json", {})

            def dispatch(self) -> None:
                url = urlsplit(self.path)
                body = self.body()
                token = self.token()
                if token is not None and token not in bridge.tokens:
                    return self.send(
                        401,
                        b"Bad credentials",
                        "text/plain",
                        {"WWW-Authenticate": 'Basic realm="bridge"'},
                    )
                if url.path.startswith("/git/"):
                    return self.git(url.path[4:], url.query, body, token)
                bridge.rest_calls.append(url.path)
                if url.path.startswith("/api/"):
                    return self.rest(url.path[4:], parse_qs(url.query), body, token)
                for prefix, fake in (
                    ("/gitlab/api/v4/", fake_hosts.gitlab),
                    ("/gitea/api/v1/", fake_hosts.gitea),
                ):
                    if url.path.startswith(prefix):
                        parts = [p for p in url.path[len(prefix) :].split("/") if p]
                        return fake(bridge, self, parts, parse_qs(url.query), body, token)
                self.send(404, b"", "text/plain", {})

            def git(self, path: str, query: str, body: bytes, token: str | None) -> None:
                if bridge.stall is not None:
                    bridge.stall.wait(60)
                full = path.split(".git/", 1)[0].lstrip("/")
                push = "git-receive-pack" in path or "service=git-receive-pack" in query
                if not bridge.bare(full).is_dir():
                    return self.send(404, b"Repository not found", "text/plain", {})
                if token is None and (push or full in bridge.private):
                    return self.send(
                        401, b"auth", "text/plain", {"WWW-Authenticate": 'Basic realm="bridge"'}
                    )
                if push and self.command == "POST" and bridge.before_push is not None:
                    hook, bridge.before_push = bridge.before_push, None
                    hook(bridge.bare(full))
                env = {
                    "PATH": "/usr/bin:/bin",
                    "GIT_PROJECT_ROOT": str(bridge.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "REQUEST_METHOD": self.command,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_USER": "tester" if token else "",
                    "REMOTE_ADDR": "127.0.0.1",
                    "GIT_CONFIG_NOSYSTEM": "1",
                    "HOME": str(bridge.root),
                }
                if self.headers.get("Git-Protocol"):
                    env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                out = subprocess.run(
                    ["git", "http-backend"], input=body, env=env, capture_output=True
                ).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                status, headers = 200, {}
                for line in head.decode().split("\r\n"):
                    key, _, value = line.partition(":")
                    if key.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif key:
                        headers[key] = value.strip()
                ctype = headers.pop("Content-Type", "application/octet-stream")
                self.send(status, payload, ctype, headers)

            def rest(
                self, path: str, query: dict[str, list[str]], body: bytes, token: str | None
            ) -> None:
                parts = [p for p in path.split("/") if p]
                if parts == ["user", "repos"]:  # the token's user works on every repository
                    if token is None:
                        return self.json(401, {"message": "Requires authentication"})
                    everything = sorted(p for p in bridge.root.glob("*/*.git"))
                    names = [f"{p.parent.name}/{p.name[:-4]}" for p in everything]
                    return self.json(200, [bridge.repo_json(n) for n in names])
                if parts[:1] == ["gists"]:
                    return self.gist(parts[1:], body, token)
                if len(parts) == 3 and parts[0] in ("users", "orgs") and parts[2] == "repos":
                    owner = parts[1]
                    repos = sorted((bridge.root / owner).glob("*.git"))
                    out = [
                        bridge.repo_json(f"{owner}/{r.name[:-4]}")
                        for r in repos
                        if token or f"{owner}/{r.name[:-4]}" not in bridge.private
                    ]
                    return self.json(200, out)
                if len(parts) >= 3 and parts[0] == "repos":
                    full = f"{parts[1]}/{parts[2]}"
                    if not bridge.bare(full).is_dir() or (full in bridge.private and token is None):
                        return self.json(404, {"message": "Not Found"})
                    if len(parts) == 3:
                        return self.json(200, bridge.repo_json(full))
                    if parts[3:] == ["branches"]:
                        return self.json(200, bridge.branches(full))
                    if parts[3:5] == ["git", "trees"]:
                        return self.json(200, bridge.tree(full, "/".join(parts[5:])))
                self.json(404, {"message": "Not Found"})

            def gist(self, parts: list[str], body: bytes, token: str | None) -> None:
                if self.command == "GET" and len(parts) == 1:
                    found = bridge.gists.get(parts[0])
                    return self.json(200, found) if found else self.json(404, {})
                if token is None:
                    return self.json(401, {"message": "Requires authentication"})
                data = json.loads(body)
                if self.command == "POST" and not parts:
                    gid = uuid.uuid4().hex[:20]
                    gist = {
                        "id": gid,
                        "html_url": f"{bridge.base_url}/gist/{gid}",
                        "owner": {"login": "tester"},
                        "files": {},
                        "description": data.get("description", ""),
                        "public": data.get("public", False),
                    }
                    bridge.gists[gid] = gist
                elif self.command == "PATCH" and len(parts) == 1 and parts[0] in bridge.gists:
                    gist = bridge.gists[parts[0]]
                else:
                    return self.json(404, {"message": "Not Found"})
                for name, f in data.get("files", {}).items():
                    gist["files"][name] = {
                        "filename": name,
                        "content": f["content"],  # type: ignore[index]
                        "truncated": False,
                    }
                self.json(201 if self.command == "POST" else 200, gist)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def repo_json(self, full: str) -> dict[str, object]:
        head = git("symbolic-ref", "HEAD", cwd=self.bare(full)).strip()
        return {
            "name": full.split("/")[1],
            "full_name": full,
            "private": full in self.private,
            "default_branch": head.removeprefix("refs/heads/"),
        }

    def branches(self, full: str) -> list[dict[str, object]]:
        out = git(
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads",
            cwd=self.bare(full),
        )
        return [
            {"name": n, "commit": {"sha": s}}
            for n, s in (line.split() for line in out.splitlines())
        ]

    def tree(self, full: str, ref: str) -> dict[str, object]:
        out = git("ls-tree", "-r", "-t", "-l", "-z", ref, cwd=self.bare(full))
        items = []
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, _, name = entry.partition("\t")
            _, kind, sha, size = meta.split()
            items.append(
                {"path": name, "type": kind, "sha": sha, "size": None if size == "-" else int(size)}
            )
        return {"sha": ref, "tree": items, "truncated": False}
