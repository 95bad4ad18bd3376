"""`cloudbook` command line. Sub-commands import what they need when they run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudbook.settings import Settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the database and drive live (env CLOUDBOOK_DATA_DIR; "
        "default ~/.local/share/cloudbook)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy async URL (env CLOUDBOOK_DATABASE_URL; default: SQLite in the data dir)",
    )


# (flag, settings field, help): each runtime's limits, docs/limits.md.
LIMIT_FLAGS = (
    ("--runtime-memory", "runtime_memory", "memory incl. swap, e.g. 2G"),
    ("--runtime-highmem-memory", "runtime_highmem_memory", "memory of high-RAM runtimes"),
    ("--runtime-cpus", "runtime_cpus", "CPUs, e.g. 2 or 0.5"),
    ("--runtime-pids", "runtime_pids", "processes and threads"),
    ("--runtime-disk", "runtime_disk", "size of /content plus the writable layers, e.g. 50G"),
)


def _limit_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "runtime limits",
        "per runtime; unset: Colab-like defaults scaled to this host. Enforced with "
        "cgroups (v2 or v1) as root, per-process rlimits otherwise.",
    )
    for flag, field, text in LIMIT_FLAGS:
        kind: Any = {"runtime_cpus": float, "runtime_pids": int}.get(field, str)
        env = "CLOUDBOOK_" + field.upper()
        group.add_argument(flag, type=kind, default=None, help=f"{text} (env {env})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudbook", description="A self-hosted Colaboratory.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the service")
    _common(serve)
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000; 0 picks one)")
    serve.add_argument("--no-browser", action="store_true", help="do not open a browser")
    serve.add_argument("--pool-size", type=int, default=None, help="warm runtimes (default 1)")
    _limit_flags(serve)

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add a user")
    _common(add)
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="make the user an administrator")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    passwd = user_sub.add_parser(
        "passwd", help="set a user's password (ends all their browser sessions)"
    )
    _common(passwd)
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.add_argument(
        "--revoke-tokens", action="store_true", help="also revoke all the user's API tokens"
    )

    listing = user_sub.add_parser("list", help="list users (name, role, state, sign-in)")
    _common(listing)
    for action, text in (
        ("disable", "lock a user out (sessions and tokens stop working at once)"),
        ("enable", "let a disabled user in again"),
    ):
        p = user_sub.add_parser(action, help=text)
        _common(p)
        p.add_argument("name")
    make_admin = user_sub.add_parser("admin", help="make a user an administrator")
    _common(make_admin)
    make_admin.add_argument("name")
    make_admin.add_argument("--revoke", action="store_true", help="take the rights away")
    quota = user_sub.add_parser(
        "quota", help="set a user's quotas; 'default' returns one to the service's default"
    )
    _common(quota)
    quota.add_argument("name")
    quota.add_argument("--drive", default=None, help="drive size, e.g. 5G")
    quota.add_argument("--runtimes", default=None, help="runtimes at once")
    quota.add_argument("--gpu-hours", default=None, help="GPU hours in total")

    token = sub.add_parser("token", help="personal API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="create a token and print it")
    _common(create)
    create.add_argument("user")
    create.add_argument("--name", default="", help="a label for the token")
    tokens = token_sub.add_parser("list", help="list a user's tokens (ids and labels)")
    _common(tokens)
    tokens.add_argument("user")
    revoke = token_sub.add_parser("revoke", help="revoke a user's API tokens")
    _common(revoke)
    revoke.add_argument("user")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, default=None, help="the token with this id")
    which.add_argument("--name", default=None, help="every token with this label")
    which.add_argument("--all", action="store_true", help="every token of the user")

    run = sub.add_parser("run", help="run a notebook headless, form fields as parameters")
    _common(run)
    run.add_argument("notebook", type=Path)
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a form field (#@param) before running; repeatable",
    )
    run.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="where to write the executed notebook (default NAME.out.ipynb)",
    )
    run.add_argument("--user", default=None, help="run as this user (default: the first admin)")
    run.add_argument("--list-params", action="store_true", help="print the form fields and exit")
    run.add_argument(
        "--stdin", type=Path, default=None, metavar="FILE", help="lines to answer input() with"
    )
    run.add_argument(
        "--upload",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a file that files.upload() receives as NAME; repeatable",
    )
    run.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a secret for userdata.get / auth.authenticate_user; VALUE @FILE reads a file "
        "(keeps the value out of the process list); repeatable",
    )
    run.add_argument(
        "--secrets-file",
        type=Path,
        default=None,
        metavar="FILE",
        help='secrets as a JSON object {"KEY": "value"}',
    )
    run.add_argument(
        "--require-gpu",
        action="store_true",
        help="run on a GPU or fail (without it a notebook asking for a GPU warns and uses "
        "the CPU when there is none)",
    )

    image = sub.add_parser("image", help="runtime images: the Python environments of runtimes")
    image_sub = image.add_subparsers(dest="image_command", required=True, metavar="ACTION")
    build = image_sub.add_parser("build", help="build an image from its manifest")
    _common(build)
    build.add_argument("name", nargs="?", default=None, help="default: CLOUDBOOK_RUNTIME_IMAGE")
    listing = image_sub.add_parser("list", help="list images and what runtimes use")
    _common(listing)
    remove = image_sub.add_parser("remove", help="delete every version of an image")
    _common(remove)
    remove.add_argument("name")

    audit = sub.add_parser("audit", help="the audit log, newest first (administrators)")
    _common(audit)
    audit.add_argument("--user", default=None, help="who acted or whom it was about")
    audit.add_argument("--kind", default=None, help="a kind (share.added) or family (share)")
    audit.add_argument("--since", default=None, help="ISO time, e.g. 2026-12-01T00:00")
    audit.add_argument("--until", default=None, help="ISO time")
    audit.add_argument("--limit", type=int, default=50, help="events to show (1-200)")
    audit.add_argument("--json", action="store_true", help="one JSON object a line")
    link = sub.add_parser("login-link", help="print a one-time login link for a user")
    _common(link)
    link.add_argument("user")
    link.add_argument("--url", default=None, help="the service's base URL")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    from cloudbook.settings import Settings

    overrides: dict[str, Any] = {}
    for flag, field in (
        ("data_dir", "data_dir"),
        ("database_url", "database_url"),
        ("host", "host"),
        ("port", "port"),
        ("pool_size", "pool_size"),
        *((field, field) for _, field, _ in LIMIT_FLAGS),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    if getattr(args, "no_browser", False):
        overrides["open_browser"] = False
    return Settings(**overrides)


USER_CHANGES = frozenset({"list", "disable", "enable", "admin", "quota"})


def _user_change(settings: Settings, args: argparse.Namespace) -> int:
    from cloudbook.cli import accounts

    action = args.user_command
    if action == "list":
        return accounts.user_list(settings)
    if action in ("disable", "enable"):
        return accounts.user_change(settings, args.name, disabled=action == "disable")
    if action == "admin":
        return accounts.user_change(settings, args.name, is_admin=not args.revoke)
    quotas = {
        field: getattr(args, flag)
        for flag, field in accounts.QUOTA_FLAGS
        if getattr(args, flag) is not None
    }
    return accounts.user_change(settings, args.name, quotas=quotas)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError

    from cloudbook.images.manifest import ManifestError
    from cloudbook.services.errors import ServiceError

    try:
        settings = settings_from(args)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(x) for x in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            print(
                f"cloudbook: invalid setting{' ' + where if where else ''}: {message}",
                file=sys.stderr,
            )
        return 2
    try:
        if args.command == "serve":
            from cloudbook.cli.serve import serve

            return serve(settings)
        if args.command == "run":
            from cloudbook.cli.run import run_command

            return run_command(
                settings,
                args.notebook,
                args.param,
                args.output,
                args.user,
                args.list_params,
                args.stdin,
                uploads=args.upload,
                secrets=args.secret,
                secrets_file=args.secrets_file,
                require_gpu=args.require_gpu,
            )
        if args.command == "image":
            from cloudbook.cli import image as image_cli

            if args.image_command == "build":
                return image_cli.image_build(settings, args.name)
            if args.image_command == "list":
                return image_cli.image_list(settings)
            return image_cli.image_remove(settings, args.name)
        from cloudbook.cli import admin

        if args.command == "user" and args.user_command in USER_CHANGES:
            return _user_change(settings, args)
        if args.command == "user":
            if args.user_command == "add":
                return admin.user_add(settings, args.name, args.admin, args.password_stdin)
            return admin.user_passwd(settings, args.name, args.password_stdin, args.revoke_tokens)
        if args.command == "token":
            if args.token_command == "list":
                return admin.token_list(settings, args.user)
            if args.token_command == "revoke":
                return admin.token_revoke(settings, args.user, args.id, args.name)
            return admin.token_create(settings, args.user, args.name)
        if args.command == "audit":
            from cloudbook.cli.audit import audit_list

            return audit_list(
                settings,
                user=args.user,
                kind=args.kind,
                since=args.since,
                until=args.until,
                limit=args.limit,
                as_json=args.json,
            )
        if args.command == "login-link":
            return admin.login_link(settings, args.user, args.url)
    except ServiceError as exc:
        print(f"cloudbook: {exc.message}", file=sys.stderr)
        return 1
    except ManifestError as exc:
        print(f"cloudbook: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2
