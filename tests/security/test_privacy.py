"""Personal data in logs, Redis key names and exports (issue 8, part 4).

Unit part: ``bot.privacy.redact`` masks every generated e-mail address, Luhn-valid card
number (spaces, dashes or none) and phone number (Hypothesis), and leaves alone the
numbers the system logs itself (times, stream ids, order numbers, chat ids, dates,
addresses). The log filter masks messages, arguments, tracebacks and URL secrets.

Stack part: generated personal data goes in through the widget and Telegram (and an
e-mail address as a console user name, and as an action name to the action server,
both of which those processes log); then the new lines of every log file of the test
stack, every Redis key name of the stack, and the supervisors' CSV export must not
contain it, while the agent still reads it in the live transcript. Transcript values
keep the customer's words on purpose: the agent needs them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st

from bot.handoff import HandoffQueue, TicketState
from bot.ops.fake_telegram import FakeTelegramAPI
from bot.ops.stack import Stack
from bot.ops.widget import Widget
from bot.privacy import (
    CARD_MARK,
    EMAIL_MARK,
    PHONE_MARK,
    RedactingFilter,
    install_log_redaction,
    luhn_ok,
    redact,
)
from bot.settings import ROOT, Settings
from bot.transcript import Transcript
from tests.bot.console.conftest import ConsoleClient, random_ip
from tests.polling import until
from tests.security.conftest import (
    new_chat,
    post_update,
    tg_update,
)

LOG_DIR = ROOT / "var" / "test-logs"

# -- generated personal data ---------------------------------------------------------


def luhn_complete(partial: str) -> str:
    """``partial`` with the check digit that makes it pass the Luhn check."""
    for digit in "0123456789":
        if luhn_ok(partial + digit):
            return partial + digit
    raise AssertionError("unreachable")


def group(digits: str, sep: str, size: int = 4) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


@st.composite
def cards(draw: st.DrawFn) -> str:
    """A Luhn-valid card number of 13-19 digits, written as people write them."""
    length = draw(st.integers(13, 19))
    first = draw(st.sampled_from("23456"))
    middle = draw(st.text("0123456789", min_size=length - 2, max_size=length - 2))
    number = luhn_complete(first + middle)
    sep = draw(st.sampled_from(["", " ", "-"]))
    return group(number, sep) if sep else number


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A phone number in one of the shapes customers type."""

    def digits(n: int, first: str = "0123456789") -> str:
        head = draw(st.sampled_from(first))
        return head + draw(st.text("0123456789", min_size=n - 1, max_size=n - 1))

    shape = draw(st.integers(0, 6))
    if shape == 0:
        return f"+{digits(2, '123456789')} {digits(4)} {digits(6)}"
    if shape == 1:
        return f"+{digits(1, '123456789')}{digits(10, '23456789')}"
    if shape == 2:
        return f"({digits(3, '23456789')}) {digits(3)}-{digits(4)}"
    if shape == 3:
        return f"{digits(3, '23456789')}.{digits(3)}.{digits(4)}"
    if shape == 4:
        return f"0{digits(4)} {digits(6)}"
    if shape == 5:
        return f"0{digits(10)}"
    return f"{digits(3, '23456789')}-{digits(3)}-{digits(4)}"


SURROUNDINGS = st.sampled_from(
    [
        "{}",
        "my details: {}.",
        "({})",
        "call/write {} please",
        "«{}»",
        "number:{}",
        "{}\nthanks",
    ]
)


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@given(card=cards(), around=SURROUNDINGS)
def test_every_generated_card_number_is_masked(card: str, around: str) -> None:
    masked = redact(around.format(card))
    assert CARD_MARK in masked
    assert digits_of(card) not in digits_of(masked)


@given(card=cards())
def test_a_card_number_that_fails_luhn_is_not_called_a_card(card: str) -> None:
    digits = digits_of(card)
    last = str((int(digits[-1]) + 1) % 10)
    assert CARD_MARK not in redact(digits[:-1] + last)


@given(email=st.emails(), around=SURROUNDINGS)
def test_every_generated_email_address_is_masked(email: str, around: str) -> None:
    masked = redact(around.format(email))
    assert EMAIL_MARK in masked
    assert "@" + email.split("@")[1] not in masked


@given(phone=phones(), around=SURROUNDINGS)
def test_every_generated_phone_number_is_masked(phone: str, around: str) -> None:
    masked = redact(around.format(phone))
    assert PHONE_MARK in masked, masked
    assert digits_of(phone)[-6:] not in digits_of(masked)


