"""`cloudbook run NOTEBOOK.ipynb -p name=value`: a notebook as a parameterised job.

Works without a server: it starts a local runtime of its own, runs the code
cells in order with the form fields overridden, and writes the executed notebook.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudbook.cli.run_inputs import InputError, RunInputs
from cloudbook.settings import Settings, kernel_env

if TYPE_CHECKING:
    from cloudbook.runtimes.gpus import Gpu


class RunError(Exception):
    """A problem found before anything ran (exit status 2)."""


@dataclass
class FormField:
    cell_index: int
    field: Any  # cloudbook.forms field item


def load_notebook(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: not a notebook ({exc})") from None
    from cloudbook.services.errors import InvalidInput
    from cloudbook.services.nbcontent import normalize

    try:
        return normalize(raw)
    except InvalidInput as exc:
        raise RunError(f"{path}: {exc.message}") from None


def _source(cell: dict[str, Any]) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def form_fields(nb: dict[str, Any]) -> dict[str, FormField]:
    from cloudbook.forms import parse_cell

    fields: dict[str, FormField] = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for item in parse_cell(_source(cell)).items:
            if item.kind == "param" and not item.error:
                fields[item.name] = FormField(index, item)
    return fields


def describe_field(name: str, ff: FormField) -> str:
    f = ff.field
    parts = [name, f.type or "raw", f"default={f.raw_value}"]
    if f.options:
        parts.append("choices=" + ",".join(json.dumps(o) for o in f.options))
    if f.type == "slider":
        parts.append(f"min={f.min} max={f.max} step={f.step}")
    return "\t".join(parts)


def apply_params(nb: dict[str, Any], params: list[str]) -> None:
    """Rewrite the form lines; every value is checked before anything runs."""
    from cloudbook.forms import FormValueError, coerce_cli_value, rewrite_value

    fields = form_fields(nb)
    for item in params:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise RunError(f"-p {item!r}: expected name=value")
        if name not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise RunError(
                f"-p {name}: the notebook has no form field of that name (fields: {known})"
            )
        ff = fields[name]
        try:
            value = coerce_cli_value(ff.field, text)
            cell = nb["cells"][ff.cell_index]
            cell["source"] = rewrite_value(_source(cell), ff.field.line, value)
        except FormValueError as exc:
            raise RunError(f"-p {name}: {exc}") from None


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _title(cell: dict[str, Any]) -> str:
    for line in _source(cell).splitlines():
        line = line.strip()
        if line:
            return line[:60]
    return "(empty)"


def _progress(position: int, total: int, cell: dict[str, Any], seconds: float | None) -> None:
    if seconds is None:
        print(f"[{position + 1}/{total}] {_title(cell)}", file=sys.stderr, flush=True)
    else:
        print(f"      done in {seconds:.2f}s", file=sys.stderr, flush=True)


async def _resolve_user(settings: Settings, name: str | None) -> tuple[Any, dict[str, Any] | None]:
    """The run's user, and the Google credentials that user stored (or None)."""
    from cloudbook.services.google_credentials import GoogleCredentialService
    from cloudbook.services.keyring import Keyring, load_master_key
    from cloudbook.services.users import UserService
    from cloudbook.store.database import Database

    db = Database(settings.resolved_database_url)
    try:
        await db.upgrade()
        users = UserService(db)
        if name is not None:
            user = await users.get_by_name(name)
        else:
            found = await users.first_admin()
            user = found[0] if found else await users.create("admin", None, is_admin=True)
        configured = settings.secret_key.get_secret_value() if settings.secret_key else None
        keyring = Keyring(load_master_key(settings.data_dir, configured))
        return user, await GoogleCredentialService(db, keyring).read_for_kernel(user)
    finally:
        await db.dispose()


