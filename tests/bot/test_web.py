"""The widget's WebSocket through the real stack: conversation, resend, reconnect,
handoff both ways, bad frames, a second gateway, and a gateway whose Rasa is down."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from websockets.exceptions import ConnectionClosed

from bot.conversations import Conversations, Inbound
from bot.handoff import (
    Agent,
    AlreadyResolved,
    Customer,
    EmotionSnapshot,
    Event,
    EventType,
    HandoffQueue,
    HandoffRequest,
    Presence,
    TicketState,
    UrgencyFlag,
)
from bot.handoff.keys import Keys
from bot.live import Changes, Listener
from bot.ops.ports import free_port
from bot.ops.stack import Stack
from bot.ops.widget import Widget, ws_url
from bot.settings import Settings
from bot.texts import say
from bot.transcript import Author, Entry, Kind, Transcript
from bot.upstream import EmotionClient, RasaClient
from bot.widget_push import IDLE_WAKE_S, WidgetPush

pytestmark = pytest.mark.stack

ANGRY = [
    "My refund STILL hasn't arrived and nobody answers my emails!!!",
    "This is the third time I'm asking. I want a real person NOW, this is ridiculous",
]
QUESTIONS = [  # everyday questions the bot answers itself (bench.load's texts)
    "which payment options do you accept?",
    "how long does standard shipping usually take?",
    "do you ship to Austria?",
    "how do I reset my password?",
    "what is your return policy for shoes?",
    "do you deliver on saturdays?",
    "how much does express delivery cost?",
    "how do I unsubscribe from the newsletter?",
]


@pytest.fixture
async def redis_client(stack_settings: Settings) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(stack_settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def agent_side(
    stack: Stack, stack_settings: Settings, redis_client: aioredis.Redis
) -> AsyncIterator[Conversations]:
    """What the console does for an agent, on the same Redis and Rasa as the stack."""
    s = stack_settings
    rasa = RasaClient(s.rasa_url, 10, s.rasa_api_token())
    emotion = EmotionClient(s.actions_url)
    queue = HandoffQueue(redis_client, prefix=s.redis_prefix)
    yield Conversations(
        redis=redis_client,
        keys=Keys(s.redis_prefix),
        queue=queue,
        transcript=Transcript(redis_client, prefix=s.redis_prefix),
        rasa=rasa,
        emotion=emotion,
    )
    await rasa.close()
    await emotion.close()


async def online_agent(queue: HandoffQueue, name: str = "Maya") -> str:
    agent_id = "agent-" + secrets.token_hex(3)
    await queue.register_agent(Agent(agent_id, name, capacity=5))
    await queue.set_presence(agent_id, Presence.ONLINE)
    return agent_id


async def test_a_question_gets_a_caring_answer_and_the_echo(gateway_url: str) -> None:
    widget = await Widget.open(gateway_url)
    assert widget.conversation.startswith("web-")
    state = await widget.next("state")
    assert state["state"] == "bot"
    client_id = await widget.say("where is my order?")
    mine = await widget.entry(author="customer")
    assert mine["client_id"] == client_id and mine["text"] == "where is my order?"
    await widget.next("typing", on=True)
    answer = await widget.entry(author="bot")
    assert "order number" in answer["text"].lower()
    await widget.close()


async def test_a_resent_message_is_stored_and_answered_once(
    gateway_url: str, redis_client: aioredis.Redis, stack_settings: Settings
) -> None:
    widget = await Widget.open(gateway_url)
    await widget.say("hello there", client_id="same-id-1")
    await widget.entry(author="bot")
    await widget.drain(0.5)
    await widget.say("hello there", client_id="same-id-1")
    frames = await widget.drain(2.0)
    assert not [f for f in frames if f["type"] == "entry"]
    transcript = Transcript(redis_client, prefix=stack_settings.redis_prefix)
    entries = await transcript.read(widget.conversation)
    assert [e.author.value for e in entries].count("customer") == 1
    await widget.close()


async def test_reconnect_gets_exactly_what_was_missed(gateway_url: str) -> None:
    first = await Widget.open(gateway_url)
    await first.say("hi")
    greeting = await first.entry(author="bot")
    await first.drain(0.5)
    await first.close()
    again = await Widget.open(gateway_url, session=first.session, after=greeting["id"])
    assert again.conversation == first.conversation
    assert not [f for f in await again.drain(1.0) if f["type"] == "entry"]
    await again.say("where is my order?")
    await again.entry(author="bot")
    await again.close()
    # Without a cursor the whole history comes back, in order, once.
    full = await Widget.open(gateway_url, session=first.session)
    entries = [f["entry"] for f in await full.drain(2.0) if f["type"] == "entry"]
    assert [e["author"] for e in entries] == ["customer", "bot", "customer", "bot"]
    assert len({e["id"] for e in entries}) == 4
    await full.close()


async def _handed_over(widget: Widget) -> None:
    """Be angry until the bot hands the chat to a person."""
    for text in ANGRY:
        await widget.say(text)
        if (await widget.entry(author="bot"))["kind"] == "handoff":
            return
    raise AssertionError("the bot did not hand over")


async def test_handoff_both_ways_then_ratings(
    gateway_url: str, agent_side: Conversations
) -> None:
    queue = agent_side.queue
    agent_id = await online_agent(queue, "Maya")
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await _handed_over(widget)
    assert await queue.state(cid) is TicketState.QUEUED
    queued = await widget.next("state", state="queued")
    assert queued["position"] >= 1
    before = (await queue.ticket(cid)).priority

    # Waiting: the bot stays silent, an angrier message moves the chat up.
    await widget.say("I CAN'T BELIEVE THIS!!! I'll dispute the charge with my bank!")
    calm = await widget.entry(author="system")
    assert "person" in calm["text"]
    ticket = await queue.ticket(cid)
    assert ticket.priority > before

    claim = await agent_side.claim(agent_id, cid)
    joined = await widget.entry(kind="joined")
    assert joined["agent_name"] == "Maya" and "Maya" in joined["text"]
    assert (await widget.next("state", state="assigned"))["agent_name"] == "Maya"
    await agent_side.agent_message(agent_id, cid, claim.token, "I'm so sorry, Sam.")
    reply = await widget.entry(author="agent")
    assert reply["text"] == "I'm so sorry, Sam." and reply["agent_name"] == "Maya"

    # The customer's words reach the agent side (the transcript), with an emotion mark.
    await widget.say("thank you, that helps")
    await asyncio.sleep(0.5)
    entries = await agent_side.transcript.read(cid)
    customer = [e for e in entries if e.text == "thank you, that helps"]
    assert customer and customer[0].emotion is not None

    await agent_side.resolve(agent_id, cid, claim.token)
    prompt = await widget.entry(kind="rating_request")
    asked = [q["id"] for q in prompt["data"]["questions"]]
    assert asked[:3] == ["csat", "understood", "effort"]
    await widget.next("state", state="bot")
    await widget.send({"type": "rating", "csat": 5, "understood": 9})
    assert "understood must be 1-5" in (await widget.next("error"))["message"]
    await widget.send({"type": "rating", "csat": 5, "understood": 4})
    await widget.entry(kind="rated")
    rating = (await queue.ticket(cid)).rating
    assert rating is not None and (rating.csat, rating.understood) == (5, 4)
    await widget.send({"type": "rating", "csat": 1, "understood": 1})
    assert (await widget.next("error"))["code"] == "invalid_rating"

    # The bot has the conversation again and answers without re-escalating.
    await widget.say("where is my order?")
    answer = await widget.entry(author="bot", kind="message")
    assert "order number" in answer["text"].lower()
    assert await queue.state(cid) is TicketState.RESOLVED
    await widget.close()


async def test_a_waiting_customer_sees_the_line_move_and_others_are_left_alone(
    gateway_url: str, agent_side: Conversations
) -> None:
    queue = agent_side.queue
    waiting = await Widget.open(gateway_url)
    await _handed_over(waiting)
    before = (await waiting.next("state", state="queued"))["position"]
    chatting = await Widget.open(gateway_url)
    await chatting.next("state", state="bot")
    other = "other-" + uuid.uuid4().hex[:8]
    await queue.enqueue(
        HandoffRequest(
            other,
            "web",
            Customer("c-" + other),
            EmotionSnapshot("anger", 1.0, 4),
            flags=frozenset({UrgencyFlag.DISTRESS}),
        )
    )
    # the more urgent chat goes ahead: the waiting customer is told their new place
    await waiting.next("state", state="queued", position=before + 1)
    # a customer chatting with the bot is not woken for other people's chats
    assert [f for f in await chatting.drain(1.0) if f["type"] == "state"] == []
    agent_id = await online_agent(queue)
    claim = await queue.claim(agent_id, other)
    await queue.resolve(agent_id, other, claim.token, "test over")
    await waiting.close()
    await chatting.close()


def test_only_news_that_can_change_the_view_wakes_a_widget() -> None:
    def event(kind: EventType, ticket_id: str) -> Event:
        return Event("1-0", kind, ticket_id, "", 0, "", 0.0, {})

    socket = WidgetPush.__new__(WidgetPush)  # the decision alone, no connection
    socket.conversation_id = "mine"
    others = Changes(events=[event(EventType.ENQUEUED, "theirs")])
    agent = Changes(events=[event(EventType.AGENT, "")])
    for state, wakes in (
        (None, (False, False)),
        ("bot", (False, False)),
        ("queued", (False, False)),  # the place comes with the line (bot/live.py)
        ("assigned", (False, True)),
    ):
        socket.view = None if state is None else {"state": state}
        assert (socket.concerned(others), socket.concerned(agent)) == wakes, state
        assert socket.concerned(Changes(line=True))  # its place in line moved
        assert socket.concerned(Changes(events=[event(EventType.CLAIMED, "mine")]))
        assert socket.concerned(Changes(conversations={"mine"}))
        assert socket.concerned(Changes(resync=True))
        assert socket.concerned(Changes())  # the periodic re-check


async def test_a_widget_told_to_look_again_is_not_put_off_by_other_chats() -> None:
    # The worker pokes the pump once the answer is stored; a queue event about
    # another chat that arrives in the same wake-up must not swallow the poke
    # (the pump then said "stopped typing" only at its 25 s re-check).
    other = Event("1-0", EventType.RESCORED, "theirs", "", 0, "", 0.0, {})
    socket = WidgetPush.__new__(WidgetPush)  # the decision alone, no connection
    socket.conversation_id = "mine"
    socket.view = {"state": "bot"}
    listener = Listener("mine")
    listener._event(other)
    listener.poke()
    assert socket.concerned(await listener.wait(0))
    listener.poke()
    listener._event(other)
    assert socket.concerned(await listener.wait(0))


async def test_other_chats_queue_events_do_not_hold_back_an_answer(
    gateway_url: str, agent_side: Conversations
) -> None:
    # Customers waiting for a person send messages that rescore their tickets: a
    # stream of queue events about other chats, as under bench.load. Each answer
    # still ends with "stopped typing" at once, not at the pump's 25 s re-check.
    queue = agent_side.queue
    other = "other-" + uuid.uuid4().hex[:8]
    await queue.enqueue(HandoffRequest(other, "web", Customer("c-" + other)))
    stop = asyncio.Event()

    async def rescore_other_chat() -> None:
        while not stop.is_set():
            await queue.rescore(other, EmotionSnapshot("anger", 0.5, 2))
            await asyncio.sleep(0.002)

    widget = await Widget.open(gateway_url)
    await widget.next("state", state="bot")
    flood = asyncio.create_task(rescore_other_chat())
    try:
        for text in QUESTIONS:
            client_id = await widget.say(text)
            await widget.entry(client_id=client_id)
            await widget.entry(author="bot")
            # generous: normal latency is well under a second, the stall was 25 s
            await widget.next("typing", timeout=IDLE_WAKE_S / 2, on=False)
    finally:
        stop.set()
        await flood
        await widget.close()
    agent_id = await online_agent(queue)
    claim = await queue.claim(agent_id, other)
    await queue.resolve(agent_id, other, claim.token, "test over")


async def test_a_waiting_customer_can_leave_a_phone_number(
    gateway_url: str, agent_side: Conversations
) -> None:
    widget = await Widget.open(gateway_url)
    await widget.say("I need to talk to a human agent please")
    await widget.entry(author="bot")
    cid = widget.conversation
    assert await agent_side.queue.state(cid) is TicketState.QUEUED
    await widget.say("please call me on +49 151 2345 6789 after five")
    saved = await widget.entry(author="system")
    assert "+49 151 2345 6789" in saved["text"]
    follow_up = (await agent_side.queue.ticket(cid)).follow_up
    assert follow_up is not None and follow_up.contact == "+49 151 2345 6789"
    await widget.close()


async def test_a_waiting_customer_gets_general_questions_answered_now(
    gateway_url: str, agent_side: Conversations, stack_settings: Settings
) -> None:
    """Payment or returns need no person: answered while the chat waits, with no
    stock line after it; a question about the order waits for them."""
    widget = await Widget.open(gateway_url)
    await widget.say("I need to talk to a human agent please")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    await widget.say("meanwhile, which payment methods do you accept?")
    answered = await widget.entry(author="system")
    assert "PayPal" in answered["text"]
    assert "will see your question" not in answered["text"]
    assert not answered["text"].rstrip(".").endswith("?")
    await widget.say("and what's going on with my order, can you check it?")
    later = await widget.entry(author="system")
    assert "PayPal" not in later["text"]
    await widget.close()
    # a bad body gets a clear error from the action server
    bad = httpx.post(f"{stack_settings.actions_url}/answer", json={"text": ""})
    assert bad.status_code == 400 and "text" in bad.json()["error"]


async def test_a_waiting_customer_hears_what_holds_for_what_they_reported(
    gateway_url: str, agent_side: Conversations
) -> None:
    """A refund asked about after a double charge they reported while waiting:
    not the refund after a return (the action server says the general answer does
    not fit), but what holds for a double charge; a question about something else
    is still answered as usual."""
    widget = await Widget.open(gateway_url)
    await widget.say("I need to talk to a human agent please")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    await widget.say("my card got charged two times for the same order")
    await widget.entry(author="system")
    await widget.say("what is your refund policy?")
    refund = await widget.entry(author="system")
    assert say("waiting_fits_double_charge") in refund["text"]
    assert "30 days" not in refund["text"]
    await widget.say("meanwhile, which payment methods do you accept?")
    answered = await widget.entry(author="system")
    assert "PayPal" in answered["text"]
    await widget.close()


async def test_a_bereaved_customer_asking_how_to_return_hears_the_person_arranges_it(
    gateway_url: str, agent_side: Conversations
) -> None:
    """After telling us of a death, "what is your return policy?" while waiting: what
    the person arranges (nothing to do or find, a return included),
    not the self-service returns how-to."""
    widget = await Widget.open(gateway_url)
    await widget.say("my wife passed away last week, her order still came")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    await widget.say("what is your return policy?")
    answered = await widget.entry(author="system")
    assert say("waiting_asked_bereavement") in answered["text"]
    assert "30 days" not in answered["text"]
    await widget.close()


async def test_money_back_after_a_double_charge_needs_no_proof_while_waiting(
    gateway_url: str, agent_side: Conversations
) -> None:
    """Charged twice for the chat's order, not proven theirs: "when do I get my money
    back?" gets what holds for a double charge, which shows nothing of the order, not
    the question for the e-mail address first."""
    widget = await Widget.open(gateway_url)
    await widget.say("I need to talk to a human agent about order 651234 please")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    await widget.say("my card got charged two times for it")
    await widget.entry(author="system")
    await widget.say("When will I get it back? I've nothing left until Friday")
    money = await widget.entry(author="system")
    assert say("waiting_fits_double_charge") in money["text"]
    assert "e-mail address or" not in money["text"]
    await widget.close()


async def test_a_waiting_customer_hears_about_the_order_they_proved_theirs(
    gateway_url: str, agent_side: Conversations, stack_settings: Settings
) -> None:
    """Once the customer proved the order theirs, "has it shipped yet?" while they
    wait is answered with its day; before that they are asked for the proof, and
    the proof given while they wait opens it (not kept as a contact to call)."""
    from actions.demo_store import DemoStore

    # the stack's action server reads the demo store on today's date, as this does
    order = await DemoStore().order("48213")
    assert order is not None
    widget = await Widget.open(gateway_url)
    await widget.say("where is order 48213")
    await widget.entry(author="bot")
    await widget.say("SE-113 56")
    state = await widget.entry(author="bot")
    assert order.eta in state["text"]
    await widget.say("I need to talk to a human agent please")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    await widget.say("and has it even shipped yet?")
    answered = await widget.entry(author="system")
    assert order.eta in answered["text"]
    await widget.close()
    # not proven: the proof is asked for, nothing of the order shown
    other = await Widget.open(gateway_url)
    await other.say("I need to talk to a human agent please, order 48213")
    await other.entry(author="bot")
    await other.say("and has it even shipped yet?")
    later = await other.entry(author="system")
    assert order.eta not in later["text"] and "48213" in later["text"]
    assert "e-mail address or" in later["text"], later["text"]
    # a wrong e-mail address opens nothing: asked again
    await other.say("bob@example.org")
    wrong = await other.entry(author="system")
    assert order.eta not in wrong["text"] and "48213" in wrong["text"]
    await other.say("it's maya.lindqvist@example.com")
    proven = await other.entry(author="system")
    assert order.eta in proven["text"], proven["text"]
    await other.say("so when will it get here?")
    again = await other.entry(author="system")
    assert order.eta in again["text"], again["text"]
    await other.close()
    # none of it was a contact to call back
    assert (await agent_side.queue.ticket(other.conversation)).follow_up is None
    # an e-mail address left after the handoff's "leave a phone number or e-mail",
    # unasked for the order, is a contact, not a proof
    third = await Widget.open(gateway_url)
    await third.say("I need to talk to a human agent please, order 48213")
    await third.entry(author="bot")
    await third.say("maya.lindqvist@example.com")
    saved = await third.entry(author="system")
    assert order.eta not in saved["text"]
    assert "maya.lindqvist@example.com" in saved["text"], saved["text"]
    await third.close()
    follow_up = (await agent_side.queue.ticket(third.conversation)).follow_up
    assert follow_up is not None and follow_up.contact == "maya.lindqvist@example.com"
    # a bad conversation id gets a clear error from the action server
    bad = httpx.post(
        f"{stack_settings.actions_url}/answer",
        json={"text": "has it shipped?", "conversation": 42},
    )
    assert bad.status_code == 400 and "conversation" in bad.json()["error"]


async def test_a_waiting_customer_hears_what_they_said_is_wrong_never_twice(
    gateway_url: str, agent_side: Conversations, stack_settings: Settings
) -> None:
    """Upset while waiting, in words that name the trouble: the reply names it ("the
    3-week wait"), not a stock "I'm sorry this is so frustrating"; the same words
    again get other words back."""
    widget = await Widget.open(gateway_url)
    await widget.say("I need to talk to a human agent please")
    await widget.entry(author="bot")
    assert await agent_side.queue.state(widget.conversation) is TicketState.QUEUED
    angry = "THREE WEEKS AND MY PARCEL STILL HASNT COME, THIS IS A JOKE"
    await widget.say(angry)
    first = await widget.entry(author="system")
    # the feeling and what it is about, in the first sentence
    assert "the three-week wait" in first["text"].split(". ")[0], first["text"]
    await widget.say(angry)
    second = await widget.entry(author="system")
    assert second["text"] != first["text"]
    await widget.close()
    # the action server names it; a message that names nothing gets no concern
    named = httpx.post(
        f"{stack_settings.actions_url}/emotion", json={"text": angry.lower()}
    ).json()
    assert named["concern"] == "the three-week wait"
    calm = httpx.post(
        f"{stack_settings.actions_url}/emotion", json={"text": "ok, thank you"}
    ).json()
    assert "concern" not in calm and "deadline" not in calm
    # a date it is needed by: its words of care, for the waiting reply
    dated = httpx.post(
        f"{stack_settings.actions_url}/emotion",
        json={"text": "my son's birthday is on friday"},
    ).json()
    assert "birthday" in dated["deadline"] and "Friday" in dated["deadline"]
    # the chat's language when it is not English (a survey in it, not in another
    # language whose words for thanks match)
    assert "language" not in calm
    dutch = httpx.post(
        f"{stack_settings.actions_url}/emotion",
        json={
            "text": "Top, dank je.",
            "history": [{"author": "customer", "text": "Hoe lang duurt de levering?"}],
        },
    ).json()
    assert dutch["language"] == "nl"
    # the feeling they name with what it is about, in their words said back
    scared = httpx.post(
        f"{stack_settings.actions_url}/emotion",
        json={"text": "I'm scared that my card was used by someone else"},
    ).json()
    assert scared["felt"] == {
        "label": "anxiety",
        "words": "scared that your card was used by someone else",
    }
    assert "felt" not in calm
    # what it tells besides the feeling, by kind ("I feel so silly": self-blame)
    silly = httpx.post(
        f"{stack_settings.actions_url}/emotion",
        json={"text": "Oh dear. I feel so silly. What should I do?"},
    ).json()
    assert {"kind": "self_blame"} in silly["circumstances"]
    assert calm["circumstances"] == []


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json at all", "invalid_json"),
        ("[1, 2, 3]", "invalid_frame"),
        ('{"type": "launch_missiles"}', "invalid_frame"),
        ('{"type": "message", "text": "no id"}', "invalid_frame"),
        ('{"type": "message", "id": "a b", "text": "bad id"}', "invalid_frame"),
        ('{"type": "message", "id": "e1", "text": "   "}', "empty"),
        ('{"type": "message", "id": "e2", "text": "\\u202e\\u0000"}', "empty"),
        ('{"type": "message", "id": "e3", "text": 42}', "empty"),
        ('{"type": "rating", "csat": 9, "understood": 0}', "invalid_rating"),
        ('{"type": "hello", "session": null}', "invalid_frame"),
    ],
)
async def test_bad_frames_get_an_error_and_store_nothing(
    gateway_url: str,
    redis_client: aioredis.Redis,
    stack_settings: Settings,
    frame: str,
    code: str,
) -> None:
    widget = await Widget.open(gateway_url)
    await widget.ws.send(frame)
    error = await widget.next("error")
    assert error["code"] == code and error["message"]
    await widget.send({"type": "ping"})
    await widget.next("pong")
    transcript = Transcript(redis_client, prefix=stack_settings.redis_prefix)
    assert await transcript.read(widget.conversation) == []
    await widget.close()


async def test_too_long_text_binary_and_huge_frames(gateway_url: str) -> None:
    widget = await Widget.open(gateway_url)
    await widget.say("x" * 4001, client_id="long-1")
    error = await widget.next("error")
    assert (error["code"], error["id"]) == ("too_long", "long-1")
    await widget.ws.send(b"\x00\x01binary")
    assert (await widget.next("error"))["code"] == "binary"
    await widget.ws.send(
        json.dumps({"type": "message", "id": "h", "text": "y" * 70_000})
    )
    with pytest.raises(ConnectionClosed) as closed:
        await widget.next("error", timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


@pytest.mark.parametrize(
    "session", ["web-forged.0000", "not-a-token", "web-x.y.z", "tg-1.abc"]
)
async def test_a_forged_session_is_refused(gateway_url: str, session: str) -> None:
    ws = await websockets.connect(ws_url(gateway_url))
    await ws.send(json.dumps({"type": "hello", "session": session}))
    error = json.loads(await ws.recv())
    assert error["code"] == "bad_session"
    with pytest.raises(ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_the_first_frame_must_be_hello(gateway_url: str) -> None:
    ws = await websockets.connect(ws_url(gateway_url))
    await ws.send(json.dumps({"type": "message", "id": "m", "text": "hi"}))
    assert json.loads(await ws.recv())["code"] == "not_ready"
    with pytest.raises(ConnectionClosed):
        await ws.recv()


async def test_a_flood_is_rate_limited_without_losing_accepted_messages(
    gateway_url: str, redis_client: aioredis.Redis, stack_settings: Settings
) -> None:
    widget = await Widget.open(gateway_url)
    for i in range(25):
        await widget.say(f"message number {i}", client_id=f"flood-{i}")
    frames = await widget.drain(3.0)
    limited = {f["id"] for f in frames if f.get("code") == "rate_limited"}
    assert limited
    transcript = Transcript(redis_client, prefix=stack_settings.redis_prefix)
    for _ in range(60):
        stored = {
            e.client_id
            for e in await transcript.read(widget.conversation)
            if e.client_id
        }
        if stored | limited == {f"flood-{i}" for i in range(25)}:
            break
        await asyncio.sleep(1)
    assert stored | limited == {f"flood-{i}" for i in range(25)}
    assert not stored & limited
    await widget.close()


async def test_more_widgets_at_once_than_redis_connections_are_all_answered(
    gateway_url: str,
) -> None:
    # More widgets at once than the gateway has Redis connections, and twice
    # redis-py's default pool (100, which fails at once when they are all in use):
    # commands wait for a free connection, nobody is refused or told to resend.
    widgets = await asyncio.gather(*(Widget.open(gateway_url) for _ in range(200)))
    try:
        ids = await asyncio.gather(*(w.say("hi there") for w in widgets))
        outcomes = await asyncio.gather(
            *(w.outcome(i, timeout=180) for w, i in zip(widgets, ids, strict=True))
        )
        assert [f for f in outcomes if f["type"] != "entry"] == []
    finally:
        await asyncio.gather(*(w.close() for w in widgets))


@pytest.fixture(scope="module")
def second_gateway(stack: Stack, stack_settings: Settings) -> str:
    """Another gateway process on the same Redis, Rasa and action server."""
    settings = stack_settings.model_copy(update={"gateway_port": free_port()})
    service = stack.add_gateway(settings, "gateway-b")
    yield f"http://127.0.0.1:{settings.gateway_port}"
    stack.remove(service)


async def test_two_gateways_deliver_each_others_messages(
    gateway_url: str, second_gateway: str, agent_side: Conversations
) -> None:
    on_a = await Widget.open(gateway_url)
    on_b = await Widget.open(second_gateway, session=on_a.session)
    assert on_b.conversation == on_a.conversation
    await on_b.say("where is my order?")
    seen_on_a = await on_a.entry(author="bot")
    assert "order number" in seen_on_a["text"].lower()
    # An agent-side entry written by another process reaches both.
    queue = agent_side.queue
    agent_id = await online_agent(queue, "Ola")
    await on_a.say("I want to speak to a human please")
    await on_a.entry(kind="handoff")
    claim = await agent_side.claim(agent_id, on_a.conversation)
    await agent_side.agent_message(
        agent_id, on_a.conversation, claim.token, "Hi, Ola here"
    )
    for widget in (on_a, on_b):
        assert (await widget.entry(author="agent"))["text"] == "Hi, Ola here"
        await widget.close()


async def test_when_rasa_is_down_the_customer_gets_an_apology_and_a_person(
    stack: Stack, stack_settings: Settings, agent_side: Conversations
) -> None:
    dead_rasa = stack_settings.model_copy(
        update={"gateway_port": free_port(), "rasa_port": free_port()}
    )
    service = stack.add_gateway(dead_rasa, "gateway-no-rasa", degraded_ok=True)
    try:
        widget = await Widget.open(f"http://127.0.0.1:{dead_rasa.gateway_port}")
        await widget.say("where is my order?")
        apology = await widget.entry(author="system")
        assert apology["kind"] == "handoff" and "sorry" in apology["text"].lower()
        ticket = await agent_side.queue.ticket(widget.conversation)
        assert ticket.state is TicketState.QUEUED
        assert ticket.reasons == ["bot_unavailable"]
        await widget.close()
    finally:
        stack.remove(service)


async def test_a_turn_that_waited_for_rasa_during_a_handover_goes_to_the_person(
    gateway_url: str, agent_side: Conversations
) -> None:
    """A message checked as "bot" reaches Rasa after another turn handed over.

    Rasa is paused and answers nothing; the queue says a person has the chat. The
    message must go to the person (a waiting note), not resume the bot.
    """
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await _handed_over(widget)
    assert await agent_side.queue.state(cid) is TicketState.QUEUED
    entry, _ = await agent_side.transcript.append(
        cid, Entry(Author.CUSTOMER, "hello? anyone?", channel="web", client_id="late")
    )
    replies = await agent_side._to_bot(
        Inbound(cid, "web", "hello? anyone?", client_id="late"), entry
    )
    assert [(r.author, r.kind) for r in replies] == [(Author.SYSTEM, Kind.MESSAGE)]
    assert "person" in replies[0].text
    assert await agent_side.rasa.is_paused(cid)
    assert await agent_side.queue.state(cid) is TicketState.QUEUED
    await widget.close()


async def test_rasa_paused_while_the_queue_says_bot_is_resumed(
    gateway_url: str, agent_side: Conversations
) -> None:
    """Rasa missed the resume (it was down when the agent resolved): the next
    customer message resumes it and the bot answers."""
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await widget.say("hi")
    await widget.entry(author="bot")
    rasa = agent_side.rasa
    paused = await rasa._request(
        "POST",
        f"/conversations/{cid}/tracker/events",
        params={"token": rasa._token},
        json=[{"event": "pause"}],
    )
    paused.raise_for_status()
    assert await rasa.is_paused(cid)
    await widget.say("where is my order?")
    answer = await widget.entry(author="bot", kind="message")
    assert "order" in answer["text"].lower()
    assert not await rasa.is_paused(cid)
    await widget.close()


async def test_a_resolve_repeated_after_a_failure_finishes_once(
    gateway_url: str, agent_side: Conversations
) -> None:
    """The ticket was closed but the call failed before the customer was told
    (Redis went away): the console repeats it; the customer is told exactly once,
    and only the agent holding that claim can do so."""
    queue = agent_side.queue
    agent_id = await online_agent(queue, "Noor")
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await _handed_over(widget)
    claim = await agent_side.claim(agent_id, cid)
    await queue.resolve(agent_id, cid, claim.token)  # the half that went through

    other = await online_agent(queue, "Kai")
    with pytest.raises(AlreadyResolved):
        await agent_side.resolve(other, cid, claim.token)
    for _ in range(2):
        resolved = await agent_side.resolve(agent_id, cid, claim.token)
        assert resolved.ticket.state is TicketState.RESOLVED
    await widget.entry(kind="rating_request")
    kinds = Counter(e.kind for e in await agent_side.transcript.read(cid))
    assert kinds[Kind.RESOLVED] == 1 and kinds[Kind.RATING_REQUEST] == 1
    assert not await agent_side.rasa.is_paused(cid)
    await widget.close()


async def test_unexpected_data_still_gets_an_honest_answer_and_a_person(
    gateway_url: str, agent_side: Conversations, redis_client: aioredis.Redis
) -> None:
    """A ticket whose state nobody knows (hand-edited, or written by another
    version) breaks routing: the customer gets the apology and a person, not
    silence."""
    queue = agent_side.queue
    widget = await Widget.open(gateway_url)
    cid = widget.conversation
    await widget.say("hi")
    await widget.entry(author="bot")
    await redis_client.hset(queue.keys.ticket(cid), "state", "sleeping")
    await widget.say("where is my order?")
    apology = await widget.entry(author="system")
    assert apology["kind"] == "handoff" and "sorry" in apology["text"].lower()
    assert await queue.state(cid) is TicketState.QUEUED
    # The half record was archived by the new handoff: lists skip it, and so does
    # every later test's dashboard; the chat goes back to the bot.
    assert await queue.history(cid) == []
    agent_id = await online_agent(queue, "Ines")
    claim = await agent_side.claim(agent_id, cid)
    await agent_side.resolve(agent_id, cid, claim.token)
    await redis_client.delete(queue.keys.archive(cid))
    await widget.close()
