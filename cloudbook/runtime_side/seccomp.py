"""A seccomp filter for runtimes, built as a raw classic-BPF program (no libseccomp).

Denied with EPERM: file handles (``open_by_handle_at`` reaches any inode of a
filesystem it can name), mounting and namespace changes, ptrace and cross-process
memory access, bpf, perf events, userfaultfd, the kernel keyring, kexec, module
loading, swap, reboot, accounting, quotas, syslog. ``clone`` with
``CLONE_NEWUSER`` is denied (no nested user namespaces: they re-grant
capabilities over new namespaces and widen the kernel's attack surface);
``clone3`` answers ENOSYS so that libc falls back to ``clone``, whose flags the
filter can read. A foreign architecture (32-bit syscalls on x86-64) or an x32
syscall number kills the process.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
CLONE_NEWUSER = 0x10000000
X32_SYSCALL_BIT = 0x40000000

# BPF opcodes
LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
RET_K = 0x06  # BPF_RET | BPF_K
# offsets in struct seccomp_data
NR, ARCH, ARG0_LOW = 0, 4, 16

ARCHES = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": {
        "open_by_handle_at": 304,
        "name_to_handle_at": 303,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "mount_setattr": 442,
        "unshare": 272,
        "setns": 308,
        "ptrace": 101,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "bpf": 321,
        "perf_event_open": 298,
        "userfaultfd": 323,
        "keyctl": 250,
        "add_key": 248,
        "request_key": 249,
        "kexec_load": 246,
        "kexec_file_load": 320,
        "init_module": 175,
        "finit_module": 313,
        "delete_module": 176,
        "swapon": 167,
        "swapoff": 168,
        "reboot": 169,
        "acct": 163,
        "quotactl": 179,
        "syslog": 103,
        "clone": 56,
        "clone3": 435,
        "capset": 126,
    },
    "aarch64": {
        "open_by_handle_at": 265,
        "name_to_handle_at": 264,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "mount_setattr": 442,
        "unshare": 97,
        "setns": 268,
        "ptrace": 117,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "bpf": 280,
        "perf_event_open": 241,
        "userfaultfd": 282,
        "keyctl": 219,
        "add_key": 217,
        "request_key": 218,
        "kexec_load": 104,
        "kexec_file_load": 294,
        "init_module": 105,
        "finit_module": 273,
        "delete_module": 106,
        "swapon": 224,
        "swapoff": 225,
        "reboot": 142,
        "acct": 89,
        "quotactl": 60,
        "syslog": 116,
        "clone": 220,
        "clone3": 435,
        "capset": 91,
    },
}
DENIED = tuple(name for name in SYSCALLS["x86_64"] if name not in ("clone", "clone3", "capset"))


class SeccompUnavailable(RuntimeError):
    pass


def machine() -> str:
    arch = platform.machine()
    if arch not in SYSCALLS:
        raise SeccompUnavailable(f"no seccomp filter for the {arch} architecture")
    return arch


def syscall_number(name: str) -> int:
    return SYSCALLS[machine()][name]


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k & 0xFFFFFFFF)


def build_filter(arch: str) -> bytes:
    numbers = SYSCALLS[arch]
    eperm = SECCOMP_RET_ERRNO | errno.EPERM
    prog = [
        _insn(LD_W_ABS, 0, 0, ARCH),
        _insn(JEQ_K, 1, 0, ARCHES[arch]),
        _insn(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _insn(LD_W_ABS, 0, 0, NR),
    ]
    if arch == "x86_64":
        prog += [
            _insn(JGE_K, 0, 1, X32_SYSCALL_BIT),
            _insn(RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        ]
    for name in DENIED:
        prog += [_insn(JEQ_K, 0, 1, numbers[name]), _insn(RET_K, 0, 0, eperm)]
    prog += [
        _insn(JEQ_K, 0, 1, numbers["clone3"]),
        _insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS),
        _insn(JEQ_K, 0, 3, numbers["clone"]),
        _insn(LD_W_ABS, 0, 0, ARG0_LOW),  # clone flags (low 32 bits hold CLONE_NEWUSER)
        _insn(JSET_K, 0, 1, CLONE_NEWUSER),
        _insn(RET_K, 0, 0, eperm),
        _insn(RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> None:
    """Load the filter into this process (inherited by every child). Needs no_new_privs."""
    code = build_filter(machine())
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompUnavailable(f"loading the seccomp filter failed: errno {err}")
