from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from cloudbook.server.deps import app_state

router = APIRouter()


class Health(BaseModel):
    status: str
    ready: bool
    pool_ready: bool


@router.get("/api/health", response_model=Health)
async def health(request: Request) -> Health:
    state = app_state(request)
    if state.init_failed:
        return Health(status="failed", ready=False, pool_ready=False)
    pool_ready = state.services is not None and state.services.runtimes.pool_full
    return Health(status="ok", ready=state.ready.is_set(), pool_ready=pool_ready)
