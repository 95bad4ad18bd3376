"""Runtime starts and stops in the audit log (docs/audit.md): who, which runtime, its
type, and why it stopped."""

from __future__ import annotations

from cloudbook.runtimes.managed import ManagedRuntime
from cloudbook.services.audit import AuditLog, Party, Value, Who


def _detail(managed: ManagedRuntime) -> dict[str, Value]:
    return {
        "notebook": managed.notebook_id,
        "accelerator": "attached" if managed.attached else managed.rtype.accelerator,
        "gpu": managed.gpu.name if managed.gpu is not None else None,
        "shape": managed.rtype.shape,
    }


async def started(audit: AuditLog, managed: ManagedRuntime) -> None:
    owner = Who(managed.owner_id, None)
    await audit.record(
        "runtime.started", actor=owner, subject=owner, target=managed.id, detail=_detail(managed)
    )


async def stopped(audit: AuditLog, managed: ManagedRuntime, reason: str, by: Party) -> None:
    """``by``: who stopped it; None with the owner's own reason ("user") names the owner,
    otherwise the service itself (idle, dead, quota, disabled elsewhere, shutdown)."""
    owner = Who(managed.owner_id, None)
    await audit.record(
        "runtime.stopped",
        actor=by if by is not None else owner if reason == "user" else None,
        subject=owner,
        target=managed.id,
        detail=_detail(managed) | {"reason": reason},
    )
