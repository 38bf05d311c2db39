"""The demo store (its dates live in the present) and how order/invoice numbers are
read from customer text."""

import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.demo_store import DemoStore, delivery_day
from actions.lookups import ActionOrderLookup
from actions.numbers import find_number, is_phone_part, normalise_number, phone_digits
from actions.order_checks import against_deadline, deadline_day, record_disagrees
from actions.paths import STORE_FILE
from actions.replies import reply_book
from actions.store import OrderStatus, StoreConfigError
from tests.actions.conftest import demo_on, owner, says, variations
from tests.actions.test_offers import conversation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48213", "48213"),
        ("#48213", "48213"),
        ("it's 0048213 thanks", "48213"),
        ("order no. 4821 3", "48213"),
        ("INV-20931", "20931"),
        ("my number is 771-204-385", "771204385"),
        ("", None),
        ("I don't have it", None),
        ("call me at 5pm", None),
        ("123", None),
        ("1234567890123456789", None),
        # the next item's number in a list is not part of the order's
        ("1) where is 87001 2) do you take PayPal?", "87001"),
        ("order 48213. 2. can I change the address", "48213"),
        # a postcode in an address, before the town, is no order number
        ("the new address: Hauptweg 3, 80331 München", None),
        ("Prinsengracht 20, 1016 GV Amsterdam please", None),
        ("I moved to 12 rue Oberkampf in 75011 Paris", None),
        ("48213 Maya Lindqvist", "48213"),
        ("order 48213, Lyon office", "48213"),
    ],
)
def test_find_number(text: str, expected: str | None) -> None:
    assert find_number(text) == expected


def test_normalise_number_rejects_non_numbers() -> None:
    assert normalise_number(None) is None
    assert normalise_number("abc") is None
    assert normalise_number("12") is None
    assert normalise_number("#00042") == "42"


async def test_lookups_by_any_spelling(store: DemoStore) -> None:
    order = await store.order("#0048213")
    assert order is not None and order.id == "48213"
    invoice = await store.invoice("20931")
    assert invoice is not None and invoice.order == "48213"
    assert await store.invoice_for_order("48213") == invoice
    assert await store.order("99999999") is None
    assert await store.order(None) is None and await store.customer(None) is None


async def test_every_order_refers_to_a_known_customer_and_invoice(
    store: DemoStore,
) -> None:
    for number in store.numbers():
        order = await store.order(number)
        assert order is not None and isinstance(order.status, OrderStatus)
        assert await store.customer(order.customer) is not None, order.id
        if order.status is not OrderStatus.CANCELLED:
            assert await store.invoice(order.invoice) is not None, order.id


@pytest.mark.parametrize(
    "text",
    [
        "you can call me on 07700 900123",
        "my mobile is +44 7700 900123",
        "ring me: 0049-30-123456",
        "tel. 030 12345678",
        "07700900123",
    ],
)
def test_a_telephone_number_is_not_an_order_number(text: str) -> None:
    assert find_number(text) is None
    assert is_phone_part(phone_digits(text)[0][-6:], text)


def test_an_order_number_next_to_a_phone_number_is_found() -> None:
    text = "order 228810, and my phone is 01632 960472"
    assert find_number(text) == "228810"
    assert not is_phone_part("228810", text)


async def test_store_dates_count_from_the_day_they_are_read() -> None:
    """The demo world lives in the present: a store that has run since yesterday
    says today's dates, not the ones of the day it was loaded."""
    today = [dt.date(2027, 3, 10)]
    store = DemoStore(STORE_FILE, clock=lambda: today[0])
    order = await store.order("48213")  # placed five days before, due in two
    assert order is not None and order.as_of == dt.date(2027, 3, 10)
    assert (order.placed, order.eta) == ("Friday 5 March", "Friday 12 March")
    refund = await store.refund_for("48213")
    assert refund is not None and refund.updated == "9 March"
    invoice = await store.invoice("INV-20931")
    assert invoice is not None and invoice.date == "5 March 2027"
    today[0] = dt.date(2027, 3, 11)  # the next day, the same store
    order = await store.order("48213")
    assert order is not None and order.as_of == dt.date(2027, 3, 11)
    assert (order.placed, order.eta) == ("Saturday 6 March", "Monday 15 March")
    assert order.values()["eta"] == "Monday 15 March"


