"""The reply library learns: a highly rated agent reply is proposed, a supervisor
approves it, and it is suggested (generalised) in the next similar chat."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.console.learning import generalise
from bot.handoff import HandoffQueue, Rating
from tests.bot.console.conftest import ConsoleClient, Maker


def test_generalise_turns_chat_details_into_placeholders() -> None:
    values = {"name": "Ann", "order_id": "48213", "agent": "Sam", "invoice_id": ""}
    text = "Hi Ann, order 48213 ships today. Annual {code} 148213 - Sam"
    general = generalise(text, values)
    assert general == (
        "Hi {name}, order {order_id} ships today. Annual {{code}} 148213 - {agent}"
    )
    assert general.format(name="Bo", order_id="7", agent="Kim") == (
        "Hi Bo, order 7 ships today. Annual {code} 148213 - Kim"
    )


@pytest.mark.stack
async def test_a_highly_rated_reply_joins_the_suggestions_after_approval(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
    queue: HandoffQueue,
) -> None:
    agent = clients().login(*(await make_account("agent")))
    stranger = clients().login(*(await make_account("agent")))
    supervisor = clients().login(*(await make_account("supervisor")))
    agent.online()
    cid = await queued_chat(name="Ann Lee", text="my parcel is three weeks late")
    token = agent.post(f"/console/api/chats/{cid}/claim").json()["token"]
    text = (
        "I'm so sorry your parcel is three weeks late, Ann. I found order 48213 "
        "and it leaves our warehouse today with express shipping."
    )
    sent = agent.post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": text}
    )
    entry = sent.json()["entry"]["id"]
    agent.post(f"/console/api/chats/{cid}/resolve", {"token": token})

    early = agent.post(f"/console/api/chats/{cid}/propose", {"entry": entry})
    assert early.status_code == 409  # not rated yet
    await queue.rate(cid, Rating(csat=5, understood=4))
    not_theirs = stranger.post(f"/console/api/chats/{cid}/propose", {"entry": entry})
    assert not_theirs.status_code == 403
    wrong = agent.post(f"/console/api/chats/{cid}/propose", {"entry": "1-1"})
    assert wrong.status_code == 404
    proposed = agent.post(f"/console/api/chats/{cid}/propose", {"entry": entry})
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()["proposal"]
    assert "{name}" in proposal["text"] and "{order_id}" in proposal["text"]
    assert "Ann" not in proposal["text"] and "48213" not in proposal["text"]

    assert agent.get("/console/api/assist/proposals").status_code == 403
    listed = supervisor.get("/console/api/assist/proposals").json()
    assert proposal["id"] in [p["id"] for p in listed["proposed"]]
    refused = agent.post(f"/console/api/assist/proposals/{proposal['id']}/approve")
    assert refused.status_code == 403
    approved = supervisor.post(
        f"/console/api/assist/proposals/{proposal['id']}/approve"
    )
    assert approved.status_code == 200
    again = supervisor.post(f"/console/api/assist/proposals/{proposal['id']}/approve")
    assert again.status_code == 404

    agent.online()
    nxt = await queued_chat(
        name="Bo", text="my parcel is three weeks late, where is it"
    )
    agent.post(f"/console/api/chats/{nxt}/claim")
    suggestions = agent.get(f"/console/api/chats/{nxt}/suggestions").json()
    learned = [
        s for s in suggestions["suggestions"] if s["id"] == "learned-" + proposal["id"]
    ]
    assert learned, suggestions
    assert learned[0]["text"].startswith(
        "I'm so sorry your parcel is three weeks late, Bo."
    )
    assert "order 48213" in learned[0]["text"]  # this chat's order (the fixture's)


@pytest.mark.stack
async def test_a_low_rated_chat_cannot_teach_the_library(
    make_account: Maker,
    clients: Callable[..., ConsoleClient],
    queued_chat: Maker,
    queue: HandoffQueue,
) -> None:
    agent = clients().login(*(await make_account("agent")))
    agent.online()
    cid = await queued_chat()
    token = agent.post(f"/console/api/chats/{cid}/claim").json()["token"]
    sent = agent.post(
        f"/console/api/chats/{cid}/messages", {"token": token, "text": "Checking."}
    )
    agent.post(f"/console/api/chats/{cid}/resolve", {"token": token})
    await queue.rate(cid, Rating(csat=5, understood=2))
    refused = agent.post(
        f"/console/api/chats/{cid}/propose", {"entry": sent.json()["entry"]["id"]}
    )
    assert refused.status_code == 409
    assert "rated 4 or 5" in refused.json()["detail"]["message"]
