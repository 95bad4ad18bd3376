"""The service's master key: secrets are encrypted with it, proxy tokens signed with it.

The key is 32 random bytes, taken from ``CLOUDBOOK_SECRET_KEY`` (base64url, for
deployments that keep keys out of the data dir, and for several instances sharing
one store) or else from ``<data dir>/secret.key``, created at first start with
mode 0600. Losing it makes stored secrets unreadable (they must be entered again);
nothing else depends on it.

Each use gets its own subkey (HMAC-SHA256 of a label), so a proxy token can never
be confused with a ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "secret.key"
KEY_BYTES = 32
NONCE_BYTES = 12


class InvalidMasterKey(ValueError):
    """The configured key cannot be used (the message never contains the key)."""


def _decode(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raise InvalidMasterKey("CLOUDBOOK_SECRET_KEY is not base64url") from None
    if len(raw) != KEY_BYTES:
        raise InvalidMasterKey(f"CLOUDBOOK_SECRET_KEY must decode to {KEY_BYTES} bytes")
    return raw


def load_master_key(data_dir: Path, configured: str | None = None) -> bytes:
    """The configured key, or the data dir's key file (created, 0600, when missing)."""
    if configured:
        return _decode(configured)
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o600)  # made by hand or by an older version: keep it private
        return _decode(path.read_text())
    with os.fdopen(fd, "w") as f:
        f.write(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("="))
        f.flush()
        os.fsync(f.fileno())
    return _decode(path.read_text())


class Keyring:
    def __init__(self, master: bytes) -> None:
        if len(master) != KEY_BYTES:
            raise InvalidMasterKey(f"the master key must be {KEY_BYTES} bytes")
        self._master = master

    def subkey(self, label: str) -> bytes:
        return hmac.new(self._master, b"cloudbook:" + label.encode(), hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes, context: bytes) -> bytes:
        """AES-256-GCM; ``context`` (who owns it, under which name) is authenticated, so a
        ciphertext copied to another row does not decrypt."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + AESGCM(self.subkey("secrets")).encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, context: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM(self.subkey("secrets")).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], context
        )

    def sign(self, label: str, message: bytes) -> bytes:
        return hmac.new(self.subkey(label), message, hashlib.sha256).digest()
