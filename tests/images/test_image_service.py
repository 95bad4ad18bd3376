"""Zero set-up: the service serves at once on the minimal image (its own environment),
builds the configured image in the background with the progress on /api/images, and new
runtimes and the refilled warm pool run on the new image once it is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudbook.runtimes.kernel_client import KernelConnection
from cloudbook.settings import Settings
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.timeout(900)
# What a runtime needs to start (its Jupyter server and kernel), and an old six that
# tells this image from the service's environment.
KERNEL_IMAGE = "jupyter_server\nipykernel\npsutil\nsix==1.16.0\n"


async def six_in_new_runtime(live: LiveServer, token: str, name: str = "six.ipynb") -> str:
    async with live.client(token) as http:
        nb = (await http.post("/api/notebooks", json={"name": name})).json()["id"]
        session = (await http.post(f"/api/notebooks/{nb}/session", json={})).json()
        ws = live.ws_base + session["channels_url"]
        async with KernelConnection(ws, {"Authorization": f"Bearer {token}"}) as conn:
            result = await conn.execute("import six; print(six.__version__)")
        await http.delete(f"/api/notebooks/{nb}/session")
    streams = [m for m in result.iopub if m["header"]["msg_type"] == "stream"]
    return "".join(m["content"]["text"] for m in streams).strip()


async def test_serves_at_once_then_switches_to_the_built_image(
    settings: Settings, tmp_path: Path
) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "kernel.txt").write_text(KERNEL_IMAGE)
    settings.pool_size = 1
    settings.runtime_image = "kernel"
    settings.image_manifests = manifests
    settings.image_autobuild = True
    async with live_server(settings) as live:
        user, admin = await live.token_for("alice"), await live.token_for("admin")
        async with live.client(user) as http:
            info = (await http.get("/api/images")).json()
            # Serving already, on the minimal image, while the build runs.
            assert info["active"] == "minimal" and info["preferred"] == "kernel"
            assert info["build"]["name"] == "kernel"
            assert info["build"]["state"] == "building"
            assert info["build"]["total"] >= 4  # the manifest, then what pip collects
            r = await http.get("/api/admin/images/kernel/log")
            assert r.status_code == 403 and r.json()["error"]["code"] == "admin_only"
        await live.services.images.wait_build()
        async with live.client(user) as http:
            info = (await http.get("/api/images")).json()
        assert info["active"] == "kernel" and info["build"] is None
        async with live.client(admin) as http:
            log = (await http.get("/api/admin/images/kernel/log")).text
            assert "Successfully installed" in log and "six-1.16.0" in log
            assert (await http.get("/api/admin/images/nope/log")).status_code == 404
            again = await http.post("/api/admin/images/kernel/build")
            assert again.status_code == 202  # the same manifest: found built, nothing to do
        # The warm pool was started again from the new image: the next runtime has it.
        await live.services.runtimes.wait_pool_ready(timeout=120)
        assert await six_in_new_runtime(live, user) == "1.16.0"

        # A failing build of a changed manifest: runtimes keep the image they have, and
        # the page (for the admin, with the log) says why.
        (manifests / "kernel.txt").write_text(KERNEL_IMAGE + "cloudbook-no-such-package-y==1.0\n")
        async with live.client(admin) as http:
            assert (await http.post("/api/admin/images/kernel/build")).status_code == 202
            await live.services.images.wait_build()
            info = (await http.get("/api/images")).json()
        assert info["active"] == "kernel" and info["build"]["state"] == "failed"
        assert "cloudbook-no-such-package-y" in info["build"]["error"]
        assert not live.services.images.needs_build()  # not retried at every start
        await live.services.runtimes.wait_pool_ready(timeout=120)
        assert await six_in_new_runtime(live, user, "six-again.ipynb") == "1.16.0"


def test_serve_builds_colab_by_default_but_no_test_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    # tests/conftest.py turns it off for every app and `cloudbook` process a test starts
    assert os.environ["CLOUDBOOK_IMAGE_AUTOBUILD"] == "0"
    assert Settings(data_dir=tmp_path).image_autobuild is False
    monkeypatch.delenv("CLOUDBOOK_IMAGE_AUTOBUILD")
    assert Settings(data_dir=tmp_path).image_autobuild is True  # a user's first start
