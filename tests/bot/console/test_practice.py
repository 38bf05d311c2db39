"""Practice conversations without Redis: the scenario library, how the simulated
customer reacts to a reply, the ends of a practice and its report."""

from __future__ import annotations

import re

import pytest

from bot.console.assist import library
from bot.console.practice import (
    LEVELS,
    MAX_REPLIES,
    Practice,
    answer,
    end,
    judge,
    report,
    score,
    start,
    view,
)
from bot.console.scenarios import Scenario, check, scenarios

ACKNOWLEDGING = (
    "I'm so sorry, Maya. I understand how worrying this is with the birthday on "
    "Saturday. I'm checking order 48213 with the carrier right now and I'll tell you "
    "today."
)
DISMISSIVE = "Just wait, it will come."


def parcel() -> Scenario:
    return scenarios()["late_parcel"]


def new(scenario: Scenario | None = None) -> Practice:
    return start(scenario or parcel(), "p" + "0" * 16, "tia", "Tia", 1000.0)


def test_the_library_has_eight_scenarios_of_every_kind_asked_for() -> None:
    found = scenarios()
    assert check(found, library()) == []
    assert len(found) >= 8
    situations = " ".join(f"{s.title} {s.situation}" for s in found.values()).lower()
    for kind in (
        "late",
        "broken",
        "charged twice",
        "died",
        "third contact",
        "elderly",
        "formal",
        "german",
    ):
        assert kind in situations, kind
    assert {s.emotion for s in found.values()} >= {"anger", "sadness", "anxiety"}


def test_the_briefing_never_gives_the_cues_away() -> None:
    for s in scenarios().values():
        brief = str(s.brief())
        assert s.opening not in brief
        assert not any(c.hint in brief for c in (*s.calms, *s.worsens))


@pytest.mark.parametrize("sid", sorted(scenarios()))
def test_the_first_strong_reply_calms_each_customer(sid: str) -> None:
    s = scenarios()[sid]
    strong = s.strong_reply(0, "Sam", library())
    assert "{" not in strong
    assert judge(s, s.opening, s.level, strong).reaction == "calmer"


def test_an_acknowledging_reply_calms_and_a_dismissive_one_escalates() -> None:
    s = parcel()
    calm = judge(s, s.opening, 2, ACKNOWLEDGING)
    assert calm.reaction == "calmer" and calm.score == 1.0
    assert len(calm.calmed_by) == 2 and calm.worsened_by == []
    rude = judge(s, s.opening, 2, DISMISSIVE)
    assert rude.reaction == "worse"
    assert {w["code"] for w in rude.warnings} == {"no_acknowledgement", "dismissive"}


@pytest.mark.parametrize(
    ("reply", "reaction"),
    [
        ("I'm sorry.", "same"),  # acknowledges, but nothing else
        ("Your parcel will arrive tomorrow.", "same"),  # facts without the feeling
        ("It's the courier's fault, not ours.", "worse"),  # the scenario's own cue
        ("I'm sorry Maya!! I'll check order 48213 today!!", "worse"),  # loud
        ("SORRY, I WILL CHECK THE ORDER NOW FOR YOU", "worse"),  # shouting
        (
            "Sorry, but as I said, you should have checked the tracking yourself.",
            "worse",
        ),
    ],
)
def test_other_replies(reply: str, reaction: str) -> None:
    s = parcel()
    assert judge(s, s.opening, 2, reply).reaction == reaction


def test_a_reply_in_the_customers_language_calms_them() -> None:
    s = scenarios()["german_customer"]
    german = (
        "Es tut mir leid, Jonas. Ich prüfe Ihre Bestellung 52014 und die alte Adresse."
    )
    assert judge(s, s.opening, 2, german).reaction == "calmer"
    found = judge(s, s.opening, 2, "Please write in English so I can help you.")
    assert found.reaction == "worse" and found.worsened_by