@given(text=st.text(st.characters(blacklist_categories=["Nd"]), max_size=200))
def test_text_without_digits_or_at_signs_is_left_alone(text: str) -> None:
    if "@" not in text:
        assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "order 48213 is late",
        "invoice INV-20931 and order 48213 2 items",
        "tg-1885794594 and tg-5123456789",
        "stream 1718000000000-0 after 1718000000123-12",
        "at 1718000000 (1718000000.25 s)",
        "2026-12-01T14:15:30+00:00 and 01/12/2026 and 12:30:45",
        "http://127.0.0.1:5005/webhooks/rest/webhook",
        "priority 51.6, position 2, wait 123.4 s, intensity 0.734",
        "rasa 3.6.21, python 3.11.7",
        "web-LwewaWakctz_aH1D86nBWfSh.ef1fd21f0ec9e7cddc37ade23d5393c5",
        "agent-1234567 held 3 chats",
        "£12.99 or 1,299.00 EUR",
    ],
)
def test_numbers_the_system_logs_itself_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_log_filter_masks_message_arguments_traceback_and_secrets() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("tests.security.privacy")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        log.warning("customer %s wrote %r", "ann@example.com", "4111 1111 1111 1111")
        try:
            raise ValueError("call me on +44 7700 900123")
        except ValueError:
            log.exception("failed for %d", 7)
        log.info("GET http://127.0.0.1:5005/status?token=s3cr3t-tok&x=1")
        log.info("POST https://api.telegram.org/bot123456:AAbbCC_dd-ee/sendMessage")
    finally:
        log.removeHandler(handler)
    text = "\n".join(records)
    for raw in ("ann@example.com", "4111 1111", "7700 900123", "s3cr3t", "AAbbCC"):
        assert raw not in text
    assert "customer [email] wrote '[card]'" in text and "[phone]" in text
    assert "failed for 7" in text and "ValueError" in text  # the traceback is kept
    assert "token=[secret]&x=1" in text and "/bot[secret]/sendMessage" in text


def test_install_puts_one_filter_on_every_handler() -> None:
    handler = logging.StreamHandler()
    logger = logging.getLogger("tests.security.install")
    logger.addHandler(handler)
    try:
        first = install_log_redaction()
        second = install_log_redaction()
        assert first is second
        filters = [f for f in handler.filters if isinstance(f, RedactingFilter)]
        assert filters == [first]
        assert logging.lastResort is not None
        assert first in logging.lastResort.filters
    finally:
        logger.removeHandler(handler)


# -- through the real stack ----------------------------------------------------------


@dataclass(frozen=True)
class Pii:
    """One set of generated personal data, unique to this run."""

    email: str
    card: str  # spaced
    card_dashed: str
    phone: str  # international
    phone_us: str

    @classmethod
    def generate(cls) -> Pii:
        rng = random.Random(secrets.randbits(64))

        def digits(n: int) -> str:
            return "".join(rng.choice("0123456789") for _ in range(n))

        visa = luhn_complete("4" + digits(14))
        master = luhn_complete("5" + str(rng.randint(1, 5)) + digits(13))
        return cls(
            email=f"pii.{secrets.token_hex(4)}@example.com",
            card=group(visa, " "),
            card_dashed=group(master, "-"),
            phone=f"+44 7700 9{digits(5)}",
            phone_us=f"({rng.randint(2, 9)}{digits(2)}) 555-{digits(4)}",
        )

    def forms(self) -> list[str]:
        """Every way the data could show up: as typed, and digits only."""
        typed = [self.email, self.card, self.card_dashed, self.phone, self.phone_us]
        digits = [digits_of(t) for t in typed[1:]]
        return typed + digits + [self.email.split("@")[0]]


def log_sizes() -> dict[Path, int]:
    return {p: p.stat().st_size for p in LOG_DIR.glob("*.log")}


def new_log_text(before: dict[Path, int]) -> Iterator[tuple[Path, str]]:
    """What each log file of the test stack got since ``before``."""
    for path in LOG_DIR.glob("*.log"):
        with path.open("rb") as handle:
            handle.seek(before.get(path, 0))
            yield path, handle.read().decode("utf-8", "replace")


