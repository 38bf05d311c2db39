"""Reading transcripts back: the latest words of many waiting customers at once
(the console's waiting list), on the test database under a prefix of its own."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.console.views import first_words
from bot.settings import Settings
from bot.transcript import LATEST_SCAN, Author, Entry, Kind, Transcript


@pytest.fixture
async def transcript(stack_settings: Settings) -> AsyncIterator[Transcript]:
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    prefix = "tr" + secrets.token_hex(4)
    yield Transcript(client, prefix=prefix)
    keys = [k async for k in client.scan_iter(match=f"*{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_the_latest_customer_message_of_each_conversation(
    transcript: Transcript,
) -> None:
    await transcript.append("a", Entry(Author.CUSTOMER, "first"))
    await transcript.append("a", Entry(Author.CUSTOMER, "second"))
    await transcript.append("a", Entry(Author.BOT, "a bot reply"))
    await transcript.append("a", Entry(Author.SYSTEM, "queued", kind=Kind.HANDOFF))
    await transcript.append("b", Entry(Author.BOT, "hello, how can I help?"))
    await transcript.append("c", Entry(Author.CUSTOMER, "too far back"))
    for n in range(LATEST_SCAN):
        await transcript.append("c", Entry(Author.BOT, f"reply {n}"))

    said = await transcript.latest_said(["a", "b", "c", "nobody"])
    assert said == {"a": "second", "b": "", "c": "", "nobody": ""}
    assert await transcript.latest_said([]) == {}


def test_first_words_are_one_line_cut_at_a_word() -> None:
    assert first_words("  where is\n\nmy   parcel ") == "where is my parcel"
    assert first_words("word " * 50, 20) == "word word word word…"
    assert first_words("nice, simple, short, clear", 21) == "nice, simple, short…"
    assert first_words("x" * 30, 10) == "x" * 10 + "…"
