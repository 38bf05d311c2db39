"""Administer console accounts from the command line.

Usage::

    python -m bot.admin add-agent NAME [--password -] [--role agent|supervisor]
                                       [--skills a,b] [--capacity N] [--display-name X]
                                       # again for a new password: signs them out
    python -m bot.admin list-agents
    python -m bot.admin disable-agent NAME      # and sign them out everywhere
    python -m bot.admin enable-agent NAME

Uses REDIS_URL and REDIS_PREFIX like the gateway. ``--password -`` reads the password
from standard input; without ``--password`` it is asked for (not echoed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from pydantic import ValidationError

from bot.console.accounts import AccountError, Accounts, Role, parse_skills
from bot.console.sessions import end_all
from bot.handoff import HandoffError, HandoffQueue
from bot.handoff.keys import Keys
from bot.redisurl import async_client
from bot.settings import Settings, get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keep the usage lines
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-agent", help="create or replace a console account")
    add.add_argument("name", help="user name (also the agent id)")
    add.add_argument("--password", help="the password ('-' reads it from stdin)")
    add.add_argument("--role", choices=[r.value for r in Role], default="agent")
    add.add_argument(
        "--skills", default="", help="comma-separated, e.g. billing,lang:de"
    )
    add.add_argument("--capacity", type=int, default=3, help="concurrent chats")
    add.add_argument("--display-name", default="", help="name shown to customers")
    commands.add_parser("list-agents", help="list every console account")
    for verb in ("disable", "enable"):
        sub = commands.add_parser(f"{verb}-agent", help=f"{verb} an account")
        sub.add_argument("name")
    return parser


def _password(value: str | None) -> str:
    if value == "-":
        return sys.stdin.readline().rstrip("\n")
    if value is None:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise AccountError("the passwords differ")
        return first
    return value


async def run(args: argparse.Namespace, settings: Settings) -> str:
    """Carry out one command; returns what to print."""
    client = async_client(settings.redis_url, decode_responses=True)
    try:
        keys = Keys(settings.redis_prefix)
        queue = HandoffQueue(client, prefix=settings.redis_prefix)
        accounts = Accounts(client, keys, queue)
        if args.command == "add-agent":
            existed = await accounts.get(args.name) is not None
            account = await accounts.add(
                args.name,
                _password(args.password),
                name=args.display_name,
                role=args.role,
                skills=parse_skills(args.skills),
                capacity=args.capacity,
            )
            skills = ",".join(sorted(account.skills)) or "-"
            return (
                f"{account.role.value} {account.id} ({account.name}) saved: "
                f"capacity {account.capacity}, skills {skills}"
                + ("; its earlier sessions were signed out" if existed else "")
            )
        if args.command == "list-agents":
            lines = [
                f"{a.id}\t{a.role.value}\t{a.name}\tcapacity {a.capacity}\t"
                f"skills {','.join(sorted(a.skills)) or '-'}"
                + ("\tdisabled" if a.disabled else "")
                for a in await accounts.all()
            ]
            return "\n".join(lines) or "no accounts yet"
        disabled = args.command == "disable-agent"
        await accounts.set_disabled(args.name, disabled)
        if disabled:
            ended = await end_all(client, keys, args.name)
            return f"{args.name} disabled ({ended} sessions ended)"
        return f"{args.name} enabled"
    finally:
        await client.aclose()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it; 0 on success, 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        print(asyncio.run(run(args, get_settings())))
    except (AccountError, HandoffError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:  # the settings, e.g. a REDIS_URL that cannot work
        problems = "; ".join(str(e["msg"]) for e in error.errors())
        print(f"error: {problems}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
