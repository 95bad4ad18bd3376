"""A kernel sandboxed as runtimes are (bubblewrap, read-only system and service environment):
drive.mount, pip into the runtime's package space, apt-get refused clearly."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.colab.kernel import Kernel, kernel_env
from tests.colab.wheels import build_wheel

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap"),
]

SERVICE_PREFIX = Path(sys.prefix)
SERVICE_SITE = Path(sysconfig.get_paths()["purelib"])
BASE_PREFIX = Path(sys.base_prefix)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandboxed(module_tmp: Path) -> AsyncIterator[Kernel]:
    content = module_tmp / "content"
    drive = module_tmp / "drive"
    drive_ro = module_tmp / "drive-ro"
    for d in (content, drive, drive_ro):
        d.mkdir()
    (drive / "notes.txt").write_text("from the drive")
    (drive / "helpers").mkdir()
    (drive / "helpers" / "myhelper.py").write_text("def greet():\n    return 'hi from drive'\n")
    wrapper = ["bwrap", "--dev-bind", "/", "/"]
    for ro in ("/usr", str(BASE_PREFIX), str(SERVICE_PREFIX)):
        wrapper += ["--ro-bind", ro, ro]
    wrapper += [
        "--ro-bind",
        str(drive),
        str(drive_ro),
        "--chdir",
        str(content),
        "--die-with-parent",
    ]
    env = kernel_env(
        module_tmp,
        CLOUDBOOK_DRIVE_PATH=str(drive),
        CLOUDBOOK_DRIVE_RO_PATH=str(drive_ro),
    )
    k = await Kernel.start(env, wrapper=wrapper)
    (await k.execute("import os, sys")).raise_for_error()
    yield k
    await k.stop()


async def test_mount_refusals(sandboxed: Kernel, module_tmp: Path) -> None:
    content = module_tmp / "content"
    (content / "full").mkdir()
    (content / "full" / "x").write_text("")
    (content / "real").mkdir()
    (content / "link").symlink_to(content / "real")
    (content / "afile").write_text("")
    cases = {
        "/content/my drive": "Mountpoint must not contain a space.",
        "full": "Mountpoint must not already contain files",
        "link": "Mountpoint must not be a symlink",
        "afile": "Mountpoint must either be a directory or not exist",
        "missing/parent/drive": "Mountpoint must be in a directory that exists",
    }
    for mountpoint, message in cases.items():
        r = await sandboxed.execute(f"from google.colab import drive\ndrive.mount({mountpoint!r})")
        assert r.error is not None, mountpoint
        assert (r.error["ename"], r.error["evalue"]) == ("ValueError", message)
    assert sorted(os.listdir(content / "full")) == ["x"]


async def test_mount_shows_the_drive_both_ways(sandboxed: Kernel, module_tmp: Path) -> None:
    content, drive = module_tmp / "content", module_tmp / "drive"
    r = await sandboxed.execute(
        "from google.colab import drive\n"
        "drive.mount('/tmp/../' + os.getcwd().lstrip('/') + '/drive')\n"
        "print(open('drive/MyDrive/notes.txt').read())\n"
        "with open('drive/MyDrive/written.txt', 'w') as f:\n"
        "    f.write('from the runtime')\n"
        "import sys\n"
        "sys.path.append('drive/MyDrive/helpers')\n"
        "import myhelper\n"
        "print(myhelper.greet())\n"
        "print(open('drive/My Drive/written.txt').read())\n"  # Colab's guides use 'My Drive'
    )
    r.raise_for_error()
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Mounted at /tmp/../") and lines[0].endswith("/drive")
    assert lines[1:] == ["from the drive", "hi from drive", "from the runtime"]
    assert (drive / "written.txt").read_text() == "from the runtime"
    # already mounted: Colab's message, nothing changes
    r = await sandboxed.execute("drive.mount('drive')")
    assert r.raise_for_error().stdout == (
        "Drive already mounted at drive; to attempt to forcibly remount, "
        'call drive.mount("drive", force_remount=True).\n'
    )
    r = await sandboxed.execute("drive.mount('drive', force_remount=True)")
    assert r.raise_for_error().stdout == "Mounted at drive\n"
    r = await sandboxed.execute("drive.flush_and_unmount()\ndrive.flush_and_unmount()")
    assert r.raise_for_error().stdout == "Drive not mounted, so nothing to flush and unmount.\n"
    assert not (content / "drive").exists()
    assert (drive / "written.txt").exists()  # unmounting never touches the drive's files


async def test_readonly_mount_cannot_write(sandboxed: Kernel, module_tmp: Path) -> None:
    r = await sandboxed.execute(
        "drive.mount(os.getcwd() + '/ro', readonly=True)\n"
        "print(open('ro/MyDrive/notes.txt').read())\n"
        "try:\n"
        "    open('ro/MyDrive/new.txt', 'w')\n"
        "except OSError as e:\n"
        "    print('refused:', e.strerror)\n"
        "!touch ro/MyDrive/by-shell.txt || echo shell refused\n"
        "drive.flush_and_unmount()\n"
    )
    r.raise_for_error()
    assert "from the drive" in r.stdout
    assert "refused: Read-only file system" in r.stdout
    assert "shell refused" in r.stdout
    assert sorted(os.listdir(module_tmp / "drive")) == ["helpers", "notes.txt", "written.txt"]
    r = await sandboxed.execute(
        "old = os.environ.pop('CLOUDBOOK_DRIVE_RO_PATH')\n"
        "try:\n"
        "    drive.mount('ro2', readonly=True)\n"
        "finally:\n"
        "    os.environ['CLOUDBOOK_DRIVE_RO_PATH'] = old\n"
    )
    assert r.error is not None and "readonly=True cannot be honoured" in r.error["evalue"]
    assert not os.path.exists(module_tmp / "content" / "ro2")


async def test_pip_installs_into_the_runtime_package_space(
    sandboxed: Kernel, module_tmp: Path
) -> None:
    wheels = module_tmp / "wheels"
    wheels.mkdir()
    demo = build_wheel(
        wheels, "cbdemo", "1.0", {"cbdemo/__init__.py": "VALUE = 41 + 1\n"}, requires=("six",)
    )
    other = build_wheel(wheels, "cbother", "2.0", {"cbother.py": "NAME = 'other'\n"})
    r = await sandboxed.execute(
        f"!pip install -q {demo}\n"
        "import cbdemo\n"
        "print('value', cbdemo.VALUE, cbdemo.__file__)\n"
        f"%pip install -q {other}\n"
        "import cbother\n"
        "print('other', cbother.NAME)\n"
        "!python -c 'import cbdemo, cbother; print(\"subprocess\", cbdemo.VALUE)'\n",
        timeout=110,
    )
    r.raise_for_error()
    packages = module_tmp / "packages" / "venv"
    site = packages / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    assert f"value 42 {site}/cbdemo/__init__.py" in r.stdout
    assert "other other" in r.stdout
    assert "subprocess 42" in r.stdout
    assert not list(SERVICE_SITE.glob("cbdemo*"))  # the service's environment is untouched


async def test_pip_upgrades_a_service_package_without_touching_it(
    sandboxed: Kernel, module_tmp: Path
) -> None:
    wheels = module_tmp / "wheels"
    newer = build_wheel(
        wheels, "text-unidecode", "99.0", {"text_unidecode/__init__.py": "UPGRADED = True\n"}
    )
    before = sorted(p.name for p in SERVICE_SITE.glob("text_unidecode*"))
    r = await sandboxed.execute(
        "import sys\n"
        f"!{{sys.executable}} -m pip install -q {newer}\n"
        "import importlib.metadata, text_unidecode\n"
        "print(importlib.metadata.version('text-unidecode'), text_unidecode.UPGRADED)\n",
        timeout=110,
    )
    r.raise_for_error()
    assert r.stdout.splitlines()[-1] == "99.0 True"
    assert sorted(p.name for p in SERVICE_SITE.glob("text_unidecode*")) == before


async def test_apt_get_says_why_not(sandboxed: Kernel) -> None:
    r = await sandboxed.execute("!sudo apt-get install -y cowsay\nprint('exit', _exit_code)")
    r.raise_for_error()
    assert "apt-get is not available in this runtime" in r.stderr + r.stdout
    assert "read-only" in r.stderr + r.stdout
    assert r.stdout.endswith("exit 100\n")
    r = await sandboxed.execute("!apt-cache --version | head -1")
    assert r.raise_for_error().stdout.startswith("apt ")  # read-only apt commands still run


async def test_pip_upgrade_of_an_imported_package_warns(
    sandboxed: Kernel, module_tmp: Path
) -> None:
    wheels = module_tmp / "wheels-warn"
    wheels.mkdir()
    v1 = build_wheel(wheels, "cbwarn", "1.0", {"cbwarn/__init__.py": "V = 1\n"})
    v2 = build_wheel(wheels, "cbwarn", "2.0", {"cbwarn/__init__.py": "V = 2\n"})
    fresh = build_wheel(wheels, "cbfresh", "1.0", {"cbfresh.py": "X = 1\n"})
    r = await sandboxed.execute(f"!pip install -q {v1}\nimport cbwarn\nprint('v', cbwarn.V)")
    assert r.raise_for_error().stdout.endswith("v 1\n")
    assert not r.of("display_data")  # first install: nothing was imported before
    r = await sandboxed.execute(f"!pip install -q {v2} {fresh}", timeout=110)
    r.raise_for_error()
    [warning] = [m["content"]["data"] for m in r.of("display_data")]
    assert warning["application/vnd.colab-display-data+json"] == {
        "pip_warning": {"packages": ["cbwarn"]}  # cbfresh is new: nothing to restart for
    }
    assert "You must restart the runtime" in warning["text/plain"]
    r = await sandboxed.execute(f"%pip install -q {v1}", timeout=110)  # a downgrade warns too
    [warning] = [m["content"]["data"] for m in r.raise_for_error().of("display_data")]
    assert warning["application/vnd.colab-display-data+json"]["pip_warning"]["packages"] == [
        "cbwarn"
    ]
