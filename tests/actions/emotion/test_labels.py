"""Labels for clear cases, calm hard negatives, and intensity ordering."""

from __future__ import annotations

import pytest

from actions.emotion import Emotion, EmotionAnalyzer

LABELS = [
    ("I am furious, this is the worst company I've ever dealt with", Emotion.ANGER),
    ("you useless idiots", Emotion.ANGER),
    ("I'm so fed up, it crashed again for the fifth time", Emotion.FRUSTRATION),
    ("still waiting for my refund", Emotion.FRUSTRATION),
    ("great, just great", Emotion.FRUSTRATION),
    ("I'm so sad, the present for my grandson arrived smashed", Emotion.SADNESS),
    ("the jumper for my niece came with a hole in it :(", Emotion.SADNESS),
    ("I'm really worried someone is using my card", Emotion.ANXIETY),
    ("I'm confused, which of these two plans am I on?", Emotion.CONFUSION),
    # a question shouted is no confusion
    ("WHERE IS MY PARCEL 48213??? I PAID FOR NEXT DAY!!!", Emotion.FRUSTRATION),
    ("why has nobody answered my email???", Emotion.FRUSTRATION),
    ("Thank you so much, you've been brilliant", Emotion.JOY),
    ("THANK YOU SO MUCH, IT ARRIVED", Emotion.JOY),
    ("Cancel my order please", Emotion.NEUTRAL),
    ("What are your opening hours on Sunday?", Emotion.NEUTRAL),
]

CALM = [
    "I'm not angry, just asking",
    "no problem at all",
    "THANK YOU SO MUCH, IT ARRIVED",
    "Cancel my order please",
    "This is a killer deal",
    "damn, forgot my password lol",
    "this is sooo bloody good",
    "How long does shipping usually take?",
    "Could you update my email address?",
]

ORDERED = [
    # (calm, annoyed, furious)
    (
        "Could you check where my parcel is?",
        "My parcel is late again and nobody has told me anything",
        "WHERE IS MY PARCEL?!! You useless lot lost it AGAIN, I want my money back",
    ),
    (
        "I'd like to change my plan",
        "I've asked twice to change my plan and it still hasn't happened",
        "This is a disgrace, I'm closing my account and calling my lawyer!!!",
    ),
]


# A feeling the customer states as their own is there, however calm the rest of the
# message reads to the sentence model (a question, a date, broken English); one they
# deny or only ask about is not.
STATED = [
    (
        "The launch is next Friday. Can it go any faster? I am very worry.",
        Emotion.ANXIETY,
    ),
    ("Where does the refund go, and when? I'm getting a bit nervous.", Emotion.ANXIETY),
    ("Which courier has it? I feel let down to be honest", Emotion.SADNESS),
    ("It makes me so angry. Which form do I fill in?", Emotion.ANGER),
    # having been scammed is alarm; calling us a scam is anger (blind probes cd, ce)
    ("Oh no, have I been scammed? What should I do?", Emotion.ANXIETY),
    ("Honestly this whole shop is a scam.", Emotion.ANGER),
]
UNSTATED = [
    "I'm not worried at all, just wondering when it comes.",
    "Is it normal that the tracking has not moved since Monday?",
]


@pytest.mark.parametrize(("text", "label"), STATED)
def test_a_feeling_stated_is_there(
    analyzer: EmotionAnalyzer, text: str, label: Emotion
) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.label == label, (analysis.label, analysis.scores)


@pytest.mark.parametrize("text", UNSTATED)
def test_a_feeling_denied_or_unsaid_is_not_stated(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    assert not analyzer.message.lexicon.match(text).stated
    assert not analyzer.analyze(text).label.negative


@pytest.mark.parametrize(("text", "label"), LABELS)
def test_label(analyzer: EmotionAnalyzer, text: str, label: Emotion) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.label == label, (analysis.label, analysis.scores, analysis.signals)


@pytest.mark.parametrize("text", CALM)
def test_hard_negatives_stay_calm(analyzer: EmotionAnalyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.frustration <= 1, analysis.signals
    assert analysis.label in (Emotion.NEUTRAL, Emotion.JOY), analysis.label


@pytest.mark.parametrize(("calm", "annoyed", "furious"), ORDERED)
def test_intensity_ordering(
    analyzer: EmotionAnalyzer, calm: str, annoyed: str, furious: str
) -> None:
    low, mid, high = (analyzer.analyze(t) for t in (calm, annoyed, furious))
    assert low.intensity < mid.intensity < high.intensity
    assert low.frustration <= 1 <= mid.frustration <= 3 and high.frustration >= 3
    assert low.frustration < high.frustration


def test_intensity_and_level_ranges(analyzer: EmotionAnalyzer) -> None:
    for text in ["ok", "I HATE YOU!!!", "fine thanks", "where is my stuff"]:
        analysis = analyzer.analyze(text)
        assert 0.0 <= analysis.intensity <= 1.0
        assert analysis.frustration in range(5)


def test_batch_matches_single(analyzer: EmotionAnalyzer) -> None:
    texts = [
        "still waiting for my refund",
        "Thanks, all sorted",
        "WHERE IS MY ORDER???",
    ]
    batch = analyzer.analyze_batch(texts)
    for text, result in zip(texts, batch, strict=True):
        single = analyzer.analyze(text)
        assert result.label == single.label
        assert result.frustration == single.frustration
        assert result.intensity == pytest.approx(single.intensity, abs=0.02)


@pytest.mark.parametrize(
    "text",
    [
        # VADER reads a negated loss as positive; a serious situation is no joy
        "honestly I really don't know what to do, I can't afford to lose this money",
        "it's fine, my dad passed away last week so I won't need the jumper",
    ],
)
def test_a_serious_situation_is_never_read_as_joy(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    result = analyzer.analyze(text)
    assert result.label is not Emotion.JOY, result


@pytest.mark.parametrize(
    "text",
    [
        # polite words VADER and the sentence model read as glad, and the words of a
        # complaint in a formal register
        "Dear customer services, the delivery of order 48213 has been wholly "
        "unsatisfactory and I trust you will look into it.",
        "As a customer of many years I had expected better. Kindly advise.",
    ],
)
def test_dissatisfaction_said_politely_is_no_joy(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    result = analyzer.analyze(text)
    assert result.label is not Emotion.JOY, result


@pytest.mark.parametrize(
    "text", ["order 5520174 arrived early and the packaging was lovely", "thanks!"]
)
def test_plain_gladness_is_still_joy(analyzer: EmotionAnalyzer, text: str) -> None:
    assert analyzer.analyze(text).label is Emotion.JOY


@pytest.mark.parametrize(
    "text",
    [
        "Oh god, someone has my bank details now. What do I do now?",
        "I can't show up empty-handed, what am I going to do?",
    ],
)
def test_alarm_without_a_feeling_word_is_anxiety(
    analyzer: EmotionAnalyzer, text: str
) -> None:
    assert analyzer.analyze(text).label is Emotion.ANXIETY
