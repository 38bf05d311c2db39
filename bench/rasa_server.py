"""Use the running Rasa server, or start one on a free port for a benchmark."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.ops.ports import free_port
from bot.ops.services import rasa_service_env, stop_group
from bot.ops.train import RASA_BIN, ensure_model
from bot.settings import ROOT, get_settings


@dataclass
class RasaHandle:
    """Where a Rasa server answers and the token for its HTTP API."""

    url: str
    token: str
    pid: int | None = None  # the server's process, when started here

    def parse(self, client: httpx.Client, text: str) -> dict:
        """Rasa's NLU result for ``text``."""
        response = client.post(
            f"{self.url}/model/parse", params={"token": self.token}, json={"text": text}
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def _answers(url: str, token: str) -> bool:
    try:
        return (
            httpx.get(f"{url}/status", params={"token": token}, timeout=2).status_code
            == 200
        )
    except httpx.HTTPError:
        return False


@contextmanager
def rasa_server(
    url: str | None = None, model: Path | None = None, reuse: bool = True
) -> Iterator[RasaHandle]:
    """A Rasa server for NLU requests.

    Args:
        url: a running server to use; default: the one ``make run`` starts, if up.
        model: model to serve when a server has to be started (default: current).
        reuse: False starts a server of its own for ``model`` whatever runs.

    Yields:
        The server's handle; a server started here is stopped afterwards.
    """
    settings = get_settings()
    token = settings.rasa_api_token()
    url = url or settings.rasa_url
    if reuse and _answers(url, token):
        yield RasaHandle(url, token)
        return
    port = free_port()
    model = model or ensure_model()
    log = (ROOT / "var" / f"bench-rasa-{port}.log").open("wb")
    process = subprocess.Popen(
        [
            str(RASA_BIN.with_name("python")),
            "-m",
            "bot.ops.rasa_main",  # takes the token from RASA_TOKEN: not visible in ps
            "run",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "--enable-api",
            "--model",
            str(model),
        ],
        cwd=ROOT,
        env=rasa_service_env(settings) | {"RASA_TOKEN": token},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # stop_group ends the Sanic workers too
    )
    started = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while not _answers(started, token):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "could not start Rasa for the benchmark; "
                    f"see var/bench-rasa-{port}.log"
                )
            time.sleep(0.5)
        yield RasaHandle(started, token, process.pid)
    finally:
        stop_group(process, 20)
        log.close()