def test_the_customer_answers_with_the_next_line_of_each_reaction() -> None:
    s = parcel()
    practice = new()
    assert practice.turns == [
        {"author": "customer", "text": s.opening, "level": 2, "reaction": ""}
    ]
    answer(practice, s, DISMISSIVE, 1001.0)
    assert practice.level == 3 and practice.last_customer_line == s.lines["worse"][0]
    answer(practice, s, ACKNOWLEDGING, 1002.0)
    assert practice.level == 2 and practice.last_customer_line == s.lines["calmer"][0]
    answer(practice, s, "I'm sorry.", 1003.0)
    assert practice.level == 2 and practice.last_customer_line == s.lines["same"][0]
    answer(practice, s, DISMISSIVE, 1004.0)
    assert practice.last_customer_line == s.lines["worse"][1]
    assert [t["reaction"] for t in practice.turns if t["author"] == "customer"] == [
        "",
        "worse",
        "calmer",
        "same",
        "worse",
    ]
    assert not practice.finished


def test_the_same_replies_give_the_same_conversation() -> None:
    replies = [DISMISSIVE, ACKNOWLEDGING, "I'm sorry.", ACKNOWLEDGING]
    runs = []
    for _ in range(2):
        practice = new()
        for reply in replies:
            answer(practice, parcel(), reply, 1001.0)
        runs.append(practice.to_dict())
    assert runs[0] == runs[1]
    assert Practice.from_dict(runs[0]).to_dict() == runs[0]


def test_two_calming_replies_settle_the_customer_and_end_the_practice() -> None:
    s = parcel()
    practice = new()
    answer(practice, s, ACKNOWLEDGING, 1001.0)
    answer(practice, s, ACKNOWLEDGING, 1002.0)
    assert practice.outcome == "settled" and practice.level == 0
    assert practice.last_customer_line == s.settled
    assert practice.finished_at == 1002.0
    with pytest.raises(ValueError, match="over"):
        answer(practice, s, ACKNOWLEDGING, 1003.0)
    with pytest.raises(ValueError, match="over"):
        end(practice, 1003.0)


def test_two_dismissive_replies_make_the_customer_walk_away() -> None:
    s = parcel()
    practice = new()
    answer(practice, s, DISMISSIVE, 1001.0)
    answer(practice, s, DISMISSIVE, 1002.0)
    assert practice.outcome == "walked_away" and LEVELS[practice.level] == "gone"
    assert practice.last_customer_line == s.walks_away
    assert score(practice) == 10  # the second takes up "waiting": 1 of 5


def test_a_practice_that_goes_nowhere_ends_after_the_last_reply() -> None:
    s = parcel()
    practice = new()
    for n in range(MAX_REPLIES):
        assert not practice.finished, n
        answer(practice, s, "I'm sorry.", 1001.0 + n)
    assert practice.outcome == "unresolved" and practice.level == 2


def test_the_report_has_each_scorecard_a_strong_reply_and_the_score() -> None:
    s = parcel()
    practice = new()
    answer(practice, s, DISMISSIVE, 1001.0)
    answer(practice, s, ACKNOWLEDGING, 1002.0)
    shown = view(practice, s, library())
    assert shown["report"] is None and shown["replies_left"] == MAX_REPLIES - 2
    end(practice, 1003.0)
    done = report(practice, s, library())
    assert done["outcome"] == "ended" and done["score"] == 50
    first, second = done["replies"]
    assert first["answered"] == s.opening and second["answered"] == s.lines["worse"][0]
    assert first["met"] == dict.fromkeys(first["met"], False)
    assert all(second["met"].values()) and second["reaction"] == "calmer"
    assert "48213" in first["strong"] and "carrier" in first["strong"]
    assert first["strong"] != second["strong"]  # the next approved reply in turn
    assert done["calms"] == [c.hint for c in s.calms]
    assert view(practice, s, library())["report"] == done


def test_every_cue_is_a_valid_pattern_that_something_matches() -> None:
    for s in scenarios().values():
        for cue in (*s.calms, *s.worsens):
            assert isinstance(cue.pattern, re.Pattern)
            assert not cue.found(""), (s.id, cue.hint)
