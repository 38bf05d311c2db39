"""The shop's page vouches for a customer with a signed token (security review, item 2).

Order details are shown only to a customer who proves the order is theirs; the action
server trusts the Rasa metadata ``customer_id`` as that proof. The gateway sends it
only for a session the shop vouched for with a valid customer token (bot/identity.py)
and never otherwise: not for a bad token, not on Telegram, not because a client put a
``customer_id`` into a frame or a body. A session bound to a customer is not resumed
without a valid token for the same customer (a shared computer, a signed-out
customer).

Most tests run on a gateway of their own that accepts customer tokens (``vouching``);
the stack's gateway has no CUSTOMER_TOKEN_SECRET and accepts none. What reaches Rasa
is read back from Rasa's tracker (the metadata of its ``user`` events).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
import redis.asyncio as aioredis
import websockets
from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed

from bot.conversations import Inbound, bot_metadata
from bot.handoff.keys import Keys
from bot.identity import (
    MAX_TOKEN_CHARS,
    BadCustomerToken,
    VouchedCustomer,
    vouched_customer,
)
from bot.ops.fake_telegram import FakeTelegramAPI
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.ops.widget import Widget, ws_url
from bot.settings import Settings
from bot.transcript import Author, Entry
from tests.polling import until
from tests.security.conftest import new_chat, post_update, tg_update

SECRET = secrets.token_urlsafe(48)  # shared with "the shop" of these tests
OTHER_KEY = secrets.token_urlsafe(48)
ANN, BEN = "c-1001", "c-1002"  # customers of data/store/demo_store.yml


def token(
    sub: str | None = ANN,
    *,
    exp_in: float | None = 600,
    key: str = SECRET,
    alg: str = "HS256",
    **claims: Any,
) -> str:
    """A customer token as the shop would sign it (``None`` leaves a claim out)."""
    if sub is not None:
        claims["sub"] = sub
    if exp_in is not None:
        claims["exp"] = int(time.time() + exp_in)
    return jwt.encode(claims, key, algorithm=alg)


def unsigned(sub: str = ANN) -> str:
    """An ``alg: none`` token: a header and claims, no signature."""
    return jwt.encode(
        {"sub": sub, "exp": int(time.time() + 600)}, None, algorithm="none"
    )


# name -> (how to make the token, what the message must say); made when a test runs,
# so "valid for ten minutes" holds however late in a run that is.
BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "expired": (lambda: token(exp_in=-600), "has expired"),
    "wrong signature": (lambda: token(key=OTHER_KEY), "signature is not valid"),
    "alg none": (unsigned, "must be signed with HS256"),
    "HS512 with another key": (
        lambda: token(key=OTHER_KEY, alg="HS512"),
        "must be signed with HS256",
    ),
    "HS512 with the shared key": (
        lambda: token(key=SECRET, alg="HS512"),
        "must be signed with HS256",
    ),
    "no sub": (lambda: token(sub=None), "lacks the 'sub' claim"),
    "no exp": (lambda: token(exp_in=None), "lacks the 'exp' claim"),
    "sub with spaces": (lambda: token(sub="c 1001"), "'sub' claim must be"),
    "overlong": (
        lambda: token(pad="x" * MAX_TOKEN_CHARS),
        f"longer than {MAX_TOKEN_CHARS}",
    ),
    "garbage": (lambda: "not-a-token", "malformed"),
}


# -- the token itself ------------------------------------------------------------------


def test_a_valid_token_names_the_customer() -> None:
    vouched = vouched_customer(token(name="  Ann\u202e Lee\x07 "), SECRET)
    assert vouched == VouchedCustomer(ANN, "Ann Lee")
    assert vouched_customer(token(name="A" * 200), SECRET).name == "A" * 80
    assert vouched_customer(token(name=7), SECRET).name == ""
    # Within the leeway of 30 s a just-expired token still counts, beyond it not.
    assert vouched_customer(token(exp_in=-10), SECRET).customer_id == ANN
    with pytest.raises(BadCustomerToken, match="expired"):
        vouched_customer(token(exp_in=-40), SECRET)


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_a_bad_token_says_what_is_wrong(name: str) -> None:
    make, says = BAD_TOKENS[name]
    bad = make()
    with pytest.raises(BadCustomerToken) as raised:
        vouched_customer(bad, SECRET)
    assert says in str(raised.value)


def test_no_token_is_accepted_without_a_secret() -> None:
    with pytest.raises(BadCustomerToken, match="not accepted here"):
        vouched_customer(token(), "")
    for not_text in (None, 7, {"sub": ANN}):
        with pytest.raises(BadCustomerToken, match="malformed"):
            vouched_customer(not_text, SECRET)


def test_settings_refuse_a_short_customer_token_secret() -> None:
    with pytest.raises(ValidationError, match="CUSTOMER_TOKEN_SECRET must have"):
        Settings(customer_token_secret="x" * 31)
    assert Settings(customer_token_secret="x" * 32).customer_token_secret
    assert Settings().customer_token_secret == ""  # default: no tokens


def test_the_metadata_carries_customer_id_exactly_when_vouched() -> None:
    entry = Entry(Author.CUSTOMER, "hi", id="1-0")
    anonymous = bot_metadata(Inbound("web-x", "web", "hi", customer_name="Ann"), entry)
    assert anonymous == {"channel": "web", "customer_name": "Ann", "entry": "1-0"}
    vouched = bot_metadata(Inbound("web-x", "web", "hi", customer_id=ANN), entry)
    assert vouched["customer_id"] == ANN


# -- gateways --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vouching_settings(stack_settings: Settings) -> Settings:
    """The stack's settings with a CUSTOMER_TOKEN_SECRET and a port of its own."""
    return stack_settings.model_copy(
        update={"gateway_port": free_port(), "customer_token_secret": SECRET}
    )


