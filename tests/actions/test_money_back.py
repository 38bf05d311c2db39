"""An order that was cancelled is explained, not "put right", and "do I get my money
back?" about the chat's order is answered from the refund on record."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.demo_store import DemoStore
from actions.lookups import ActionOrderLookup
from actions.mentions import mentioned
from actions.order_checks import complaint_key, item_problem, record_disagrees
from actions.replies import reply_book
from actions.store import OrderStatus
from tests.actions.conftest import owner, says
from tests.actions.test_offers import DOMAIN, conversation


async def test_a_complaint_about_a_cancelled_order_says_what_cancelled_means(
    store: DemoStore,
) -> None:
    """Nothing was sent, so nothing is replaced: what cancelled means, and the money."""
    dispatcher = CollectingDispatcher()
    tracker = conversation(
        [
            (
                "customer",
                "my order says cancelled, it was meant for my sister's birthday",
                "complaint",
            ),
            (
                "bot",
                "I've found order 13579. What's the e-mail address it's under?",
                None,
            ),
            ("customer", "maya.lindqvist@example.com", "inform"),
            ("form", "", None),
        ],
        "cancelled-complaint",
        order_id="13579",
        verified_customer=owner("13579"),
    )
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("13579")
    assert order is not None and order.status is OrderStatus.CANCELLED
    assert says(message["text"], "complaint.cancelled", **order.values())
    assert "replacement" not in message["text"]


async def test_the_complaint_key_follows_the_order_state(store: DemoStore) -> None:
    cancelled = await store.order("13579")
    delivered = await store.order("730915")
    assert cancelled is not None and delivered is not None
    assert complaint_key(cancelled) == "complaint.cancelled"
    assert complaint_key(delivered) == "complaint.order"
    # a cancelled order the customer says came broken: the record is doubted
    assert complaint_key(cancelled, "it came in pieces") == (
        "order.record_disagrees.cancelled_received"
    )
    # one waiting for a cancelled order is told why nothing came; one who knows it
    # was cancelled and waits for the money is answered about the money
    assert record_disagrees(cancelled, "I've been waiting for it all week") == (
        "order.record_disagrees.cancelled"
    )
    assert record_disagrees(cancelled, "the money still has not come back") is None


async def test_money_back_about_the_chats_order_is_its_refund_on_record(
    store: DemoStore,
) -> None:
    turns = [
        ("customer", "what happened to order 13579", "track_order"),
        ("bot", "Order 13579 was cancelled, so it won't be shipped.", None),
        ("customer", "so is the money coming back to me?", "get_refund"),
    ]
    proven = {"order_id": "13579", "verified_customer": owner("13579")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "cancelled-money", **proven)
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert {"event": "followup", "timestamp": None, "name": "order_form"} in events
    assert dispatcher.messages == []  # the lookup answers, from the refund record
    refund = await store.refund_for("13579")
    assert refund is not None
    looked_up = conversation(
        [*turns, ("form", "", None)], "cancelled-money-lookup", **proven
    )
    await ActionOrderLookup().run(dispatcher, looked_up, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], f"track_refund.{refund.status}", **refund.values())


async def test_money_back_without_a_proven_order_is_the_general_answer(
    store: DemoStore,
) -> None:
    """An order not shown to be theirs says nothing about its refund."""
    dispatcher = CollectingDispatcher()
    tracker = conversation(
        [
            ("customer", "what happened to order 13579", "track_order"),
            ("bot", "What's the e-mail address it's under?", None),
            ("customer", "so is the money coming back to me?", "get_refund"),
        ],
        "cancelled-money-unproven",
        order_id="13579",
    )
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    assert {"event": "followup", "timestamp": None, "name": "order_form"} not in events
    [message] = dispatcher.messages
    assert "Apple Pay" not in message["text"]


async def test_a_complaint_about_an_order_still_on_its_way_says_where_it_is(
    store: DemoStore,
) -> None:
    """ "It should have come last week and it still isn't here" about an order on its
    way: where it is (late: that it is, and who can chase it), not an offer to
    replace an item the customer does not have."""
    dispatcher = CollectingDispatcher()
    tracker = conversation(
        [
            (
                "customer",
                "order 808080123456 should have come days ago and it still isn't here",
                "complaint",
            ),
            ("bot", "I've found it. What's the e-mail address it's under?", None),
            ("customer", "kwame.mensah@example.org", "inform"),
            ("form", "", None),
        ],
        "late-complaint",
        order_id="808080123456",
        verified_customer=owner("808080123456"),
    )
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("808080123456")
    assert order is not None and order.late
    assert says(message["text"], f"track_order.{order.status}_late", **order.values())
    assert "replacement or a refund with you" not in message["text"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "I cancelled order 13579 ages ago and the money still hasn't come back",
            "cancel_order",
        ),
        # ...or asked as where the order is
        (
            "I cancelled order 13579 a while back, when do I get my money back?",
            "track_order",
        ),
    ],
)
async def test_cancelling_an_order_cancelled_long_ago_about_its_money_is_its_refund(
    store: DemoStore, text: str, intent: str
) -> None:
    """ "I cancelled it two weeks ago and the money still hasn't come", read by NLU
    as a cancellation or as where the order is: the order is cancelled already, so
    its refund on record is the answer, not "it won't be charged again" nor "it
    won't be shipped"."""
    dispatcher = CollectingDispatcher()
    tracker = conversation(
        [
            ("customer", text, intent),
            ("bot", "I've found it. What's the e-mail address it's under?", None),
            ("customer", "maya.lindqvist@example.com", "inform"),
            ("form", "", None),
        ],
        "cancelled-money",
        order_id="13579",
        verified_customer=owner("13579"),
    )
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    refund = await store.refund_for("13579")
    assert refund is not None
    assert says(message["text"], f"track_refund.{refund.status}", **refund.values())


