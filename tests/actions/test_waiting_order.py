"""A waiting customer asks about the chat's order before proving it theirs: asked
for the proof in their language, nothing of the order shown; a proof that cannot be
remembered (Rasa unreachable) shows nothing either. The whole way, with Rasa
remembering the proof, is tested through the stack (tests/bot/test_web.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.demo_store import DemoStore
from actions.settings import get_settings
from actions.store import Order
from actions.waiting_order import unproven_answer
from tests.actions.conftest import says


@pytest.fixture
def rasa_unreachable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def shipped() -> Order:
    order = await DemoStore().order("48213")
    assert order is not None
    return order


@pytest.mark.parametrize(
    ("language", "question", "words"),
    [
        ("", "so will it be here by friday?", "e-mail address or"),
        ("es", "¿Y cuándo llega mi pedido?", "correo electrónico o el código postal"),
        ("de", "Wann kommt meine Bestellung an?", "E-Mail-Adresse oder die"),
    ],
)
async def test_a_question_about_the_unproven_order_asks_for_the_proof(
    rasa_unreachable: None, language: str, question: str, words: str
) -> None:
    order = await shipped()
    said, asks = await unproven_answer("web-w1", order, question, language, None)
    assert asks and said is not None and words in said and order.id in said
    assert order.eta not in said and str(order.tracking) not in said


async def test_nothing_about_the_order_is_no_question_for_the_proof(
    rasa_unreachable: None,
) -> None:
    order = await shipped()
    for text, language in (
        ("which payment methods do you take?", ""),
        ("ok gracias", "es"),
        # short questions while waiting that name no order: the wait, a return
        ("Hoe lang moet ik nog wachten?", "nl"),
        ("Czy muszę to wszystko odesłać?", "pl"),
        ("E quanto tempo ci vuole?", "it"),
    ):
        assert await unproven_answer("web-w2", order, text, language, None) == (
            None,
            False,
        )
    # a message that is no question asks nothing
    assert await unproven_answer(
        "web-w2", order, "when will it come?", "", None, proof_only=True
    ) == (None, False)


async def test_a_proof_not_remembered_shows_nothing(rasa_unreachable: None) -> None:
    order = await shipped()
    owner = await DemoStore().customer(order.customer)
    assert owner is not None and owner.email
    said = await unproven_answer("web-w3", order, owner.email, "", None, True)
    assert said == (None, False)
    # one that does not match (nothing to remember): asked again
    wrong, asks = await unproven_answer(
        "web-w3", order, "bob@example.org", "", None, True
    )
    assert asks and wrong is not None and order.id in wrong and order.eta not in wrong


async def test_the_proven_order_is_answered_in_the_customers_language() -> None:
    from actions.language import language_book
    from actions.waiting_answers import answer_while_waiting

    order = await shipped()
    said = answer_while_waiting("¿Y cuándo llega mi pedido?", "es", None, None, order)
    assert said == language_book().order_answer("es", order.values(), again=True)
    assert said is not None and said != answer_while_waiting(
        "¿Y cuándo llega mi pedido?", "es", None, None, None
    )


async def test_a_delivered_order_proven_while_waiting_is_only_noted() -> None:
    """The proof given while waiting, for a delivered order: noted for the person
    with what they asked, not "check with the neighbours" (they may be asking about
    a refund or a broken item); an order on its way gets where it is."""
    from actions.waiting_order import _order_state

    delivered = await DemoStore().order("64450")
    assert delivered is not None
    said = _order_state(delivered)
    assert says(said, "track_order.delivered_noted", **delivered.values()), said
    assert "neighbour" not in said
    assert says(
        _order_state(await shipped()),
        "track_order.shipped",
        **(await shipped()).values(),
    )
