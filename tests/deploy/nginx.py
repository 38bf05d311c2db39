"""Debian's nginx with the shipped site (deploy/nginx/) on this machine's loopback:
the site file rendered for free ports, a self-signed certificate and a prefix of
the test's own, started in the foreground and stopped by its process id.

The shipped files are used as they are but for the lines a server's operator edits
too (listen ports, the gateways, the certificate, where the snippet lives): each is
replaced exactly once, so a change of the site's shape fails here, not silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.ops.ports import free_port
from bot.settings import ROOT

SITE = ROOT / "deploy" / "nginx" / "support.conf"
SNIPPET = ROOT / "deploy" / "nginx" / "support-proxy.conf"


def nginx_binary() -> str:
    """Debian's nginx; missing, a skip that says how to install it (a failure in CI,
    where ``make test`` installs it first: scripts/nginx.sh)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    message = (
        "Debian's nginx is missing; install it with `bash scripts/nginx.sh` "
        "(make test does this)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def self_signed(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` (an IP address) and its key, made by openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=IP:{host}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced; it must occur exactly once."""
    assert text.count(old) == 1, f"the shipped site should have {old!r} once"
    return text.replace(old, new)


def render_site(
    *, https: int, http: int, gateways: list[str], cert: Path, key: Path, snippet: Path
) -> str:
    """deploy/nginx/support.conf for this machine: loopback ports, test gateways."""
    text = SITE.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    text = replace_once(text, "listen 80;", f"listen 127.0.0.1:{http};")
    text = replace_once(
        text, "listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"
    )
    servers = "\n    ".join(f"server {g};" for g in gateways)
    text = replace_once(text, "server 127.0.0.1:8000;", servers)
    live = "/etc/letsencrypt/live/support.example.com"
    text = replace_once(text, f"{live}/fullchain.pem", str(cert))
    text = replace_once(text, f"{live}/privkey.pem", str(key))
    return replace_once(text, "/etc/nginx/snippets/support-proxy.conf", str(snippet))


def main_config(prefix: Path, site: Path) -> str:
    """A whole nginx.conf around ``site``: pid, logs and temporary files in
    ``prefix``, in the foreground (the test owns the master process)."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "daemon off;\n"
        "worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


@dataclass
class Nginx:
    """The shipped site in a prefix of its own, in front of ``gateways``."""

    prefix: Path
    gateways: list[str]
    https: int = field(default_factory=free_port)
    http: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.binary = nginx_binary()
        # Run as root (CI), nginx's workers are "nobody": they must reach the
        # temporary folders inside the prefix. The key stays the master's (0600).
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.prefix.chmod(0o755)
        self.cert, key = self_signed(self.prefix)
        snippet = self.prefix / "support-proxy.conf"
        shutil.copyfile(SNIPPET, snippet)
        site = self.prefix / "support.conf"
        site.write_text(
            render_site(
                https=self.https,
                http=self.http,
                gateways=self.gateways,
                cert=self.cert,
                key=key,
                snippet=snippet,
            ),
            encoding="utf-8",
        )
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(main_config(self.prefix, site), encoding="utf-8")

    @property
    def base(self) -> str:
        """The HTTPS address customers use."""
        return f"https://127.0.0.1:{self.https}"

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-c", str(self.conf), *extra]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` of this configuration."""
        return subprocess.run(  # noqa: S603 - our own arguments
            self.command("-t"), capture_output=True, text=True, check=False
        )

    def start(self, timeout: float = 30) -> None:
        """Start the master in the foreground; return once both ports accept."""
        log = (self.prefix / "stderr.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers in its group: stopped together
        )
        log.close()
        deadline = time.monotonic() + timeout
        for port in (self.https, self.http):
            while not _accepts(port):
                if self.process.poll() is not None:
                    raise AssertionError(f"nginx exited: {self.errors()}")
                assert time.monotonic() < deadline, f"nginx not up: {self.errors()}"
                time.sleep(0.05)

    def errors(self) -> str:
        """What nginx said on stderr and in its error log."""
        parts = [self.prefix / "stderr.log", self.prefix / "error.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def stop(self) -> None:
        """SIGQUIT (finish open requests), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