@pytest.mark.stack
async def test_personal_data_is_masked_in_logs_keys_and_exports(
    stack: Stack,
    stack_settings: Settings,
    gateway_url: str,
    rds: aioredis.Redis,
    queue: HandoffQueue,
    transcript: Transcript,
    http: httpx.AsyncClient,
    telegram_api: FakeTelegramAPI,
    console_login: Any,
) -> None:
    pii = Pii.generate()
    before = log_sizes()
    details = (
        f"my card is {pii.card}, the other one {pii.card_dashed}; write to "
        f"{pii.email} or call {pii.phone}"
    )

    # The widget: an e-mail address as the name, everything in a message, then a
    # person; the agent reads it live and resolves with the phone number.
    widget = await Widget.open(gateway_url, name=pii.email)
    await widget.outcome(await widget.say(details))
    await widget.outcome(await widget.say("I want to talk to a real person, please"))
    web = widget.conversation
    await until(
        lambda: _state_is(queue, web, TicketState.QUEUED), 90, "the web handoff"
    )

    # Telegram: a phone number as the first name, the details, then /human.
    chat = new_chat()
    tg = f"tg-{chat}"
    for text in (details, "/human"):
        raw = tg_update(chat, text, first_name=pii.phone_us)
        assert (await post_update(http, gateway_url, stack_settings, raw)).is_success
    await until(lambda: _state_is(queue, tg, TicketState.QUEUED), 90, "the tg handoff")
    await until(lambda: len(telegram_api.texts(chat)) >= 2, 60, "telegram answers")

    # The agent sees the live text, answers and resolves.
    agent = await console_login("agent")
    await asyncio.to_thread(agent.online)
    claim = await asyncio.to_thread(agent.post, f"/console/api/chats/{web}/claim")
    assert claim.status_code == 200, claim.text
    token = claim.json()["token"]
    view = await asyncio.to_thread(agent.get, f"/console/api/chats/{web}")
    assert view.status_code == 200
    live = json.dumps(view.json(), ensure_ascii=False)
    for raw in (pii.card, pii.card_dashed, pii.email, pii.phone):
        assert raw in live, "the agent must see what the customer wrote"
    resolved = await asyncio.to_thread(
        agent.post,
        f"/console/api/chats/{web}/resolve",
        {"token": token, "text": f"called back on {pii.phone}, card {pii.card}"},
    )
    assert resolved.status_code == 200, resolved.text

    # Processes that log what they were sent: a failed sign-in (gateway, INFO) and an
    # unknown action (the action server's rasa_sdk, ERROR).
    ip = random_ip()
    stranger = ConsoleClient(gateway_url, ip)
    try:
        failed = await asyncio.to_thread(stranger.try_login, pii.email, "wrong")
        assert failed.status_code == 401
    finally:
        stranger.close()
    marker = "probe-" + secrets.token_hex(4)
    unknown = await http.post(
        f"{stack_settings.actions_url}/webhook",
        json={
            "next_action": f"{marker} {pii.email}",
            "sender_id": marker,
            "tracker": {"sender_id": marker, "slots": {}, "events": []},
            "domain": {},
            "version": "3.6.21",
        },
    )
    assert unknown.status_code == 404

    # The supervisors' export.
    supervisor = await console_login("supervisor")
    export = await asyncio.to_thread(
        supervisor.get, "/console/api/dashboard/handoffs.csv"
    )
    assert export.status_code == 200
    csv_text = export.text
    rows = {line.split(",")[0]: line for line in csv_text.splitlines()[1:]}
    assert EMAIL_MARK in rows[web] and PHONE_MARK in rows[web], rows[web]
    assert PHONE_MARK in rows[tg], rows[tg]

    await asyncio.sleep(1.0)  # let the processes write their last lines
    logs = dict(new_log_text(before))
    gateway_log = logs[LOG_DIR / "gateway.log"]
    assert f"failed console sign-in for '{EMAIL_MARK}' from {ip}" in gateway_log
    actions_log = logs[LOG_DIR / "actions.log"]
    assert f"{marker} {EMAIL_MARK}" in actions_log

    leaks = [
        f"{path.name}: {line[:200]}"
        for path, text in logs.items()
        for line in text.splitlines()
        for raw in pii.forms()
        if raw in line
    ]
    assert not leaks, leaks

    names = [k async for k in rds.scan_iter(match=f"*{stack_settings.redis_prefix}*")]
    assert any(web in k for k in names) and any(tg in k for k in names)
    for key in names:
        for raw in pii.forms():
            assert raw not in key, key
    for raw in pii.forms():
        assert raw not in csv_text, raw
    await widget.close()


async def _state_is(queue: HandoffQueue, cid: str, state: TicketState) -> bool:
    return await queue.state(cid) is state
