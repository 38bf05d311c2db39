"""Run one service alone, in the foreground: what a service manager (systemd,
docs/deploy.md) or a terminal on another machine starts.

    .venv/bin/python -m bot.ops.serve actions   # the action server
    .venv/bin/python -m bot.ops.serve rasa      # Rasa with the trained model
    .venv/bin/python -m bot.ops.serve gateway   # the gateway (uvicorn)

Each reads the same environment as ``make run`` (bot/settings.py) and replaces
itself with the very command ``make run`` would start (bot/ops/services.py builds both),
so signals and the exit code are the service's own. Where the others are comes from
the environment: ``REDIS_URL`` for all three, ``RASA_URL`` for the gateway and the
action server, ``ACTIONS_URL`` for the gateway and Rasa; where a service listens from
``GATEWAY_HOST``/``GATEWAY_PORT``, ``RASA_HOST``/``RASA_PORT`` and
``ACTIONS_HOST``/``ACTIONS_PORT``. Nothing is trained or started besides the one
service: Rasa needs a model file (``RASA_MODEL``, or the one ``make train`` made for
the current training data).
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.ops.preflight import StackError, check_handoff_config
from bot.ops.services import Service, actions_service, gateway_service, rasa_service
from bot.ops.train import model_path
from bot.settings import ROOT, Settings, problems

SERVICES = ("actions", "rasa", "gateway")


def loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is this machine only."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rasa_model(settings: Settings, environ: dict[str, str]) -> Path:
    """The model Rasa serves: RASA_MODEL, or the one trained for this checkout."""
    given = environ.get("RASA_MODEL", "")
    path = Path(given) if given else model_path()
    if not path.is_absolute():
        path = ROOT / path
    if not path.is_file():
        how = (
            f"RASA_MODEL={given} is not a file"
            if given
            else f"no model for this checkout's training data ({path.name} is missing)"
        )
        raise StackError(
            f"Cannot start Rasa: {how}. Train one with `make train` (it writes "
            "models/), or copy a model file here and set RASA_MODEL to its path."
        )
    return path


def check_token(name: str, settings: Settings, environ: dict[str, str]) -> None:
    """Refuse a Rasa token generated on this machine when Rasa is on another one
    (or serves other machines): the other side would not know it."""
    hosts = [urlsplit(url).hostname or "" for url in settings.rasa_urls]
    remote = not all(loopback(host) for host in hosts) or (
        name == "rasa" and not loopback(settings.rasa_host)
    )
    if remote and not environ.get("RASA_TOKEN"):
        raise StackError(
            f"Cannot start {name}: Rasa is reached over the network "
            f"(RASA_URL={','.join(settings.rasa_urls)}, "
            f"RASA_HOST={settings.rasa_host}), so "
            "RASA_TOKEN must be set, the same on every machine (e.g. python -c "
            "'import secrets; print(secrets.token_urlsafe(32))')."
        )


def service(name: str, environ: dict[str, str]) -> Service:
    """The command and environment of service ``name``, checked."""
    settings = Settings()
    check_token(name, settings, environ)
    if name == "actions":
        check_handoff_config()
        return actions_service(settings)
    if name == "rasa":
        return rasa_service(settings, rasa_model(settings, environ))
    check_handoff_config()
    return gateway_service(settings)


def main() -> None:
    """Command line entry point: check, then become the service."""
    args = sys.argv[1:]
    if len(args) != 1 or args[0] not in SERVICES:
        raise SystemExit(f"usage: python -m bot.ops.serve {{{','.join(SERVICES)}}}")
    try:
        chosen = service(args[0], dict(os.environ))
    except StackError as error:
        raise SystemExit(str(error.code)) from None
    except ValidationError as error:  # the settings: say which and why
        lines = "\n".join(f"  {line}" for line in problems(error))
        raise SystemExit(f"Cannot start with this configuration:\n{lines}") from None
    os.chdir(ROOT)
    sys.stdout.flush()
    os.execve(chosen.command[0], chosen.command, chosen.env)  # noqa: S606


if __name__ == "__main__":
    main()
