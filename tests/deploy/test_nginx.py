"""The shipped nginx site (deploy/nginx/) checked by ``nginx -t``, and one whole
deployment behind it: Redis, the action server, Rasa and a gateway each started
alone (``python -m bot.ops.serve <name>``, as the systemd units do) on loopback
addresses of their own, wired only by REDIS_URL, RASA_URL and ACTIONS_URL, with the
real nginx in front over TLS. A customer chats over HTTPS and WSS, an agent's
console socket comes through too, and the rate limits count the address that
connected to nginx, not the proxy's and not one the client made up.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
import websockets

from actions.settings import ActionSettings
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.redis_server import RedisServer
from bot.ops.services import APP_PYTHON, Service
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.privacy import address_key
from bot.settings import ROOT, Settings
from tests.deploy.nginx import Nginx

LOG_DIR = ROOT / "var" / "test-logs" / "deploy"
# Each service on a loopback address of its own: a process that ignored RASA_URL or
# ACTIONS_URL and dialled 127.0.0.1 would find nothing there.
RASA_HOST, ACTIONS_HOST, GATEWAY_HOST = "127.0.0.2", "127.0.0.3", "127.0.0.4"
CUSTOMER, NEIGHBOUR = "127.0.0.5", "127.0.0.6"  # where the clients connect from
MADE_UP = "203.0.113.7"  # an X-Forwarded-For a client sends itself
SESSIONS_PER_HOUR = 3  # RATE_IP_SESSIONS_PER_HOUR of the deployment
CSRF_META = re.compile(r'name="login-csrf" content="([^"]+)"')


def test_the_shipped_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = Nginx(Path(tempfile.mkdtemp(dir=tmp_path)), ["127.0.0.1:8000"])
    done = nginx.check()
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_nginx_t_catches_a_broken_site(tmp_path: Path) -> None:
    nginx = Nginx(tmp_path / "nginx", ["127.0.0.1:8000"])
    snippet = nginx.prefix / "support-proxy.conf"
    snippet.write_text(snippet.read_text() + "\nproxy_read_timeout;\n")
    done = nginx.check()
    assert done.returncode != 0
    assert "proxy_read_timeout" in done.stderr


def clean_environment() -> dict[str, str]:
    """This process's environment without any variable the services read (so only
    what the test gives them wires them), HANDOFF_CONFIG kept (tests/conftest.py)."""
    ours = set()
    for model in (Settings, ActionSettings):
        for name, info in model.model_fields.items():
            ours.add(str(info.validation_alias or name).upper())
    ours |= {"FORWARDED_ALLOW_IPS", "RASA_MODEL", "RASA_TOKEN"}
    return {k: v for k, v in os.environ.items() if k.upper() not in ours}


@dataclass
class Deployment:
    """What the tests need to know about the running deployment."""

    nginx: Nginx
    redis_url: str
    prefix: str
    secret_key: str
    gateway: str  # the gateway's own address (nginx's upstream)

    @property
    def base(self) -> str:
        return self.nginx.base

    def tls(self) -> ssl.SSLContext:
        """Trusts the test's self-signed certificate, and checks the host name."""
        return ssl.create_default_context(cafile=str(self.nginx.cert))

    def client(self, source: str) -> httpx.AsyncClient:
        """An HTTPS client connecting from ``source``."""
        transport = httpx.AsyncHTTPTransport(verify=self.tls(), local_address=source)
        return httpx.AsyncClient(base_url=self.base, transport=transport, timeout=60)