async def test_only_an_order_past_its_day_and_not_delivered_is_late() -> None:
    store = demo_on(dt.date(2027, 3, 10))
    orders = [await store.order(n) for n in store.numbers()]
    late = {o.id for o in orders if o is not None and o.late}
    assert late == {"808080123456"}
    order = await store.order("808080123456")  # shipped, due four days ago
    assert order is not None and order.status is OrderStatus.SHIPPED
    assert order.due is not None and order.due < order.as_of
    assert order.values()["late"] is True


async def test_a_late_order_is_called_late_and_a_person_offered(
    store: DemoStore,
) -> None:
    tracker = conversation(
        [("customer", "any news on order 808080123456?", "track_order")],
        "late-order",
        order_id="808080123456",
        verified_customer=owner("808080123456"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    order = await store.order("808080123456")
    assert order is not None and order.late
    assert says(message["text"], "track_order.shipped_late", **order.values())
    assert reply_book().offer(message["text"], message["text"]) == "handoff"


@pytest.mark.parametrize(
    ("text", "disagrees"),
    [
        (
            "the parcel for 5520174 came today but the headphones are the wrong model",
            True,
        ),
        (
            "got order 5520174 this morning, the box is crushed and one cup is broken",
            True,
        ),
        ("order 5520174 hasn't arrived, I hope it won't be broken when it does", False),
        ("where is order 5520174?", False),
    ],
)
async def test_an_order_in_the_customers_hands_that_our_record_calls_unsent(
    store: DemoStore, text: str, disagrees: bool
) -> None:
    tracker = conversation(
        [("customer", text, "track_order")],
        "in-hand",
        order_id="5520174",
        verified_customer=owner("5520174"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    order = await store.order("5520174")
    assert order is not None and order.status == "processing"
    # an upset customer gets the first sentences of it (the empathy layer's short form)
    openings = {
        v.split(". ")[0]
        for v in variations("order.record_disagrees.processing", **order.values())
    }
    assert any(o in message["text"] for o in openings) is disagrees


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "been waiting on order 91027 for ages now",
            "order.record_disagrees.cancelled",
        ),
        (
            "91027 still hasn't come, what's going on",
            "order.record_disagrees.cancelled",
        ),
        (
            "order 91027 turned up but the shoes are the wrong size",
            "order.record_disagrees.cancelled_received",
        ),
        ("can you tell me the status of 91027", None),
        # non-native English: "arrive" for "arrived"
        (
            "the shoes arrive broken, the sole is off, order 91027",
            "order.record_disagrees.cancelled_received",
        ),
    ],
)
async def test_a_customer_waiting_for_a_cancelled_order_is_told_it_was_cancelled(
    store: DemoStore, text: str, key: str | None
) -> None:
    order = await store.order("91027")
    assert order is not None and order.status == "cancelled"
    assert record_disagrees(order, text) == key
    tracker = conversation(
        [("customer", text, "track_order")],
        "cancelled-wait",
        order_id="91027",
        verified_customer=owner("91027"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    # an upset customer gets the first sentences of the answer (empathy.compose)
    openings = {
        v.split(". ")[0]
        for v in variations(key or "track_order.cancelled", **order.values())
    }
    assert any(o in message["text"] for o in openings), message["text"]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("before Saturday", (dt.date(2026, 12, 5), True)),
        ("by Friday", (dt.date(2026, 12, 4), False)),
        ("tomorrow", (dt.date(2026, 12, 4), False)),
        ("on Thursday", (dt.date(2026, 12, 10), False)),  # today's weekday: the next
        ("this weekend", (dt.date(2026, 12, 5), False)),
        ("next Monday", (dt.date(2026, 12, 14), False)),
        ("in a few days", None),
        # a number of days from today, never the day of the month ("in 10 days")
        ("in 10 days", (dt.date(2026, 12, 13), False)),
        ("in two days", (dt.date(2026, 12, 5), False)),
        # a day of the month: this month, next month once it has gone by, or the
        # month named (next year once that has gone by)
        ("on the 20th", (dt.date(2026, 12, 20), False)),
        ("on 20th", (dt.date(2026, 12, 20), False)),
        ("before the 2nd", (dt.date(2027, 1, 2), True)),
        ("on 19 December", (dt.date(2026, 12, 19), False)),
        ("by Dec 12th", (dt.date(2026, 12, 12), False)),
        ("on the 4th of January", (dt.date(2027, 1, 4), False)),
        ("on 1 November", (dt.date(2027, 11, 1), False)),
        ("on the 31st", (dt.date(2026, 12, 31), False)),
        ("on the 20th of this month", (dt.date(2026, 12, 20), False)),
        ("on 20 of this month", (dt.date(2026, 12, 20), False)),
    ],
)
def test_a_deadline_in_words_falls_on_a_day(
    when: str, expected: tuple[dt.date, bool] | None
) -> None:
    thursday = dt.date(2026, 12, 3)  # a fixed day: no dependence on the clock
    assert deadline_day(when, thursday) == expected


async def test_an_order_that_comes_after_the_customers_deadline_is_said_so(
    store: DemoStore,
) -> None:
    """No "Good news" for a parcel that will miss the wedding."""
    order = await store.order("228810")  # shipped, due in five days
    assert order is not None and order.due is not None and order.as_of is not None
    said = ["I need it by tomorrow for my sister's wedding, where is 228810?"]
    dated = against_deadline(order, said)
    assert dated is not None and dated[0] == "after"
    assert dated[1]["event"] == "the wedding"
    assert against_deadline(order, ["where is 228810?"]) is None
    tracker = conversation(
        [("customer", said[0], "track_order")],
        "deadline",
        order_id="228810",
        verified_customer=owner("228810"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert "good news" not in message["text"].lower()
    assert order.eta in message["text"] or "too late" in message["text"]


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("The party is the 23rd of this month, will it come in time?", "on the 23rd"),
        ("my nephew's birthday is 23 of this month", "on 23 of this month"),
        ("The wedding falls on Saturday.", "on Saturday"),
    ],
)
def test_a_day_told_with_is_is_the_day_it_is_needed_for(text: str, when: str) -> None:
    """ "Her birthday is the 20th of this month. Will it arrive before?" after the
    order's state: a deadline on that day, reasoned against the order (blind probe
    ce), said back as "on the 20th"."""
    from actions.mood import analyzer

    found = [c for c in analyzer().analyze(text).circumstances if c.kind == "deadline"]
    assert found and found[0].when.startswith(when), found


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("the vase from 730915 arrived in about a dozen pieces", "complaint.order"),
        ("got order 730915 but the lamp won't turn on", "complaint.order"),
        ("730915 came yesterday and it's the wrong colour", "complaint.order"),
        ("I ordered the green set (730915) and got a grey one", "complaint.order"),
        ("730915 never arrived", "track_order.delivered_missing"),
        ("I receive wrong colour for 730915, I order black", "complaint.order"),
        (
            "730915 says delivered, but there's no parcel",
            "track_order.delivered_missing",
        ),
        ("what's the status of 730915", None),
        # a payment that does not work is no item in hand
        ("730915: the payment link doesn't work", None),
    ],
)
async def test_a_delivered_order_with_a_problem_in_hand_is_put_right_not_tracked(
    store: DemoStore, text: str, key: str | None
) -> None:
    order = await store.order("730915")
    assert order is not None and order.status == "delivered"
    assert record_disagrees(order, text) == key
    tracker = conversation(
        [("customer", text, "track_order")],
        "delivered-in-hand",
        order_id="730915",
        verified_customer=owner("730915"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    said_where = any(
        v.split(". ")[0] in message["text"]
        for v in variations("track_order.delivered", **order.values())
    )
    assert said_where is (key is None)


async def test_a_complaint_after_the_lookup_is_about_the_order_of_the_chat(
    store: DemoStore,
) -> None:
    """ "It came but the mug inside was chipped" names no order: it is the one the
    bot just looked up, put right, not "could you describe what happened?"."""
    order = await store.order("730915")
    assert order is not None
    turns = [
        ("customer", "where is 730915", "track_order"),
        ("bot", "Order 730915 was delivered by DHL.", None),
        ("customer", "It came but the mug inside was chipped, a shame", "complaint"),
    ]
    tracker = conversation(
        turns, "chat-order", order_id="730915", verified_customer=owner("730915")
    )
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert any(
        v.split(". ")[0] in message["text"]
        for v in variations("complaint.order", **order.values())
    )
    # not proven theirs yet: the order form asks for the proof first
    unproven = conversation(turns, "chat-order-unproven", order_id="730915")
    events = await ActionAnswer().run(CollectingDispatcher(), unproven, {})
    assert FollowupAction("order_form") in events


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "need 48213 before Friday for a trip, will it get here in time?",
            "track_order",
        ),
        ("where's my refund for 48213", "track_refund"),
        ("sent 48213 back last week, when do I get my money", "track_refund"),
    ],
)
def test_a_refund_guess_without_a_word_about_money_is_about_the_order(
    text: str, topic: str
) -> None:
    tracker = conversation(
        [("customer", text, "track_refund"), ("form", "", None)],
        "refund-guess",
        order_id="48213",
    )
    assert ActionOrderLookup().topic(tracker) == topic


