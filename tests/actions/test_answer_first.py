"""Money worries, illness or a need for extra care told beside a plain question the
bot answers: the question is answered, the situation heard first, a person offered
(data/emotion/policy.yml ``answer_first``); anything more goes to a person."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.language import language_book
from actions.language_texts import topics_asked
from actions.mood import assess
from actions.replies import reply_book
from actions.unclear import ActionNotUnderstood
from tests.actions.conftest import says
from tests.actions.test_offers import conversation

DOMAIN: dict = {}


async def _answer(text: str, intent: str, sender: str) -> tuple[str, bool]:
    return await _reply([("customer", text, intent)], sender)


async def _reply(
    turns: list[tuple[str, str, str | None]], sender: str
) -> tuple[str, bool]:
    """What the bot says to the last of ``turns`` (ActionNotUnderstood when NLU
    fell back, else ActionAnswer), and whether it hands over."""
    tracker = conversation(turns, sender)
    dispatcher = CollectingDispatcher()
    unsure = turns[-1][2] == "nlu_fallback"
    action = ActionNotUnderstood() if unsure else ActionAnswer()
    events = await action.run(dispatcher, tracker, DOMAIN)
    paused = any(isinstance(e, dict) and e.get("event") == "pause" for e in events)
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    return said, paused


async def test_a_payment_question_beside_money_worries_is_answered_with_care(
    own_queue: str,
) -> None:
    text = "I'm on universal credit at the moment, do you do payment plans?"
    mood = assess(conversation([("customer", text, "check_payment_methods")], "uc"))
    assert not mood.decision.escalate and mood.decision.reasons == []
    assert [c.kind for c in mood.analysis.circumstances] == ["hardship"]
    said, paused = await _answer(text, "check_payment_methods", "uc-1")
    assert not paused
    assert "Klarna" in said  # the answer
    assert "money" in said.lower()  # the worry heard
    assert said.lower().index("money") < said.index("Klarna")
    assert reply_book().offers_person(said)  # a person on offer


async def test_a_question_from_someone_unsure_with_computers_is_taken_slowly(
    own_queue: str,
) -> None:
    text = "I'm 84 and not very good with computers, how long does delivery take?"
    said, paused = await _answer(text, "delivery_period", "slow-1")
    assert not paused
    assert "no rush" in said.lower() or "no hurry" in said.lower()
    assert "working days" in said or "business days" in said
    assert reply_book().offers_person(said)


async def test_more_than_a_plain_question_still_goes_to_a_person(
    own_queue: str,
) -> None:
    for sender, text, intent in [
        # something went wrong beside the money worry
        ("m1", "money is so tight and you charged me twice", "payment_issue"),
        # a question NLU is not sure of, or one that is not a plain answer
        ("m2", "I'm on universal credit, can I have my money back", "get_refund"),
        # a death is never answered first
        (
            "m3",
            "my mum passed away last week, how long does delivery take?",
            "delivery_period",
        ),
    ]:
        said, paused = await _answer(text, intent, sender)
        assert paused, (text, said)


async def test_the_same_in_another_language(own_queue: str) -> None:
    text = "Estoy en el paro y voy justa de dinero, ¿puedo pagar a plazos?"
    said, paused = await _answer(text, "check_payment_methods", "es-1")
    assert not paused
    assert said.startswith("Entiendo que ahora mismo el dinero está justo.")
    assert "Klarna" in said and "persona" in said
    # something that went wrong beside it still goes to a person
    said, paused = await _answer(
        "Estoy en el paro y me cobraron dos veces el pedido", "payment_issue", "es-2"
    )
    assert paused


def _split(text: str, ranking: list[tuple[str, float]], sender: str) -> Tracker:
    """A tracker whose latest message NLU split between ``ranking``'s intents."""
    tracker = conversation([("customer", text, ranking[0][0])], sender)
    tracker.latest_message["intent"] = {
        "name": ranking[0][0],
        "confidence": ranking[0][1],
    }
    tracker.latest_message["intent_ranking"] = [
        {"name": name, "confidence": confidence} for name, confidence in ranking
    ]
    return tracker


def test_a_cancellation_with_its_money_back_is_one_request() -> None:
    """ "I've lost my job, cancel it and give me my money back": NLU splits it
    between cancelling and a refund; the refund is what the cancellation brings,
    so the two readings count together and the cancellation is answered first."""
    text = "I was made redundant, please cancel 1209384756 and send my money back"
    split = [("cancel_order", 0.62), ("get_refund", 0.35), ("greet", 0.03)]
    mood = assess(_split(text, split, "redundant"))
    assert not mood.decision.escalate, mood.decision.explanation
    assert [c.kind for c in mood.analysis.circumstances] == ["hardship"]
    # a reading that is not part of the same request adds nothing
    unsure = [("cancel_order", 0.62), ("payment_issue", 0.35), ("greet", 0.03)]
    assert assess(_split(text, unsure, "redundant-2")).decision.escalate


