"""The stock ``rasa init`` assistant: the reference point of ``bench.load``.

``python -m bench.stock`` prints the path of the stock model, creating it once:
``rasa init --no-prompt`` in a temporary directory (Rasa's own example data, its
default pipeline and policies: DIET, TED, memoization, rules) trains it, and the
tar.gz is cached as ``models/stock/stock-rasa-<version>.tar.gz``, keyed by the
installed Rasa version. ``stock_rasa()`` serves it on a free loopback port with
``rasa run --enable-api`` from an empty directory, so none of our endpoints or
credentials apply: in-memory tracker store, no action server (the stock model only
uses responses), the default REST channel.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.stack import LOG_DIR
from bot.ops.ports import free_port
from bot.ops.services import stop_group
from bot.ops.train import MODELS, RASA_BIN, rasa_env
from bot.settings import ROOT

STOCK = MODELS / "stock"
SITE_PACKAGES = ROOT / ".venv-rasa" / "lib"


def rasa_version() -> str:
    """The installed Rasa version (from its dist-info; no slow import)."""
    found = sorted(SITE_PACKAGES.glob("python3*/site-packages/rasa-*.dist-info"))
    if not found:
        raise SystemExit("Rasa is not installed in .venv-rasa; run `make setup`.")
    return found[-1].name.removeprefix("rasa-").removesuffix(".dist-info")


def stock_model(log: Path | None = None) -> Path:
    """The stock model for this Rasa version, trained by ``rasa init`` on first use."""
    target = STOCK / f"stock-rasa-{rasa_version()}.tar.gz"
    if target.exists():
        return target
    STOCK.mkdir(parents=True, exist_ok=True)
    log = log or LOG_DIR / "stock-init.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stock-rasa-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        print(f"training the stock `rasa init` model (log: {log}) ...", flush=True)
        with log.open("wb") as out:
            subprocess.run(
                [str(RASA_BIN), "init", "--no-prompt", "--init-dir", str(project)],
                cwd=tmp,
                env=rasa_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=True,
            )
        trained = sorted((project / "models").glob("*.tar.gz"))
        if not trained:
            raise SystemExit(f"rasa init trained no model; see {log}")
        partial = target.with_suffix(".partial")
        shutil.copyfile(trained[-1], partial)
        partial.replace(target)
    return target


@contextmanager
def stock_rasa(
    log_dir: Path = LOG_DIR,
) -> Iterator[tuple[str, int]]:
    """(URL, pid) of a Rasa server with the stock model, stopped afterwards."""
    model = stock_model()
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="stock-run-") as empty,
        (log_dir / "stock-rasa.log").open("ab") as out,
    ):
        process = subprocess.Popen(
            [
                str(RASA_BIN),
                "run",
                "--enable-api",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "--model",
                str(model),
            ],
            cwd=empty,
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # stop_group ends any Sanic workers too
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, url)
            yield url, process.pid
        finally:
            stop_group(process, 15)


def _wait_ready(
    process: subprocess.Popen[bytes], url: str, timeout: float = 240
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the stock Rasa server exited ({process.returncode})")
        try:
            status = httpx.get(f"{url}/status", timeout=2)
            if status.is_success and status.json().get("model_file"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the stock Rasa server was not ready after {timeout:.0f} s")


def main() -> None:
    """Print the stock model's path (training it if needed)."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    print(stock_model())


if __name__ == "__main__":
    main()