@pytest.mark.parametrize(
    "text",
    [
        "order 730915 was left out in the rain and arrived soaked",
        "730915: the box was soaked through when I picked it up",
    ],
)
async def test_a_soaked_parcel_is_one_in_hand_with_a_problem(
    store: DemoStore, text: str
) -> None:
    order = await store.order("730915")
    assert order is not None
    assert record_disagrees(order, text) == "complaint.order"


def test_money_back_in_context_needs_a_word_about_money() -> None:
    """ "It was meant to arrive before Saturday" read as a refund question gets the
    order, not "since it didn't arrive, this isn't a return"."""
    from actions.order_chat import refund_without_order

    def chat(text: str) -> Tracker:
        return conversation(
            [("customer", text, "track_refund"), ("form", "", None)],
            "money-in-context",
            order_id="91027",
        )

    assert refund_without_order(chat("91027 was meant to arrive by Saturday")) is None
    asked = chat("91027 never arrived, I want my money back")
    assert refund_without_order(asked) is not None


async def test_other_items_than_ordered_are_a_problem_with_a_parcel_on_its_way(
    store: DemoStore,
) -> None:
    """ "I ordered A and B (order ...) but got two As and no B": the record says it is
    on its way, the customer has it, with the wrong things; never "Good news"."""
    order = await store.order("228810")
    assert order is not None and order.status == "shipped"
    said = (
        "I ordered a reading lamp and two bulbs for it (order 228810) but got three "
        "lamps and no bulbs"
    )
    assert record_disagrees(order, said) == "order.record_disagrees.shipped"


