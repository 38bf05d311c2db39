"""Conversation signals: repeats and rephrasings, bot failures, unanswered messages,
trend.
"""

from __future__ import annotations

import pytest

from actions.emotion import EmotionAnalyzer, Trend, Turn

from .conftest import HistoryBuilder

REPHRASED = [
    (["Where is my parcel?"], "Can you tell me where my parcel is"),
    (
        ["My login isn't working"],
        "I still can't log into my account, the login doesn't work",
    ),
    (["When do I get my money back?", "Hello?"], "When will I get my money back?"),
    (["How do I cancel my plan?", "ok", "and?"], "how can I cancel my plan"),
]

NOT_REPHRASED = [
    (["Where is my parcel?"], "Do you ship to Canada?"),
    (["Can you reset my password?"], "How do I print a return label?"),
    (["Where is my order?"], "My order number is 4417"),
]


@pytest.mark.parametrize(("earlier", "text"), REPHRASED)
def test_rephrase_detected(
    analyzer: EmotionAnalyzer, earlier: list[str], text: str
) -> None:
    history = []
    for line in earlier:
        history += [
            Turn("customer", line),
            Turn("bot", "Checking that now."),
        ]
    analysis = analyzer.analyze(text, history)
    assert analysis.has("rephrased_question") or analysis.has("repeated_question"), (
        analysis.signals
    )


@pytest.mark.parametrize(("earlier", "text"), NOT_REPHRASED)
def test_rephrase_not_detected(
    analyzer: EmotionAnalyzer, earlier: list[str], text: str
) -> None:
    history = [Turn("customer", line) for line in earlier]
    analysis = analyzer.analyze(text, history)
    assert not analysis.has("rephrased_question")
    assert not analysis.has("repeated_question")


def test_exact_repeat(analyzer: EmotionAnalyzer) -> None:
    history = [
        Turn("customer", "where is my refund please"),
        Turn("bot", "Sorry, I didn't get that.", fallback=True),
    ]
    analysis = analyzer.analyze("Where is my refund please?", history)
    assert analysis.has("repeated_question")


def test_repeat_needs_earlier_customer_turn(analyzer: EmotionAnalyzer) -> None:
    history = [Turn("bot", "where is my refund please")]
    assert not analyzer.analyze("where is my refund please", history).has(
        "repeated_question"
    )


@pytest.mark.parametrize(
    ("history", "fires"),
    [
        (
            [
                Turn("bot", "Sorry?", fallback=True),
                Turn("bot", "I didn't catch that", fallback=True),
            ],
            True,
        ),
        ([Turn("customer", "blah", confidence=0.2)], True),
        (
            [
                Turn("customer", "hi", confidence=0.95),
                Turn("bot", "Hello! How can I help?"),
            ],
            False,
        ),
    ],
)
def test_bot_failures(
    analyzer: EmotionAnalyzer, history: list[Turn], fires: bool
) -> None:
    assert (
        analyzer.analyze("I need help with my bill", history).has("bot_failure")
        == fires
    )


def test_no_useful_answer(analyzer: EmotionAnalyzer) -> None:
    history = [
        Turn("customer", "My parcel is missing"),
        Turn("customer", "Is anybody reading this"),
    ]
    assert analyzer.analyze("I need an answer about my parcel", history).has(
        "no_useful_answer"
    )
    answered = [
        Turn("customer", "My parcel is missing"),
        Turn("agent", "I've opened a claim for you."),
    ]
    assert not analyzer.analyze("Okay, thank you", answered).has("no_useful_answer")


def test_rising_trend_and_carryover(
    analyzer: EmotionAnalyzer, build_history: HistoryBuilder
) -> None:
    history = build_history(
        [
            ("customer", "Hi, could you check my order status?"),
            ("bot", "It is on its way."),
            ("customer", "It was due three days ago, it's late"),
            ("bot", "It is on its way."),
        ]
    )
    analysis = analyzer.analyze(
        "This is RIDICULOUS, nobody can tell me where it is!!!", history
    )
    assert analysis.trend == Trend.RISING
    assert analysis.has("rising_trend")


def test_a_turn_without_words_is_not_part_of_the_trend(
    analyzer: EmotionAnalyzer, build_history: HistoryBuilder
) -> None:
    opening = "I am quite annoyed, the parcel is late again"
    calm = analyzer.analyze(opening).message_score
    history = build_history(
        [
            ("customer", opening),
            ("bot", "Of course. What's the order number?"),
            ("customer", "48213"),
            ("bot", "It's with DHL and due tomorrow."),
        ]
    )
    # as upset as the opening: with the order number's 0 in the baseline, this
    # looked like a rise
    analysis = analyzer.analyze(opening, history)
    assert abs(analysis.message_score - calm) < 0.01
    assert analysis.trend == Trend.STEADY


def test_falling_trend(
    analyzer: EmotionAnalyzer, build_history: HistoryBuilder
) -> None:
    history = build_history(
        [
            (
                "customer",
                "This is a joke, I've been charged twice and nobody answers!!!",
            ),
            ("agent", "I'm sorry, I've refunded the second charge."),
        ]
    )
    analysis = analyzer.analyze("Thanks, that's sorted then", history)
    assert analysis.trend == Trend.FALLING
    assert analysis.frustration <= 2


