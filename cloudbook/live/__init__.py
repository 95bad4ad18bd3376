"""Live documents: every open notebook is a CRDT document held by the service (docs/live.md).

One concept per module: `documents` (the registry and the document, saving from it),
`access` (who may join a document), `channel` (a Starlette WebSocket as a pycrdt channel),
`executor`/`executors` (cells run by the service into the document,
docs/live-execution.md), `cell_outputs`, `pending`, `spill`, `run_access`.
"""
