"""``google.colab.drive``: the user's cloudbook drive inside the runtime.

The service makes the drive available inside the runtime as a directory,
``$CLOUDBOOK_DRIVE_PATH`` (read-write), and a read-only view of the same files,
``$CLOUDBOOK_DRIVE_RO_PATH`` (a read-only bind mount). ``mount`` makes
``<mountpoint>/MyDrive`` a symbolic link to one of them, and ``<mountpoint>/My Drive``
too (Colab's own folder name, which its guides use): files written there are in the
drive at once, and ``readonly=True`` is enforced by the kernel, not by this module.
"""

from __future__ import annotations

import json
import os
import tempfile

__all__ = ["flush_and_unmount", "mount"]

_LINKS = ("MyDrive", "My Drive")


def _record() -> str:
    """This runtime's list of mount points (its private directory; survives kernel restarts)."""
    directory = os.environ.get("CLOUDBOOK_PACKAGES_DIR") or tempfile.gettempdir()
    return os.path.join(directory, f".cloudbook-drive-mounts-{os.getuid()}.json")


def _mounts() -> list[str]:
    try:
        with open(_record(), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return []
    return [str(p) for p in data] if isinstance(data, list) else []


def _save_mounts(mounts: list[str]) -> None:
    os.makedirs(os.path.dirname(_record()), exist_ok=True)
    with open(_record(), "w", encoding="utf-8") as f:
        json.dump(sorted(set(mounts)), f)


def _source(readonly: bool) -> str:
    variable = "CLOUDBOOK_DRIVE_RO_PATH" if readonly else "CLOUDBOOK_DRIVE_PATH"
    source = os.environ.get(variable, "")
    if not source or not os.path.isdir(source):
        if readonly and os.environ.get("CLOUDBOOK_DRIVE_PATH"):
            raise ValueError(
                "mount failed: this runtime has no read-only view of the drive, "
                "so readonly=True cannot be honoured"
            )
        raise ValueError("mount failed: this runtime has no access to a cloudbook drive")
    return source


def _check_cluster() -> None:
    """A JupyterHub runtime is a server of the cluster: the service's drives are not there."""
    if os.environ.get("CLOUDBOOK_RUNTIME_PROVIDER") == "jupyterhub" and not os.environ.get(
        "CLOUDBOOK_DRIVE_PATH"
    ):
        raise ValueError(
            "mount failed: this runtime runs on the cluster (JupyterHub), which cannot "
            "see your cloudbook drive. Use the files panel to upload and download, or "
            "ask your administrator (docs/cluster.md, 'Drive on cluster runtimes')."
        )


def _is_our_mount(mountpoint: str) -> bool:
    link = os.path.join(mountpoint, "MyDrive")
    if not os.path.islink(link):
        return False
    target = os.readlink(link)
    sources = {os.environ.get("CLOUDBOOK_DRIVE_PATH"), os.environ.get("CLOUDBOOK_DRIVE_RO_PATH")}
    return target in sources or os.path.abspath(mountpoint) in _mounts()


def _unmount(mountpoint: str) -> None:
    for name in _LINKS:
        link = os.path.join(mountpoint, name)
        if os.path.islink(link):
            os.unlink(link)
    try:
        os.rmdir(mountpoint)
    except OSError:
        pass
    _save_mounts([m for m in _mounts() if m != os.path.abspath(mountpoint)])


def mount(
    mountpoint: str,
    force_remount: bool = False,
    timeout_ms: int = 120000,
    readonly: bool = False,
) -> None:
    """Make the user's drive appear at ``<mountpoint>/MyDrive`` and ``<mountpoint>/My Drive``."""
    del timeout_ms  # nothing to wait for: the drive is already present in the runtime
    _check_cluster()
    if " " in mountpoint:
        raise ValueError("Mountpoint must not contain a space.")
    mountpoint = os.path.expanduser(mountpoint)
    if os.path.isdir(os.path.join(mountpoint, "MyDrive")) and not os.path.islink(mountpoint):
        if not force_remount:
            print(
                f"Drive already mounted at {mountpoint}; to attempt to forcibly remount, "
                f'call drive.mount("{mountpoint}", force_remount=True).'
            )
            return
        if _is_our_mount(mountpoint):
            _unmount(mountpoint)
    if os.path.islink(mountpoint):
        raise ValueError("Mountpoint must not be a symlink")
    if os.path.isdir(mountpoint) and os.listdir(mountpoint):
        raise ValueError("Mountpoint must not already contain files")
    if not os.path.isdir(mountpoint) and os.path.exists(mountpoint):
        raise ValueError("Mountpoint must either be a directory or not exist")
    normed = os.path.normpath(mountpoint)
    if "/" in normed and not os.path.exists(os.path.dirname(normed)):
        raise ValueError("Mountpoint must be in a directory that exists")
    source = _source(readonly)
    os.makedirs(mountpoint, exist_ok=True)
    for name in _LINKS:
        os.symlink(source, os.path.join(mountpoint, name), target_is_directory=True)
    _save_mounts([*_mounts(), os.path.abspath(mountpoint)])
    print(f"Mounted at {mountpoint}")


def flush_and_unmount(timeout_ms: int = 24 * 60 * 60 * 1000) -> None:
    """Write outstanding changes to the drive and remove every mount made by ``mount``."""
    del timeout_ms
    mounts = [m for m in _mounts() if os.path.islink(os.path.join(m, "MyDrive"))]
    if not mounts:
        _save_mounts([])
        print("Drive not mounted, so nothing to flush and unmount.")
        return
    os.sync()  # writes already went straight to the drive's files; make them durable
    for mountpoint in mounts:
        _unmount(mountpoint)
