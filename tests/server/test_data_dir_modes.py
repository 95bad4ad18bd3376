"""The data dir, the store and the key are private to the service's user; a killed save
leaves nothing behind in drives."""

from __future__ import annotations

import stat
from pathlib import Path

from cloudbook.drive.safe_fs import TEMP_PREFIX
from cloudbook.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_data_dir_store_and_keys_are_private(tmp_path: Path) -> None:
    from cloudbook.server.app import create_app

    data = tmp_path / "data"
    (data / "drive" / "1" / "folder").mkdir(parents=True)
    data.chmod(0o755)
    leftover = data / "drive" / "1" / "folder" / (TEMP_PREFIX + "killed")
    leftover.write_bytes(b"half a notebook")
    users_file = data / "drive" / "1" / ".tmp-mine"  # a user's own file is not ours to remove
    users_file.write_bytes(b"keep")
    settings = Settings(data_dir=data, pool_size=0, open_browser=False)
    app = create_app(settings, wait_ready=True)
    async with app.router.lifespan_context(app):
        services = app.state.cloudbook.services
        assert services is not None
        await services.users.create("alice", "correct horse")
        assert mode(data) == 0o700
        assert mode(data / "cloudbook.db") == 0o600
        assert mode(data / "secret.key") == 0o600
        assert mode(data / "instance_id") == 0o600
        for side in ("cloudbook.db-wal", "cloudbook.db-shm"):
            if (data / side).exists():
                assert mode(data / side) == 0o600
    assert not leftover.exists()
    assert users_file.read_bytes() == b"keep"
