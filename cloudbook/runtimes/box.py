"""The host's side of a runtime's box: its host uid, idmapped layers, network, files.

Identity. Started as root, the service runs each runtime (bwrap, slirp4netns and
everything below) as a uid of its own, ``HOST_UID_BASE + slot``, with no
supplementary groups; bwrap then makes an unprivileged user namespace mapping
root inside to that uid (one uid: nothing else is mapped). Started as an ordinary
user, the namespace maps root inside to the service's own uid.

Root inside owns the system it sees. The lower layers of the ``/usr``, ``/etc``
and ``/var/lib/{dpkg,apt}`` overlays are *idmapped* clones of the host's folders
(``open_tree`` + ``mount_setattr(MOUNT_ATTR_IDMAP)``, made here as root): files of
host uid 0 appear as owned by root inside, so dpkg can replace them; every write
lands in the runtime's upper folders. The same idmapping lets a runtime write to
its user's drive while files on disk stay owned by the service. Files of the
host's lower layers that are not world-readable (``/etc/shadow``, keys) are
replaced in the upper layer before start: idmapping would otherwise hand them to
root inside. Without root (or without idmapped mounts) the overlays are skipped
and the system stays read-only (``apt-get`` then cannot install).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import stat
import struct
import subprocess
from pathlib import Path

HOST_UID_BASE = 2_000_000
HOST_UID_SLOTS = 1_000_000
CLONE_NEWUSER = 0x10000000
OPEN_TREE_CLONE = 1
O_CLOEXEC = 0o2000000
AT_EMPTY_PATH = 0x1000
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_IDMAP = 0x00100000
SYSCALLS = {
    "x86_64": {"open_tree": 428, "mount_setattr": 442},
    "aarch64": {"open_tree": 428, "mount_setattr": 442},
}
# (name, host folder, folder inside): overlays with an idmapped host folder below.
OVERLAYS = (
    ("usr", "/usr", "/usr"),
    ("etc", "/etc", "/etc"),
    ("dpkg", "/var/lib/dpkg", "/var/lib/dpkg"),
    ("apt", "/var/lib/apt", "/var/lib/apt"),
    ("debconf", "/var/cache/debconf", "/var/cache/debconf"),
)
# Never reachable from a runtime's network (RFC 1918, CGNAT, link-local, this-network,
# benchmarking, multicast, reserved): routes of type ``unreachable`` in its namespace.
BLOCKED_V4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
)
SLIRP_NET = "10.0.2."  # slirp4netns' fixed network: 10.0.2.2 gateway, 10.0.2.3 DNS
SLIRP_DNS = "10.0.2.3"
APT_SANDBOX_CONF = (
    "// cloudbook: one uid is mapped in a runtime, apt cannot switch to _apt.\n"
    'APT::Sandbox::User "root";\n'
)


class IdmapUnavailable(OSError):
    pass


def running_as_root() -> bool:
    return os.geteuid() == 0


def host_uid(runtime_id: str, taken: set[int]) -> int:
    """A uid for this runtime, stable for its id, not used by another live runtime."""
    digest = int.from_bytes(hashlib.sha256(runtime_id.encode()).digest()[:8], "big")
    for step in range(HOST_UID_SLOTS):
        uid = HOST_UID_BASE + (digest + step) % HOST_UID_SLOTS
        if uid not in taken:
            return uid
    raise RuntimeError("no free runtime uid")


def switch_identity(uid: int) -> None:
    """In a forked child (preexec): become ``uid``:``uid``, no supplementary groups."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _syscall(name: str) -> int:
    return SYSCALLS.get(os.uname().machine, SYSCALLS["x86_64"])[name]


def _unshare_user() -> None:
    if _libc().unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")


