"""Safe defaults (security review, issue 16): what a deployment gets when it sets
nothing, and the small things a hostile client could trip over.

Gateways here run alone (no Rasa: their /health says "degraded", which is enough for
the console and the docs) on the test Redis database under their own key prefix;
one runs with nothing configured, as a fresh clone's ``make run`` would, one with
``ENVIRONMENT=development``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import redis.asyncio as aioredis
from pydantic import ValidationError

from bot.console.accounts import Accounts
from bot.console.deps import same_origin
from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.ops.ports import free_port
from bot.ops.rasa_main import rasa_arguments
from bot.ops.services import Service
from bot.ops.stack import Stack
from bot.ratelimit import RateLimiter
from bot.settings import ROOT, Settings, read_or_create_secret
from tests.bot.console.conftest import ConsoleClient, random_ip
from tests.conftest import TEST_REDIS_URL

CHROMIUM = Path("/usr/bin/chromium")
PROXY_WARNING = "without X-Forwarded-For"

# -- audit events of the secret files (a hook cannot be removed: it checks a flag) --

_watched: dict[str, Any] = {"dir": None, "events": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    folder = _watched["dir"]
    if folder is None or event not in ("open", "os.chmod", "os.link", "os.rename"):
        return
    if str(args[0]).startswith(folder):
        _watched["events"].append((event, args))


sys.addaudithook(_audit)


def test_a_generated_secret_is_created_private_and_whole(tmp_path: Path) -> None:
    """Written under another name, created 0600 (never chmod-ed afterwards, so
    never readable by others, even with umask 0) and linked into place whole."""
    path = tmp_path / "var" / "secret_key"
    _watched.update(dir=str(tmp_path), events=[])
    umask = os.umask(0)
    try:
        value = read_or_create_secret(path)
    finally:
        os.umask(umask)
        _watched["dir"] = None
    events = _watched["events"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == value and len(value) >= 32
    assert not [e for e in events if e[0] in ("os.chmod", "os.rename")], events
    writes = [e for e in events if e[0] == "open" and e[1][2] & os.O_WRONLY]
    assert len(writes) == 1, events
    written, _mode, flags = writes[0][1]
    assert Path(written) != path and flags & os.O_EXCL and flags & os.O_CREAT
    links = [e[1][:2] for e in events if e[0] == "os.link"]
    assert [(Path(a), Path(b)) for a, b in links] == [(Path(written), path)]
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]
    assert read_or_create_secret(path) == value  # a restart keeps it


def test_processes_racing_to_create_a_secret_agree_on_one(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    start = threading.Barrier(8)
    values: list[str] = []

    def create() -> None:
        start.wait()
        values.append(read_or_create_secret(path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(values) == 8 and set(values) == {path.read_text(encoding="utf-8")}
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]


def test_nothing_configured_means_production_with_a_kept_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("ENVIRONMENT", "SECRET_KEY", "RATE_IP_EXEMPT", "GATEWAY_HOST"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings()
    assert settings.environment == "production" and not settings.development
    assert settings.secure_cookies
    assert settings.secret_key == (ROOT / "var" / "secret_key").read_text().strip()
    assert settings.rate_exempt_ips == frozenset()
    assert settings.console_extra_origins == frozenset()


def test_development_is_refused_beyond_loopback() -> None:
    for host in ("127.0.0.1", "::1", "[::1]", "localhost"):
        assert Settings(environment="development", gateway_host=host).development
    for host in ("0.0.0.0", "::", "192.0.2.7", "shop.example"):  # noqa: S104
        with pytest.raises(ValidationError, match="must not be reachable"):
            Settings(environment="development", gateway_host=host)
        assert Settings(gateway_host=host).environment == "production"


def test_make_run_says_why_it_will_not_start_in_development_on_all_addresses() -> None:
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "GATEWAY_HOST": "0.0.0.0",  # noqa: S104
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.ops.stack", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "GATEWAY_HOST=0.0.0.0" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_console_origins_allows_no_extra_origin() -> None:
    settings = Settings(console_origins="")
    assert settings.console_extra_origins == frozenset()
    assert not same_origin("/", "support.example", settings)
    listed = Settings(console_origins=" https://proxy.example/ ,, ")
    assert listed.console_extra_origins == {"https://proxy.example"}
    assert same_origin("https://proxy.example", "support.example", listed)


async def test_loopback_is_rate_limited_like_any_address_by_default() -> None:
    """Behind a proxy without X-Forwarded-For every customer is 127.0.0.1."""
    settings = Settings(redis_prefix="d" + secrets.token_hex(4), rate_ip_per_minute=2)
    client = aioredis.Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    try:
        limiter = RateLimiter(client, settings)
        verdicts = [
            await limiter.customer_message(f"web-{i}", "127.0.0.1") for i in range(3)
        ]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert verdicts[2].scope == "ip"
        exempt = RateLimiter(
            client, settings.model_copy(update={"rate_ip_exempt": "127.0.0.1"})
        )
        assert (await exempt.customer_message("web-3", "127.0.0.1")).allowed
    finally:
        keys = [k async for k in client.scan_iter(match=f"*{settings.redis_prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def test_the_rasa_token_goes_by_environment_not_command_line() -> None:
    env = {"RASA_TOKEN": "-tok"}
    assert rasa_arguments(["run", "-p", "1"], env) == [
        "rasa",
        "run",
        "-p",
        "1",
        "--auth-token=-tok",
    ]
    assert rasa_arguments(["run", "--auth-token=x"], env)[-1] == "--auth-token=x"
    assert rasa_arguments(["train"], env) == ["rasa", "train"]
    assert rasa_arguments(["run"], {}) == ["rasa", "run"]


def _group_command_lines(pid: int) -> list[str]:
    """The command lines of every process in the group ``pid`` leads."""
    lines = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            raw = (entry / "cmdline").read_bytes()
        except (OSError, ProcessLookupError):
            continue
        lines.append(raw.replace(b"\0", b" ").decode(errors="replace"))
    return lines


@pytest.mark.stack
def test_the_rasa_token_is_not_visible_in_ps(stack: Stack) -> None:
    rasa = stack.service("rasa")
    assert rasa.process is not None
    token = stack.settings.rasa_api_token()
    lines = _group_command_lines(rasa.process.pid)
    assert lines and any("bot.ops.rasa_main" in line for line in lines)
    assert not [line for line in lines if token in line]
    status = f"{stack.settings.rasa_url}/status"
    assert httpx.get(status, timeout=10).status_code in (401, 403)
    assert httpx.get(status, params={"token": token}, timeout=10).status_code == 200


# -- gateways alone: nothing configured, and development -----------------------------


@contextmanager
def _lone_gateway(
    settings: Settings, name: str, logs: Path
) -> Iterator[tuple[str, Service]]:
    logs.mkdir(parents=True, exist_ok=True)
    stack = Stack(settings, ROOT / "models", log_dir=logs)
    service = stack.add_gateway(settings, name, degraded_ok=True)
    try:
        yield f"http://127.0.0.1:{settings.gateway_port}", service
    finally:
        stack.remove(service)
        client = redis.Redis.from_url(settings.redis_url)
        keys = list(client.scan_iter(match=f"*{settings.redis_prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="module")
def plain_settings() -> Iterator[Settings]:
    """Settings with nothing about environment, secrets or limits configured."""
    with pytest.MonkeyPatch.context() as env:
        for variable in ("ENVIRONMENT", "SECRET_KEY", "RATE_IP_EXEMPT"):
            env.delenv(variable, raising=False)
        yield Settings(
            redis_url=TEST_REDIS_URL,
            redis_prefix="d" + secrets.token_hex(4),
            gateway_port=free_port(),
            rasa_port=free_port(),  # nothing listens there
            actions_port=free_port(),
        )


@pytest.fixture(scope="module")
def plain_gateway(
    plain_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Service]]:
    """A gateway as a fresh clone runs it (production)."""
    logs = tmp_path_factory.mktemp("plain-gateway")
    with _lone_gateway(plain_settings, "gateway-defaults", logs) as running:
        yield running


@pytest.fixture(scope="module")
def dev_gateway(
    plain_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same, opted into development."""
    settings = plain_settings.model_copy(
        update={"gateway_port": free_port(), "environment": "development"}
    )
    logs = tmp_path_factory.mktemp("dev-gateway")
    with _lone_gateway(settings, "gateway-development", logs) as (url, _service):
        yield url