def test_when_the_money_comes_back_is_one_question() -> None:
    """ "Will the money come back quickly? Rent is due": NLU splits it between the
    refund's state and the refund rules; both ask when the money comes back, so it
    is answered beside the rent, not handed over."""
    text = "Will the money be back soon? My rent goes out on Friday."
    split = [("track_refund", 0.6), ("check_refund_policy", 0.3), ("greet", 0.1)]
    mood = assess(_split(text, split, "rent-due"))
    assert not mood.decision.escalate, mood.decision.explanation
    assert [c.kind for c in mood.analysis.circumstances][:1] == ["hardship"]


async def test_after_a_death_a_cancellation_asked_for_is_done_first(
    own_queue: str,
) -> None:
    """ "My husband died, please cancel his order": the loss heard, the proof asked
    for (the cancellation follows it, so nothing ships while they wait for a
    person) and a person offered; any other question after a death still goes to a
    person at once."""
    text = "My husband died on Tuesday. Please could you cancel order 99887766?"
    mood = assess(conversation([("customer", text, "cancel_order")], "loss-cancel"))
    assert not mood.decision.escalate, mood.decision.explanation
    assert [c.kind for c in mood.analysis.circumstances] == ["bereavement"]
    said, paused = await _answer(text, "cancel_order", "loss-cancel-1")
    assert not paused
    assert "husband" in said
    assert reply_book().offers_person(said)
    said, paused = await _answer(
        "My husband died on Tuesday. Where is order 99887766?", "track_order", "loss-2"
    )
    assert paused, said


async def test_after_a_death_a_cancellation_is_done_first_in_another_language(
    own_queue: str,
) -> None:
    from actions.language import language_book

    book = language_book()
    asked = "Mijn vrouw is overleden. Ik wil bestelling 99887766 graag annuleren."
    assert book.situations("nl", asked) == ["bereavement"]
    assert book.answers_first("nl", asked, ["bereavement"])
    other = "Mijn vrouw is overleden. Wanneer komt bestelling 99887766?"
    assert not book.answers_first("nl", other, ["bereavement"])
    said, paused = await _answer(asked, "nlu_fallback", "loss-nl")
    assert not paused
    assert said.endswith(book.say("nl", "order.proof", order_id="99887766")), said
    # the care names the one who died (care.bereavement_who)
    assert said.startswith(book.care("nl", "bereavement", asked)), said
    assert "uw vrouw" in said


async def test_asking_whether_a_message_is_ours_is_answered_not_handed_over(
    own_queue: str,
) -> None:
    """ "Is this e-mail really from you? I haven't clicked anything": that it is not
    ours and what to do, a person offered, whatever NLU read; one who typed in
    their card details goes to a person at once."""
    text = (
        "Got an email claiming to be from you, asking me to confirm my login through "
        "a link. Is it genuine? I haven't clicked anything."
    )
    for intent in ("recover_password", "nlu_fallback"):
        said, paused = await _answer(text, intent, f"check-{intent}")
        assert not paused
        assert says(said, "fraud_check"), said
        assert reply_book().offers_person(said)
    typed = text.replace("I haven't clicked anything.", "I clicked it and logged in.")
    said, paused = await _answer(typed, "recover_password", "check-typed")
    assert paused, said


async def test_what_they_ask_about_that_message_next_is_answered(
    own_queue: str,
) -> None:
    """ "Haven't clicked anything. Do I need to report it?" right after that answer:
    nothing else is needed, not "could you give me the order number?"."""
    answered = reply_book().pick("fraud_check")
    before: list[tuple[str, str, str | None]] = [
        ("customer", "A text says I won a prize from you, is it real?", "greet"),
        ("bot", answered, None),
    ]
    asked = "Haven't clicked anything. Do I need to report it?"
    said, _ = await _reply([*before, ("customer", asked, "complaint")], "check-after")
    assert says(said, "fraud_check_after"), said
    # a new question after it is answered as itself
    new = "ok thanks. how long does delivery take?"
    said, _ = await _reply([*before, ("customer", new, "delivery_period")], "after-2")
    assert not says(said, "fraud_check_after"), said