@pytest.fixture(scope="module")
def vouching(stack: Stack, vouching_settings: Settings) -> Iterator[str]:
    """A gateway on the test stack that accepts customer tokens."""
    service = stack.add_gateway(vouching_settings, "gateway-vouching")
    yield f"http://127.0.0.1:{vouching_settings.gateway_port}"
    stack.remove(service)


async def bound_to(rds: aioredis.Redis, settings: Settings, session_id: str) -> Any:
    """The customer field of a session's record (None: not bound)."""
    key = Keys(settings.redis_prefix).web_session(session_id)
    assert await rds.exists(key)
    return await rds.hget(key, "customer")


async def rasa_metadata(settings: Settings, cid: str) -> list[dict[str, Any]]:
    """The metadata of the conversation's customer messages as Rasa received them."""
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=30) as client:
        response = await client.get(
            f"/conversations/{cid}/tracker",
            params={"token": settings.rasa_api_token(), "include_events": "ALL"},
        )
    response.raise_for_status()
    events = response.json()["events"]
    return [e.get("metadata") or {} for e in events if e["event"] == "user"]


async def answered(widget: Widget, text: str = "hello") -> None:
    """The chat works: a message gets a bot (or system) answer."""
    outcome = await widget.outcome(await widget.say(text))
    assert outcome["type"] == "entry", outcome


async def refused(base: str, hello: dict[str, Any]) -> tuple[int, list[str]]:
    """Say ``hello``, expect no welcome: (close code, codes of the error frames)."""
    frames: list[dict[str, Any]] = []
    async with websockets.connect(ws_url(base)) as ws:
        await ws.send(json.dumps({"type": "hello", **hello}))
        with pytest.raises(ConnectionClosed):
            while True:
                frames.append(json.loads(await ws.recv()))
                assert frames[-1]["type"] != "welcome", frames
        assert ws.close_code is not None
        return ws.close_code, [f["code"] for f in frames if f["type"] == "error"]


@pytest.mark.stack
async def test_a_valid_token_binds_the_widget_session_and_reaches_rasa(
    vouching: str, vouching_settings: Settings, rds: aioredis.Redis
) -> None:
    widget = await Widget.open(vouching, customer_token=token(name="Ann Lee"))
    assert widget.session and widget.conversation.startswith("web-")
    assert not [f for f in widget.frames if f["type"] == "error"]
    assert await bound_to(rds, vouching_settings, widget.conversation) == ANN
    await answered(widget)
    [metadata] = await rasa_metadata(vouching_settings, widget.conversation)
    assert metadata["customer_id"] == ANN
    assert metadata["customer_name"] == "Ann Lee"  # the hello gave no name
    await widget.close()
    # A name in the hello wins over the token's.
    named = await Widget.open(vouching, customer_token=token(name="Ann"), name="Annie")
    await answered(named)
    [metadata] = await rasa_metadata(vouching_settings, named.conversation)
    assert (metadata["customer_id"], metadata["customer_name"]) == (ANN, "Annie")
    await named.close()


@pytest.mark.stack
@pytest.mark.parametrize("name", list(BAD_TOKENS))
async def test_a_bad_token_is_reported_and_the_chat_goes_on_unverified(
    name: str, vouching: str, vouching_settings: Settings, rds: aioredis.Redis
) -> None:
    make, says = BAD_TOKENS[name]
    bad = make()
    widget = await Widget.open(vouching, customer_token=bad)
    error = await widget.next("error", timeout=5)
    assert error["code"] == "bad_customer_token"
    assert says in error["message"]
    assert await bound_to(rds, vouching_settings, widget.conversation) is None
    await answered(widget)
    [metadata] = await rasa_metadata(vouching_settings, widget.conversation)
    assert "customer_id" not in metadata
    await widget.close()


@pytest.mark.stack
async def test_no_token_is_accepted_where_no_secret_is_set(
    gateway_url: str, stack_settings: Settings, rds: aioredis.Redis
) -> None:
    assert not stack_settings.customer_token_secret
    widget = await Widget.open(gateway_url, customer_token=token())
    error = await widget.next("error", timeout=5)
    assert error["code"] == "bad_customer_token"
    assert "not accepted here" in error["message"]
    assert await bound_to(rds, stack_settings, widget.conversation) is None
    await answered(widget)
    [metadata] = await rasa_metadata(stack_settings, widget.conversation)
    assert "customer_id" not in metadata
    await widget.close()


@pytest.mark.stack
async def test_a_bound_session_is_resumed_only_by_its_customer(
    vouching: str, vouching_settings: Settings, rds: aioredis.Redis
) -> None:
    first = await Widget.open(vouching, customer_token=token())
    await answered(first)
    await first.close()
    session = first.session
    # The same customer comes back (a new page load signs a new token).
    again = await Widget.open(vouching, session, customer_token=token(exp_in=900))
    assert again.conversation == first.conversation
    await again.close()
    # Signed out, or the next person at the computer: no token, another
    # customer's, or one that is not valid any more.
    assert await refused(vouching, {"session": session}) == (4401, ["bad_session"])
    hello = {"session": session, "customer_token": token(BEN)}
    assert await refused(vouching, hello) == (4401, ["bad_session"])
    hello = {"session": session, "customer_token": token(exp_in=-600)}
    assert await refused(vouching, hello) == (
        4401,
        ["bad_customer_token", "bad_session"],
    )
    assert await bound_to(rds, vouching_settings, first.conversation) == ANN


@pytest.mark.stack
async def test_signing_in_binds_an_anonymous_session_for_good(
    vouching: str, vouching_settings: Settings, rds: aioredis.Redis
) -> None:
    anonymous = await Widget.open(vouching)
    await answered(anonymous)
    await anonymous.close()
    signed_in = await Widget.open(vouching, anonymous.session, customer_token=token())
    assert signed_in.conversation == anonymous.conversation
    assert await bound_to(rds, vouching_settings, anonymous.conversation) == ANN
    await answered(signed_in, "thanks")
    metadata = await rasa_metadata(vouching_settings, anonymous.conversation)
    assert ["customer_id" in m for m in metadata] == [False, True]
    await signed_in.close()
    assert await refused(vouching, {"session": anonymous.session}) == (
        4401,
        ["bad_session"],
    )


@pytest.mark.stack
async def test_a_client_cannot_name_the_customer_itself(
    vouching: str, vouching_settings: Settings, http: httpx.AsyncClient
) -> None:
    async with websockets.connect(ws_url(vouching)) as ws:
        widget = Widget(ws)
        await widget.send(
            {"type": "hello", "session": None, "customer_id": ANN, "name": ANN}
        )
        widget.conversation = (await widget.next("welcome"))["conversation"]
        await widget.send(
            {"type": "message", "id": "m1", "text": "hello", "customer_id": ANN}
        )
        assert (await widget.outcome("m1"))["type"] == "entry"
    created = await http.post(f"{vouching}/api/sessions", json={"customer_id": ANN})
    assert created.status_code == 201, created.text
    session = created.json()["session"]
    response = await http.post(
        f"{vouching}/api/messages",
        json={"text": "hello", "customer_id": ANN, "metadata": {"customer_id": ANN}},
        headers={"X-Session": session},
    )
    assert response.status_code == 200, response.text
    for cid in (widget.conversation, session.partition(".")[0]):
        metadata = await rasa_metadata(vouching_settings, cid)
        assert metadata and all("customer_id" not in m for m in metadata), metadata


