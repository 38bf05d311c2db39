"""``python -m bot.ops.serve``: what it refuses, in words, before anything starts,
and the addresses of the others taken from RASA_URL and ACTIONS_URL (the services
started alone and wired by them: tests/deploy/test_nginx.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.ops.serve import loopback
from bot.ops.services import APP_PYTHON, app_env, rasa_service, rasa_service_env
from bot.settings import ROOT, Settings

SECRET = "s" * 32


def serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RASA_", "ACT"))}
    return subprocess.run(  # noqa: S603 - our own module
        [str(APP_PYTHON), "-m", "bot.ops.serve", *args],
        env=base | {"SECRET_KEY": SECRET} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_unknown_service_gets_the_usage() -> None:
    done = serve("redis")
    assert done.returncode != 0
    assert "usage: python -m bot.ops.serve {actions,rasa,gateway}" in done.stderr


@pytest.mark.parametrize(
    "value", ["ftp://10.0.0.5:5005", "10.0.0.5:5005", "http://h:1/webhook", "http://"]
)
def test_a_bad_service_url_is_named(value: str) -> None:
    done = serve("gateway", RASA_URL=value)
    assert done.returncode == 1
    assert "RASA_URL must be an http:// or https:// URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_rasa_over_the_network_needs_a_token_set_by_hand() -> None:
    done = serve("gateway", RASA_URL="http://10.0.0.5:5005")
    assert done.returncode == 1
    assert "RASA_TOKEN must be set, the same on every machine" in done.stderr
    done = serve("rasa", RASA_HOST="0.0.0.0")  # noqa: S104
    assert "RASA_TOKEN must be set" in done.stderr


def test_rasa_without_a_model_says_how_to_get_one(tmp_path: Path) -> None:
    done = serve("rasa", RASA_MODEL=str(tmp_path / "missing.tar.gz"))
    assert done.returncode == 1
    assert "is not a file" in done.stderr and "make train" in done.stderr


def test_the_addresses_of_the_others_come_from_the_urls() -> None:
    local = Settings(secret_key=SECRET, rasa_port=5101, actions_port=5102)
    assert local.rasa_url == "http://127.0.0.1:5101"
    assert local.actions_url == "http://127.0.0.1:5102"
    assert "RASA_URL" not in app_env(local)  # each process derives it from the port
    assert rasa_service_env(local)["ACTIONS_URL"] == "http://127.0.0.1:5102"
    remote = local.model_copy(
        update={
            "rasa_url_setting": "http://10.0.0.2:5005",
            "actions_url_setting": "https://actions.internal:8443",
            "rasa_host": "10.0.0.2",
        }
    )
    assert remote.rasa_url == "http://10.0.0.2:5005"
    env = app_env(remote)
    assert env["RASA_URL"] == "http://10.0.0.2:5005"
    assert env["ACTIONS_URL"] == "https://actions.internal:8443"
    assert rasa_service_env(remote)["ACTIONS_URL"] == "https://actions.internal:8443"
    command = rasa_service(remote, Path("model.tar.gz")).command
    assert command[command.index("-i") + 1] == "10.0.0.2"
    trailing = Settings(secret_key=SECRET, rasa_url="http://10.0.0.2:5005/")
    assert trailing.rasa_url == "http://10.0.0.2:5005"


def test_loopback_names() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert loopback(host), host
    for host in ("0.0.0.0", "10.0.0.5", "::", "rasa.internal"):  # noqa: S104
        assert not loopback(host), host


def test_rasa_url_may_list_several_rasa_servers() -> None:
    both = Settings(secret_key=SECRET, rasa_url=" http://10.0.0.2:5005/,http://h:1 ")
    assert both.rasa_urls == ["http://10.0.0.2:5005", "http://h:1"]
    assert both.rasa_url == "http://10.0.0.2:5005"
    assert app_env(both)["RASA_URL"] == "http://10.0.0.2:5005,http://h:1"
    done = serve("gateway", RASA_URL="http://127.0.0.1:5005,http://h:1/x")
    assert "RASA_URL must be an http:// or https:// URL" in done.stderr
    done = serve("gateway", ACTIONS_URL="http://127.0.0.1:5055,http://h:1")
    assert "ACTIONS_URL must be an http:// or https:// URL" in done.stderr
    assert "one (got" in done.stderr
    done = serve("gateway", RASA_URL="http://127.0.0.1:5005,http://10.0.0.5:5005")
    assert "RASA_TOKEN must be set" in done.stderr  # one of them is remote