async def test_a_worried_question_about_an_order_read_as_a_complaint_is_answered(
    own_queue: str,
) -> None:
    """Unsure with computers, asking how they will know when order 228810 comes:
    NLU reads the worry as a complaint, but nothing went wrong, so the order is
    looked up (its proof asked for) with care, not handed to a person at once."""
    text = (
        "I'm 81 and hopeless with computers. Order 228810, how will I know when it "
        "gets here?"
    )
    tracker = conversation([("customer", text, "complaint")], "slow-order")
    events = await ActionAnswer().run(CollectingDispatcher(), tracker, DOMAIN)
    names = [e.get("name") for e in events if isinstance(e, dict)]
    assert not any(e.get("event") == "pause" for e in events if isinstance(e, dict))
    assert "order_form" in names, events  # its proof asked for, then looked up
    # the same when nothing calls for care: a question about the order it names
    plain = "order 228810, how will I know when it gets here?"
    tracker = conversation([("customer", plain, "complaint")], "plain-order")
    events = await ActionAnswer().run(CollectingDispatcher(), tracker, DOMAIN)
    assert "order_form" in [e.get("name") for e in events if isinstance(e, dict)]


async def test_money_worries_beside_a_question_about_their_money_go_to_a_person(
    own_queue: str,
) -> None:
    """The money coming back is what the hardship is about ("I've lost my job, when
    do I get the money for the cancelled order?"): a person, as in English; a
    payment plan asked beside money worries is still answered."""
    book = language_book()
    for code, text in [
        ("es", "Estoy en el paro, ¿cuándo me devolvéis el dinero del pedido?"),
        ("de", "Ich bin arbeitslos. Wann bekomme ich mein Geld zurück?"),
    ]:
        found = book.situations(code, text)
        assert found == ["hardship"], text
        assert not book.answers_first(code, text, found), text
        _, paused = await _answer(text, "nlu_fallback", f"hm-{code}")
        assert paused, text
    text = "Estoy en el paro y voy justa de dinero, ¿puedo pagar a plazos?"
    assert book.answers_first("es", text, book.situations("es", text))


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("pl", "Czy ktoś może to jeszcze dziś sprawdzić?"),
        ("es", "¿Alguien puede revisar lo que ha pasado?"),
        ("fr", "Quelqu'un peut vérifier ce qui s'est passé ?"),
        ("it", "Qualcuno può controllare cosa è successo?"),
        ("pt", "Alguém pode verificar o que aconteceu?"),
        ("sv", "Kan någon kolla vad som har hänt?"),
    ],
)
def test_someone_asked_to_check_is_a_person_asked_for(code: str, text: str) -> None:
    texts = language_book().languages[code]
    assert "person" in topics_asked(texts, text.lower())[0]


@pytest.mark.parametrize(
    "text",
    [
        "I've been made redundant. My order 5520174 hasn't gone out yet, has it?",
        "Money's really tight this month. Is order 5520174 still not sent?",
    ],
)
def test_a_problem_only_asked_about_beside_money_worries_is_answered(text: str) -> None:
    """ "it hasn't shipped yet, has it?" tells nothing that went wrong: where the
    order is answers it, with the worry heard first and a person offered."""
    mood = assess(conversation([("customer", text, "track_order")], "asked"))
    assert [c.kind for c in mood.analysis.circumstances] == ["hardship"]
    assert not mood.decision.escalate, mood.decision.explanation


def test_a_problem_told_beside_money_worries_still_goes_to_a_person() -> None:
    text = "I've been made redundant and the kettle arrived broken. Where is my refund?"
    mood = assess(conversation([("customer", text, "track_order")], "told"))
    assert mood.decision.escalate


async def test_whether_a_message_is_ours_is_answered_once_a_turn(
    own_queue: str,
) -> None:
    """The order form says it is not ours and hands on to the lookup: the lookup
    of the same turn does not say it again in other words."""
    from actions.lookups import ActionOrderLookup

    text = (
        "A text says parcel 228810 is stuck and I must pay a fee through a link. "
        "Is that you?"
    )
    said, _ = await _answer(text, "track_order", "ours-once")
    assert says(said, "fraud_check"), said
    tracker = conversation([("customer", text, "track_order")], "ours-once-2")
    mood = assess(tracker)  # (read once a turn, as the form's action read it)
    tracker.slots["emotion_analysis"] = {
        "message": text,
        "analysis": mood.analysis.to_dict(),
        "decision": mood.decision.to_dict(),
    }
    tracker.events.append({"event": "bot", "text": said})  # the form said it
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == []
