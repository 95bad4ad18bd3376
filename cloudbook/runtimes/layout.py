"""The layout of a local runtime: its folder on the host, the bwrap command line around it,
and what one start hands to its child (see cloudbook.runtimes.local and docs/security.md).

``<runtimes_dir>/<id>/``: ``content/`` (/content), ``packages/`` (its package space),
``jupyter-runtime/`` (/run/jupyter: the server's socket, kernel connection files),
``box/upper/<layer>`` (the overlays' upper folders), ``var/``, ``tmp/``, ``home/``
(/var, /tmp, /root when the service is root), ``drive-slot/``, ``hosts`` and
``resolv.conf`` (when there are no overlays), ``server.log``, ``network.log``.
Every writable layer of a runtime lives in this folder.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Literal

from cloudbook.colab_runtime import install_sample_data
from cloudbook.runtimes import box
from cloudbook.runtimes.provider import RuntimeSpec
from cloudbook.runtimes.sandbox import bwrap_command, hosts_file

# Inside the sandbox: the runtime's package space and the server's runtime files.
PACKAGES_INSIDE = "/opt/cloudbook/packages"
JUPYTER_RUNTIME_INSIDE = "/run/jupyter"
SOCKET_NAME = "server.sock"  # the Jupyter server's Unix socket, in jupyter-runtime/
BOX_INSIDE = "/opt/cloudbook/box"  # the overlays' upper folders, until they are mounted
NetworkMode = Literal["internet", "none", "host"]
# The owner's drive, writable and read-only views (google.colab.drive.mount picks one).
DRIVE_INSIDE = "/opt/cloudbook/drive"
DRIVE_RO_INSIDE = "/opt/cloudbook/drive-ro"
# A warm runtime's empty drive slot: its user's drive is mounted (or linked) below it at
# assignment, see cloudbook.runtimes.mounts.
DRIVE_SLOT_INSIDE = "/opt/cloudbook/drive-slot"
SlotKind = Literal["mount", "link"]
# Passed through from the service to runtimes: package indexes, CA bundles, proxies.
PASSTHROUGH = (
    "PIP_FIND_LINKS",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_CERT",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
# Of those, the ones naming local files or folders the sandbox must bind read-only.
PASSTHROUGH_PATHS = ("PIP_FIND_LINKS", "PIP_CERT", "SSL_CERT_FILE", "SSL_CERT_DIR")


def local_paths(env: dict[str, str]) -> list[str]:
    paths: list[str] = []
    for key in PASSTHROUGH_PATHS:
        for part in env.get(key, "").split():
            part = part.removeprefix("file://")
            if part.startswith("/"):
                paths.append(part)
    return paths


class Launch:
    """What one start hands to its child: fds (bwrap binds, idmapped mounts, pipes) and the
    box configuration written to the configuration pipe."""

    def __init__(self) -> None:
        self.child_fds: list[int] = []
        self.parent_fds: list[int] = []  # ours until handed over (the config pipe's end)
        self.config: dict[str, Any] = {}
        self.info_r: int | None = None
        self.userns_fd: int | None = None  # the idmap namespace, kept for the drive later

    def pass_fd(self, fd: int) -> int:
        self.child_fds.append(fd)
        return fd

    def open_path(self, path: str) -> int:
        return self.pass_fd(os.open(path, os.O_PATH | os.O_CLOEXEC))

    def close_child_fds(self) -> None:
        for fd in self.child_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.child_fds.clear()

    def close_all(self) -> None:
        self.close_child_fds()
        if self.userns_fd is not None:
            os.close(self.userns_fd)
            self.userns_fd = None
        for fd in self.parent_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.parent_fds.clear()
        if self.info_r is not None:
            with contextlib.suppress(OSError):
                os.close(self.info_r)
            self.info_r = None


def sandbox_command(
    bwrap: str,
    python: str,
    network_mode: NetworkMode,
    spec: RuntimeSpec,
    base: Path,
    slot: SlotKind | None,
    env: dict[str, str],
    command: list[str],
    uid: int | None,
    overlays: bool,
    launch: Launch,
) -> list[str]:
    """The bwrap command line; fills ``launch`` with the fds and the box configuration."""
    drive_rw: list[tuple[Path, str]] = []
    drive_ro: list[tuple[Path, str]] = []
    launch.config["box_dir"] = BOX_INSIDE if overlays else None
    launch.config["blocked_routes"] = box.blocked_routes() if network_mode != "host" else []
    userns_fd = box.idmap_userns(uid) if overlays and uid is not None else None
    try:
        if userns_fd is not None:
            launch.config["overlays"] = [
                {
                    "name": name,
                    "fd": launch.pass_fd(box.idmapped_clone(host, userns_fd)),
                    "target": inside,
                }
                for name, host, inside in box.OVERLAYS
                if os.path.isdir(host)
            ]
        if spec.drive_dir:
            Path(spec.drive_dir).mkdir(parents=True, exist_ok=True)
            if userns_fd is not None:
                launch.config["mounts"] = [
                    {
                        "fd": launch.pass_fd(box.idmapped_clone(spec.drive_dir, userns_fd)),
                        "target": DRIVE_INSIDE,
                    },
                    {
                        "fd": launch.pass_fd(
                            box.idmapped_clone(spec.drive_dir, userns_fd, readonly=True)
                        ),
                        "target": DRIVE_RO_INSIDE,
                    },
                ]
            else:
                drive_rw.append((Path(spec.drive_dir), DRIVE_INSIDE))
                drive_ro.append((Path(spec.drive_dir), DRIVE_RO_INSIDE))
    except BaseException:
        if userns_fd is not None:
            os.close(userns_fd)
        raise
    if userns_fd is not None:  # kept for the drive of a warm runtime (assign_drive)
        launch.userns_fd = userns_fd
    if network_mode == "internet":
        launch.info_r, info_w = os.pipe()
        launch.child_fds.append(info_w)
    else:
        info_w = None
    etc_files: list[tuple[Path, str]] = []
    if not overlays:
        etc_files.append((base / "hosts", "/etc/hosts"))
        if (base / "resolv.conf").exists():
            etc_files.append((base / "resolv.conf", "/etc/resolv.conf"))
    return bwrap_command(
        bwrap,
        base / "content",
        command,
        python=python,
        binds=[
            (base / "packages", PACKAGES_INSIDE),
            (base / "jupyter-runtime", JUPYTER_RUNTIME_INSIDE),
            *([(base / "box", BOX_INSIDE)] if overlays else []),
            *drive_rw,
            *([(base / "drive-slot", DRIVE_SLOT_INSIDE)] if slot == "mount" else []),
        ],
        ro_binds=local_paths(env),
        ro_binds_at=drive_ro,
        gpu=spec.accelerator == "gpu" and not spec.gpu_devices,
        gpu_nodes=spec.gpu_devices,
        etc_files=etc_files,
        userns=uid is None,  # as root: the box's init makes the user namespace
        network=network_mode,
        writable_dirs=[(base / "var", "/var"), (base / "tmp", "/tmp"), (base / "home", "/root")]
        if uid is not None
        else None,
        info_fd=info_w,
    )


def prepare_folder(
    base: Path,
    uid: int | None,
    overlays: bool,
    sandboxed: bool,
    network_mode: NetworkMode,
    bound: tuple[str, ...] = (),
) -> None:
    """``bound``: host folders the sandbox binds at the same path (the image's venv)."""
    for d in (base / "content", base / "packages", base / "jupyter-runtime"):
        d.mkdir(parents=True, exist_ok=True)
    base.chmod(0o700)  # nothing of another runtime's folder is anyone else's business
    install_sample_data(base / "content")
    if not sandboxed:
        (base / "home").mkdir(exist_ok=True)  # a sandbox has a private /root instead
        return
    hosts = hosts_file()
    resolv = box.resolv_conf(network_mode)
    if overlays:
        for name, host, _ in box.OVERLAYS:
            if os.path.isdir(host):
                box.prepare_upper(name, host, base / "box" / "upper" / name)
        box.write_etc(base / "box" / "upper" / "etc", hosts, resolv)
        box.prepare_var(base / "var")
    else:
        (base / "hosts").write_text(hosts)
        if resolv is not None:
            (base / "resolv.conf").write_text(resolv)
    if uid is not None:
        for name in ("var", "tmp", "home"):
            (base / name).mkdir(exist_ok=True)
        # A venv under /root (an image in root's ~/.cache) is bound inside the runtime's
        # own /root: made here, its parents are the runtime's, as on Colab (`~/.cache`
        # writable for pip's, Hugging Face's, torch's caches), not nobody's.
        for inside in bound:
            if inside.startswith("/root/"):
                (base / "home" / inside.removeprefix("/root/")).mkdir(parents=True, exist_ok=True)
        (base / "tmp").chmod(0o1777)
        for name in ("content", "packages", "jupyter-runtime", "box", "var", "tmp", "home"):
            if (base / name).exists():
                box.chown_tree(base / name, uid)
