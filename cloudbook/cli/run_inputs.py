"""What a headless run hands the notebook instead of a browser: uploads and secrets.

``--upload NAME=PATH`` answers ``files.upload()`` with that file under that name;
``--secret KEY=VALUE`` (or ``KEY=@FILE``: the file's text, so the value stays out of
the process list) answers ``userdata.get(KEY)``. Both are
checked before a runtime starts, then copied into the runtime's own package folder
(deleted with the runtime) where the kernel reads them through ``CLOUDBOOK_UPLOADS``
and ``CLOUDBOOK_SECRETS_FILE`` (docs/colab-protocol.md §8). Secret values are never
printed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
_FOLDER = ".cloudbook-run"  # inside the runtime's package folder


class InputError(ValueError):
    """A bad --upload or --secret (the message never contains a secret value)."""


@dataclass
class RunInputs:
    uploads: dict[str, Path] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    # The run user's stored Google credentials, for auth.authenticate_user() (docs/bigquery.md).
    google_credentials: dict[str, Any] | None = None

    @classmethod
    def parse(
        cls, uploads: list[str], secrets: list[str], secrets_file: Path | None = None
    ) -> RunInputs:
        found = cls()
        if secrets_file is not None:
            found.secrets.update(_secrets_file(secrets_file))
        for item in uploads:
            name, sep, path = item.partition("=")
            if not sep or not name or not path:
                raise InputError(f"--upload {item!r}: expected NAME=PATH")
            if "/" in name or "\\" in name or name in (".", ".."):
                raise InputError(f"--upload {name!r}: the name must be a plain file name")
            source = Path(path).expanduser()
            if not source.is_file():
                raise InputError(f"--upload {name}: {path}: no such file")
            found.uploads[name] = source
        for item in secrets:
            key, sep, value = item.partition("=")
            if not sep:
                raise InputError("--secret: expected KEY=VALUE or KEY=@FILE")
            if not _KEY.fullmatch(key):
                raise InputError(f"--secret {key[:40]!r}: not a usable secret name")
            if value.startswith("@"):
                try:
                    value = Path(value[1:]).expanduser().read_text(encoding="utf-8")
                except OSError as exc:
                    reason = f"cannot read {value[1:]}: {exc.strerror}"
                    raise InputError(f"--secret {key}: {reason}") from None
            found.secrets[key] = value
        for key in found.secrets:
            if not _KEY.fullmatch(key):
                raise InputError(f"--secrets-file: {key[:40]!r} is not a usable secret name")
        return found

    def env(self, inside: str) -> dict[str, str]:
        """The kernel's variables, ``inside`` being the package folder as the runtime sees it."""
        env: dict[str, str] = {}
        if self.uploads:
            env["CLOUDBOOK_UPLOADS"] = json.dumps(
                {name: f"{inside}/{_FOLDER}/uploads/{i}" for i, name in enumerate(self.uploads)}
            )
        if self.secrets:
            env["CLOUDBOOK_SECRETS_FILE"] = f"{inside}/{_FOLDER}/secrets.json"
        if self.google_credentials is not None:
            env["CLOUDBOOK_GOOGLE_CREDENTIALS_FILE"] = f"{inside}/{_FOLDER}/google-credentials.json"
        return env

    def install(self, packages_dir: Path) -> None:
        """Copy the files where ``env`` said they would be (after the runtime started)."""
        folder = packages_dir / _FOLDER
        (folder / "uploads").mkdir(parents=True, exist_ok=True)
        for i, source in enumerate(self.uploads.values()):
            shutil.copyfile(source, folder / "uploads" / str(i))
        if self.secrets:
            _write_private(folder / "secrets.json", self.secrets)
        if self.google_credentials is not None:
            _write_private(folder / "google-credentials.json", self.google_credentials)


def _write_private(path: Path, data: Any) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)


def _secrets_file(path: Path) -> dict[str, str]:
    """``--secrets-file``: a JSON object {"KEY": "value"}; errors never show values."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"--secrets-file {path}: {exc.strerror}") from None
    except ValueError:
        raise InputError(f"--secrets-file {path}: not JSON") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(f'--secrets-file {path}: expected an object {{"KEY": "value"}}')
    return {str(k): v for k, v in data.items()}
