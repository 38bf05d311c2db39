"""The Telegram channel through the real stack, against a fake Bot API on loopback.

The gateway under test is the real one (its PTB ``Application`` points at
``bot/ops/fake_telegram.py`` through ``TELEGRAM_API_URL``); updates are posted to its
webhook as Telegram would, and what it sends is read back from the fake. Extra gateway
processes show polling mode, the channel switched off, two gateways sharing the outbox
and a restart in the middle of sending.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import redis.asyncio as aioredis

from bot.conversations import Conversations
from bot.handoff import HandoffQueue, TicketState
from bot.handoff.keys import Keys
from bot.ops.fake_telegram import Call, FakeTelegramAPI
from bot.ops.ports import free_port
from bot.ops.services import APP_PYTHON, app_env
from bot.ops.stack import Stack
from bot.settings import ROOT, Settings
from bot.telegram import HUMAN_REQUEST
from bot.telegram_outbox import chat_id_of
from bot.telegram_render import render, split_text, utf16_units
from bot.telegram_webhook import SECRET_HEADER
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import EmotionClient, RasaClient
from tests.polling import until

T = TypeVar("T")
needs_stack = pytest.mark.stack

_update_ids = itertools.count(secrets.randbelow(10**6) * 1000 + 1)


def new_chat() -> int:
    """A private chat id nobody else in this run uses."""
    return 10**9 + secrets.randbelow(10**9)


def user(chat: int, first_name: str = "Ann") -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": first_name}


def message_update(
    chat: int,
    text: str | None = None,
    *,
    first_name: str = "Ann",
    kind: str = "message",
    chat_type: str = "private",
    **content: Any,
) -> dict[str, Any]:
    """An update as Telegram posts it (a text message unless ``content`` says else)."""
    update_id = next(_update_ids)
    message: dict[str, Any] = {
        "message_id": update_id % 100000,
        "date": int(time.time()),
        "chat": {"id": chat, "type": chat_type, "first_name": first_name},
        "from": user(chat, first_name),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command)}
            ]
    return {"update_id": update_id, kind: message}


def callback_update(chat: int, data: str, message_id: int) -> dict[str, Any]:
    """A tap on an inline button under the bot's message ``message_id``."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}",
            "from": user(chat),
            "chat_instance": f"ci{chat}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": "rating",
            },
        },
    }


def inline_data(call: Call) -> list[str]:
    """The callback data of a sent message's inline buttons."""
    markup = call.markup or {}
    return [
        b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
    ]


@dataclass
class Gateway:
    """A client of one gateway's Telegram webhook."""

    url: str
    secret: str
    http: httpx.AsyncClient

    async def post(
        self, update: dict[str, Any] | bytes, secret: str | None = "", **headers: str
    ) -> httpx.Response:
        """POST an update (dict as JSON, bytes as they are) with the secret header."""
        if secret is not None:
            headers[SECRET_HEADER] = secret or self.secret
        if isinstance(update, bytes):
            headers.setdefault("content-type", "application/json")
            return await self.http.post(
                f"{self.url}/telegram/webhook", content=update, headers=headers
            )
        return await self.http.post(
            f"{self.url}/telegram/webhook", json=update, headers=headers
        )


@pytest.fixture
async def gateway(gateway_url: str, stack_settings: Settings) -> AsyncIterator[Gateway]:
    async with httpx.AsyncClient(timeout=60) as http:
        yield Gateway(gateway_url, stack_settings.telegram_secret_token, http)


@pytest.fixture
async def aredis(stack_settings: Settings, stack: Stack) -> AsyncIterator[Any]:
    """Redis of the running test stack (its gateway sends what tests write)."""
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def transcript(aredis: Any, stack_settings: Settings) -> Transcript:
    return Transcript(aredis, prefix=stack_settings.redis_prefix)


@pytest.fixture
async def conversations(
    aredis: Any, stack_settings: Settings, transcript: Transcript
) -> AsyncIterator[Conversations]:
    """The core the agent console uses, in this (another) process."""
    s = stack_settings
    rasa = RasaClient(s.rasa_url, s.rasa_timeout_seconds, s.rasa_api_token())
    emotion = EmotionClient(s.actions_url)
    yield Conversations(
        redis=aredis,
        keys=Keys(s.redis_prefix),
        queue=HandoffQueue(aredis, prefix=s.redis_prefix),
        transcript=transcript,
        rasa=rasa,
        emotion=emotion,
    )
    await rasa.close()
    await emotion.close()