async def test_a_double_charge_is_about_the_payments_not_the_orders_state(
    store: DemoStore,
) -> None:
    """After the proof, "charged twice for order 48213" is not answered with where
    the parcel is: a person checks the payments."""
    order = await store.order("48213")
    assert order is not None and order.status == "shipped"
    said = ("third time I write: you took the money twice for 48213", "SE-113 56")
    assert record_disagrees(order, *said) == "order.double_charge"
    assert record_disagrees(order, "where is 48213?", "SE-113 56") is None


@pytest.mark.parametrize(
    "question", ["when will you post it?", "what's the dispatch date?"]
)
async def test_when_an_order_still_with_us_leaves_is_answered_as_that(
    store: DemoStore, question: str
) -> None:
    order = await store.order("5520174")
    assert order is not None and order.status == "processing"
    tracker = conversation(
        [("customer", f"order 5520174: {question}", "track_order")],
        "dispatch-day",
        order_id="5520174",
        verified_customer=owner("5520174"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert says(message["text"], "track_order.processing_dispatch", **order.values())
    # an order on its way is not "still with us"
    shipped = conversation(
        [("customer", "order 48213: when will you post it?", "track_order")],
        "dispatch-shipped",
        order_id="48213",
        verified_customer=owner("48213"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, shipped, {})
    [message] = dispatcher.messages
    assert not says(message["text"], "track_order.processing_dispatch")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, dt.date(2026, 12, 7)),  # Saturday: the Monday after
        (2, dt.date(2026, 12, 7)),  # Sunday: the Monday after
        (3, dt.date(2026, 12, 7)),  # Monday itself
        (-1, dt.date(2026, 12, 3)),  # a Thursday stays
        (-6, dt.date(2026, 11, 27)),  # a past Saturday: the Friday before
        (0, dt.date(2026, 12, 4)),
    ],
)
def test_delivery_dates_fall_on_working_days(days: int, expected: dt.date) -> None:
    """We do not deliver on Sundays (nor promise Saturdays): an expected delivery is
    never written for a weekend, and an overdue one stays overdue."""
    friday = dt.date(2026, 12, 4)
    assert delivery_day(days, friday) == expected


