"""What came is not what was ordered, said as a contrast ("it arrived in black but I
picked the silver one", "they're size 27 but I ordered 31", "geliefert wurde ein
schwarzer, ich hatte einen silbernen bestellt"), and a fault heard as a noise ("it
buzzes", "the sound cuts out"): something to put right, not a change of mind or the
order's state; a child nearly choked or strangled is a hazard in every language (our
own sentences; the real reply books, analyzer and demo store)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.demo_store import DemoStore
from actions.language import language_book
from actions.language_texts import problem_said
from actions.mentions import mentioned
from actions.mood import analyzer
from tests.actions.conftest import owner, says
from tests.actions.test_language_defects import _care
from tests.actions.test_offers import conversation


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("The lamp arrived in green, but I chose the white one.", True),
        ("The trainers are size 40 but we ordered size 42.", True),
        ("It came in a 2 litre version but I selected the 1 litre.", True),
        ("The trainers are a size 40, not the size 42 I ordered.", True),
        ("It arrived late but I ordered express.", False),
        ("It came yesterday but I ordered it for my birthday.", False),
        ("The parcel came but I picked it up from the neighbour.", False),
    ],
)
def test_what_came_against_what_was_chosen(text: str, problem: bool) -> None:
    assert mentioned("has_it_with_a_problem", text) is problem


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("The radio buzzes whenever it's on.", True),
        ("My headphones keep crackling on the left side.", True),
        ("The sound cuts out every couple of minutes.", True),
        ("The fan makes a grinding noise.", True),
        ("The website keeps cutting out when I pay.", False),
        ("I love the crackling sound of the speaker.", False),
    ],
)
def test_a_fault_heard_as_a_noise_is_a_fault(text: str, fault: bool) -> None:
    assert mentioned("not_working", text) is fault


@pytest.mark.parametrize(
    ("code", "text", "wrong"),
    [
        ("de", "Gekommen ist eine rote Jacke, ich hatte eine blaue bestellt.", True),
        ("de", "Es ist nichts angekommen, ich hatte es am Montag bestellt.", False),
        ("de", "Das Paket ist angekommen, ich habe noch etwas bestellt.", False),
        ("es", "Me llegó una lámpara verde, pero pedí la blanca.", True),
        ("es", "Recibí un mensaje pero pedí otra cosa por teléfono.", False),
        ("it", "È arrivata una borsa nera, ma avevo ordinato quella rossa.", True),
        ("it", "Ho ricevuto il pacco e ho ordinato altro.", False),
    ],
)
def test_what_came_against_what_was_ordered_in_other_languages(
    code: str, text: str, wrong: bool
) -> None:
    said = problem_said(language_book().languages[code], text.lower())
    assert (said == _care(code, "wrong_item")) is wrong, said


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", "The cord got caught and my little boy almost strangled himself."),
        ("es", "El cordón se enganchó en el columpio y mi hija casi se ahoga."),
        ("de", "Mein Sohn hat sich mit der Kordel fast stranguliert."),
        ("nl", "Mijn dochter stikte bijna door het koordje."),
        ("pl", "Mój syn prawie się udusił tym sznurkiem."),
    ],
)
def test_a_child_nearly_choked_is_a_hazard(code: str, text: str) -> None:
    if code == "en":
        kinds = [c.kind for c in analyzer().analyze(text).circumstances]
    else:
        kinds = language_book().situations(code, text)
    assert "hazard" in kinds, kinds


async def test_a_wrong_colour_told_as_a_contrast_is_put_right_after_the_proof(
    store: DemoStore,
) -> None:
    """After the proof, the wrong item is put right: not "too late to change it"."""
    from actions.lookups import ActionOrderLookup

    tracker = conversation(
        [
            (
                "customer",
                "The kettle from order 651234 arrived in red but I picked steel.",
                "complaint",
            ),
            ("bot", "Before I open it: what's the e-mail address it's under?", None),
            ("customer", owner("651234"), "inform"),
            ("form", "", None),
        ],
        "mismatch-after-proof",
        order_id="651234",
        verified_customer=owner("651234"),
    )
    dispatcher = CollectingDispatcher()
    await ActionOrderLookup().run(dispatcher, tracker, {})
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    order = await store.order("651234")
    assert order is not None
    assert says(said, "complaint.order", **order.values()), said
