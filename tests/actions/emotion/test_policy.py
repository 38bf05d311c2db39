"""Escalation decisions for representative conversations."""

from __future__ import annotations

import pytest

from actions.emotion import (
    Analysis,
    Decision,
    Emotion,
    EmotionAnalyzer,
    EscalationPolicy,
    Signal,
    Turn,
)

from .conftest import HistoryBuilder

ESCALATE: list[tuple[list[tuple[str, str]], str, str, str]] = [
    ([], "I want to talk to a real person", "person_request", "asked for a person"),
    # in a formal register, without "speak to"
    (
        [],
        "Kindly refer this complaint to someone more senior.",
        "person_request",
        "asked for a person",
    ),
    ([], "I'll do a chargeback if this isn't fixed", "legal_threat", "chargeback"),
    ([], "My lawyer will be in touch", "legal_threat", "lawyer"),
    ([], "I can't pay my rent because you took my money twice", "distress", "distress"),
    ([], "you useless idiots", "abuse", "abusive"),
    (
        [],
        "honestly I don't really see the point of anything anymore",
        "at_risk",
        "crisis line",
    ),
    (
        [],
        "THIS IS A DISGRACE!!! WORST SERVICE EVER, I WANT MY MONEY BACK",
        "high_intensity",
        "Very intense",
    ),
]

STAY: list[tuple[list[tuple[str, str]], str]] = [
    ([], "Hi, can I change my delivery address?"),
    ([], "Thanks, that fixed it!"),
    ([], "Cancel my order please"),
    ([], "Could you forward the tracking details to my e-mail?"),
    ([], "I'm not angry, just asking when it ships"),
    (
        [("customer", "Where is my parcel?"), ("bot", "It arrives tomorrow.")],
        "Great, thank you",
    ),
]


@pytest.mark.parametrize(("turns", "text", "reason", "phrase"), ESCALATE)
def test_escalates(
    analyzer: EmotionAnalyzer,
    policy: EscalationPolicy,
    build_history: HistoryBuilder,
    turns: list[tuple[str, str]],
    text: str,
    reason: str,
    phrase: str,
) -> None:
    history = build_history(turns)
    decision = policy.decide(analyzer.analyze(text, history), history)
    assert decision.escalate
    assert reason in decision.reasons
    assert phrase.lower() in decision.explanation.lower()


@pytest.mark.parametrize(("turns", "text"), STAY)
def test_does_not_escalate(
    analyzer: EmotionAnalyzer,
    policy: EscalationPolicy,
    build_history: HistoryBuilder,
    turns: list[tuple[str, str]],
    text: str,
) -> None:
    history = build_history(turns)
    decision = policy.decide(analyzer.analyze(text, history), history)
    assert not decision.escalate, decision.explanation
    assert decision.reasons == []
    assert decision.explanation.startswith("No escalation")


def test_escalates_after_repeated_bot_failures(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy
) -> None:
    history = [
        Turn("customer", "I need to move my booking", confidence=0.31),
        Turn("bot", "Sorry, I didn't understand.", fallback=True),
        Turn("customer", "move my booking to friday", confidence=0.38),
        Turn("bot", "Sorry, could you rephrase?", fallback=True),
    ]
    decision = policy.decide(
        analyzer.analyze("change the date of my booking", history), history
    )
    assert decision.escalate
    assert "bot_failures" in decision.reasons


def test_single_fallback_does_not_escalate(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy
) -> None:
    history = [
        Turn("customer", "hiya"),
        Turn("bot", "Sorry, I didn't understand.", fallback=True),
    ]
    decision = policy.decide(
        analyzer.analyze("I'd like to check my balance", history), history
    )
    assert not decision.escalate


def test_rising_frustration_over_turns(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, build_history: HistoryBuilder
) -> None:
    history = build_history(
        [
            ("customer", "Hello, my internet is down"),
            ("bot", "Have you tried restarting the router?"),
            ("customer", "Yes, twice. Still nothing"),
            ("bot", "Have you tried restarting the router?"),
        ]
    )
    analysis = analyzer.analyze(
        "Seriously?! I already told you I restarted it, this is useless", history
    )
    decision = policy.decide(analysis, history)
    assert decision.escalate
    assert {"rising_trend", "high_frustration", "bot_failures"} & set(decision.reasons)


def test_an_order_number_turn_does_not_count_towards_a_rise(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, build_history: HistoryBuilder
) -> None:
    history = build_history(
        [
            ("customer", "Hi, I ordered a tent for a trip on the 14th"),
            ("bot", "Sure, what's the order number?"),
            ("customer", "5520174"),
            ("bot", "It hasn't shipped yet; we expect it on Friday."),
        ]
    )
    worried = "Will it really be here before then? I'm a bit worried, sorry for asking"
    decision = policy.decide(analyzer.analyze(worried, history), history)
    assert "rising_trend" not in decision.reasons
    assert not decision.escalate


def test_policy_reads_thresholds_from_data() -> None:
    strict = EscalationPolicy(
        {
            "thresholds": {
                "frustration": {"min": 1, "explanation": "level {frustration}"}
            }
        }
    )
    decision = strict.decide(Analysis(frustration=1, intensity=0.3))
    assert decision.escalate and decision.reasons == ["high_frustration"]
    assert "level 1" in decision.explanation
    lenient = EscalationPolicy({"thresholds": {"frustration": {"min": 4}}})
    assert not lenient.decide(Analysis(frustration=3, intensity=0.7)).escalate


