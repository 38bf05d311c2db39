"""What the gateway says itself, in English and in the customer's language."""

from __future__ import annotations

from bot.texts import say, texts, translations


def test_a_waiting_customer_is_reassured_in_their_language() -> None:
    german = translations()["de"]
    assert say("waiting_for_person", "de") == german["waiting_for_person"]
    saved = say("follow_up_saved", "pl", contact="+48 600 100 200")
    assert saved.endswith("+48 600 100 200.")


def test_english_when_the_language_or_the_text_is_missing() -> None:
    assert say("waiting_for_person") == texts()["waiting_for_person"]
    assert say("waiting_for_person", "sv") == texts()["waiting_for_person"]
    assert (
        say("agent_joined", "de", agent="Greta")
        == "Greta from our team has joined the chat."
    )