async def agent_says(transcript: Transcript, chat: int, *texts: str) -> None:
    """Agent entries written straight into the transcript (as the console would)."""
    for text in texts:
        await transcript.append(
            f"tg-{chat}", Entry(Author.AGENT, text, agent_id="a1", agent_name="Sam")
        )


# -- pure parts: splitting and rendering -------------------------------------------


def test_split_text_cuts_at_paragraphs_then_sentences_then_words() -> None:
    paragraph = "The parcel left our warehouse on Monday. " * 22  # ~900 chars
    text = "\n\n".join(paragraph.strip() for _ in range(10))
    parts = split_text(text)
    assert len(parts) == 3
    assert all(utf16_units(p) <= 4096 for p in parts)
    assert all(p.endswith("Monday.") for p in parts)
    assert "\n\n".join(parts) == text

    sentences = "Thanks for waiting. " * 400  # one paragraph, 8000 chars
    parts = split_text(sentences)
    assert all(p.endswith("waiting.") and utf16_units(p) <= 4096 for p in parts)
    assert " ".join(parts) == sentences.strip()

    words = "word " * 2000
    parts = split_text(words)
    assert all(not p.endswith(" ") and p.endswith("word") for p in parts)
    assert " ".join(parts) == words.strip()


def test_split_text_counts_utf16_units_and_cuts_unbroken_text_hard() -> None:
    emoji = "\U0001f600" * 3000  # 2 UTF-16 units each: 6000 units, no spaces
    parts = split_text(emoji)
    assert [utf16_units(p) for p in parts] == [4096, 6000 - 4096]
    assert "".join(parts) == emoji
    assert split_text("short") == ["short"]
    assert split_text("  \n ") == []


def test_render_plain_text_buttons_and_ratings() -> None:
    customer = Entry(Author.CUSTOMER, "hi")
    assert render(customer) == []
    [agent] = render(Entry(Author.AGENT, "<b>Hello</b>", agent_name="Sam"))
    assert agent.text == "Sam: <b>Hello</b>" and agent.markup is None
    [ask] = render(
        Entry(
            Author.BOT, "Did you mean X?", buttons=[{"title": "Yes", "payload": "/a"}]
        )
    )
    assert ask.keyboard is True
    assert ask.markup.to_dict()["keyboard"] == [[{"text": "Yes"}]]
    [after] = render(Entry(Author.BOT, "Okay."), keyboard_shown=True)
    assert after.keyboard is False and after.markup.to_dict()["remove_keyboard"]
    nps = {"id": "recommend", "text": "Recommend us?", "min": 0, "max": 10}
    csat = {"id": "csat", "text": "Happy?", "min": 1, "max": 5, "ends": ["No", "Yes"]}
    survey = {"survey": 3, "questions": [csat, nps]}
    [rating] = render(Entry(Author.BOT, "rate us", Kind.RATING_REQUEST, data=survey))
    assert rating.text == "rate us\n\nHappy? (1 = No, 5 = Yes)"
    buttons = rating.markup.to_dict()["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [
        f"rate:3:c:{n}" for n in range(1, 6)
    ]
    [ask] = render(Entry(Author.BOT, "Recommend us?", data={"ask": nps, "survey": 3}))
    rows = ask.markup.to_dict()["inline_keyboard"]
    assert [len(row) for row in rows] == [6, 5]
    assert rows[1][-1]["callback_data"] == "rate:3:n:10"
    comment = {"id": "comment", "text": "Anything else?", "skip": "Überspringen"}
    [words] = render(
        Entry(Author.BOT, "Anything else?", data={"ask": comment, "survey": 3})
    )
    assert words.markup.to_dict()["inline_keyboard"] == [
        [{"text": "Überspringen", "callback_data": "rate:3:skip"}]
    ]
    assert chat_id_of("tg-42") == 42 and chat_id_of("tg--1001") == -1001
    assert chat_id_of("web-42") is None and chat_id_of("tg-x") is None


# -- in: messages, commands, secrets, repeats, bad input ---------------------------


