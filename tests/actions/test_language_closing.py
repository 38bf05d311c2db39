"""How a chat in another language ends: thanks in the words people use, giving up on
a question ("forget it"), and a few words with no English in them read in the chat's
language, not as English (their English reading rose into a "rising trend" and
handed a thankful customer over)."""

from __future__ import annotations

import pytest

from actions.emotion import Turn
from actions.language import language_book
from actions.mood import analyzer
from tests.actions.test_language import answer, has_ticket
from tests.actions.test_offers import conversation

# Giving up on a question, in each language's own words (our own sentences)
NEVER_MIND = {
    "de": "Na gut, dann lassen Sie es.",
    "es": "Bueno, da igual.",
    "fr": "Bon, tant pis.",
    "it": "Vabbè, lascia perdere.",
    "nl": "Laat ook maar.",
    "pt": "Ah, tanto faz.",
    "pl": "Dobra, mniejsza z tym.",
    "sv": "Nej, strunt i det.",
}
# Thanks as people write them in a chat
INFORMAL_THANKS = {
    "pt": "vlw!!",
    "fr": "Nickel, merci",
    "it": "Fantastico!",
    "de": "Klasse, danke",
    "sv": "Toppen, tack så mycket",
}


@pytest.mark.parametrize(("code", "text"), sorted(NEVER_MIND.items()))
def test_giving_up_on_a_question_gets_an_apology_and_a_person_offered(
    code: str, text: str
) -> None:
    """Not a handoff: the customer is told we are sorry it did not help, and that
    a person can take the question if they like."""
    book = language_book()
    said = book.reply(code, text, lambda _: None)
    assert said == book.languages[code].answers["never_mind"]
    # the offer of a person is in it, so no second one is added
    assert book.languages[code].answers["offer_person"] not in said


@pytest.mark.parametrize(("code", "text"), sorted(INFORMAL_THANKS.items()))
def test_informal_thanks_are_thanks(code: str, text: str) -> None:
    book = language_book()
    assert book.reply(code, text, lambda _: None) in (
        book.languages[code].answers["thanks"],
        book.languages[code].answers["praise"],
    )


def test_a_word_with_no_english_in_a_spanish_chat_is_read_as_spanish() -> None:
    """ "Estupendo." alone proves no language; after Spanish messages it is Spanish,
    so the English sentence model's reading of it is not taken as the mood."""
    history = [
        Turn(author="customer", text="Hola, quiero saber dónde está mi pedido 48213."),
        Turn(author="bot", text="Está en camino."),
        Turn(author="customer", text="¿Y cuándo llega exactamente a mi casa?"),
        Turn(author="bot", text="El lunes."),
    ]
    known = analyzer().analyze("Estupendo.", history, "es")
    assert known.signal("non_english") is not None
    assert known.signal("semantic") is None
    # without the chat's language, the message before it decides
    guessed = analyzer().analyze("Estupendo.", history[:2])
    assert guessed.signal("non_english") is not None
    # an English word is English, whatever came before
    english = analyzer().analyze("ok thanks", history, "es")
    assert english.signal("non_english") is None


async def test_a_spanish_chat_that_ends_with_one_word_of_thanks_is_not_handed_over(
    own_queue: str,
) -> None:
    """Three answered turns in Spanish, then "Estupendo.": a short thanks, no queue."""
    turns = [
        ("customer", "Hola, ¿cuánto tarda el envío a Valencia?", "nlu_fallback"),
        ("bot", language_book().languages["es"].answers["delivery"], ""),
        ("customer", "¿Y aceptan pagos con PayPal?", "nlu_fallback"),
        ("bot", "Sí, aceptamos PayPal.", ""),
        (
            "customer",
            "¿Y si quiero devolver algo, cuánto tiempo tengo?",
            "nlu_fallback",
        ),
        ("bot", language_book().languages["es"].answers["returns"], ""),
        ("customer", "Estupendo.", "goodbye"),
    ]
    tracker = conversation(turns, "web-es-closing")
    events, [said] = await answer(tracker)
    assert said == language_book().languages["es"].answers["thanks"]
    assert {"event": "pause", "timestamp": None} not in events
    assert not await has_ticket(tracker.sender_id)


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        # a smell of burning is a danger, not a burn
        ("es", "El secador echa chispas y huele a quemado.", "hazard"),
        ("it", "Dal frullatore esce odore di bruciato.", "hazard"),
        ("nl", "De waterkoker ruikt verbrand en maakt vonken.", "hazard"),
        # payments the customer never made
        (
            "fr",
            "Je vois deux prélèvements de votre site que je n'ai pas faits.",
            "fraud",
        ),
        ("es", "Aparecen dos cobros de su tienda que no he realizado.", "fraud"),
        ("de", "Da sind Belastungen von Ihnen, die ich nie veranlasst habe.", "fraud"),
    ],
)
def test_what_happened_is_read_right_in_the_customers_language(
    code: str, text: str, kind: str
) -> None:
    found = language_book().situations(code, text)
    assert kind in found
    if kind == "hazard":
        assert "injury" not in found  # nobody was said to be hurt


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("fr", "Je voudrais parler au responsable, s'il vous plaît."),
        ("es", "Páseme con el encargado, por favor."),
        ("it", "Posso parlare con un supervisore?"),
        ("pt", "Quero falar com o gerente."),
    ],
)
def test_asking_for_a_manager_in_another_language_is_for_a_person(
    code: str, text: str
) -> None:
    assert language_book().reply(code, text, lambda _: None) is None