def test_api_docs_only_in_development(
    plain_gateway: tuple[str, Service], dev_gateway: str
) -> None:
    base, _ = plain_gateway
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert httpx.get(base + path, timeout=30).status_code == 404, path
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(dev_gateway + path, timeout=30).status_code == 200, path
    routes = httpx.get(dev_gateway + "/openapi.json", timeout=30).json()["paths"]
    assert "/api/messages" in routes


def test_cookies_are_secure_unless_development(
    plain_gateway: tuple[str, Service], dev_gateway: str
) -> None:
    base, _ = plain_gateway
    cookie = httpx.get(base + "/console/login", timeout=30).headers["set-cookie"]
    assert "secure" in cookie.lower()
    cookie = httpx.get(dev_gateway + "/console/login", timeout=30).headers["set-cookie"]
    assert "secure" not in cookie.lower()


def _log_lines(service: Service, needle: str) -> list[str]:
    assert service.log_path is not None
    text = service.log_path.read_text(errors="replace")
    return [line for line in text.splitlines() if needle in line]


def test_a_proxy_without_forwarded_headers_is_reported_once(
    plain_settings: Settings, tmp_path: Path
) -> None:
    settings = plain_settings.model_copy(
        update={"gateway_port": free_port(), "forwarded_allow_ips": "127.0.0.1"}
    )
    with _lone_gateway(settings, "gateway-proxied", tmp_path) as (base, service):
        _proxied_requests(base, service)