async def test_money_asked_for_an_order_still_with_us_is_what_cancelling_brings(
    store: DemoStore,
) -> None:
    """ "When will the money come back?" right after "Would you like me to cancel
    it?": nothing is refunded until it is cancelled, and cancelling now brings the
    money back (not "start a return" for an order that has not shipped)."""
    turns = [
        (
            "customer",
            "I can't afford order 99887766 now, can I cancel it?",
            "cancel_order",
        ),
        ("bot", "It can still be cancelled. Would you like me to cancel it?", None),
        ("customer", "ok. how soon would I get my money back?", "track_refund"),
        ("form", "", None),
    ]
    proven = {"order_id": "99887766", "verified_customer": owner("99887766")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "open-order-money", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("99887766")
    assert order is not None and order.status == "processing"  # nothing done unasked
    assert says(message["text"], "track_refund.none_processing", **order.values())
    assert reply_book().offer(message["text"]) == "ask cancel_order"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("how long have I got to send it back?", "check_refund_policy"),
        ("ok, so how do I send it back?", "get_refund"),
    ],
)
async def test_the_return_window_asked_of_an_order_past_it_is_closed(
    store: DemoStore, question: str, intent: str
) -> None:
    """ "How long have I got to send it back?", "how do I send it back?" right after
    "the 30 days have passed" for the chat's order: that they are over for it, not
    "within 30 days" nor "give me the order number" (blind probe ce)."""
    order = await store.order("651234")
    assert order is not None and order.return_closed
    turns = [
        ("customer", "can I return the kettle from 651234?", "return"),
        ("bot", reply_book().pick("return.delivered_closed", **order.values()), None),
        ("customer", question, intent),
    ]
    proven = {"order_id": "651234", "verified_customer": owner("651234")}
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(
        dispatcher, conversation(turns, "window", **proven), DOMAIN
    )
    [message] = dispatcher.messages
    assert says(message["text"], f"{intent}_closed", **order.values())
    # not shown theirs: the general answer, nothing of the order
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(
        dispatcher, conversation(turns, "window-2", order_id="651234"), DOMAIN
    )
    [message] = dispatcher.messages
    assert says(message["text"], intent)
    assert "651234" not in message["text"]


