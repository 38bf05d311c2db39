"""Console accounts and sign-in through the real gateway: the admin CLI, passwords,
cookies, CSRF, sign-out, lock-out and the audit log of refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
import redis.asyncio as aioredis
from argon2 import PasswordHasher

from bot.console.accounts import AccountError, Accounts
from bot.handoff import HandoffQueue
from bot.settings import ROOT, Settings
from tests.bot.console.conftest import ConsoleClient, Maker

pytestmark = pytest.mark.stack


async def test_admin_cli_stores_a_hashed_password_and_registers_the_agent(
    stack_settings: Settings, rds: aioredis.Redis, queue: HandoffQueue, stack: object
) -> None:
    env = dict(os.environ)
    env.update(
        REDIS_URL=stack_settings.redis_url, REDIS_PREFIX=stack_settings.redis_prefix
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.admin",
            "add-agent",
            "cli-mia",
            "--password",
            "correct horse battery",
            "--role",
            "supervisor",
            "--skills",
            "billing,Deescalation",
            "--capacity",
            "4",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "supervisor cli-mia" in result.stdout
    stored = await rds.hgetall(queue.keys.account("cli-mia"))
    assert stored["role"] == "supervisor"
    assert "correct horse" not in str(stored)
    assert stored["password"].startswith("$argon2id$")
    assert PasswordHasher().verify(stored["password"], "correct horse battery")
    agent = await queue.agent("cli-mia")
    assert agent.agent.capacity == 4
    assert agent.agent.skills == {"billing", "deescalation"}

    bad = subprocess.run(
        [sys.executable, "-m", "bot.admin", "add-agent", "x y", "--password", "short"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "error: user name" in bad.stderr


@pytest.mark.parametrize(
    ("name", "password", "kw"),
    [
        ("", "long enough pw", {}),
        ("bad:name", "long enough pw", {}),
        ("<script>", "long enough pw", {}),
        ("ok-name", "short", {}),
        ("ok-name", "x" * 2000, {}),
        ("ok-name", "long enough pw", {"role": "admin"}),
        ("ok-name", "long enough pw", {"capacity": -1}),
    ],
)
async def test_bad_account_input_is_refused(
    accounts: Accounts, name: str, password: str, kw: dict[str, object]
) -> None:
    with pytest.raises(AccountError):
        await accounts.add(name, password, **kw)  # type: ignore[arg-type]
    assert await accounts.get("ok-name") is None


async def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, password = await make_account()
    client = clients()
    response = client.try_login(name, password)
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert "console_session=" in cookie
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # development: plain HTTP on loopback
    client.csrf = client.get("/console/api/me").json()["csrf"]
    me = client.get("/console/api/me").json()
    assert me["account"]["id"] == name and me["account"]["role"] == "agent"
    assert "password" not in str(me)

    page = client.get("/console")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]

    assert client.post("/console/api/logout").status_code == 200
    assert client.get("/console/api/me").status_code == 401
    again = clients()
    again.http.cookies.set("console_session", cookie.split(";")[0].split("=", 1)[1])
    assert again.get("/console/api/me").status_code == 401  # the old cookie is dead
    assert client.get("/console", follow_redirects=False).status_code == 303


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, _ = await make_account()
    wrong = clients().try_login(name, "not the password")
    unknown = clients().try_login("nobody-" + name, "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers or "console_session" not in str(
        wrong.headers.get("set-cookie")
    )


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"user": "", "password": "x"},
        {"user": "a" * 300, "password": "x"},
        {"user": "a", "password": "x" * 5000},
        {"user": ["a"], "password": "x"},
    ],
)
async def test_malformed_sign_in_requests_get_a_clear_4xx(
    clients: Callable[..., ConsoleClient], body: object, stack: object
) -> None:
    client = clients()
    token = client.login_page_token()
    response = client.http.post(
        "/console/api/login", json=body, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid request"
    garbage = client.http.post(
        "/console/api/login",
        content=b"\xff\xfe{not json",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert garbage.status_code in (400, 422)
    assert garbage.json()  # a JSON error, not a traceback


async def test_sign_in_without_the_login_pages_token_is_refused(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, password = await make_account()
    client = clients()
    client.login_page_token()  # has the cookie, but sends no header
    response = client.http.post(
        "/console/api/login", json={"user": name, "password": password}
    )
    assert response.status_code == 403
    forged = client.http.post(
        "/console/api/login",
        json={"user": name, "password": password},
        headers={"X-CSRF-Token": "guess"},
    )
    assert forged.status_code == 403
    other_site = clients()
    token = other_site.login_page_token()
    evil = other_site.http.post(
        "/console/api/login",
        json={"user": name, "password": password},
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert evil.status_code == 403
    assert clients().try_login(name, password).status_code == 200


async def test_state_changes_without_the_session_csrf_token_are_refused_and_audited(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    rds: aioredis.Redis,
    queue: HandoffQueue,
) -> None:
    name, password = await make_account()
    client = clients().login(name, password)
    for headers in ({"X-CSRF-Token": ""}, {"X-CSRF-Token": "x" * 43}):
        response = client.http.post(
            "/console/api/presence", json={"status": "online"}, headers=headers
        )
        assert response.status_code == 403
        assert response.json()["detail"]["error"] == "csrf"
    cross = client.post(
        "/console/api/presence",
        {"status": "online"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert (await queue.agent(name)).status.value == "offline"  # nothing changed
    ok = client.post("/console/api/presence", {"status": "online"})
    assert ok.status_code == 200 and ok.json()["presence"]["status"] == "online"
    entries = await rds.xrevrange(queue.keys.audit, count=50)
    csrf = [f for _i, f in entries if f.get("agent") == name and f["outcome"] == "csrf"]
    assert len(csrf) == 3


async def test_five_failures_lock_the_account_even_for_the_right_password(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, password = await make_account()
    for _ in range(5):
        assert clients().try_login(name, "wrong password").status_code == 401
    locked = clients().try_login(name, password)  # another address, right password
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 800
    assert "try again in 15 minutes" in locked.json()["detail"]["message"]
    other, other_password = await make_account()
    assert clients().try_login(other, other_password).status_code == 200


async def test_one_address_is_locked_after_many_failures_on_any_accounts(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, password = await make_account()
    ip = clients().ip
    for i in range(20):
        response = clients(ip).try_login(f"guess-{i}", "wrong password")
        assert response.status_code == 401
    assert clients(ip).try_login(name, password).status_code == 429
    assert clients().try_login(name, password).status_code == 200


async def test_a_success_clears_the_accounts_earlier_failures(
    make_account: Maker, clients: Callable[..., ConsoleClient]
) -> None:
    name, password = await make_account()
    for _ in range(4):
        clients().try_login(name, "wrong password")
    assert clients().try_login(name, password).status_code == 200
    for _ in range(4):
        clients().try_login(name, "wrong password")
    assert clients().try_login(name, password).status_code == 200


async def test_a_disabled_account_is_signed_out_and_cannot_sign_in(
    make_account: Maker, clients: Callable[..., ConsoleClient], accounts: Accounts
) -> None:
    name, password = await make_account()
    client = clients().login(name, password)
    await accounts.set_disabled(name, True)
    assert client.get("/console/api/me").status_code == 401
    assert clients().try_login(name, password).status_code == 401
