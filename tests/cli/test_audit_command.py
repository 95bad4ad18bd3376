"""`cloudbook audit`: the CLI's own account changes are in the log, filtered by user and
kind, as lines or JSON; bad input is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_admin_commands import cli


def test_audit_lists_cli_changes(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    cli("user", "add", "alice", "--password-stdin", *data, stdin="long enough\n")
    cli("user", "add", "bob", "--password-stdin", *data, stdin="bob's secret pw\n")
    assert cli("user", "disable", "alice", *data).returncode == 0
    cli("user", "passwd", "bob", "--password-stdin", *data, stdin="another secret\n")

    shown = cli("audit", "--user", "alice", *data)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines] == ["account.disabled", "account.added"]
    assert lines[0].split("\t")[2:4] == ["-", "alice"] and "via=cli" in lines[0]

    as_json = cli("audit", "--kind", "account", "--json", "--limit", "2", *data)
    events = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(e["kind"], e["subject"]) for e in events] == [
        ("account.password_reset", "bob"),
        ("account.disabled", "alice"),
    ]
    assert "secret" not in as_json.stdout + cli("audit", *data).stdout

    bad = cli("audit", "--since", "yesterday", *data)
    assert bad.returncode == 2 and "ISO" in bad.stderr
    bad = cli("audit", "--kind", "nonsense", *data)
    assert bad.returncode == 1 and "nonsense" in bad.stderr and "Traceback" not in bad.stderr