async def test_no_order_of_the_demo_store_is_due_at_a_weekend() -> None:
    """Whatever day the store is read on, its delivery days are working days."""
    for offset in range(7):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=offset)
        store = demo_on(day)
        for number in store.numbers():
            order = await store.order(number)
            assert order is not None
            assert order.due is None or order.due.weekday() < 5, (day, order.id)
            assert not order.eta.startswith(("Saturday", "Sunday"))


def test_the_demo_stores_day_can_be_fixed_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DEMO_STORE_TODAY fixes the demo's day (demos, screenshots); a bad value
    stops the action server with the variable's name."""
    monkeypatch.setenv("DEMO_STORE_TODAY", "2027-03-10")
    assert DemoStore.from_env().clock() == dt.date(2027, 3, 10)
    monkeypatch.setenv("DEMO_STORE_TODAY", "next tuesday")
    with pytest.raises(StoreConfigError, match="DEMO_STORE_TODAY"):
        DemoStore.from_env()


async def test_an_order_still_packed_that_will_miss_the_day_says_so(
    store: DemoStore,
) -> None:
    """Still being packed and due after the day it is needed: said honestly, with
    the event, not only the expected day."""
    order = await store.order("99887766")  # processing
    assert order is not None and order.status is OrderStatus.PROCESSING
    said = ["I need 99887766 by tomorrow, it's for my daughter's wedding"]
    dated = against_deadline(order, said)
    assert dated is not None and dated[0] == "after"
    assert dated[1]["event"] == "the wedding"
    tracker = conversation(
        [("customer", said[0], "track_order")],
        "deadline-processing",
        order_id="99887766",
        verified_customer=owner("99887766"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert says(
        message["text"],
        "track_order.processing_after_deadline",
        **{**order.values(), **dated[1]},
    ), message["text"]


async def looked_up(number: str, text: str, sender: str) -> str:
    """What the order lookup answers the owner of order ``number`` who wrote
    ``text``."""
    tracker = conversation(
        [("customer", text, "track_order")],
        sender,
        order_id=number,
        verified_customer=owner(number),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return str(message["text"])


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("228810", "track_order.before_deadline"),  # shipped, due in five days
        ("99887766", "track_order.processing_before_deadline"),
    ],
)
async def test_an_order_due_before_the_customers_day_says_it_is_in_time(
    store: DemoStore, number: str, key: str
) -> None:
    """ "Will it get here by <a day two weeks on>?": the expected day and that it is
    before theirs, so the customer need not do the sum."""
    order = await store.order(number)
    assert order is not None and order.due is not None and order.as_of is not None
    # "by next <tomorrow's weekday>" is eight days on: after the expected day
    assert order.due < order.as_of + dt.timedelta(days=8)
    day = f"{order.as_of + dt.timedelta(days=1):%A}".lower()
    said = [f"will {number} arrive by next {day}? it's for my dad's birthday"]
    dated = against_deadline(order, said)
    assert dated is not None and dated[0] == "before", dated
    assert dated[1]["for_event"] == " for the birthday"
    text = await looked_up(number, said[0], "deadline-in-time")
    assert says(text, key, **order.values(), **dated[1]), text


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("228810", "track_order.on_deadline"),
        ("99887766", "track_order.processing_on_deadline"),
    ],
)
async def test_an_order_due_on_the_very_day_it_is_needed_says_so(
    store: DemoStore, number: str, key: str
) -> None:
    """Due on the day the customer needs it by: in time but with no day to spare,
    not "it should reach you before Friday" about a Friday delivery."""
    order = await store.order(number)
    assert order is not None and order.due is not None and order.as_of is not None
    ahead = (order.due - order.as_of).days
    assert 0 < ahead <= 7  # within a week: named by its weekday alone
    said = [f"I need {number} by {order.due:%A}, it's for a trip"]
    dated = against_deadline(order, said)
    assert dated is not None and dated[0] == "on", dated
    text = await looked_up(number, said[0], "deadline-on-the-day")
    assert says(text, key, **order.values(), **dated[1]), text
    assert "before" not in text
    # "before Friday" and due on Friday: too late
    dated = against_deadline(order, [f"I need {number} before {order.due:%A}"])
    assert dated is not None and dated[0] == "after"