@needs_stack
async def test_a_question_gets_a_caring_reply_in_plain_text(
    gateway: Gateway, telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    update = message_update(chat, "where is my order?")
    response = await gateway.post(update)
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    [reply] = await until(lambda: telegram_api.texts(chat), what="a reply")
    assert "order number" in reply.lower()
    [sent] = telegram_api.calls_to("sendMessage", chat)
    assert "parse_mode" not in sent.params  # plain text
    typing = telegram_api.calls_to("sendChatAction", chat)
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at < sent.at
    entries = await transcript.read(f"tg-{chat}")
    assert [(e.author, e.text) for e in entries] == [
        (Author.CUSTOMER, "where is my order?"),
        (Author.BOT, reply),
    ]
    assert entries[0].channel == "telegram"
    assert entries[0].client_id == f"u{update['update_id']}"
    about = await transcript.about(f"tg-{chat}")
    assert (
        about["customer_name"] == "Ann" and about["customer_ref"] == f"tg-user-{chat}"
    )


@needs_stack
async def test_start_greets_by_first_name_help_and_unknown_commands(
    gateway: Gateway, telegram_api: FakeTelegramAPI
) -> None:
    chat = new_chat()
    for text in ("/start", "/help", "/frobnicate"):
        response = await gateway.post(message_update(chat, text, first_name="Zoë"))
        assert response.status_code == 200
    texts = await until(
        lambda: len(telegram_api.texts(chat)) >= 3 and telegram_api.texts(chat)
    )
    greeting, help_text, unknown = texts
    assert greeting.startswith("Hi Zoë,") and "/human" in greeting
    assert "/human" in help_text and unknown == help_text


@needs_stack
async def test_customer_markup_stays_plain_text(
    gateway: Gateway, telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    name = "<b>Eve</b> *x* [y](http://evil)"
    await gateway.post(message_update(chat, "/start", first_name=name))
    script = "<script>alert(1)</script> where is my order?"
    await gateway.post(message_update(chat, script, first_name=name))
    texts = await until(
        lambda: len(telegram_api.texts(chat)) >= 2 and telegram_api.texts(chat)
    )
    assert texts[0].startswith(f"Hi {name},")
    for call in telegram_api.calls_to("sendMessage", chat):
        assert "parse_mode" not in call.params and "entities" not in call.params
    stored = [
        e.text
        for e in await transcript.read(f"tg-{chat}")
        if e.author is Author.CUSTOMER
    ]
    assert stored == [script]


@needs_stack
@pytest.mark.parametrize("secret", [None, "wrong", "x" * 300])
async def test_wrong_or_missing_secret_is_refused(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    secret: str | None,
) -> None:
    chat = new_chat()
    response = await gateway.post(message_update(chat, "hello"), secret=secret)
    assert response.status_code == 403
    assert "secret" in response.json()["error"].lower()
    await asyncio.sleep(1.0)
    assert await transcript.read(f"tg-{chat}") == []
    assert telegram_api.calls_to("sendMessage", chat, ok_only=False) == []


@needs_stack
async def test_a_repeated_update_is_processed_once(
    gateway: Gateway, telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    update = message_update(chat, "thank you")
    first = await gateway.post(update)
    again = await gateway.post(update)
    assert first.json() == {"ok": True}
    assert again.status_code == 200 and again.json()["duplicate"] is True
    # The same update arriving on several connections at once.
    other = message_update(chat, "hi there")
    answers = await asyncio.gather(*(gateway.post(other) for _ in range(4)))
    assert sorted(a.json().get("duplicate", False) for a in answers) == [
        False,
        True,
        True,
        True,
    ]
    cid = f"tg-{chat}"

    async def bot_entries() -> int:
        return sum(e.author is not Author.CUSTOMER for e in await transcript.read(cid))

    await until(lambda: len(telegram_api.texts(chat)) >= 2, what="both replies")
    await asyncio.sleep(2.0)
    customer = [
        e.text for e in await transcript.read(cid) if e.author is Author.CUSTOMER
    ]
    assert customer == ["thank you", "hi there"]
    assert len(telegram_api.texts(chat)) == await bot_entries()


@needs_stack
async def test_an_update_whose_gateway_died_mid_way_is_handled_on_the_retry(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    aredis: Any,
) -> None:
    chat = new_chat()
    update = message_update(chat, "hello, is anyone there")
    # What a gateway killed while handling the update leaves behind: a busy mark.
    seen = transcript.keys.telegram_update(update["update_id"])
    await aredis.set(seen, "busy", ex=2)
    retry = await gateway.post(update)  # Telegram's retry
    assert retry.json() == {"ok": True}
    await until(lambda: telegram_api.texts(chat), what="the reply")
    assert await aredis.get(seen) == "done"
    again = await gateway.post(update)
    assert again.json()["duplicate"] is True


MALFORMED = {
    "invalid JSON": (b"{not json", 400),
    "a JSON array": (b"[1, 2]", 400),
    "no update_id": (b'{"message": {"text": "hi"}}', 400),
    "update_id a string": (b'{"update_id": "7"}', 400),
    "update_id a boolean": (b'{"update_id": true}', 400),
    "update_id negative": (b'{"update_id": -4}', 400),
    "message not an object": (b'{"update_id": 91, "message": "hello"}', 400),
    "binary": (bytes(range(256)) * 4, 400),
    "deep nesting": (b"[" * 200_000, 400),
    "empty body": (b"", 400),
    "10 MB": (b'{"update_id": 1, "pad": "' + b"x" * (10 << 20) + b'"}', 413),
}


@needs_stack
@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_updates_get_a_clear_4xx(
    gateway: Gateway, gateway_url: str, name: str
) -> None:
    body, status = MALFORMED[name]
    response = await gateway.post(body)
    assert response.status_code == status, response.text
    assert response.json()["error"]
    health = await gateway.http.get(f"{gateway_url}/health")
    assert health.status_code == 200


@needs_stack
async def test_after_bad_input_the_channel_still_answers(
    gateway: Gateway, telegram_api: FakeTelegramAPI
) -> None:
    for body, _ in MALFORMED.values():
        await gateway.post(body)
    chat = new_chat()
    assert (await gateway.post(message_update(chat, "/start"))).status_code == 200
    await until(lambda: telegram_api.texts(chat), what="a greeting after bad input")


@needs_stack
async def test_non_text_updates_get_one_kind_note_or_are_ignored(
    gateway: Gateway, telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    photo = [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]
    for update in (
        message_update(chat, sticker=sticker),
        message_update(chat, photo=photo),  # within 30 s: no second note
        message_update(chat, "edited text", kind="edited_message"),
        message_update(chat, "a group message", chat_type="group"),
        callback_update(chat, "not-ours", 5),
        {
            "update_id": next(_update_ids),
            "poll_answer": {
                "poll_id": "1",
                "option_ids": [],
                "option_persistent_ids": [],
                "user": user(chat),
            },
        },
    ):
        response = await gateway.post(update)
        assert response.status_code == 200, response.text
    [note] = await until(lambda: telegram_api.texts(chat), what="the note")
    assert "only read text" in note
    [answered] = telegram_api.calls_to("answerCallbackQuery")[-1:]
    assert answered.params["callback_query_id"].startswith("cb")
    await asyncio.sleep(1.5)
    assert telegram_api.texts(chat) == [note]
    assert [e.author for e in await transcript.read(f"tg-{chat}")] == [Author.SYSTEM]


@needs_stack
async def test_empty_or_too_long_text_is_explained(
    gateway: Gateway, telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    await gateway.post(message_update(chat, "\u202e\u0007"))
    await gateway.post(message_update(chat, "a" * 4090))
    texts = await until(
        lambda: len(telegram_api.texts(chat)) >= 2 and telegram_api.texts(chat)
    )
    assert "couldn't find any text" in texts[0]
    assert "longer than 4000 characters" in texts[1]
    assert all(e.author is Author.SYSTEM for e in await transcript.read(f"tg-{chat}"))


# -- out: the outbox ----------------------------------------------------------------


@needs_stack
async def test_429_retry_after_is_honoured_and_nothing_is_lost(
    telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    telegram_api.fail("sendMessage", times=2, retry_after=2, chat_id=chat)
    words = ["one", "two", "three", "four"]
    await agent_says(transcript, chat, *words)
    texts = await until(
        lambda: len(telegram_api.texts(chat)) >= 4 and telegram_api.texts(chat),
        what="every message",
    )
    assert texts == [f"Sam: {w}" for w in words]
    every = telegram_api.calls_to("sendMessage", chat, ok_only=False)
    assert [c.answered for c in every] == [429, 429, 200, 200, 200, 200]
    assert every[1].at - every[0].at >= 1.9  # waited retry_after
    assert every[2].at - every[1].at >= 1.9
    sent = telegram_api.calls_to("sendMessage", chat)
    gaps = [b.at - a.at for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 0.9  # about one message per second per chat
    await asyncio.sleep(1.5)
    assert len(telegram_api.texts(chat)) == 4


@needs_stack
async def test_a_long_text_is_split_at_paragraphs(
    telegram_api: FakeTelegramAPI, transcript: Transcript
) -> None:
    chat = new_chat()
    paragraph = "Here is what happened with your parcel and what we do next. " * 15
    text = "\n\n".join(f"{i}. {paragraph.strip()}" for i in range(12))
    await transcript.append(f"tg-{chat}", Entry(Author.BOT, text))
    parts = await until(
        lambda: len(telegram_api.texts(chat)) >= 3 and telegram_api.texts(chat)
    )
    await asyncio.sleep(1.5)
    parts = telegram_api.texts(chat)
    assert len(parts) == 3
    assert all(utf16_units(p) <= 4096 and p.endswith("next.") for p in parts)
    assert "\n\n".join(parts) == text


# -- handoff (the survey: tests/bot/test_telegram_survey.py) -------------------------


@needs_stack
async def test_human_command_asks_for_a_person_and_opens_a_ticket(
    gateway: Gateway,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    conversations: Conversations,
) -> None:
    chat = new_chat()
    cid = f"tg-{chat}"
    assert (await gateway.post(message_update(chat, "/human"))).status_code == 200
    assert await conversations.queue.state(cid) is TicketState.QUEUED
    entries = await transcript.read(cid)
    assert entries[0].author is Author.CUSTOMER and entries[0].text == HUMAN_REQUEST
    handoff = [e.text for e in entries if e.kind is Kind.HANDOFF]
    assert handoff
    await until(lambda: handoff[-1] in telegram_api.texts(chat), what="handoff note")


# -- more gateway processes: polling, off, two gateways, restart --------------------


@dataclass
class Process:
    """One extra gateway process."""

    settings: Settings
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    def stop(self) -> None:
        """SIGTERM (a clean stop) and wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def launch(settings: Settings, name: str) -> Process:
    """Start a gateway process with ``settings`` (not waiting for it)."""
    log_dir = ROOT / "var" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            [
                str(APP_PYTHON),
                *("-m", "uvicorn", "bot.app:app", "--host", "127.0.0.1"),
                *("--port", str(settings.gateway_port), "--no-access-log"),
            ],
            cwd=ROOT,
            env=app_env(settings) | {"PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Process(settings, process)


async def healthy(gateway: Process, timeout: float = 60.0) -> Process:
    async with httpx.AsyncClient(timeout=5) as http:

        async def up() -> bool:
            assert gateway.process.poll() is None, "the gateway exited"
            try:
                return (await http.get(f"{gateway.url}/health")).status_code == 200
            except httpx.HTTPError:
                return False

        await until(up, timeout, what="an extra gateway")
    return gateway


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()


@pytest.fixture
async def other_prefix(aredis: Any) -> AsyncIterator[str]:
    """A key prefix of its own for a gateway that must not share the stack's chats."""
    prefix = "t" + secrets.token_hex(4)
    yield prefix
    keys = [
        k async for k in aredis.scan_iter(match=Keys(prefix).all_pattern, count=500)
    ]
    if keys:
        await aredis.delete(*keys)


@needs_stack
async def test_polling_mode_and_a_channel_without_token(
    stack_settings: Settings,
    telegram_api: FakeTelegramAPI,
    processes: list[Process],
    other_prefix: str,
) -> None:
    token = f"{secrets.randbelow(10**9)}:poll-{secrets.token_hex(6)}"
    polling = stack_settings.model_copy(
        update={
            "gateway_port": free_port(),
            "redis_prefix": other_prefix,
            "telegram_token": token,
            "telegram_mode": "polling",
        }
    )
    off = stack_settings.model_copy(
        update={"gateway_port": free_port(), "telegram_token": ""}
    )
    unreachable = stack_settings.model_copy(  # nothing listens on that port
        update={
            "gateway_port": free_port(),
            "telegram_api_url": f"http://127.0.0.1:{free_port()}/bot",
        }
    )
    processes += [
        launch(polling, "gateway-tg-polling"),
        launch(off, "gateway-tg-off"),
        launch(unreachable, "gateway-tg-unreachable"),
    ]
    for process in processes:
        await healthy(process)

    chat = new_chat()
    telegram_api.push_update(token, message_update(chat, "/start", first_name="Pia"))

    def greeting() -> list[str]:
        return [
            c.params["text"]
            for c in telegram_api.calls_to("sendMessage", chat)
            if c.token == token
        ]

    [text] = await until(greeting, what="a greeting fetched by polling")
    assert text.startswith("Hi Pia,")
    assert any(c.token == token for c in telegram_api.calls_to("deleteWebhook"))
    async with httpx.AsyncClient(timeout=10) as http:
        update = message_update(chat, "hi")
        headers = {SECRET_HEADER: stack_settings.telegram_secret_token}
        webhook = await http.post(
            f"{processes[0].url}/telegram/webhook", json=update, headers=headers
        )
        assert webhook.status_code == 404 and "polling" in webhook.json()["error"]
        webhook = await http.post(
            f"{processes[1].url}/telegram/webhook", json=update, headers=headers
        )
        assert webhook.status_code == 404
        assert "TELEGRAM_TOKEN" in webhook.json()["error"]
        assert (await http.get(f"{processes[1].url}/health")).status_code == 200
        # The Bot API away at start-up: Telegram is told to come back later.
        webhook = await http.post(
            f"{processes[2].url}/telegram/webhook", json=update, headers=headers
        )
        assert webhook.status_code == 503 and "not reachable" in webhook.json()["error"]
        assert webhook.headers["retry-after"]
        assert (await http.get(f"{processes[2].url}/health")).status_code == 200


@needs_stack
async def test_two_gateways_send_every_entry_once_in_order(
    stack_settings: Settings,
    telegram_api: FakeTelegramAPI,
    transcript: Transcript,
    processes: list[Process],
) -> None:
    hook = "https://support.example.test/telegram/webhook"
    second = stack_settings.model_copy(
        update={"gateway_port": free_port(), "telegram_webhook_url": hook}
    )
    processes.append(await healthy(launch(second, "gateway-tg-second")))
    [registered] = [
        c for c in telegram_api.calls_to("setWebhook") if c.params["url"] == hook
    ]
    assert registered.params["secret_token"] == second.telegram_secret_token
    chat = new_chat()
    texts = [f"update {n}" for n in range(1, 7)]
    for text in texts:  # written one by one, as an agent types
        await agent_says(transcript, chat, text)
        await asyncio.sleep(0.2)
    await until(lambda: len(telegram_api.texts(chat)) >= 6, what="six messages")
    await asyncio.sleep(2.5)  # anything doubled would arrive by now
    assert telegram_api.texts(chat) == [f"Sam: {t}" for t in texts]


@needs_stack
async def test_a_restart_neither_repeats_nor_loses_a_message(
    stack_settings: Settings,
    telegram_api: FakeTelegramAPI,
    aredis: Any,
    processes: list[Process],
    other_prefix: str,
) -> None:
    # A gateway alone with its own key prefix, so it is the only sender.
    alone = stack_settings.model_copy(
        update={"gateway_port": free_port(), "redis_prefix": other_prefix}
    )
    gateway = await healthy(launch(alone, "gateway-tg-restart"))
    processes.append(gateway)
    chat = new_chat()
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{gateway.url}/telegram/webhook",
            json=message_update(chat, "hello"),
            headers={SECRET_HEADER: alone.telegram_secret_token},
        )
    assert response.status_code == 200
    [hello] = await until(lambda: telegram_api.texts(chat), what="the bot's hello")

    own = Transcript(aredis, prefix=other_prefix)
    telegram_api.fail("sendMessage", times=1, retry_after=5, chat_id=chat)
    await agent_says(own, chat, "first", "second")
    await until(
        lambda: (
            telegram_api.calls_to("sendMessage", chat, ok_only=False)[-1].answered
            == 429
        ),
        what="the 429",
    )
    gateway.stop()  # while it waits out retry_after
    # A clean stop (uvicorn re-raises SIGTERM once its shutdown is complete).
    assert gateway.process.returncode in (0, -signal.SIGTERM)
    await agent_says(own, chat, "third")  # written while no gateway runs
    assert telegram_api.texts(chat) == [hello]

    processes.append(await healthy(launch(alone, "gateway-tg-restart")))
    expected = [hello, "Sam: first", "Sam: second", "Sam: third"]
    await until(lambda: len(telegram_api.texts(chat)) >= 4, what="the rest")
    await asyncio.sleep(2.5)
    assert telegram_api.texts(chat) == expected
