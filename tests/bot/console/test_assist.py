"""Agent assist: the reply library, suggestions (keywords and the action server's real
embeddings), placeholders, and the tone check of drafts."""

from __future__ import annotations

import math
import string
from collections.abc import Callable

import httpx
import pytest

from bot.console.assist import (
    Context,
    canned,
    fill,
    first_name,
    library,
    suggest,
    tone,
)
from bot.settings import Settings
from bot.upstream import Embeddings
from tests.bot.console.conftest import ConsoleClient, Maker

EMOTIONS = {"anger", "frustration", "sadness", "anxiety", "confusion", "joy", "neutral"}
PLACEHOLDERS = {"name", "order_id", "invoice_id", "agent"}


def angry_late_order(**values: str) -> Context:
    return Context(
        query="WHERE IS MY ORDER, it has been three weeks and nobody answers",
        emotion="anger",
        intensity=0.85,
        topic="track_order",
        values={"agent": "Sam", **values},
    )


def test_the_library_is_well_formed() -> None:
    lib = library()
    assert len(lib.replies) >= 35
    ids = [r.id for r in lib.replies]
    assert len(ids) == len(set(ids))
    shortcuts = [r.shortcut for r in lib.replies if r.shortcut]
    assert len(shortcuts) == len(set(shortcuts)) and len(shortcuts) >= 5
    for reply in lib.replies:
        assert reply.emotions <= EMOTIONS | {"any"}, reply.id
        assert reply.topics <= set(lib.topic_groups) | {"any"}, reply.id
        assert reply.fields <= PLACEHOLDERS, reply.id
        assert reply.unless <= PLACEHOLDERS, reply.id
        assert "!" not in reply.text, reply.id  # calm tone, as the bot's own
        for feeling in reply.emotions & {"anger", "frustration", "sadness", "anxiety"}:
            assert not tone(reply.text, feeling, 0.9), (reply.id, feeling)
        list(string.Formatter().parse(reply.text))  # valid format string


async def test_keyword_suggestions_fit_an_angry_customer_with_a_late_order() -> None:
    found, method = await suggest(angry_late_order(name="Ann", order_id="48213"), None)
    assert method == "keywords"
    assert len(found) == 3
    by_id = {r.id: r for r in library().replies}
    for item in found:
        reply = by_id[item["id"]]
        assert reply.suits("anger"), item
        assert "{" not in item["text"]
    assert any("48213" in i["text"] for i in found)
    assert "order_late_no_id" not in {i["id"] for i in found}  # it asks for the number
    assert not any(i["id"] in ("joy_thanks", "close_resolved") for i in found)


async def test_a_reply_whose_placeholder_has_no_value_is_not_suggested() -> None:
    found, _ = await suggest(angry_late_order(), None)
    assert len(found) == 3
    assert all("{" not in i["text"] for i in found)
    assert not any("order_id" in library_field(i["id"]) for i in found)
    assert fill(library().replies[0], {}) is None


def library_field(reply_id: str) -> frozenset[str]:
    return next(r.fields for r in library().replies if r.id == reply_id)


def test_canned_replies_are_filled_and_first_names_are_short() -> None:
    items = canned({"name": "Ann", "agent": "Sam", "invoice_id": "INV-7"})
    shortcuts = {i["shortcut"]: i["text"] for i in items}
    assert "Ann" in shortcuts["/hi"] and "Sam" in shortcuts["/hi"]
    assert "INV-7" in shortcuts["/invoice"]
    assert first_name("  Ann-Marie   Smith ") == "Ann-Marie"
    assert first_name("") == "" and len(first_name("x" * 500)) == 40


@pytest.mark.parametrize(
    ("text", "emotion", "codes"),
    [
        ("Your parcel leaves tomorrow.", "anger", {"no_acknowledgement"}),
        ("I'm sorry about the wait. Your parcel leaves tomorrow.", "anger", set()),
        ("Your parcel leaves tomorrow.", "neutral", set()),
        ("I understand. YOU MUST WAIT FOR THE COURIER.", "frustration", {"all_caps"}),
        ("Sorry, DHL has the PDF for order ID 5.", "anger", set()),
        (
            "Sorry, but as I said, you should have checked the address.",
            "anger",
            {"blame"},
        ),
        ("I understand, but that's your own fault.", "sadness", {"blame"}),
        ("Sorry!! It will arrive soon!!!", "anger", {"exclamations"}),
        ("Sorry, just wait a few days.", "anxiety", {"dismissive"}),
        ("CALM DOWN", "anger", {"no_acknowledgement", "all_caps", "blame"}),
    ],
)
def test_the_tone_check(text: str, emotion: str, codes: set[str]) -> None:
    assert {w["code"] for w in tone(text, emotion, 0.8)} == codes


