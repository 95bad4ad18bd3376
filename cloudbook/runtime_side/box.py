"""The last step of a runtime's start, run inside the sandbox before the Jupyter server.

Started as root, the service runs bubblewrap as root without a user namespace: this
process is then real root in the sandbox's mount, network and pid namespaces, and
its first job ends with dropping that (``become_runtime_root``). Started as an
ordinary user, bubblewrap makes a user namespace and this process is uid 0 there,
with every capability *of that namespace* (none in the host's). Either way it:

1. mounts the writable overlays of ``/usr``, ``/etc`` and parts of ``/var`` (lower
   layers are idmapped clones of the host's directories made by the service, so
   host-root files belong to root inside and ``apt-get``/``dpkg`` can change them;
   the upper layers are folders of the runtime, thrown away with it);
2. moves the idmapped drive mounts into place;
3. adds ``unreachable`` routes for the host's loopback-facing, private and
   link-local ranges (before CAP_NET_ADMIN goes, so kernel code cannot undo them);
4. (root service) becomes the runtime's own host uid, root of a fresh user namespace;
5. keeps only the capabilities a root user needs for packages (chown, setuid, ...),
   in the bounding set too, sets ``no_new_privs``, makes the server undumpable
   (kernels cannot read its memory or environment), and loads the seccomp filter
   of :mod:`cloudbook.runtime_side.seccomp`.

Configuration arrives as JSON on an inherited pipe (never in the environment or
on the command line: it carries the server's token).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import stat
import subprocess
from typing import Any

from cloudbook.runtime_side import seccomp

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
MOVE_MOUNT_F_EMPTY_PATH = 4
MNT_DETACH = 2
AT_FDCWD = -100
CLONE_NEWUSER = 0x10000000
LINUX_CAPABILITY_VERSION_3 = 0x20080522
# Docker's default set, minus NET_RAW and MKNOD: enough for apt, dpkg, pip, chown, su.
KEEP_CAPS = (
    0,  # CHOWN
    1,  # DAC_OVERRIDE
    3,  # FOWNER
    4,  # FSETID
    5,  # KILL
    6,  # SETGID
    7,  # SETUID
    8,  # SETPCAP
    10,  # NET_BIND_SERVICE
    18,  # SYS_CHROOT
    29,  # AUDIT_WRITE
    31,  # SETFCAP
)


class BoxError(RuntimeError):
    pass


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise BoxError(f"{what}: {os.strerror(err)} (errno {err})")


def read_config(fd: int) -> dict[str, Any]:
    chunks = []
    with os.fdopen(fd, "rb") as pipe:
        while chunk := pipe.read(65536):
            chunks.append(chunk)
    config: dict[str, Any] = json.loads(b"".join(chunks) or b"{}")
    return config


def _move_mount(fd: int, target: str) -> None:
    libc = _libc()
    os.makedirs(target, exist_ok=True)
    nr = seccomp.syscall_number("move_mount")
    _check(
        libc.syscall(nr, fd, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH),
        f"move_mount to {target}",
    )
    os.close(fd)


def _umount(target: str) -> None:
    if _libc().umount2(target.encode(), MNT_DETACH) != 0:
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOENT):
            raise BoxError(f"umount {target}: {os.strerror(err)}")


def mount_overlays(box_dir: str, overlays: list[dict[str, Any]]) -> None:
    """Each overlay: ``{"name", "fd" (idmapped lower), "target"}``; upper/work under box_dir."""
    libc = _libc()
    for overlay in overlays:
        name = overlay["name"]
        lower = f"{box_dir}/lower/{name}"
        _move_mount(int(overlay["fd"]), lower)
        upper, work = f"{box_dir}/upper/{name}", f"{box_dir}/work/{name}"
        os.makedirs(upper, exist_ok=True)
        os.makedirs(work, exist_ok=True)
        os.makedirs(overlay["target"], exist_ok=True)
        options = f"lowerdir={lower},upperdir={upper},workdir={work}"
        _check(
            libc.mount(b"overlay", overlay["target"].encode(), b"overlay", 0, options.encode()),
            f"overlay on {overlay['target']}",
        )
        _umount(lower)  # the overlay holds its own reference


def add_routes(blocked: list[str]) -> None:
    """``unreachable`` routes: more specific than the default route, fixed once caps go."""
    if not blocked:
        return
    script = "".join(f"route add unreachable {prefix}\n" for prefix in blocked)
    for ip in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"):
        if os.path.exists(ip):
            result = subprocess.run(
                [ip, "-batch", "-"], input=script.encode(), capture_output=True, check=False
            )
            if result.returncode != 0:
                raise BoxError(f"ip route: {result.stderr.decode(errors='replace').strip()}")
            return
    raise BoxError("the ip command (iproute2) is needed to fence the runtime's network")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_bounding(keep: tuple[int, ...]) -> None:
    libc = _libc()
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except OSError:
        last = 40
    for cap in range(last + 1):
        if cap not in keep:
            _check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"dropping capability {cap}")


def drop_capabilities(keep: tuple[int, ...] = KEEP_CAPS) -> None:
    libc = _libc()
    _drop_bounding(keep)
    _check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient caps")
    mask = [0, 0]
    for cap in keep:
        mask[cap // 32] |= 1 << (cap % 32)
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(*(_CapData(m, m, 0) for m in mask))
    nr = seccomp.syscall_number("capset")
    _check(libc.syscall(nr, ctypes.byref(header), data), "capset")


def open_parent_dirs() -> None:
    """bwrap run as root creates the parents of its mount points (on the root tmpfs) with
    mode 0700: open them (0755) so that the runtime's own uid can walk to what is bound."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split(" ")[4] for line in f if line.count(" ") > 4]
    for point in points:
        parent = os.path.dirname(point)
        while parent not in ("/", ""):
            try:
                info = os.lstat(parent)
                if info.st_uid == 0 and stat.S_IMODE(info.st_mode) == 0o700:
                    os.chmod(parent, 0o755)
            except OSError:
                pass
            parent = os.path.dirname(parent)


def become_runtime_root(uid: int) -> None:
    """From real root (the service started as root): become ``uid`` on the host, then uid 0
    of a new user namespace mapping only that uid. The namespace owns no mount or network
    namespace (those belong to the host's root), so its capabilities reach no further
    than files of ``uid`` (chown, dpkg) and this runtime's own processes."""
    libc = _libc()
    _drop_bounding(KEEP_CAPS)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # every capability of the host's namespace is gone here
    # A uid change makes the process undumpable: /proc/self/uid_map would be root's.
    _check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable")
    _check(libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1\n")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {uid} 1\n")
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


def lock(*, keep_caps: bool = True) -> None:
    """Capabilities, no_new_privs, undumpable, seccomp: nothing after this can add privilege."""
    libc = _libc()
    drop_capabilities(KEEP_CAPS if keep_caps else ())
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "dumpable")
    seccomp.install()


def enter(config: dict[str, Any]) -> None:
    """Everything above, from the service's configuration (see LocalProvider)."""
    box_dir = config.get("box_dir")
    if config.get("overlays") and box_dir:
        mount_overlays(box_dir, config["overlays"])
    for mount in config.get("mounts", []):
        _move_mount(int(mount["fd"]), mount["target"])
    if box_dir:
        _umount(box_dir)  # uppers stay reachable only through the overlays
    add_routes(config.get("blocked_routes", []))
    if config.get("host_uid") is not None:
        open_parent_dirs()
        become_runtime_root(int(config["host_uid"]))
    lock()