def test_decision_round_trip() -> None:
    decision = Decision(True, ["person_request"], "Customer asked for a person.")
    assert Decision.from_dict(decision.to_dict()) == decision


def test_high_frustration_gives_the_bot_one_chance_first(
    policy: EscalationPolicy,
) -> None:
    upset = Analysis(label=Emotion.FRUSTRATION, frustration=3, intensity=0.7)
    assert not policy.decide(upset, []).escalate
    earlier = [
        Turn(author="customer", text="my refund is late"),
        Turn("bot", "Sorry..."),
    ]
    decision = policy.decide(upset, earlier)
    assert decision.escalate and "high_frustration" in decision.reasons


def test_a_very_intense_first_message_goes_on_only_when_it_shows_in_the_writing(
    policy: EscalationPolicy,
) -> None:
    """A long unhappy first message about an order is looked up and answered first;
    shouting, "!!!" or swearing hand it over at once; the second time, it goes."""
    intense = Analysis(label=Emotion.FRUSTRATION, frustration=2, intensity=0.95)
    assert not policy.decide(intense, []).escalate
    for shown in ("all_caps", "punctuation", "swearing"):
        loud = Analysis(
            label=Emotion.FRUSTRATION,
            frustration=2,
            intensity=0.95,
            signals=[Signal(shown, 0.8, "written loudly")],
        )
        assert "high_intensity" in policy.decide(loud, []).reasons
    earlier = [Turn(author="customer", text="where is it"), Turn("bot", "Sorry...")]
    assert "high_intensity" in policy.decide(intense, earlier).reasons


@pytest.mark.parametrize(
    ("text", "distress"),
    [
        ("I'm panicking a bit, the party is on Saturday and nothing has come", False),
        ("honestly I am panicking slightly about the delivery date", False),
        ("I'm panicking, the party is on Saturday and nothing has come", True),
        ("I'm really scared, someone is using my card", True),
        ("lost my job and to be honest I'm not really coping", True),
        ("after this week I can't handle anything any more", True),
        ("I'm not coping with the website, where do I click?", False),
    ],
)
def test_distress_is_read_in_its_words_not_in_their_hedges(
    analyzer: EmotionAnalyzer, text: str, distress: bool
) -> None:
    assert (analyzer.analyze(text).signal("distress") is not None) is distress


@pytest.mark.parametrize(
    "label", [Emotion.SADNESS, Emotion.ANXIETY, Emotion.CONFUSION, Emotion.NEUTRAL]
)
def test_sad_or_worried_customers_are_comforted_not_passed_on(
    policy: EscalationPolicy, label: Emotion
) -> None:
    earlier = [Turn(author="customer", text="hello"), Turn("bot", "Hi")]
    assert not policy.decide(
        Analysis(label=label, frustration=3, intensity=0.7), earlier
    ).escalate
    assert policy.decide(
        Analysis(label=label, frustration=4, intensity=0.7), earlier
    ).escalate


def test_a_plain_question_after_an_upset_start_is_answered_not_passed_on(
    policy: EscalationPolicy,
) -> None:
    """The level of a message with no feeling of its own comes from the start of the
    chat; an angry message at the same level still goes to a person."""
    earlier = [
        Turn(author="customer", text="I really don't get why my order got cancelled"),
        Turn("bot", "It was cancelled, so nothing will be sent."),
    ]
    calm = Analysis(label=Emotion.NEUTRAL, frustration=3, intensity=0.78)
    assert not policy.decide(calm, earlier).escalate
    angry = Analysis(label=Emotion.ANGER, frustration=3, intensity=0.78)
    assert policy.decide(angry, earlier).escalate


def test_a_low_confidence_turn_answered_with_a_miss_counts_once(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy
) -> None:
    """One failed exchange is one failure, whatever made it fail."""
    history = [
        Turn("customer", "the thingy for the gift thing", confidence=0.12),
        Turn("bot", "That's outside what I can help with.", fallback=True),
    ]
    decision = policy.decide(analyzer.analyze("how do I use one", history), history)
    assert "bot_failures" not in decision.reasons


def test_one_sharper_message_after_calmer_ones_is_no_rise_over_turns(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, build_history: HistoryBuilder
) -> None:
    """A rise over three turns rises at every step; a dip and then one sharper
    message is that message, judged on its own level."""
    history = build_history(
        [
            ("customer", "hi, I'm a bit annoyed, where is my parcel"),
            ("bot", "It's with DHL and arrives on Friday."),
            ("customer", "ok thanks"),
            ("bot", "You're welcome."),
        ]
    )
    analysis = analyzer.analyze(
        "hmm, slightly irritating that it takes so long", history
    )
    decision = policy.decide(analysis, history)
    steps = [t.analysis.intensity for t in history if t.analysis is not None]
    assert steps[-1] < steps[0]  # the dip
    assert "rising_trend" not in decision.reasons


def test_a_calm_change_of_topic_is_no_step_of_a_rise(
    analyzer: EmotionAnalyzer, policy: EscalationPolicy, build_history: HistoryBuilder
) -> None:
    """A question that reads as no feeling is no step of a rise, however its level
    compares with two calm messages before it."""
    history = build_history(
        [
            ("customer", "Can I change the delivery address on order 77123?"),
            ("bot", "I've found it. What's the e-mail address it's under?"),
            ("customer", "It's sam.okafor@example.com"),
            ("bot", "You can still change it under Account > Orders."),
        ]
    )
    analysis = analyzer.analyze("forget it - how do I reset my password?", history)
    assert analysis.label.value == "neutral"
    decision = policy.decide(analysis, history)
    assert not decision.escalate, decision.explanation