async def test_money_asked_after_sending_it_back_is_the_refund_not_a_new_return(
    store: DemoStore,
) -> None:
    """ "I posted the coffee set back ten days ago and I'm still waiting for my
    money" (NLU: get_refund), then the proof: no return has reached us, so no refund
    has started; said so, and a person who can trace it offered, not the steps of a
    return they made already."""
    turns = [
        (
            "customer",
            "I posted the coffee set back ten days ago and I'm still waiting for "
            "my money, order 730915",
            "get_refund",
        ),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", "SE-113 56", "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": "730915", "verified_customer": owner("730915")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "sent-back-money", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert await store.refund_for("730915") is None
    assert says(message["text"], "track_refund.none_sent_back", order_id="730915")
    assert "Account > Orders" not in message["text"]
    assert reply_book().offer(message["text"]) == "handoff"


async def test_a_return_asked_about_before_sending_it_is_still_how_to_return(
    store: DemoStore,
) -> None:
    """ "Can I send the coffee set back?": how to return it, as before."""
    turns = [
        ("customer", "can I send the coffee set back? order 730915", "get_refund"),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", "SE-113 56", "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": "730915", "verified_customer": owner("730915")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "return-asked", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    order = await store.order("730915")
    assert order is not None
    assert not says(message["text"], "track_refund.none_sent_back", order_id="730915")
    assert "Return" in message["text"]


@pytest.mark.parametrize(
    "said",
    [
        "the coffee set came with a long crack down the side",
        "the jug from order 730915 leaks all over the counter",
        "the jug has a chip on the spout",
        "the filters are paper, not metal like we ordered",
        "hi, my coffee set from order 730915 stopped working after two weeks",
        "the grinder won't turn on",
    ],
)
async def test_a_flaw_told_in_other_words_is_put_right_not_looked_up(
    store: DemoStore, said: str
) -> None:
    """A crack, a leak, a chip, the wrong material, told before the proof: after it,
    the delivered order's flaw is what is answered, not its delivery date."""
    delivered = await store.order("730915")
    assert delivered is not None
    assert record_disagrees(delivered, said) == "complaint.order"
    assert record_disagrees(delivered, "is the jug dishwasher safe?") is None


async def test_a_return_asked_of_an_order_with_a_refund_on_record_is_how_to_return(
    store: DemoStore,
) -> None:
    """ "I need to send the boots back, they're too small" about an order with a
    refund request on record: how to return them, not the refund's state (which
    answers "where's my money?")."""
    refund = await store.refund_for("64450")
    assert refund is not None
    turns = [
        (
            "customer",
            "I need to send the wellington boots from 64450 back, they're too small",
            "get_refund",
        ),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", "28013", "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": "64450", "verified_customer": owner("64450")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "return-with-refund", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert not says(message["text"], f"track_refund.{refund.status}", **refund.values())
    assert "Return" in message["text"]
    # the money asked about: the refund on record
    turns[0] = (
        "customer",
        "I sent the boots from 64450 back, when do I get my money?",
        "track_refund",
    )
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "refund-asked", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert says(message["text"], f"track_refund.{refund.status}", **refund.values())


def test_a_code_or_page_that_does_not_work_is_no_item_problem() -> None:
    assert not item_problem("the discount code doesn't work")
    assert not item_problem("the returns page won't load, the link is not working")
    assert item_problem("the payment page won't load. also my lamp is faulty.")


@pytest.mark.parametrize(
    ("order_id", "postcode", "said"),
    [
        (
            "5520174",
            "EC1A 1BB",
            "I've never bought anything online before and I'm scared I messed it "
            "up. order 5520174 still says processing, is that okay?",
        ),
        (
            "730915",
            "SE-113 56",
            "hello love, is my coffee set 730915 there yet? i can't see well",
        ),
    ],
)
async def test_a_worried_question_read_as_a_complaint_is_answered_with_the_state(
    store: DemoStore, order_id: str, postcode: str, said: str
) -> None:
    """A worry beside a question about where the order is, nothing wrong told: NLU
    may read a complaint, but no replacement or refund is offered for what is not
    broken; where the order is answers it."""
    turns = [
        ("customer", said, "complaint"),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", postcode, "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": order_id, "verified_customer": owner(order_id)}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "worried-question", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    order = await store.order(order_id)
    assert order is not None
    assert not says(message["text"], "complaint.order", **order.values())
    assert "replacement" not in message["text"]
    # told of something wrong, the same question is a complaint: a person puts it
    # right
    turns[0] = (
        "customer",
        f"the jug from {order_id} came cracked, is that normal?",
        "complaint",
    )
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "cracked-question", **proven)
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert not says(message["text"], f"track_order.{order.status}", **order.values())
    assert reply_book().offer(message["text"]) == "handoff"


async def test_nerves_about_an_order_on_its_way_read_as_a_complaint_get_its_state(
    store: DemoStore,
) -> None:
    """ "thanks, I'm just really nervous about it" after the state of an order on
    its way (NLU: complaint): nothing wrong was told, so no replacement or refund
    is offered; where it is, and whether in time for the day said before."""
    order = await store.order("1209384756")
    assert order is not None
    turns = [
        (
            "customer",
            "where's order 1209384756? I need the knife for my course on Friday",
            "track_order",
        ),
        ("bot", f"Order 1209384756 is being prepared, due {order.eta}.", None),
        ("customer", "thanks, I'm just really nervous about it", "complaint"),
    ]
    proven = {"order_id": "1209384756", "verified_customer": owner("1209384756")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, "nervous-after-state", **proven)
    await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert not says(said, "complaint.order", **order.values()), said
    assert "replacement" not in said and order.eta in said, said


async def test_a_question_about_the_product_in_a_named_order_gets_its_details(
    store: DemoStore,
) -> None:
    """ "Does the mat in order 228810 contain latex? I'm allergic.", then the proof:
    the product's details (its page, or a colleague who asks), not where the order
    is; "where's my merino scarf?" is still where it is."""
    turns = [
        (
            "customer",
            "Does the mat in order 228810 contain latex? I'm allergic to it.",
            "track_order",
        ),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", "560001", "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": "228810", "verified_customer": owner("228810")}
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(
        dispatcher, conversation(turns, "product-asked", **proven), DOMAIN
    )
    [message] = dispatcher.messages
    assert says(message["text"], "faq.product_details"), message["text"]
    turns[0] = ("customer", "where's my yoga mat? order 228810", "track_order")
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(
        dispatcher, conversation(turns, "where-asked", **proven), DOMAIN
    )
    [message] = dispatcher.messages
    assert not says(message["text"], "faq.product_details"), message["text"]


async def _after_proof(first: str, intent: str, order_id: str, sender: str) -> str:
    """What the lookup says once the order named in ``first`` is proven theirs."""
    turns = [
        ("customer", first, intent),
        ("bot", "What's the e-mail address or postcode it's under?", None),
        ("customer", "it's under my postcode", "inform"),
        ("form", "", None),
    ]
    proven = {"order_id": order_id, "verified_customer": owner(order_id)}
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(
        dispatcher, conversation(turns, sender, **proven), DOMAIN
    )
    [message] = dispatcher.messages
    return str(message["text"])


async def test_a_question_the_faq_answers_about_a_named_order_gets_that_answer(
    store: DemoStore,
) -> None:
    """ "How long is the warranty on the kettle from order 651234?" (NLU: where
    the order is), then the proof: the warranty, not the day it was delivered; a
    question of where it is still gets its state."""
    said = await _after_proof(
        "How long is the warranty on the kettle from order 651234?",
        "track_order",
        "651234",
        "faq-asked",
    )
    assert says(said, "faq.warranty"), said
    said = await _after_proof(
        "When will order 651234 arrive?", "track_order", "651234", "where-asked"
    )
    assert not says(said, "faq.warranty") and "651234" in said, said


async def test_the_wrong_item_told_before_the_order_is_put_right_after_the_proof(
    store: DemoStore,
) -> None:
    """ "I got a grey one but I ordered green": the wrong item, whichever comes first
    in the sentence; the parcel's whereabouts are not the answer."""
    text = "I got the speaker from 87001 in black, but I ordered the blue one."
    assert item_problem(text)
    said = await _after_proof(text, "get_refund", "87001", "got-but-ordered")
    assert "replacement" in said or "refund" in said, said
    assert "neighbour" not in said, said
    for text in (
        "I got an e-mail but I ordered nothing",
        "I got the parcel, but I wanted to ask about the invoice",
    ):
        assert not item_problem(text), text


async def test_a_size_up_asked_of_a_named_order_is_a_question_about_the_product(
    store: DemoStore,
) -> None:
    said = await _after_proof(
        "Do you have the boots from order 64450 one size up?",
        "exchange_item",
        "64450",
        "size-up",
    )
    assert says(said, "faq.product_details"), said


async def test_what_is_in_the_order_is_its_items_and_total(store: DemoStore) -> None:
    """ "Are the blocks in order 228810 a pack of two?", then the proof: its items
    and what it came to, not where it is; "how many times must I ask?" asks no such
    thing."""
    said = await _after_proof(
        "Are the cork blocks in order 228810 a pack of two or just one?",
        "track_order",
        "228810",
        "contents",
    )
    assert "Cork yoga blocks (pair)" in said and "45.50 EUR" in said, said
    assert "PostNL" not in said, said  # not where it is
    assert not mentioned("asks_contents", "How many times do I have to ask?")


@pytest.mark.parametrize(
    ("question", "money"),
    [
        ("How long do I have to send it back?", False),
        ("And is return shipping free?", False),
        ("when do I get the refund for it?", True),
    ],
)
async def test_the_rules_of_returns_asked_are_not_the_refund_on_record(
    question: str, money: bool
) -> None:
    """Asked how long there is to send it back, or whether that is free, about an
    order with a refund on record: the rules (of that order), not the refund's
    state again; asked about the money, the refund on record."""
    turns = [
        ("customer", "how do I return order 13579?", "check_refund_policy"),
        ("bot", "You can return order 13579 under Account > Orders.", None),
        ("customer", question, "check_refund_policy"),
    ]
    proven = {"order_id": "13579", "verified_customer": owner("13579")}
    dispatcher = CollectingDispatcher()
    tracker = conversation(turns, f"rules-{money}-{len(question)}", **proven)
    events = await ActionAnswer().run(dispatcher, tracker, DOMAIN)
    looked_up = {"event": "followup", "timestamp": None, "name": "order_form"}
    assert (looked_up in events) is money, (events, dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("It not connect with my phone. How to fix?", True),
        ("the speaker won't pair with my laptop any more", True),
        ("Reset it already. Still not work.", True),
        # signing in or a site that will not connect is no broken item
        ("my phone can't connect to your website", False),
        ("the app won't connect to my account", False),
    ],
)
def test_an_item_that_will_not_connect_is_a_problem_with_it(
    text: str, problem: bool
) -> None:
    assert item_problem(text) is problem