async def test_a_cancelled_order_has_its_refund_on_the_way() -> None:
    """Cancelled by the bot a moment ago, the order's money is on its way back: "when
    do I get the refund?" is not answered with "I don't see a refund"."""
    shop = demo_on()
    order = await shop.order("99887766")
    assert order is not None and order.status is OrderStatus.PROCESSING
    assert await shop.refund_for("99887766") is None
    cancelled = await shop.cancel_order("99887766")
    assert cancelled.status is OrderStatus.CANCELLED
    refund = await shop.refund_for("99887766")
    assert refund is not None and refund.amount == cancelled.total
    assert refund.status.value == "approved"
    # an order already on its way is not cancelled, and gets no refund
    assert (await shop.cancel_order("48213")).status is OrderStatus.SHIPPED
    before = await shop.refund_for("48213")
    assert before is None or before.order == "48213"


@pytest.mark.parametrize(
    ("text", "in_hand"),
    [
        ("I ordered a red scarf and a grey one turned up", True),
        ("ordered a medium but a large one came", True),
        ("I ordered on Monday and the parcel came today, thanks", False),
        ("I ordered two lamps and the lamps arrived fine", False),
    ],
)
def test_another_one_than_ordered_is_in_hand_with_a_problem(
    text: str, in_hand: bool
) -> None:
    """ "I ordered a red one and a grey one turned up": the customer has it, and it is
    the wrong one (a delivered order is not "if you can't find it, ask a
    neighbour")."""
    from actions.mentions import mentioned

    assert mentioned("has_it_with_a_problem", text.lower()) is in_hand


async def test_the_day_a_delivered_order_came_is_said_when_asked(
    store: DemoStore,
) -> None:
    """ "What day was it delivered?" gets the day, not only that it was."""
    order = await store.order("730915")
    assert order is not None and order.status is OrderStatus.DELIVERED and order.eta
    turns = [
        ("customer", "what day was 730915 delivered?", "track_order"),
        ("customer", "SE-113 56", "inform"),
    ]
    tracker = conversation(
        turns, "delivered-day", order_id="730915", verified_customer=owner("730915")
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert says(message["text"], "track_order.delivered_on", **order.values())
    assert order.values()["eta"] in message["text"]
