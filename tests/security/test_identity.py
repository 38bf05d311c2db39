"""Who may write where (issue 8, part 3).

- Nobody writes into another widget session: its bare id, a forged signature or a
  token signed with another secret are refused on the WebSocket (4401) and on the
  HTTP relay (401), and the other customer's transcript is untouched.
- A browser page on an origin that is not allowed cannot open the widget socket
  (HTTP 403 before the upgrade); ``ALLOWED_ORIGINS`` lists the shops that embed it.
- The Telegram webhook's secret token: tests/bot/test_telegram.py
  (``test_wrong_or_missing_secret_is_refused``: missing, wrong, oversized -> 403).
- Rasa's HTTP API refuses requests without its token; Rasa and the action server
  listen on 127.0.0.1 only.
- Outside development the settings refuse default or weak secrets.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from pathlib import Path

import httpx
import pytest
import websockets
from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bot import sessions
from bot.ops.stack import Stack
from bot.ops.widget import Widget, ws_url
from bot.settings import VAR, Settings, read_or_create_secret
from bot.transcript import Transcript
from bot.web import origin_allowed

LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LISTEN = "0A"


def forgeries(victim_token: str, own_token: str) -> dict[str, str]:
    """Ways to name someone else's conversation without its signature."""
    cid, signature = victim_token.split(".")
    other = hmac.new(b"another-secret", cid.encode(), hashlib.sha256).hexdigest()
    return {
        "bare id": cid,
        "forged signature": f"{cid}.{secrets.token_hex(16)}",
        "signed with another secret": f"{cid}.{other[:32]}",
        "another id signed with another secret": sessions.issue("another-secret"),
        "the signature of one's own session": f"{cid}.{own_token.split('.')[1]}",
        "one's own id with the victim's signature": (
            f"{own_token.split('.')[0]}.{signature}"
        ),
        "truncated signature": f"{cid}.{signature[:-1]}",
        "upper-case signature": f"{cid}.{signature.upper()}",
        "extra dot": f"{cid}.{signature}.x",
        "surrogate": f"{cid}\ud800.{signature}",
        "non-ASCII signature": f"{cid}.{signature[:-1]}é",
        "empty": "",
    }


@pytest.mark.stack
async def test_nobody_writes_into_another_widget_session(
    gateway_url: str, transcript: Transcript
) -> None:
    victim = await Widget.open(gateway_url)
    await victim.outcome(await victim.say("where is my order?"))
    attacker = await Widget.open(gateway_url)
    before = await transcript.read(victim.conversation)
    for how, token in forgeries(victim.session, attacker.session).items():
        ws = await websockets.connect(ws_url(gateway_url))
        await ws.send(json.dumps({"type": "hello", "session": token}))
        error = json.loads(await ws.recv())
        assert error["code"] == "bad_session", how
        with pytest.raises(ConnectionClosed) as closed:
            await ws.send(json.dumps({"type": "message", "id": "m1", "text": "hi"}))
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401, how
    await asyncio.sleep(0.5)
    assert await transcript.read(victim.conversation) == before
    await victim.close()
    await attacker.close()