def test_history_uses_stored_analysis(analyzer: EmotionAnalyzer) -> None:
    stored = analyzer.analyze("I am furious, you lost my parcel!!!")
    history = [
        Turn("customer", "(text not re-read)", analysis=stored),
        Turn("agent", "Sorry about that."),
    ]
    analysis = analyzer.analyze("So what now?", history)
    assert analysis.has("prior_frustration")


def test_embed_is_cached(analyzer: EmotionAnalyzer) -> None:
    encoder = analyzer.encoder
    assert encoder is not None
    text = "a sentence only this test embeds"
    first = analyzer.embed([text])
    size = encoder.cache_info()["size"]
    second = analyzer.embed([text])
    assert encoder.cache_info()["size"] == size
    assert first.shape == (1, encoder.dim)
    assert float(first[0] @ second[0]) == pytest.approx(1.0, abs=1e-5)


def test_embedding_matches_sentence_transformers(analyzer: EmotionAnalyzer) -> None:
    encoder = analyzer.encoder
    assert encoder is not None
    texts = [
        "short one",
        "a somewhat longer sentence about a parcel that never arrived at my door",
    ]
    ours = analyzer.embed(texts)
    reference = encoder.model.encode(
        texts, normalize_embeddings=True, convert_to_numpy=True
    )
    for a, b in zip(ours, reference, strict=True):
        assert float(a @ b) > 0.999


@pytest.mark.parametrize(
    ("before", "text", "sarcastic"),
    [
        # praise of our help straight after an upset message, nothing fixed
        (
            "a whole week late and nobody tells me anything, honestly",
            "Really helpful.",
            True,
        ),
        (
            "I'm so fed up, the lamp came with a cracked shade",
            "great job, as always",
            True,
        ),
        (
            "the courier has 'tried' to deliver four times now, ridiculous",
            "Marvellous. Truly excellent service.",
            True,
        ),
        (
            "three weeks late and no one answers my emails",
            "Very helpful, thanks. So is it coming before Christmas or not?",
            True,
        ),
        # after a calm question, or with the problem solved, it is thanks
        (
            "could you tell me when order 651234 ships?",
            "that's very helpful, thanks",
            False,
        ),
        (
            "a whole week late and nobody tells me anything",
            "ah it arrived today, great job",
            False,
        ),
        # plain thanks after an upset message is thanks
        ("a whole week late and nobody tells me anything", "ok thank you", False),
    ],
)
def test_praise_right_after_an_upset_message_is_sarcasm(
    analyzer: EmotionAnalyzer, before: str, text: str, sarcastic: bool
) -> None:
    history = [Turn("customer", before), Turn("bot", "Order 651234 is on its way.")]
    analysis = analyzer.analyze(text, history)
    assert analysis.has("sarcasm") is sarcastic, analysis.signals
    if sarcastic:
        assert analysis.label.negative


def test_praise_after_the_proof_that_followed_an_upset_message_is_sarcasm(
    analyzer: EmotionAnalyzer,
) -> None:
    """The e-mail address given in between to prove the order says nothing: the
    praise still follows the upset message."""
    history = [
        Turn(
            "customer", "a whole week late and nobody tells me anything, order 651234"
        ),
        Turn("bot", "Which e-mail address or postcode is it under?"),
        Turn("customer", "jonas.weber@example.net"),
        Turn("bot", "Order 651234 should reach you on Friday."),
    ]
    analysis = analyzer.analyze("oh that's really helpful, cheers", history)
    assert analysis.has("sarcasm"), analysis.signals


@pytest.mark.parametrize(("missed", "sarcastic"), [(True, True), (False, False)])
def test_praise_right_after_a_reply_that_could_not_help_is_sarcasm(
    analyzer: EmotionAnalyzer, missed: bool, sarcastic: bool
) -> None:
    """ "wow. super helpful." right after "I'm not certain about that one" (a miss)
    is sarcasm, however calm the question before; after a real answer it is
    praise."""
    history = [
        Turn("customer", "can I pay the rest later?"),
        Turn("bot", "I'm not certain about that one.", fallback=missed),
    ]
    analysis = analyzer.analyze("wow. super helpful.", history)
    assert analysis.has("sarcasm") is sarcastic, analysis.signals


def test_praise_after_a_sarcastic_message_is_sarcasm_whatever_its_score() -> None:
    """ "Wow, thanks for that really helpful answer." after "Oh brilliant, 'shipped'
    for ten days now": the message before was sarcastic itself, so upset, even when
    its score stays under the line for an upset message."""
    from actions.emotion.context import ContextSettings, EarlierTurn, praise_after_upset

    settings = ContextSettings()
    before = EarlierTurn(
        "Oh brilliant, 'shipped' for ten days now.", 0.40, 7, ("sarcasm",)
    )
    calm = EarlierTurn("Where is order 300418862?", 0.40, 4, ())
    assert praise_after_upset("really helpful", 7, [before], settings) is not None
    assert praise_after_upset("really helpful", 7, [calm], settings) is None
