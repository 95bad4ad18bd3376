"""The files panel's routes and the resources route, against a real runtime."""

from __future__ import annotations

import hashlib
import os

import pytest

from tests.server.live import LiveServer
from tests.server.test_runtimes_api import attach, kernel, stdout_of

pytestmark = pytest.mark.timeout(240)


def names(listing: dict[str, object]) -> list[str]:
    return [e["name"] for e in listing["entries"]]  # type: ignore[attr-defined,index]


async def test_list_upload_download_rename_mkdir_delete(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    files = f"/api/runtimes/{session['runtime_id']}/files"
    async with live.client(token) as http:
        root = (await http.get(files)).json()
        assert root["path"] == "/content"
        assert "sample_data" in names(root)
        sample = next(e for e in root["entries"] if e["name"] == "sample_data")
        assert sample["type"] == "directory" and sample["path"] == "/content/sample_data"

        r = await http.put(
            f"{files}/content", params={"path": "/content/hello.txt"}, content=b"hello\nworld\n"
        )
        assert r.status_code == 200, r.text
        assert r.json()["path"] == "/content/hello.txt" and r.json()["size"] == 12
        listing = (await http.get(files, params={"path": "/content"})).json()
        entry = next(e for e in listing["entries"] if e["name"] == "hello.txt")
        assert entry["type"] == "file" and entry["size"] == 12

        r = await http.get(f"{files}/download", params={"path": "hello.txt"})
        assert r.status_code == 200
        assert r.content == b"hello\nworld\n"
        assert "attachment" in r.headers["content-disposition"]
        assert "hello.txt" in r.headers["content-disposition"]

        # Odd names travel intact; an empty file is a file.
        odd = "/content/my file #1 é%20?.txt"
        r = await http.put(f"{files}/content", params={"path": odd}, content=b"")
        assert r.status_code == 200, r.text
        assert r.json()["path"] == odd and r.json()["size"] == 0
        r = await http.get(f"{files}/download", params={"path": odd})
        assert r.status_code == 200 and r.content == b""
        assert (
            "filename*=UTF-8''my%20file%20%231%20%C3%A9%2520%3F.txt"
            in r.headers["content-disposition"]
        )
        assert (await http.delete(files, params={"path": odd})).status_code == 204

        r = await http.post(f"{files}/directories", json={"path": "/content/data"})
        assert r.status_code == 201 and r.json()["type"] == "directory"
        r = await http.post(f"{files}/directories", json={"path": "/content/data"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "file_exists"

        r = await http.patch(
            files, params={"path": "/content/hello.txt"}, json={"new_path": "/content/data/hi.txt"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["path"] == "/content/data/hi.txt"
        assert "hello.txt" not in names((await http.get(files)).json())
        assert names((await http.get(files, params={"path": "/content/data"})).json()) == ["hi.txt"]

        r = await http.put(f"{files}/content", params={"path": "/content/data/b.bin"}, content=b"x")
        r = await http.patch(
            files, params={"path": "/content/data/b.bin"}, json={"new_path": "data/hi.txt"}
        )
        assert r.status_code == 409 and r.json()["error"]["code"] == "file_exists"

    # What the panel shows is what the kernel sees.
    async with kernel(live, token, session) as conn:
        out = stdout_of(await conn.execute("!ls /content/data"))
    assert out.split() == ["b.bin", "hi.txt"]

    async with live.client(token) as http:
        r = await http.delete(files, params={"path": "/content/data/hi.txt"})
        assert r.status_code == 204
        r = await http.get(f"{files}/download", params={"path": "/content/data/hi.txt"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_file"
        r = await http.delete(files, params={"path": "/content/data"})  # not empty: still goes
        assert r.status_code == 204
        assert "data" not in names((await http.get(files)).json())
        r = await http.get(files, params={"path": "/content/data"})
        assert r.status_code == 404
        assert r.json()["error"]["message"] == "/content/data does not exist."


async def test_big_file_in_chunks(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    files = f"/api/runtimes/{session['runtime_id']}/files"
    chunk = 4 * 1024 * 1024
    data = os.urandom(3 * chunk + 12345)
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    async with live.client(token) as http:
        r = await http.put(
            f"{files}/content", params={"path": "big.bin", "chunk": 2}, content=pieces[0]
        )
        assert r.status_code == 409 and r.json()["error"]["code"] == "chunk_out_of_order"
        for i, piece in enumerate(pieces):
            number = -1 if i == len(pieces) - 1 else i + 1
            r = await http.put(
                f"{files}/content",
                params={"path": "/content/big.bin", "chunk": number},
                content=piece,
            )
            assert r.status_code == 200, r.text
        assert r.json()["size"] == len(data)
        digest = hashlib.sha256()
        async with http.stream(
            "GET", f"{files}/download", params={"path": "/content/big.bin"}
        ) as stream:
            assert stream.status_code == 200
            assert int(stream.headers["content-length"]) == len(data)
            async for block in stream.aiter_bytes():
                digest.update(block)
        assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
        # Chunk 1 again starts the file over.
        r = await http.put(
            f"{files}/content", params={"path": "big.bin", "chunk": 1}, content=b"new"
        )
        assert r.json()["size"] == 3
        r = await http.put(f"{files}/content", params={"path": "big.bin", "chunk": 0}, content=b"")
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_chunk"


async def test_paths_cannot_leave_content(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    files = f"/api/runtimes/{session['runtime_id']}/files"
    bad = [
        "../etc/passwd",
        "/etc/passwd",
        "/content/../etc/passwd",
        "/contentx/a",
        "sample_data/../../x",
        "a\x00b",
        "a\nb",
    ]
    async with live.client(token) as http:
        before = names((await http.get(files)).json())
        for path in bad:
            for method, url, kw in [
                ("GET", files, {}),
                ("GET", f"{files}/download", {}),
                ("PUT", f"{files}/content", {"content": b"x"}),
                ("DELETE", files, {}),
                ("PATCH", files, {"json": {"new_path": "ok.txt"}}),
            ]:
                r = await http.request(method, url, params={"path": path}, **kw)  # type: ignore[arg-type]
                assert r.status_code == 400, (method, path, r.text)
                assert r.json()["error"]["code"] == "invalid_path"
            r = await http.post(f"{files}/directories", json={"path": path})
            assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_path"
        r = await http.patch(
            files, params={"path": "sample_data"}, json={"new_path": "/tmp/sample_data"}
        )
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_path"
        r = await http.delete(files, params={"path": "/content"})
        assert r.status_code == 400
        assert names((await http.get(files)).json()) == before


async def test_another_user_gets_404_and_changes_nothing(live: LiveServer) -> None:
    alice = await live.token_for("alice")
    bob = await live.token_for("bob")
    session = await attach(live, alice)
    rid = session["runtime_id"]
    files = f"/api/runtimes/{rid}/files"
    async with live.client(alice) as http:
        await http.put(f"{files}/content", params={"path": "mine.txt"}, content=b"secret")
    async with live.client(bob) as http:
        for method, url, kw in [
            ("GET", files, {}),
            ("GET", f"{files}/download", {"params": {"path": "mine.txt"}}),
            ("PUT", f"{files}/content", {"params": {"path": "x.txt"}, "content": b"x"}),
            ("POST", f"{files}/directories", {"json": {"path": "d"}}),
            ("PATCH", files, {"params": {"path": "mine.txt"}, "json": {"new_path": "y.txt"}}),
            ("DELETE", files, {"params": {"path": "mine.txt"}}),
            ("GET", f"/api/runtimes/{rid}/resources", {}),
        ]:
            r = await http.request(method, url, **kw)  # type: ignore[arg-type]
            assert r.status_code == 404, (method, url, r.text)
            assert r.json()["error"]["code"] == "no_such_runtime"
            assert "secret" not in r.text
    async with live.client(alice) as http:
        listing = (await http.get(files)).json()
        assert "mine.txt" in names(listing) and "x.txt" not in names(listing)
        assert (
            await http.get(f"{files}/download", params={"path": "mine.txt"})
        ).content == b"secret"


async def test_resources(live: LiveServer) -> None:
    token = await live.token_for("alice")
    session = await attach(live, token)
    async with live.client(token) as http:
        r = await http.get(f"/api/runtimes/{session['runtime_id']}/resources")
    assert r.status_code == 200
    body = r.json()
    assert 0 < body["memory"]["used"] < body["memory"]["total"]
    assert 0 < body["disk"]["used"] <= body["disk"]["total"]
    assert isinstance(body["gpus"], list)


@pytest.mark.parametrize(
    ("raw", "rel"),
    [
        ("/content", ""),
        ("/content/", ""),
        ("", ""),
        ("/content/a/b.txt", "a/b.txt"),
        ("a//b/./c", "a/b/c"),
        ("sample_data/README.md", "sample_data/README.md"),
        ("%2e%2e/x", "%2e%2e/x"),  # a literal name: Jupyter gets it quoted, it does not decode
    ],
)
def test_content_path_accepts(raw: str, rel: str) -> None:
    from cloudbook.services.runtime_files import content_path

    assert content_path(raw) == rel


@pytest.mark.parametrize(
    "raw", ["..", "a/../../b", "/content/..", "/etc", "/contents", "a\tb", "x" * 5000]
)
def test_content_path_refuses(raw: str) -> None:
    from cloudbook.services.errors import InvalidInput
    from cloudbook.services.runtime_files import content_path

    with pytest.raises(InvalidInput):
        content_path(raw)