async def _run(
    settings: Settings,
    nb: dict[str, Any],
    user_name: str | None,
    stdin_lines: list[str] | None,
    inputs: RunInputs,
    gpu: Gpu | None = None,
) -> None:
    from cloudbook.images.service import active_image
    from cloudbook.images.store import ImageStore
    from cloudbook.runner.headless import KernelLost, execute_notebook
    from cloudbook.runtimes import gpus
    from cloudbook.runtimes.jupyter_api import JupyterServerClient, close_shared_client
    from cloudbook.runtimes.kernel_client import KernelConnection
    from cloudbook.runtimes.local import PACKAGES_INSIDE, LocalProvider
    from cloudbook.runtimes.provider import RuntimeSpec

    user, inputs.google_credentials = await _resolve_user(settings, user_name)
    store = ImageStore(settings.images_dir)
    provider = LocalProvider(
        runtimes_dir=settings.runtimes_dir,
        sandbox=settings.sandbox,
        start_timeout=settings.runtime_start_timeout,
        python=active_image(store, settings.runtime_image).python,
        wheelhouse=store.wheelhouse,
        network_mode=settings.runtime_network,
        limits=settings.runtime_limits,
        kernel_env=kernel_env(settings),
    )
    print("Starting a runtime…", file=sys.stderr, flush=True)
    # The user's drive, so that drive.mount('/content/drive') shows their files.
    drive_dir = settings.drive_dir / str(user.id)
    runtime_id = str(uuid.uuid4())
    # Uploads and secrets go into the runtime's own package folder (deleted with it).
    packages = settings.runtimes_dir / runtime_id / "packages"
    inside = PACKAGES_INSIDE if provider.sandboxed else str(packages)
    runtime = await provider.start(
        RuntimeSpec(
            runtime_id=runtime_id,
            accelerator="gpu" if gpu is not None else "none",
            gpu_devices=gpu.nodes if gpu is not None else (),
            drive_dir=str(drive_dir),
            env={"CLOUDBOOK_HEADLESS": "1", **inputs.env(inside), **gpus.runtime_env(gpu)},
        )
    )
    try:
        await asyncio.to_thread(inputs.install, packages)
        await asyncio.to_thread(provider.hand_over, runtime_id, packages)
        client = JupyterServerClient(runtime)
        kernel_id = await client.start_kernel()
        await client.wait_kernel_ready(kernel_id, timeout=settings.runtime_start_timeout)
        async with KernelConnection.to_runtime(runtime, kernel_id) as conn:
            await execute_notebook(
                nb,
                conn,
                interrupt=lambda: client.interrupt_kernel(kernel_id),
                stdin_lines=stdin_lines,
                progress=_progress,
            )
    except KernelLost as exc:
        # The runtime's log says why (out of memory, a segfault, a signal).
        raise KernelLost(
            exc.index, exc.number, exc.why + "\n" + provider.log_tail(runtime)
        ) from None
    finally:
        await provider.stop(runtime)
        await close_shared_client()


def choose_gpu(settings: Settings, nb: dict[str, Any], require_gpu: bool) -> Gpu | None:
    """The GPU the run gets: the notebook asks for one (``metadata.accelerator``, as
    Colab writes it) or ``--require-gpu``. None found: a warning and the CPU, or a
    RunError with ``--require-gpu``. Headless runs pick the first matching device; they
    do not coordinate with a running service's assignments."""
    from cloudbook.runtimes.gpus import discover
    from cloudbook.runtimes.runtime_types import from_metadata

    rtype = from_metadata(nb.get("metadata"))
    if rtype.accelerator != "gpu" and not require_gpu:
        return None
    found = discover(settings.fake_gpus, settings.data_dir)
    fitting = [g for g in found if rtype.gpu_type in (None, g.name)] or found
    if fitting:
        return fitting[0]
    why = "this machine has no NVIDIA GPU (NVML found none)"
    if require_gpu:
        raise RunError(f"--require-gpu: {why}; nothing was run")
    print(
        f"cloudbook run: warning: the notebook asks for a GPU but {why}; running on the CPU "
        "(pass --require-gpu to fail instead)",
        file=sys.stderr,
        flush=True,
    )
    return None


def run_command(
    settings: Settings,
    notebook: Path,
    params: list[str],
    output: Path | None,
    user: str | None,
    list_params: bool,
    stdin_file: Path | None,
    uploads: list[str] | None = None,
    secrets: list[str] | None = None,
    secrets_file: Path | None = None,
    require_gpu: bool = False,
) -> int:
    from cloudbook.runner.headless import CellError, KernelLost, MissingInput
    from cloudbook.services.nbcontent import dumps

    try:
        nb = load_notebook(notebook)
        if list_params:
            for name, ff in form_fields(nb).items():
                print(describe_field(name, ff))
            return 0
        apply_params(nb, params)
        stdin_lines = None
        if stdin_file is not None:
            try:
                stdin_lines = stdin_file.read_text().splitlines()
            except OSError as exc:
                raise RunError(f"--stdin {stdin_file}: {exc.strerror}") from None
        try:
            inputs = RunInputs.parse(uploads or [], secrets or [], secrets_file)
        except InputError as exc:
            raise RunError(str(exc)) from None
        gpu = choose_gpu(settings, nb, require_gpu)
    except RunError as exc:
        print(f"cloudbook run: {exc}", file=sys.stderr)
        return 2
    out_path = output or notebook.with_name(notebook.stem + ".out.ipynb")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    status = 0
    try:
        asyncio.run(_run(settings, nb, user, stdin_lines, inputs, gpu))
    except CellError as exc:
        print(f"\nError in cell {exc.number}:", file=sys.stderr)
        tb = "\n".join(exc.traceback) or f"{exc.ename}: {exc.evalue}"
        print(tb if sys.stderr.isatty() else _strip_ansi(tb), file=sys.stderr)
        status = 1
    except MissingInput as exc:
        print(
            f"\nError in cell {exc.number}: it asked for input ({exc.prompt!r}) and none was "
            "given; pass answers with --stdin FILE.",
            file=sys.stderr,
        )
        status = 1
    except KernelLost as exc:
        print(f"\nError in cell {exc.number}: {exc.why}", file=sys.stderr)
        status = 1
    except Exception as exc:  # whatever broke, the outputs so far are written
        print(f"\ncloudbook run: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        status = 1
    out_path.write_bytes(dumps(nb))
    print(f"Wrote {out_path}", file=sys.stderr)
    return status