def idmap_userns(uid: int) -> int:
    """An fd of a user namespace mapping 0 (inside) to ``uid``: the idmap of mounts."""
    proc = subprocess.Popen(
        ["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, preexec_fn=_unshare_user
    )
    try:
        Path(f"/proc/{proc.pid}/uid_map").write_text(f"0 {uid} 1\n")
        Path(f"/proc/{proc.pid}/setgroups").write_text("deny")
        Path(f"/proc/{proc.pid}/gid_map").write_text(f"0 {uid} 1\n")
        return os.open(f"/proc/{proc.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()


def idmapped_clone(path: str | Path, userns_fd: int, *, readonly: bool = False) -> int:
    """A detached clone of the mount at ``path`` where host uid/gid 0 read as the
    namespace's root; moved into place inside the sandbox (``move_mount``)."""
    libc = _libc()
    fd = libc.syscall(_syscall("open_tree"), -100, str(path).encode(), OPEN_TREE_CLONE | O_CLOEXEC)
    if fd < 0:
        err = ctypes.get_errno()
        raise IdmapUnavailable(err, f"open_tree({path}): {os.strerror(err)}")
    flags = MOUNT_ATTR_IDMAP | (MOUNT_ATTR_RDONLY if readonly else 0)
    attr = struct.pack("QQQQ", flags, 0, 0, userns_fd)
    if libc.syscall(_syscall("mount_setattr"), fd, b"", AT_EMPTY_PATH, attr, len(attr)) != 0:
        err = ctypes.get_errno()
        os.close(fd)
        raise IdmapUnavailable(err, f"idmapping {path}: {os.strerror(err)}")
    return int(fd)


def _probe_userns() -> None:
    if running_as_root():
        switch_identity(HOST_UID_BASE)
    _unshare_user()


@functools.cache
def userns_available() -> bool:
    """Whether an unprivileged uid may create a user namespace here (the runtime's)."""
    try:
        result = subprocess.run(["true"], preexec_fn=_probe_userns, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


@functools.cache
def idmap_supported(probe_dir: str) -> bool:
    """Whether idmapped mounts of the host's system folders and of ``probe_dir`` work."""
    if not running_as_root():
        return False
    try:
        Path(probe_dir).mkdir(parents=True, exist_ok=True)
        userns = idmap_userns(HOST_UID_BASE)
    except OSError:
        return False
    try:
        for path in ("/usr", "/etc", probe_dir):
            os.close(idmapped_clone(path, userns))
    except OSError:
        return False
    finally:
        os.close(userns)
    return True


def _hidden(root: str) -> list[tuple[str, bool]]:
    """(relative path, is a folder) of what is not world-readable below ``root``."""
    found: list[tuple[str, bool]] = []
    closed_folders: set[str] = set()
    for folder, _dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        closed = (
            not os.stat(folder).st_mode & stat.S_IXOTH or os.path.dirname(folder) in closed_folders
        )
        if closed:
            closed_folders.add(folder)
        if closed and rel != ".":
            found.append((rel, True))
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and (closed or not info.st_mode & stat.S_IROTH):
                found.append((os.path.normpath(os.path.join(rel, name)), False))
    return found


@functools.cache
def hidden_below(root: str) -> tuple[tuple[str, bool], ...]:
    return tuple(_hidden(root))


def _shadow(kind: str) -> str:
    """A shadow/gshadow with every account locked (``*``): the host's hashes never go in."""
    source = "/etc/passwd" if kind == "shadow" else "/etc/group"
    try:
        names = [line.split(":", 1)[0] for line in Path(source).read_text().splitlines() if line]
    except OSError:
        names = ["root"]
    if kind == "shadow":
        return "".join(f"{n}:*:19000:0:99999:7:::\n" for n in names)
    return "".join(f"{n}:*::\n" for n in names)


REPLACED = {"shadow": "shadow", "shadow-": "shadow", "gshadow": "gshadow", "gshadow-": "gshadow"}


def prepare_upper(name: str, lower: str, upper: Path) -> None:
    """Shadow every not-world-readable file of ``lower`` by an empty one (0600) in
    ``upper``; /etc/shadow and /etc/gshadow get locked accounts instead. Closed folders
    become empty *opaque* folders: through the idmapped lower layer even the overlay's
    own root credentials cannot search a folder of an unmapped owner (``_apt``'s)."""
    upper.mkdir(parents=True, exist_ok=True)
    closed: list[str] = []
    for rel, is_dir in hidden_below(lower):
        if any(rel.startswith(c + "/") for c in closed):
            continue
        target = upper / rel
        if is_dir:
            closed.append(rel)
            target.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.setxattr(target, "trusted.overlay.opaque", b"y")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        content = _shadow(REPLACED[rel]) if name == "etc" and rel in REPLACED else ""
        target.write_text(content)
        target.chmod(0o600 if not content else 0o640)


def prepare_var(var: Path) -> None:
    """The runtime's fresh /var: what apt and dpkg expect to find there."""
    # cache/man: man-db's trigger would create it owned by ``man``, a uid not mapped here.
    for folder in ("cache/apt/archives/partial", "cache/man", "log/apt", "lib/dpkg", "tmp"):
        (var / folder).mkdir(parents=True, exist_ok=True)


def write_etc(upper_etc: Path, hosts: str, resolv: str | None) -> None:
    upper_etc.mkdir(parents=True, exist_ok=True)
    (upper_etc / "hosts").write_text(hosts)
    if resolv is not None:
        (upper_etc / "resolv.conf").write_text(resolv)
    conf = upper_etc / "apt" / "apt.conf.d"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "00cloudbook-sandbox").write_text(APT_SANDBOX_CONF)


def chown_tree(root: Path, uid: int) -> None:
    os.lchown(root, uid, uid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, uid)


def resolv_conf(network: str) -> str | None:
    if network == "internet":
        return f"nameserver {SLIRP_DNS}\n"
    if network == "none":
        return ""
    try:
        return Path("/etc/resolv.conf").read_text()
    except OSError:
        return None


@functools.cache
def host_addresses() -> tuple[str, ...]:
    """The host's own IPv4 addresses outside loopback and the blocked ranges: slirp would
    otherwise reach services bound to 0.0.0.0 through them."""
    import ipaddress

    import psutil

    blocked = [ipaddress.ip_network(n) for n in BLOCKED_V4]
    found: set[str] = set()
    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family.name != "AF_INET":
                continue
            ip = ipaddress.ip_address(a.address)
            if ip.is_loopback or any(ip in n for n in blocked):
                continue
            found.add(f"{ip}/32")
    return tuple(sorted(found))


def blocked_routes() -> list[str]:
    return [*BLOCKED_V4, *host_addresses()]
