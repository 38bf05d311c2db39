"""Right after how to return a delivered order, a message that names one of its items
("Just the boots, to be clear. I'm keeping the jacket.") says which item goes back:
that it can go back alone, in the customer's word for it, not "that's not something
I can help with" (blind probe ce); a person asked for beside an order number comes
before the proof (blind probe cf). Our own sentences, the real demo store."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.demo_store import DemoStore
from actions.replies import reply_book
from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import owner, says
from tests.actions.test_offers import DOMAIN, conversation


async def _reply(store: DemoStore, order_id: str, text: str, proven: bool) -> str:
    order = await store.order(order_id)
    assert order is not None
    told = reply_book().pick("return.delivered", **order.values())
    slots = {"order_id": order_id}
    if proven:
        slots["verified_customer"] = owner(order_id)
    tracker = conversation(
        [
            ("customer", f"how do I return order {order_id}?", "return"),
            ("bot", told, None),
            ("customer", text, "out_of_scope"),
        ],
        f"partial-{order_id}-{proven}",
        **slots,
    )
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, DOMAIN)
    return " ".join(str(m.get("text") or "") for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("Only the wellies, I'm keeping the raincoat.", "wellies"),
        ("I'll keep the jacket. Just the boots go back.", "boots"),
    ],
)
async def test_one_item_named_after_the_return_goes_back_alone(
    store: DemoStore, text: str, item: str
) -> None:
    order = await store.order("64450")
    assert order is not None
    said = await _reply(store, "64450", text, proven=True)
    assert says(said, "return.partial", item=item, **order.values()), said


async def test_nothing_of_the_order_is_told_to_someone_not_proven(
    store: DemoStore,
) -> None:
    said = await _reply(store, "64450", "Only the boots, not the jacket.", False)
    assert "64450" not in said


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("I need an invoice for order 228810. May I speak to a member of staff?", True),
        ("Can I talk to customer service about order 5520174?", True),
        ("Invoice for order 228810 please. I'll ask a colleague at work.", False),
    ],
)
async def test_a_person_asked_with_an_order_comes_before_the_proof(
    own_queue: str, text: str, person: bool
) -> None:
    """ "... for order 228810. Could I speak to a member of staff about this?": the
    person is granted at once (they check whose the order is), not the proof and an
    answer that offers one again (blind probe cf)."""
    from actions.proof_form import ActionAskOrderProof

    tracker = conversation([("customer", text, "get_invoice")], f"person-{person}")
    dispatcher = CollectingDispatcher()
    events = await ActionAskOrderProof().run(dispatcher, tracker, DOMAIN)
    paused = any(isinstance(e, dict) and e.get("event") == "pause" for e in events)
    assert paused is person, [m.get("text") for m in dispatcher.messages]


async def test_a_swap_once_it_arrives_is_no_missing_parcel(store: DemoStore) -> None:
    """ "where is it?" earlier, then "can I change the size once they arrive?": the
    parcel is looked forward to, not reported missing, so no "you won't need to
    return anything for a parcel that never arrived" (blind probe cf)."""
    from actions.answers import ActionAnswer

    turns: list[tuple[str, str, str | None]] = [
        ("customer", "hi, order 48213, where is it?", "track_order"),
        ("bot", "Order 48213 is with DHL and due on Wednesday.", None),
        (
            "customer",
            "the scarf may be short, can I swap it once it comes?",
            "exchange_item",
        ),
    ]
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(turns, "swap-ahead"), DOMAIN)
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    assert said and not says(said, "get_refund.not_arrived"), said