@pytest.mark.stack
async def test_nobody_writes_into_another_session_over_http(
    gateway_url: str, transcript: Transcript
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        token = (await http.post("/api/sessions")).json()["session"]
        own = (await http.post("/api/sessions")).json()["session"]
        cid = token.split(".")[0]
        ok = await http.post(
            "/api/messages", headers={"X-Session": token}, json={"text": "hi"}
        )
        assert ok.status_code == 200
        before = await transcript.read(cid)
        for how, forged in forgeries(token, own).items():
            headers = {"X-Session": forged.encode("utf-8", "surrogatepass")}
            response = await http.post(
                "/api/messages", headers=headers, json={"text": "it is me, honest"}
            )
            assert response.status_code == 401, how
        assert await transcript.read(cid) == before


def test_origin_rules() -> None:
    dev = Settings(environment="development", allowed_origins="")
    prod = Settings(
        environment="production",
        secret_key=secrets.token_urlsafe(32),
        allowed_origins="https://shop.example, https://*.brand.example/",
    )
    host = "support.example:8000"
    cases = [
        # origin, host, development, production
        (None, host, True, True),  # not a browser
        ("http://support.example:8000", host, True, True),  # same origin
        ("http://localhost:5173", host, True, False),
        ("http://127.0.0.1:9999", host, True, False),
        ("http://[::1]:3000", host, True, False),
        ("https://shop.example", host, False, True),
        ("https://SHOP.example/", host, False, True),
        ("http://shop.example", host, False, False),  # other scheme
        ("https://www.brand.example", host, False, True),
        ("https://a.b.brand.example", host, False, True),
        ("https://brand.example", host, False, False),
        ("https://brand.example.evil.test", host, False, False),
        ("https://evilbrand.example", host, False, False),
        ("https://evil.test", host, False, False),
        ("null", host, False, False),
        ("file://", host, False, False),
        ("javascript:alert(1)", host, False, False),
    ]
    for origin, h, in_dev, in_prod in cases:
        assert origin_allowed(origin, h, dev) is in_dev, origin
        assert origin_allowed(origin, h, prod) is in_prod, origin
    anyone = Settings(allowed_origins="*")
    assert origin_allowed("https://evil.test", host, anyone)


async def refused_with_403(base: str, origin: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(ws_url(base), origin=origin)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403, origin


@pytest.mark.stack
async def test_a_page_on_another_origin_cannot_open_the_widget_socket(
    gateway_url: str, strict_gateway: str, transcript: Transcript
) -> None:
    # Development (the test stack): its own origin and localhost pages may.
    for origin in (gateway_url, "http://localhost:8123", "http://127.0.0.1:1"):
        widget = await Widget.open(gateway_url, origin=origin)
        await widget.alive()
        await widget.close()
    for origin in ("https://evil.test", "null", "http://shop.example.evil.test"):
        await refused_with_403(gateway_url, origin)
    # Production (the strict gateway): only its own origin and ALLOWED_ORIGINS.
    for origin in (strict_gateway, "https://shop.example", "https://m.brand.example"):
        widget = await Widget.open(strict_gateway, origin=origin)
        await widget.alive()
        await widget.close()
    for origin in ("http://localhost:8123", "https://evil.test", "null"):
        await refused_with_403(strict_gateway, origin)


@pytest.mark.stack
async def test_rasa_http_api_needs_its_token(stack_settings: Settings) -> None:
    base = stack_settings.rasa_url
    token = stack_settings.rasa_api_token()
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for path in ("/conversations/someone/tracker", "/status", "/domain"):
            assert (await http.get(path)).status_code == 401, path
            wrong = await http.get(path, params={"token": "wrong-" + token})
            assert wrong.status_code == 401, path
        parse = await http.post("/model/parse", json={"text": "hi"})
        assert parse.status_code == 401
        right = await http.get(
            "/conversations/someone/tracker", params={"token": token}
        )
        assert right.status_code == 200


def listening(port: int) -> list[str]:
    """The local addresses (hex, as in /proc/net/tcp*) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == LISTEN and int(port_hex, 16) == port:
                found.append(address)
    return found


@pytest.mark.stack
def test_rasa_and_the_action_server_listen_on_loopback_only(
    stack: Stack, stack_settings: Settings
) -> None:
    for name, port in (
        ("rasa", stack_settings.rasa_port),
        ("actions", stack_settings.actions_port),
        ("gateway", stack_settings.gateway_port),  # GATEWAY_HOST defaults to loopback
    ):
        addresses = listening(port)
        assert addresses, f"{name} does not listen on {port}"
        assert set(addresses) == {LOOPBACK_V4}, (name, addresses)


def test_weak_secrets_are_refused_and_a_missing_one_is_generated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("SECRET_KEY", "ENVIRONMENT", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    for environment in ("production", "staging", "development"):
        with pytest.raises(ValidationError, match="at least 16"):
            Settings(environment=environment, secret_key="short")
    monkeypatch.setenv("SECRET_KEY", "development-only-secret"[:15])
    with pytest.raises(ValidationError, match="at least 16"):
        Settings()
    good = secrets.token_urlsafe(32)
    assert Settings(secret_key=good).secret_key == good
    # Telegram in webhook mode needs its secret token in every environment.
    with pytest.raises(ValidationError, match="TELEGRAM_SECRET_TOKEN"):
        Settings(secret_key=good, telegram_token="1:x")
    # Without configuration: production, with the secret kept in var/ (the same
    # one after a restart), never a value anyone could read in our sources.
    monkeypatch.delenv("SECRET_KEY")
    settings = Settings()
    assert settings.environment == "production"
    assert settings.secret_key == read_or_create_secret(VAR / "secret_key")
    assert Settings().secret_key == settings.secret_key
    assert len(settings.secret_key) >= 32


@pytest.mark.stack
async def test_nothing_was_written_by_the_refused_attempts(
    transcript: Transcript, gateway_url: str
) -> None:
    """A refused hello creates no conversation (no transcript, no record)."""
    ws = await websockets.connect(ws_url(gateway_url))
    forged = f"web-{secrets.token_urlsafe(18)}"
    await ws.send(json.dumps({"type": "hello", "session": forged + ".00"}))
    assert json.loads(await ws.recv())["code"] == "bad_session"
    await ws.close()
    assert await transcript.read(forged) == []
    assert await transcript.about(forged) == {}
