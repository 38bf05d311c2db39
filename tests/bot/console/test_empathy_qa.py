"""Empathy QA: the five-criteria scorecard, per reply in the conversation view and per
agent and bot on the dashboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.console.empathy import CRITERIA, score_transcript, scorecard
from bot.transcript import Author, Entry, Transcript
from tests.bot.console.conftest import ConsoleClient, Maker

LATE = "my parcel is three weeks late and nobody tells me anything"


def missing(reply: str, **kw: object) -> set[str]:
    card = scorecard(reply, LATE, **kw)  # type: ignore[arg-type]
    return {c for c in CRITERIA if not card.met[c]}


def test_a_caring_specific_reply_meets_every_criterion() -> None:
    reply = (
        "I'm so sorry your parcel is this late, Ann. I've checked order 48213: "
        "it leaves today and I'll send you the tracking link within the hour."
    )
    card = scorecard(reply, LATE, "anger", 0.8, "Ann", ("48213",))
    assert card.score == 1.0 and all(card.met.values())


@pytest.mark.parametrize(
    ("reply", "kw", "gaps"),
    [
        (
            "Items are dispatched according to the schedule.",
            {"emotion": "anger", "intensity": 0.8},
            {"acknowledged", "reflected", "specific", "personal"},
        ),
        (
            "Items are dispatched according to the schedule.",
            {"emotion": "neutral", "intensity": 0.1},
            {"reflected", "specific", "personal"},  # nothing to acknowledge
        ),
        (
            "Sorry, as I said, your parcel ships today.",
            {"emotion": "anger", "intensity": 0.8},
            {"calm"},
        ),
        (
            "I understand. YOUR PARCEL SHIPS TODAY, I promise you.",
            {"emotion": "frustration", "intensity": 0.6},
            {"calm"},
        ),
    ],
)
def test_each_gap_is_named(reply: str, kw: dict[str, object], gaps: set[str]) -> None:
    assert missing(reply, **kw) == gaps


def test_only_replies_to_a_customer_are_scored() -> None:
    entries = [
        Entry(Author.BOT, "Hi, how can I help?", id="1-0"),
        Entry(
            Author.CUSTOMER,
            LATE,
            id="2-0",
            emotion={"label": "anger", "intensity": 0.9},
        ),
        Entry(Author.SYSTEM, "Sam joined", id="3-0"),
        Entry(Author.AGENT, "I'm sorry your parcel is late; I'll check now.", id="4-0"),
    ]
    cards = score_transcript(entries)
    assert set(cards) == {"4-0"}
    assert cards["4-0"].met["acknowledged"] and cards["4-0"].met["specific"]


@pytest.mark.stack
async def test_scores_in_the_conversation_view_and_on_the_dashboard(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
    transcript: Transcript,
) -> None:
    agent = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    agent.online()
    cid = await queued_chat(name="Ann", text=LATE, label="anger", intensity=0.9)
    entries = await transcript.read(cid)
    await transcript.annotate(cid, entries[0].id, {"label": "anger", "intensity": 0.9})
    token = agent.post(f"/console/api/chats/{cid}/claim").json()["token"]
    good = agent.post(
        f"/console/api/chats/{cid}/messages",
        {
            "token": token,
            "text": "I'm so sorry your parcel is late, Ann. I've checked order 48213 "
            "and I'll send the tracking link within the hour.",
        },
    ).json()["entry"]
    assert good["empathy"]["score"] == 1.0
    await transcript.append(cid, Entry(Author.CUSTOMER, "ok but WHY is it late"))
    curt = agent.post(
        f"/console/api/chats/{cid}/messages",
        {"token": token, "text": "It just is. Obviously."},
    ).json()["entry"]
    assert curt["empathy"]["score"] < 0.5
    assert curt["empathy"]["met"]["calm"] is False

    view = agent.get(f"/console/api/chats/{cid}").json()
    scored = {
        e["id"]: e["empathy"]["score"] for e in view["transcript"] if "empathy" in e
    }
    assert scored == {good["id"]: 1.0, curt["id"]: curt["empathy"]["score"]}

    assert agent.get("/console/api/dashboard/empathy").status_code == 403
    qa = supervisor.get("/console/api/dashboard/empathy").json()
    mine = qa["agents"][agent.name]
    assert mine["replies"] == 2
    assert mine["score"] == round((1.0 + curt["empathy"]["score"]) / 2, 3)
    assert mine["criteria"]["calm"] == 0.5
    assert qa["bot"]["replies"] >= 0 and qa["days"]


@pytest.mark.stack
async def test_colleagues_rate_sampled_replies_on_the_same_scorecard(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
) -> None:
    author = clients().login(*(await make_account("agent")))
    peer = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    author.online()
    cid = await queued_chat(name="Ann", text=LATE)
    token = author.post(f"/console/api/chats/{cid}/claim").json()["token"]
    reply = author.post(
        f"/console/api/chats/{cid}/messages",
        {"token": token, "text": "I'm sorry, Ann. I'll check the parcel now."},
    ).json()["entry"]
    author.post(f"/console/api/chats/{cid}/resolve", {"token": token})

    sample = peer.get("/console/api/qa/sample")
    assert sample.status_code == 200, sample.text
    assert set(sample.json()["criteria"]) == set(CRITERIA)
    assert sample.json()["reply"] and "met" in sample.json()["automatic"]

    met = {c: c != "specific" for c in CRITERIA}
    body = {"conversation": cid, "entry": reply["id"], "met": met}
    assert clients().post("/console/api/qa/ratings", body).status_code == 401
    assert author.post("/console/api/qa/ratings", body).status_code == 403  # own
    saved = peer.post("/console/api/qa/ratings", body)
    assert saved.status_code == 201, saved.text
    assert saved.json()["rating"]["score"] == 0.8
    assert peer.post("/console/api/qa/ratings", body).status_code == 409
    bad = peer.post("/console/api/qa/ratings", {**body, "met": {"calm": True}})
    assert bad.status_code == 422
    unknown = peer.post("/console/api/qa/ratings", {**body, "entry": "1-0"})
    assert unknown.status_code == 404
    supervisor_too = supervisor.post(
        "/console/api/qa/ratings", {**body, "met": dict.fromkeys(CRITERIA, True)}
    )
    assert supervisor_too.status_code == 201

    qa = supervisor.get("/console/api/dashboard/empathy").json()
    rated = qa["peer"][author.name]
    assert rated["ratings"] == 2 and rated["score"] == 0.9
    assert rated["criteria"]["specific"] == 0.5