@pytest.mark.stack
async def test_telegram_never_sends_a_customer_id(
    vouching: str,
    vouching_settings: Settings,
    http: httpx.AsyncClient,
    telegram_api: FakeTelegramAPI,
) -> None:
    chat = new_chat()
    raw = tg_update(chat, "hello")
    assert (await post_update(http, vouching, vouching_settings, raw)).is_success
    await until(lambda: telegram_api.texts(chat), what="an answer in the chat")
    metadata = await rasa_metadata(vouching_settings, f"tg-{chat}")
    assert [m.get("channel") for m in metadata] == ["telegram"]
    assert "customer_id" not in metadata[0]


# -- the HTTP API ----------------------------------------------------------------------


@pytest.mark.stack
async def test_an_api_session_with_a_valid_token_is_bound(
    vouching: str,
    vouching_settings: Settings,
    rds: aioredis.Redis,
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        f"{vouching}/api/sessions", json={"customer_token": token(BEN)}
    )
    assert response.status_code == 201, response.text
    session = response.json()["session"]
    sid = session.partition(".")[0]
    assert await bound_to(rds, vouching_settings, sid) == BEN
    reply = await http.post(
        f"{vouching}/api/messages",
        json={"text": "hello"},
        headers={"X-Session": session},
    )
    assert reply.status_code == 200, reply.text
    [metadata] = await rasa_metadata(vouching_settings, sid)
    assert (metadata["channel"], metadata["customer_id"]) == ("api", BEN)


@pytest.mark.stack
async def test_an_api_session_without_a_token_is_anonymous(
    vouching: str,
    vouching_settings: Settings,
    rds: aioredis.Redis,
    http: httpx.AsyncClient,
) -> None:
    for kwargs in ({}, {"json": {}}, {"json": {"customer_token": None}}):
        response = await http.post(f"{vouching}/api/sessions", **kwargs)
        assert response.status_code == 201, (kwargs, response.text)
        sid = response.json()["session"].partition(".")[0]
        assert await bound_to(rds, vouching_settings, sid) is None
    reply = await http.post(
        f"{vouching}/api/messages",
        json={"text": "hello"},
        headers={"X-Session": response.json()["session"]},
    )
    assert reply.status_code == 200, reply.text
    [metadata] = await rasa_metadata(vouching_settings, sid)
    assert "customer_id" not in metadata


@pytest.mark.stack
@pytest.mark.parametrize("name", list(BAD_TOKENS))
async def test_an_api_session_with_a_bad_token_is_a_400(
    name: str, vouching: str, http: httpx.AsyncClient
) -> None:
    make, says = BAD_TOKENS[name]
    bad = make()
    response = await http.post(f"{vouching}/api/sessions", json={"customer_token": bad})
    assert response.status_code == 400, response.text
    assert says in response.json()["detail"]
    assert "session" not in response.json()


@pytest.mark.stack
async def test_an_api_token_is_refused_where_no_secret_is_set(
    gateway_url: str, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        f"{gateway_url}/api/sessions", json={"customer_token": token()}
    )
    assert response.status_code == 400
    assert "not accepted here" in response.json()["detail"]


@pytest.mark.stack
async def test_a_vouched_customer_sees_their_orders_without_a_question(
    vouching: str, http: httpx.AsyncClient
) -> None:
    """The whole point: a signed-in customer is not asked to prove anything for
    their own orders, in English or German, and still is for anyone else's."""
    session = (
        await http.post(f"{vouching}/api/sessions", json={"customer_token": token(ANN)})
    ).json()["session"]

    async def say(text: str) -> str:
        reply = await http.post(
            f"{vouching}/api/messages",
            json={"text": text},
            headers={"X-Session": session},
        )
        assert reply.status_code == 200, reply.text
        return " ".join(r.get("text", "") for r in reply.json()["replies"])

    own = await say("where is order 48213?")  # Ann's: shipped with DHL
    assert "DHL" in own and "JD014600003828" in own and "postcode" not in own
    other = await say("where is order 64450?")  # someone else's
    assert "postcode" in other and "DPD" not in other
    german = await say("Und wo ist meine Bestellung 13579? Danke.")  # Ann's too
    assert "13579" in german and "storniert" in german