def _proxied_requests(base: str, service: Service) -> None:
    forwarded = {"X-Forwarded-For": random_ip()}
    for _ in range(2):
        httpx.get(base + "/proxied-with-header", headers=forwarded, timeout=30)
    httpx.get(base + "/proxied-without-header", timeout=30)
    httpx.get(base + "/proxied-again-without", timeout=30)
    deadline = time.monotonic() + 30
    while not _log_lines(service, PROXY_WARNING) and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = _log_lines(service, PROXY_WARNING)
    assert len(lines) == 1, lines
    assert "/proxied-without-header" in lines[0] and "127.0.0.1" in lines[0]


def _non_ascii(
    client: ConsoleClient, path: str, csrf: bytes, cookie: bytes | None = None
) -> httpx.Response:
    headers = {b"X-CSRF-Token": csrf}
    if cookie is not None:  # raw bytes, as a browser could send them
        headers[b"Cookie"] = b"console_login=" + cookie
    return client.http.post(path, json={"user": "x", "password": "y"}, headers=headers)


@pytest.mark.stack
async def test_non_ascii_csrf_tokens_are_refused_not_a_server_error(
    console_login: Any, gateway_url: str
) -> None:
    anonymous = ConsoleClient(gateway_url, random_ip())
    try:
        anonymous.login_page_token()  # sets the login cookie
        refused = _non_ascii(anonymous, "/console/api/login", "é".encode())
        assert refused.status_code == 403, refused.text
        anonymous.http.cookies.clear()
        login = "/console/api/login"
        refused = _non_ascii(anonymous, login, b"\xfc", "ü".encode())
        assert refused.status_code == 403, refused.text
        # The same non-ASCII bytes on both sides match: on to the password.
        wrong = _non_ascii(anonymous, login, "ü".encode(), "ü".encode())
        assert wrong.status_code == 401, wrong.text
    finally:
        anonymous.close()
    agent = await console_login()
    refused = await asyncio.to_thread(
        _non_ascii, agent, "/console/api/presence", "ünïcode".encode()
    )
    assert refused.status_code == 403, refused.text


# -- the browser: a fresh clone's gateway (production) on http://127.0.0.1 ----------


@pytest.fixture
async def plain_accounts(plain_settings: Settings) -> AsyncIterator[Accounts]:
    client = aioredis.Redis.from_url(plain_settings.redis_url, decode_responses=True)
    prefix = plain_settings.redis_prefix
    yield Accounts(client, Keys(prefix), HandoffQueue(client, prefix=prefix))
    await client.aclose()


async def test_the_console_works_in_a_browser_without_development_mode(
    plain_gateway: tuple[str, Service], plain_accounts: Accounts
) -> None:
    """``make run`` from a clean clone: Secure, __Host- cookies on loopback."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is missing; install it with scripts/browser.sh")
    from playwright.async_api import async_playwright, expect

    base, _ = plain_gateway
    name, password = "pw-" + secrets.token_hex(4), secrets.token_urlsafe(12)
    await plain_accounts.add(name, password, name="Sam")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(base + "/console")
            await page.get_by_test_id("login-user").fill(name)
            await page.get_by_test_id("login-password").fill(password)
            await page.get_by_test_id("login-submit").click()
            await expect(page.get_by_test_id("presence-toggle")).to_be_visible(
                timeout=60_000
            )
            cookies = {c["name"]: c for c in await context.cookies()}
            session = cookies["__Host-console_session"]
            assert session["secure"] and session["httpOnly"]
        finally:
            await browser.close()
