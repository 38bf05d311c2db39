"""In a chat where something grave was told (a death, an injury, a fraud), a reply
does not open with a glad word ("Done.", "All sorted:", "Good news:"): the facts,
plainly."""

from __future__ import annotations

import pytest

from actions.language import language_book
from actions.replies import reply_book
from actions.speaker import told_grave


def test_a_glad_opener_goes_and_the_facts_stay() -> None:
    book = reply_book()
    for key in ("cancel_order.cancellable", "cancel_fee.processing"):
        for variant in book.answers[key]:
            plain = book.without_gladness(variant)
            assert not plain.lower().startswith(("done", "all sorted", "good news"))
            assert "{order_id}" in plain and plain[0].isupper(), plain
    # a reply that is nothing but the glad word stays as it is
    assert book.without_gladness("Done.") == "Done."


def test_a_death_told_earlier_in_the_chat_is_grave() -> None:
    told = ["My wife passed away on Sunday, please cancel her order 5520174"]
    assert told_grave(None, told)
    assert not told_grave(None, ["please cancel order 5520174, I found it cheaper"])


async def test_thanks_after_a_death_is_met_with_care() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.answers import ActionAnswer
    from tests.actions.conftest import says
    from tests.actions.test_offers import conversation

    turns = [
        ("customer", "My dad died last month, please cancel his order", "cancel_order"),
        ("bot", "I'm so sorry about your dad. Order 5520174 is cancelled.", None),
        ("customer", "thank you", "thank_you"),
    ]
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(turns, "grave-thanks"), {})
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert says(said, "thank_you_grave"), said
    plain = [("customer", "where is my order?", "track_order"), *turns[1:]]
    plain[0] = ("customer", "please cancel my order", "cancel_order")
    dispatcher = CollectingDispatcher()
    await ActionAnswer().run(dispatcher, conversation(plain, "plain-thanks"), {})
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert not says(said, "thank_you_grave"), said


def test_a_handoff_after_a_death_is_care_not_frustration() -> None:
    """ "It's a lot to deal with all at once" after a death, read as frustration in
    the chat's context: handed over with care, not "so frustrating"."""
    from actions.emotion import Analysis, Emotion
    from actions.empathy import empathy_book
    from actions.situation import Situation

    analysis = Analysis(label=Emotion.FRUSTRATION, frustration=3, intensity=0.6)
    text = "It's a lot to deal with all at once."
    for grave in (True, False):
        situation = Situation(intent=None, analysis=analysis, text=text, grave=grave)
        said = empathy_book().handoff(situation, ["high_frustration"])
        assert ("frustrat" in said.lower()) is not grave, said


async def test_a_weight_told_after_a_death_is_heard_not_guessed_at() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.unclear import ActionNotUnderstood
    from tests.actions.conftest import says
    from tests.actions.test_offers import conversation

    turns = [
        ("customer", "My mum passed away, please cancel her order", "cancel_order"),
        ("bot", "I'm so sorry about your mum. The order is cancelled.", None),
        ("customer", "It's all too much to deal with at once.", "nlu_fallback"),
    ]
    tracker = conversation(turns, "grave-weight")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "complaint", "confidence": 0.26},
        {"name": "contact_human_agent", "confidence": 0.25},
    ]
    dispatcher = CollectingDispatcher()
    await ActionNotUnderstood().run(dispatcher, tracker, {})
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert says(said, "felt_only"), said


@pytest.mark.parametrize(
    ("code", "earlier", "thanks"),
    [
        (
            "es",
            "Mi marido falleció el mes pasado y quiero cancelar su pedido 99887766.",
            "Gracias. Es todo muy difícil ahora mismo.",
        ),
        ("de", "Mein Vater ist letzte Woche gestorben.", "Danke."),
    ],
)
def test_thanks_in_another_language_after_a_death_is_met_with_care(
    code: str, earlier: str, thanks: str
) -> None:
    """Thanks after a death told in the chat gets care, not "Con mucho gusto", and
    a weight named beside it ("Es todo muy difícil") is heard first."""
    book = language_book()
    said = book.reply(code, thanks, lambda _: None, earlier=[earlier])
    answers = book.languages[code].answers
    assert said is not None and said.endswith(answers["thanks_grave"]), said
    assert answers["thanks"] not in said
    weighed = book.felt(code, thanks)
    assert said.startswith(weighed), said
    # with nothing grave told: the short thanks, or the weight heard and a person
    # offered
    plain = book.reply(code, thanks, lambda _: None)
    assert plain is not None and answers["thanks_grave"] not in plain
