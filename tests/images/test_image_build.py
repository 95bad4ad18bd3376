"""`cloudbook image build|list|remove` with tiny manifests and the real pip, from the index:
a build is switched in only once complete, a failed one keeps the previous image and says
why, an older version stays for a rollback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudbook.images import manifest
from cloudbook.images.build import Build, BuildFailed
from cloudbook.images.store import ImageStore

pytestmark = pytest.mark.timeout(600)


def cli(data: Path, manifests: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CLOUDBOOK_DATA_DIR": str(data),
        "CLOUDBOOK_IMAGE_MANIFESTS": str(manifests),
    }
    return subprocess.run(
        [sys.executable, "-m", "cloudbook", "image", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=540,
        check=False,
    )


def six_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import six; print(six.__version__)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


def test_build_switch_rollback_remove(tmp_path: Path) -> None:
    manifests, data = tmp_path / "manifests", tmp_path / "data"
    manifests.mkdir()
    tiny = manifests / "tiny.txt"
    tiny.write_text("# a test image\nsix==1.16.0  # an old six: not the service's\n")
    store = ImageStore(data / "images")

    built = cli(data, manifests, "build", "tiny")
    assert built.returncode == 0, built.stderr
    assert "download 1/1 packages" in built.stderr  # per-package progress, with bytes
    first = store.current("tiny")
    assert first is not None and first.digest == manifest.load("tiny", manifests).digest
    assert six_version(first.python) == "1.16.0"
    assert (data / "images" / "wheelhouse" / "six-1.16.0-py2.py3-none-any.whl").exists()
    listed = cli(data, manifests, "list")
    assert f"tiny         built {first.digest}" in listed.stdout

    # A new manifest: a new version, switched in when complete; the old one stays.
    # docopt 0.6.2 has no wheel on the index: the build makes one, since the offline
    # install could not fetch a build backend.
    tiny.write_text("six==1.17.0\ndocopt==0.6.2\n")
    rebuilt = cli(data, manifests, "build", "tiny")
    assert rebuilt.returncode == 0, rebuilt.stderr
    second = store.current("tiny")
    assert second is not None and second.digest != first.digest
    assert six_version(second.python) == "1.17.0"
    assert list((data / "images" / "wheelhouse").glob("docopt-0.6.2-*.whl"))
    docopt = subprocess.run([second.python, "-c", "import docopt; print(docopt.__version__)"],
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert docopt.stdout.strip() == "0.6.2", docopt.stderr
    assert {v.digest for v in store.versions("tiny")} == {first.digest, second.digest}

    # A manifest that cannot be installed: nothing changes, the reason is given.
    tiny.write_text("six==1.17.0\ndocopt==0.6.2\ncloudbook-no-such-package-x==1.0\n")
    failed = cli(data, manifests, "build", "tiny")
    assert failed.returncode == 1
    assert "nothing changed" in failed.stderr
    assert "cloudbook-no-such-package-x" in failed.stderr
    assert store.current("tiny") == second
    status = store.read_status("tiny")
    assert status is not None and status["state"] == "failed"
    assert "No matching distribution" in status["error"]
    assert not (data / "images" / "tiny" / manifest.load("tiny", manifests).digest).exists()
    assert "last build failed" in cli(data, manifests, "list").stdout

    # Rollback: the previous version is still complete and can be switched back to.
    store.switch("tiny", first.digest)
    rolled = store.current("tiny")
    assert rolled is not None and six_version(rolled.python) == "1.16.0"

    removed = cli(data, manifests, "remove", "tiny")
    assert removed.returncode == 0
    assert store.current("tiny") is None and not (data / "images" / "tiny").exists()
    assert cli(data, manifests, "remove", "tiny").returncode == 1
    bad = cli(data, manifests, "build", "../etc")
    assert bad.returncode == 2 and "not an image name" in bad.stderr


def test_a_second_build_of_the_same_image_is_refused_while_one_runs(tmp_path: Path) -> None:
    manifests = tmp_path / "m"
    manifests.mkdir()
    (manifests / "tiny.txt").write_text("six==1.16.0\n")
    store = ImageStore(tmp_path / "images")
    wanted = manifest.load("tiny", manifests)
    store.folder("tiny").mkdir(parents=True)
    import fcntl

    with open(store.folder("tiny") / "build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BuildFailed, match="another build of image tiny is running"):
            Build(wanted, store).run()
    assert store.current("tiny") is None


def test_the_service_environment_carries_the_minimal_image() -> None:
    """Before any build, runtimes use the service's environment as the minimal image:
    it must hold every package minimal.txt names, at versions it accepts."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    missing = []
    for line in manifest.load("minimal").requirements:
        req = Requirement(line)
        try:
            found = version(req.name)
        except PackageNotFoundError:
            missing.append(line)
            continue
        if not req.specifier.contains(found, prereleases=True):
            missing.append(f"{line} (have {found})")
    assert missing == []


def test_a_cancelled_build_changes_nothing_and_is_not_a_failure(tmp_path: Path) -> None:
    """The service stopping mid-build: the unfinished version goes, the next start builds
    again (a failed build of the same manifest would not be retried by itself)."""
    import threading

    from cloudbook.images.service import ImageService

    manifests = tmp_path / "m"
    manifests.mkdir()
    (manifests / "tiny.txt").write_text("six==1.16.0\n")
    store = ImageStore(tmp_path / "images")
    build = Build(manifest.load("tiny", manifests), store)
    started = threading.Event()
    build.progress = lambda status: started.set() if status["phase"] == "download" else None
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build.run()
        except BuildFailed as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(120)
    build.cancel()
    thread.join(120)
    assert [str(e) for e in errors] == ["cancelled"]
    status = store.read_status("tiny")
    assert status is not None and status["state"] == "cancelled"
    assert store.current("tiny") is None and store.versions("tiny") == []
    service = ImageService(store, "tiny", manifests)
    assert service.needs_build() and service.describe()["build"] is None
