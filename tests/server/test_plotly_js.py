"""plotly.js served to output frames (they load it in place of cdn.plot.ly): the version
a runtime's plotly asks for where an image has it, else the service's own."""

from __future__ import annotations

from plotly.offline import get_plotlyjs_version

from cloudbook.images.store import ImageStore
from tests.conftest import AppHarness


async def test_the_service_serves_its_plotly_js_to_anyone(harness: AppHarness) -> None:
    async with harness.anonymous() as http:
        r = await http.get("/vendor/plotly.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    own = get_plotlyjs_version()
    assert r.text.startswith(f"/**\n* plotly.js v{own}\n")


async def test_the_version_a_runtime_asks_for_comes_from_its_image(
    harness: AppHarness,
) -> None:
    store = ImageStore(harness.settings.images_dir)
    version = store.version_dir("colab", "abc123")
    bundle = version / "lib/python3.11/site-packages/plotly/package_data/plotly.min.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("/**\n* plotly.js v2.35.2\n*/\nwindow.Plotly = {};\n")
    store.mark_complete("colab", "abc123", packages=1)
    store.switch("colab", "abc123")
    async with harness.anonymous() as http:
        old = await http.get("/vendor/plotly.min.js", params={"v": "2.35.2"})
        unknown = await http.get("/vendor/plotly.min.js", params={"v": "9.9.9"})
    assert old.text == bundle.read_text()
    assert unknown.status_code == 200 and unknown.text.startswith("/**\n* plotly.js v")
    assert "v2.35.2" not in unknown.text[:40]
