"""Records, configuration, keys and the wait estimate (no Redis needed)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.handoff import (
    ContactMethod,
    Customer,
    EmotionSnapshot,
    FollowUp,
    Note,
    Rating,
    Ticket,
    TicketState,
    UrgencyFlag,
    expected_wait,
    load_config,
)
from bot.handoff.config import DEFAULT_PATH, BusinessHours
from bot.handoff.keys import Keys, valid_id


def full_ticket() -> Ticket:
    return Ticket(
        id="web-abc",
        channel="web",
        customer=Customer("c-1", "Ann Ödegaard"),
        state=TicketState.ASSIGNED,
        emotion=EmotionSnapshot("anger", 0.85, 4, 1_750_000_010.5),
        timeline=[
            EmotionSnapshot("frustration", 0.4, 2, 1_750_000_000.0),
            EmotionSnapshot("anger", 0.85, 4, 1_750_000_010.5),
        ],
        flags=frozenset({UrgencyFlag.VIP, UrgencyFlag.LEGAL_THREAT}),
        topic="refund_status",
        reasons=["frustration", "legal_threat"],
        explanation="Threatened legal action: 'my lawyer'.",
        tried=["order lookup"],
        slots={"order_id": "48213", "amount": 12.5},
        priority=104.0,
        skill="billing",
        agent_id="a-7",
        token=42,
        created_at=1_750_000_000.0,
        queued_at=1_750_000_000.0,
        assigned_at=1_750_000_030.25,
        reoffers=1,
        transfers=1,
        episode=2,
        last_agent="a-3",
        notes=[Note("a-7", "asked for the invoice", 1_750_000_040.0)],
        follow_up=FollowUp(ContactMethod.EMAIL, "ann@example.org", "mornings"),
        rating=Rating(4, 5, effort=2, recommend=9, comment="thanks"),
    )


def test_ticket_json_round_trip() -> None:
    ticket = full_ticket()
    assert Ticket.from_json(ticket.to_json()) == ticket


def test_ticket_hash_round_trip_keeps_every_field() -> None:
    ticket = full_ticket()
    fields = ticket.to_fields()
    assert all(isinstance(v, str) for v in fields.values())
    assert Ticket.from_fields(fields) == ticket


def test_a_flag_from_a_newer_version_is_skipped_not_fatal() -> None:
    """During a rolling upgrade an older gateway reads tickets a newer action server
    flagged: the ticket still reads, with the flags it knows."""
    ticket = full_ticket()
    fields = ticket.to_fields()
    fields["flags"] = ",".join([*sorted(f.value for f in ticket.flags), "from_later"])
    assert Ticket.from_fields(fields) == ticket
    data = ticket.to_dict()
    data["flags"] = [*data["flags"], "from_later"]
    assert Ticket.from_dict(data) == ticket


def test_priority_ages_with_waiting_time() -> None:
    ticket = full_ticket()
    assert ticket.priority_at(ticket.queued_at or 0, 4) == ticket.priority
    assert ticket.priority_at((ticket.queued_at or 0) + 600, 4) == ticket.priority + 40


@pytest.mark.parametrize(
    ("snapshot", "ok"),
    [
        (EmotionSnapshot("anger", 1.0, 4), True),
        (EmotionSnapshot("anger", 1.2, 1), False),
        (EmotionSnapshot("anger", float("nan"), 1), False),
        (EmotionSnapshot("anger", 0.5, 5), False),
        (EmotionSnapshot("", 0.5, 1), False),
    ],
)
def test_emotion_validation(snapshot: EmotionSnapshot, ok: bool) -> None:
    assert (snapshot.problems() == []) is ok


@pytest.mark.parametrize(
    ("rating", "ok"),
    [
        (Rating(1, 5), True),
        (Rating(5, 1, effort=5, recommend=0), True),
        (Rating(0, 3), False),
        (Rating(3, 6), False),
        (Rating(3, 3, effort=0), False),
        (Rating(3, 3, recommend=11), False),
        (Rating(True, 3), False),
    ],
)
def test_rating_validation(rating: Rating, ok: bool) -> None:
    assert (rating.problems() == []) is ok


def test_expected_wait() -> None:
    assert expected_wait(1, 0, 0, 400) is None  # nobody online
    assert expected_wait(2, 2, 4, 100) == 0.0  # a free slot
    assert expected_wait(5, 1, 2, 400) == 4 * 400 / 2
    assert expected_wait(3, 0, 3, 120) == 3 * 120 / 3


def test_config_file_loads_with_all_flags_weighted() -> None:
    config = load_config(DEFAULT_PATH)
    assert set(config.flag_weights) == set(UrgencyFlag)
    assert (
        config.flag_weights[UrgencyFlag.DISTRESS] > config.flag_weights[UrgencyFlag.VIP]
    )
    assert config.specialist_skill == "deescalation"
    assert config.lease > 0 and config.aging_per_minute > 0
    assert not config.hours.always_open


def test_business_hours() -> None:
    zone = ZoneInfo("Europe/Berlin")
    hours = BusinessHours(
        timezone="Europe/Berlin",
        days={0: (dt.time(8), dt.time(20))},  # Mondays only
        closed_dates=frozenset({dt.date(2025, 6, 16)}),
    )
    monday_9 = dt.datetime(2025, 6, 9, 9, 0, tzinfo=zone).timestamp()
    monday_21 = dt.datetime(2025, 6, 9, 21, 0, tzinfo=zone).timestamp()
    assert hours.is_open(monday_9)
    assert hours.next_open(monday_9) == monday_9
    assert not hours.is_open(monday_21)
    # next Monday is a closed date: the one after
    expected = dt.datetime(2025, 6, 23, 8, 0, tzinfo=zone).timestamp()
    assert hours.next_open(monday_21) == expected


def test_a_night_shift_runs_past_midnight() -> None:
    zone = ZoneInfo("UTC")
    hours = BusinessHours(
        days={4: (dt.time(22), dt.time(6)), 5: (dt.time(0), dt.time(0))},
        closed_dates=frozenset({dt.date(2025, 6, 20)}),  # a Friday
    )

    def at(day: int, hour: int) -> float:
        return dt.datetime(2025, 6, day, hour, tzinfo=zone).timestamp()

    assert not hours.is_open(at(13, 21))  # Friday before the shift
    assert hours.is_open(at(13, 23))  # Friday night
    assert hours.is_open(at(14, 3))  # Saturday: Friday's shift, and all day
    assert hours.is_open(at(14, 23))
    assert not hours.is_open(at(15, 3))  # Sunday: Saturday's span ended at midnight
    assert not hours.is_open(at(20, 23))  # a closed Friday has no night shift
    assert hours.is_open(at(21, 3))  # ... but Saturday is open all day
    assert hours.next_open(at(15, 3)) == at(21, 0)  # the next Saturday's midnight


def test_opening_times_read_as_a_customer_says_them() -> None:
    zone = ZoneInfo("Europe/Berlin")
    hours = BusinessHours(timezone="Europe/Berlin", days={0: (dt.time(8), dt.time(20))})
    sunday_22 = dt.datetime(2025, 6, 8, 22, 0, tzinfo=zone).timestamp()
    monday_6 = dt.datetime(2025, 6, 9, 6, 0, tzinfo=zone).timestamp()
    monday_21 = dt.datetime(2025, 6, 9, 21, 0, tzinfo=zone).timestamp()
    friday_23 = dt.datetime(2025, 6, 13, 23, 0, tzinfo=zone).timestamp()
    say = hours.describe
    assert say(hours.next_open(monday_6) or 0, monday_6) == "today at 08:00 Berlin time"
    assert say(hours.next_open(sunday_22) or 0, sunday_22) == (
        "tomorrow at 08:00 Berlin time"
    )
    assert (
        say(hours.next_open(friday_23) or 0, friday_23)
        == "on Monday at 08:00 Berlin time"
    )
    assert (
        say(hours.next_open(monday_21) or 0, monday_21)
        == "on 16 June at 08:00 Berlin time"
    )
    utc = BusinessHours(timezone="UTC", days={0: (dt.time(9), dt.time(17))})
    assert utc.describe(monday_6, sunday_22) == "tomorrow at 04:00"


def test_keys_share_one_hash_tag() -> None:
    keys = Keys("es")
    names = [
        keys.ticket("web-1"),
        keys.archive("web-1"),
        keys.queue,
        keys.leases,
        keys.agent("a1"),
        keys.agent_chats("a1"),
        keys.agent_intense("a1"),
        keys.events,
        keys.fence,
    ]
    assert all(name.startswith("{es}:") for name in names)
    assert keys.ticket("web-1") == "{es}:ticket:web-1"
    assert keys.ticket_id(keys.ticket("x:y")) == "x:y"
    with pytest.raises(ValueError):
        Keys("es:bad")


def test_id_validation() -> None:
    assert valid_id("web-abc.123")
    assert valid_id("whatsapp:+4917")
    assert not valid_id("whatsapp:+4917", agent=True)
    assert not valid_id("")
    assert not valid_id("has space")
    assert not valid_id("x" * 201)
    assert not valid_id(None)