@pytest.fixture(scope="module")
def deployment(model: Path) -> Iterator[Deployment]:
    """Redis, actions, Rasa and a gateway as separate processes, nginx in front."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deploy-") as scratch:
        directory = Path(scratch)
        server = RedisServer(directory / "redis", appendfsync=None)
        server.start()
        rasa_port, actions_port, gateway_port = free_port(), free_port(), free_port()
        rasa_url = f"http://{RASA_HOST}:{rasa_port}"
        actions_url = f"http://{ACTIONS_HOST}:{actions_port}"
        gateway_direct = f"http://{GATEWAY_HOST}:{gateway_port}"
        token, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        prefix = "dep" + secrets.token_hex(4)
        common = clean_environment() | {
            "REDIS_URL": server.url,
            "REDIS_PREFIX": prefix,
            "RASA_TOKEN": token,
            # where nothing listens: the services must use the URLs
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
        }
        actions = common | {
            "ACTIONS_HOST": ACTIONS_HOST,
            "ACTIONS_PORT": str(actions_port),
            "RASA_URL": rasa_url,
        }
        rasa = common | {
            "RASA_HOST": RASA_HOST,
            "RASA_PORT": str(rasa_port),
            "ACTIONS_URL": actions_url,
            "RASA_MODEL": str(model),
            "RASA_WORKERS": "1",
        }
        gateway = common | {
            "GATEWAY_HOST": GATEWAY_HOST,
            "GATEWAY_PORT": str(gateway_port),
            "RASA_URL": rasa_url,
            "ACTIONS_URL": actions_url,
            "SECRET_KEY": secret,
            "ENVIRONMENT": "production",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",  # nginx, and nothing else
            "RATE_IP_SESSIONS_PER_HOUR": str(SESSIONS_PER_HOUR),
        }

        def alone(name: str, env: dict[str, str], health: str, wait: float) -> Service:
            command = [str(APP_PYTHON), "-m", "bot.ops.serve", name]
            return Service(name, command, health, env, timeout=wait)

        stack = Stack(
            # what Stack.start checks is free on 127.0.0.1 before it starts them
            Settings(
                secret_key=secret,
                gateway_port=gateway_port,
                rasa_port=int(common["RASA_PORT"]),
                actions_port=int(common["ACTIONS_PORT"]),
            ),
            model,
            log_dir=LOG_DIR,
        )
        stack.services = [
            alone("actions", actions, f"{actions_url}/health", 180),
            alone("rasa", rasa, f"{rasa_url}/status?token={token}", 300),
            alone("gateway", gateway, f"{gateway_direct}/health", 90),
        ]
        nginx = Nginx(directory / "nginx", [f"{GATEWAY_HOST}:{gateway_port}"])
        try:
            stack.start()
            nginx.start()
            yield Deployment(
                nginx, server.url, prefix, secret, f"{GATEWAY_HOST}:{gateway_port}"
            )
        finally:
            nginx.stop()
            stack.stop()
            server.stop()


async def test_health_over_https_and_plain_http_sent_to_https(
    deployment: Deployment,
) -> None:
    async with deployment.client(CUSTOMER) as client:
        response = await client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ok",
        "redis": "ok",
        "rasa": "ok",
        "actions": "ok",
    }
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "nginx/" not in response.headers.get("server", "")  # no version shown
    plain = f"http://127.0.0.1:{deployment.nginx.http}/console?x=1"
    async with httpx.AsyncClient() as client:
        moved = await client.get(plain)
    assert moved.status_code == 301
    assert moved.headers["location"] == "https://127.0.0.1/console?x=1"


async def test_a_customer_chats_over_wss_and_an_agent_sees_it(
    deployment: Deployment,
) -> None:
    base = deployment.base
    # An agent, made with the admin tool on the deployment's Redis, signs in through
    # nginx and opens the console's socket.
    env = clean_environment() | {
        "REDIS_URL": deployment.redis_url,
        "REDIS_PREFIX": deployment.prefix,
        "SECRET_KEY": deployment.secret_key,
    }
    password = secrets.token_urlsafe(16)
    added = subprocess.run(  # noqa: S603 - our own tool
        [str(APP_PYTHON), "-m", "bot.admin", "add-agent", "robin", "--password", "-"],
        input=password + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    async with deployment.client(NEIGHBOUR) as agent:
        page = await agent.get("/console/login")
        login_csrf = CSRF_META.search(page.text)
        assert login_csrf, page.text[:300]
        signed_in = await agent.post(
            "/console/api/login",
            json={"user": "robin", "password": password},
            headers={"X-CSRF-Token": login_csrf.group(1), "Origin": base},
        )
        assert signed_in.status_code == 200, signed_in.text
        cookie = "; ".join(f"{k}={v}" for k, v in agent.cookies.items())
        assert cookie.startswith("__Host-")  # production cookies: HTTPS only
        console = await websockets.connect(
            base.replace("https", "wss") + "/console/ws",
            origin=base,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            ssl=deployment.tls(),
            local_addr=(NEIGHBOUR, 0),
        )
    try:
        first = json.loads(await asyncio.wait_for(console.recv(), 60))
        assert first["type"] in ("queue", "me")

        widget = await Widget.open(
            base, origin=base, ssl=deployment.tls(), local_addr=(CUSTOMER, 0)
        )
        try:
            # answered by the bot: gateway -> Rasa -> action server and back
            for text in ("hello", "where is order 48213?"):
                answer = await widget.outcome(await widget.say(text), timeout=120)
                assert answer["type"] == "entry", answer
                assert answer["entry"]["author"] == "bot", answer
                assert answer["entry"]["text"].strip()
            handed = await widget.outcome(
                await widget.say("I want to talk to a person"), timeout=120
            )
            assert handed["entry"]["kind"] == "handoff", handed
            conversation = widget.conversation

            async def queued() -> None:
                while True:
                    frame = json.loads(await console.recv())
                    items = frame.get("items") or []
                    ids = [item.get("id") for item in items]
                    if frame["type"] == "queue" and conversation in ids:
                        return

            await asyncio.wait_for(queued(), 60)
        finally:
            await widget.close()
    finally:
        await console.close()


async def test_rate_limits_count_the_address_that_reached_nginx(
    deployment: Deployment,
) -> None:
    keys = Keys(deployment.prefix)
    store = redis.Redis.from_url(deployment.redis_url, decode_responses=True)

    def sessions_of(address: str) -> int:
        key = keys.rate("newsession", address_key(deployment.secret_key, address))
        return int(store.get(key) or 0)

    before = sessions_of(CUSTOMER)
    spoofed = {"X-Forwarded-For": MADE_UP}
    async with deployment.client(CUSTOMER) as customer:
        statuses = []
        for _ in range(SESSIONS_PER_HOUR - before + 1):
            made = await customer.post("/api/sessions", headers=spoofed)
            statuses.append(made.status_code)
    # the customer's own address reaches its limit, whatever header it sends
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {200, 201}, statuses
    assert sessions_of(CUSTOMER) == SESSIONS_PER_HOUR
    assert sessions_of(MADE_UP) == 0
    assert sessions_of("127.0.0.1") == 0  # not the proxy's address either
    async with deployment.client(NEIGHBOUR) as neighbour:
        other = await neighbour.post("/api/sessions")
    assert other.status_code in (200, 201), other.text  # another customer is not
    store.close()