@pytest.mark.stack
async def test_the_action_server_embeds_and_suggestions_use_it(
    stack_settings: Settings, stack: object
) -> None:
    embeddings = Embeddings(stack_settings.actions_url, timeout=30)
    try:
        vectors = await embeddings.embed(["my parcel is late", "where is my package"])
        assert vectors is not None and len(vectors) == 2
        assert all(
            math.isclose(sum(x * x for x in v), 1.0, abs_tol=1e-3) for v in vectors
        )
        close = sum(a * b for a, b in zip(*vectors, strict=True))
        far = await embeddings.embed(["I forgot my password"])
        assert far is not None
        assert close > sum(a * b for a, b in zip(vectors[0], far[0], strict=True))
        found, method = await suggest(
            angry_late_order(name="Ann", order_id="48213"), embeddings
        )
        assert method == "embeddings" and len(found) == 3
        assert all(
            library_field(i["id"]) <= {"name", "order_id", "agent"} for i in found
        )
    finally:
        await embeddings.close()
    bad = httpx.post(f"{stack_settings.actions_url}/embed", json={"texts": []})
    assert bad.status_code == 400
    huge = httpx.post(f"{stack_settings.actions_url}/embed", json={"texts": ["x"] * 65})
    assert huge.status_code == 400


@pytest.mark.stack
async def test_suggestions_and_tone_through_the_console(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
) -> None:
    name, password = await make_account()
    agent = clients().login(name, password)
    agent.online()
    cid = await queued_chat(
        name="Ann <b>Lee</b>",
        text="my order is three weeks late and nobody answers!!",
        intensity=0.8,
        label="anger",
    )
    response = agent.get(f"/console/api/chats/{cid}/suggestions")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["retrieval"] == "embeddings"
    assert len(data["suggestions"]) == 3
    assert any("48213" in s["text"] for s in data["suggestions"])
    named = [s["text"] for s in data["suggestions"] if "Ann" in s["text"]]
    assert all("Ann" in t and "<b>" not in t for t in named)  # the first name only
    assert {c["shortcut"] for c in data["canned"]} >= {"/hi", "/moment"}
    draft = agent.post(
        "/console/api/assist/tone",
        {"conversation": cid, "text": "The parcel is with the courier."},
    )
    assert draft.status_code == 200
    assert [w["code"] for w in draft.json()["warnings"]] == ["no_acknowledgement"]
    bad = agent.post("/console/api/assist/tone", {"text": ["not", "text"]})
    assert bad.status_code == 422


@pytest.mark.stack
@pytest.mark.parametrize(
    ("query", "emotion", "topic", "best"),
    [
        (
            "I was charged twice for one order, ridiculous",
            "anger",
            "payment_issue",
            "charged_twice",
        ),
        (
            "the vase arrived smashed into pieces",
            "sadness",
            "complaint",
            "order_damaged",
        ),
        (
            "it says delivered but there is nothing at my door, was it stolen?",
            "anxiety",
            "track_order",
            "order_missing_delivered",
        ),
        (
            "I can't log in, it says my password is wrong",
            "frustration",
            "recover_password",
            "account_locked",
        ),
        ("thanks so much, all sorted now", "joy", "thank_you", "close_resolved"),
    ],
)
async def test_embeddings_put_the_fitting_reply_first(
    stack_settings: Settings,
    stack: object,
    query: str,
    emotion: str,
    topic: str,
    best: str,
) -> None:
    embeddings = Embeddings(stack_settings.actions_url, timeout=30)
    try:
        context = Context(
            query,
            emotion,
            0.7,
            topic,
            {"name": "Ann", "agent": "Sam", "order_id": "48213"},
        )
        found, method = await suggest(context, embeddings)
    finally:
        await embeddings.close()
    assert method == "embeddings"
    assert found[0]["id"] == best, found
