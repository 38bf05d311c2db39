"""Console cookies outside development: a second real gateway process with
ENVIRONMENT=production on the test stack's Redis (and its Rasa and action server)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.ops.ports import free_port
from bot.ops.services import app_env
from bot.settings import ROOT, Settings
from tests.bot.console.conftest import CSRF_META, Maker

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def production_url(stack_settings: Settings, stack: object) -> Iterator[str]:
    port = free_port()
    env = app_env(stack_settings) | {
        "ENVIRONMENT": "production",
        "GATEWAY_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bot.app:app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/console/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the production gateway did not start"
            assert time.monotonic() < deadline, "the production gateway is not up"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_cookies_are_secure_and_host_only_outside_development(
    production_url: str, make_account: Maker
) -> None:
    name, password = await make_account()
    with httpx.Client(base_url=production_url, timeout=60) as http:
        page = http.get("/console/login")
        login_cookie = page.headers["set-cookie"]
        assert "Secure" in login_cookie and "HttpOnly" in login_cookie
        token = CSRF_META.search(page.text)
        assert token
        value = re.search(r"console_login=([^;]+)", login_cookie)
        assert value
        response = http.post(
            "/console/api/login",
            json={"user": name, "password": password},
            headers={
                "X-CSRF-Token": token.group(1),
                # httpx keeps Secure cookies for https only; a browser on https sends it
                "Cookie": f"console_login={value.group(1)}",
            },
        )
        assert response.status_code == 200, response.text
        cookie = next(
            c
            for c in response.headers.get_list("set-cookie")
            if c.startswith("__Host-console_session=")
        )
        flags = {f.strip().lower() for f in cookie.split(";")[1:]}
        assert {"httponly", "secure", "path=/", "samesite=strict"} <= flags
        assert not any(f.startswith("domain") for f in flags)
        session = cookie.split(";")[0]
        me = http.get("/console/api/me", headers={"Cookie": session})
        assert me.status_code == 200 and me.json()["account"]["id"] == name
        plain = http.get(
            "/console/api/me", headers={"Cookie": "console_session=" + session[23:]}
        )
        assert plain.status_code == 401  # only the __Host- cookie counts here
