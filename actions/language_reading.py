"""How a message in another language than English is read with that language's
texts (``data/replies/languages.yml``): what serious happened, whether it only tells
money worries or illness beside a plain question, the general questions it asks
(``ANSWERED``, answered while the customer waits), whether it asks about the chat's
order or goes on with what was asked, a calm question there is no answer for, and
the feelings and problems it names. ``LanguageBook`` (actions/language.py) says
what is answered and inherits these."""

from __future__ import annotations

import re
from collections.abc import Sequence

from actions.emotion.policy import answer_first_situations, never_answered_first
from actions.language_care import NAMED
from actions.language_tasks import wants_cancelled
from actions.language_texts import (
    EMAIL_ADDRESS,
    NOTED,
    LanguageTexts,
    asks_something,
    felt_and_problem,
    named_topics,
    problem_said,
    short_enough_to_go_on,
    stakes_said,
    topic_answer,
    topics_asked,
)
from actions.numbers import find_number

# Topics answered in another language (``answers`` of the same name); "order" looks
# the order up; any other topic of a language (a person asked for, a cancellation,
# something broken) is for a person.
ANSWERED = (
    "delivery",
    "returns",
    "payment",
    "customs",
    "away",
    "if_not",
    "refund",
    "address",
    "contact",
    "shop",
    "change",
    "cancel_question",
    "thanks",
    "invoice",
    "password",
    "product",
    "giftcard",
    "never_mind",
    "warranty",
)


# Feelings mild enough to be heard beside a calm question we have no answer for
# ("Schade. Kommen die beiden Pakete zusammen an?"): the feeling named, the honest
# "no sure answer" and a person offered, not a person brought in unasked.
MILD_FEELINGS = frozenset({"disappointed", "embarrassed"})


# Words beside an order's number and name that make a question of their own (not
# "¿Y el pedido 48213?"): fewer, and the order's state is what is asked
OWN_QUESTION_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{3,}")


# Topics whose answer is the same whatever the order named beside them ("is the
# speaker from order 87001 still under guarantee?"): answered without the order's
# state, so without the proof (a return, a change or a cancellation depend on it)
ORDER_FREE = frozenset(
    {"warranty", "product", "giftcard", "payment", "customs", "contact", "shop"}
)


def asks_its_state(texts: LanguageTexts, lower: str) -> bool:
    """Whether ``lower`` (a lower-cased message) asks where its order is or what
    became of it (``state``), or says it has not come (``late``)."""
    if texts.state is not None and texts.state.search(lower):
        return True
    return texts.late is not None and texts.late.search(lower) is not None


def asks_beside_the_order(texts: LanguageTexts, text: str) -> bool:
    """Whether ``text`` names an order and asks something of it other than where
    it is or what became of it ("Wie lange habe ich Garantie auf den Wasserkocher
    aus Bestellung 651234?"): no words for its state (``state``) or for its not
    having come (``late``), no other topic we answer, and a question or request of
    OWN_QUESTION_WORDS words or more beside the order's number and name. The
    order's state answers nothing of it."""
    lower = text.lower()
    if texts.state is None or asks_its_state(texts, lower):
        return False
    asked, rest = topics_asked(texts, lower)
    if set(asked) - {"order", "thanks", "praise"}:
        return False
    if (order := texts.topics.get("order")) is not None:
        rest = order.sub(" ", rest)
    if (thanks := texts.topics.get("thanks")) is not None:
        rest = thanks.sub(" ", rest)
    return (
        asks_something(texts, rest) and len(_WORD.findall(rest)) >= OWN_QUESTION_WORDS
    )


# What reaches a customer from someone claiming to be us: a text, an e-mail, a call,
# a link (the words of our languages and English alike)
_A_MESSAGE = re.compile(
    r"\b(?:sms|e-?mails?|mails?|nachricht\w*|mensaje\w*|messages?|messaggi\w*|"
    r"bericht\w*|mensage\w*|wiadomo\w*|meddelande\w*|links?|enlace|lien|"
    r"collegamento|linkje|liga[çc][ãa]o|länk\w*|correo|courriel|anruf\w*|"
    r"llamada|appel|chiamata|telefoontje|chamada|telefon\w*|samtal|whatsapp|texto)\b"
)
# how far before a step its negation may stand ("no he pinchado", "nichts bezahlt")
_NEGATION_REACH = 25


class LanguageReading:
    """The readings of a message in one of the languages, over their texts."""

    languages: dict[str, LanguageTexts]

    def situations(self, code: str, text: str) -> list[str]:
        """What serious has happened, by the language's own words (``serious``):
        "bereavement", "injury", "fraud", "distress"."""
        texts = self.languages.get(code)
        lower = text.lower()
        if texts is None:
            return []
        # "his hands are itching": a body part and a symptom in one sentence hurt
        hurt = texts.people.hurt(lower)
        # "une odeur de plastique brûlé": a smell, read without it for a burn
        smelt = texts.burnt_smell.sub(" ", lower) if texts.burnt_smell else lower
        found = [
            k
            for k, words in texts.serious.items()
            if words.search(smelt if k == "injury" else lower)
            or (k == "injury" and hurt)
        ]
        if texts.unhurt is not None and texts.unhurt.search(lower):
            # "le chargeur a pris feu, personne n'a été blessé": a hazard, no injury
            found = [k for k in found if k != "injury"]
        return found

    def care(self, code: str, kind: str, text: str) -> str:
        """The words of care for ``kind`` (``care``), naming the one ``text`` says
        it happened to when it names them ("Siento muchísimo la pérdida de su
        hermano.", ``care.<kind>_who``, actions/language_care.py); a fraud beside a
        payment card (``card``) with the bank to call (``care.fraud_card``), one
        asking for a fee (``fee``) with nothing to pay (``care.fraud_fee``)."""
        texts = self.languages.get(code)
        if texts is None:
            return ""
        if (
            kind == "fraud"
            and texts.card is not None
            and texts.card.search(text.lower())
        ):
            # card details given, or a charge on the card: the bank blocks the card
            return texts.care.get("fraud_card", texts.care.get(kind, ""))
        if kind == "fraud" and texts.fee is not None and texts.fee.search(text.lower()):
            # a message asking for a fee ("devo pagare 3 euro per il pacco"): not
            # ours, pay nothing
            return texts.care.get("fraud_fee", texts.care.get(kind, ""))
        named = texts.care.get(f"{kind}_who")
        if kind in NAMED and named:
            said = texts.serious.get(kind)
            if who := texts.people.who_in(text.lower(), kind, said):
                return named.format(who=who)
        return texts.care.get(kind, "")

    def asks_if_ours(self, code: str, text: str) -> bool:
        """Whether ``text`` only asks whether a message (a text, an e-mail, a call)
        is ours ("Ho ricevuto un SMS ... È vostro?"), with no step taken (paid,
        clicked, typed in; ``steps``, unless negated): that it is not, and what to
        do, answered at once (``not_ours``), as in English."""
        texts = self.languages.get(code)
        lower = text.lower()
        if (
            texts is None
            or texts.its_ours is None
            or "not_ours" not in texts.answers
            or not texts.its_ours.search(lower)
            or not _A_MESSAGE.search(lower)
        ):
            return False
        steps = texts.steps.finditer(lower) if texts.steps is not None else iter(())
        negation = texts.negation
        return all(
            negation is not None
            and negation.search(lower[max(0, s.start() - _NEGATION_REACH) : s.start()])
            for s in steps
        )

    def answers_first(self, code: str, text: str, found: Sequence[str]) -> bool:
        """Whether the serious things ``found`` in ``text`` are only money worries or
        illness told beside a plain question (``answer_first_situations``): nothing went
        wrong, no person asked for; the question is answered with care, a person
        offered (as in English, data/emotion/policy.yml ``answer_first``). Money
        worries beside a question about their money coming back are no plain
        question."""
        texts = self.languages.get(code)
        lower = text.lower()
        # after a death, a cancellation asked for is done first (policy.yml)
        cancelling = texts is not None and wants_cancelled(texts, lower)
        if (
            texts is None
            or not found
            or not set(found) <= answer_first_situations(cancelling=cancelling)
            or (never_answered_first(lower) and not cancelling)
        ):
            return False
        asked, _ = topics_asked(texts, lower)
        # the money named in a question beside the hardship ("voy justa de dinero,
        # ¿puedo pagar a plazos?" asks about paying, not about their money)
        questions = " ".join(c for c in re.split(r"[.!;,]", lower) if "?" in c)
        if "hardship" in found and (
            "refund" in asked
            or (texts.money is not None and texts.money.search(questions))
        ):
            # "no money for food: when does my refund come?": the money is what the
            # hardship is about, for a person (as in English); a payment plan asked
            # is a plain question
            return False
        return not problem_said(texts, lower) and not {"problem", "person"} & set(asked)

    def general(self, code: str, text: str) -> str | None:
        """The answers in the language to the general questions in ``text``
        (delivery, returns, payment, a refund's timing, a new address), for a
        customer who waits for a person; None when it asks none of them, or also
        something only a person can do, or about an order."""
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return None
        asked, _ = topics_asked(texts, text.lower())
        # they wait for a person already: "can someone help me change the address?"
        # asks how to change the address; praise beside a question asks nothing
        asked = [t for t in asked if t not in ("person", "praise")]
        if "address" in asked and EMAIL_ADDRESS.search(text.lower()):
            return None  # "l'adresse e-mail de mon compte": no delivery address
        asked = named_topics(texts, asked, text)
        answered = [t for t in asked if t in ANSWERED and t != "thanks"]
        if answered and not find_number(text):
            # "can I still add something to my order?": the order is what the
            # question is about, the topic (adding to it) is what it asks
            asked = [t for t in asked if t != "order"]
        if not answered or set(asked) - set(ANSWERED) or find_number(text):
            return None
        return " ".join(topic_answer(texts, t, text, asked) for t in answered)

    def asks_about_the_order(self, code: str, text: str) -> bool:
        """Whether ``text`` asks about the chat's order ("Wann kommt meine
        Bestellung an?") or is a short question going on with it ("¿Y cuándo?")."""
        texts = self.languages.get(code)
        if texts is None:
            return False
        words = texts.topics.get("order")
        return bool(words and words.search(text.lower())) or self.follows_up(code, text)

    def unanswered(self, code: str, text: str) -> bool:
        """Whether ``text`` is a calm question the language has no answer for
        ("la livraison est-elle offerte à partir d'un certain montant ?"): it asks
        something, names nothing that went wrong, nothing serious, no person, no
        order unless it asks something of its own beside it
        (``asks_beside_the_order``), and no feeling stronger than a mild one
        (MILD_FEELINGS). It is said honestly and a person offered, as in English,
        rather than a person brought in unasked."""
        texts = self.languages.get(code)
        if texts is None or "unsure" not in texts.answers:
            return False
        lower = text.lower()
        asked, rest = topics_asked(texts, lower)
        # an order named: only a question of its own beside it ("is it still
        # under guarantee?"), which the order's state does not answer
        order_named = "order" in asked or find_number(text) is not None
        return (
            asks_something(texts, rest)
            and not set(asked) & {"person", "problem", "cancel"}
            and (not order_named or asks_beside_the_order(texts, text))
            and not problem_said(texts, lower)
            and not any(
                words.search(lower)
                for name, (words, _) in texts.feelings.items()
                if name not in MILD_FEELINGS
            )
            and not self.situations(code, text)
        )

    def follows_up(self, code: str, text: str) -> bool:
        """Whether ``text`` is a short question that names nothing we answer and
        nothing for a person ("Und wann kommt sie an?", "¿Y cuánto cuesta?"): it
        goes on with what was asked before."""
        texts = self.languages.get(code)
        if texts is None or not texts.topics:
            return False
        lower = text.lower()
        named = [t for t, words in texts.topics.items() if words.search(lower)]
        thanks = texts.topics.get("thanks")
        if thanks is not None and (opening := thanks.match(lower.lstrip())):
            # "Danke! Und wann kommt sie an?": the question after the thanks
            lower = lower.lstrip()[opening.end() :].lstrip(" !.,;:")
        # "Vale, ¿y cuándo llegará?": the question after the word that takes note
        lower = NOTED.sub("", lower, count=1)
        return (
            short_enough_to_go_on(lower)
            and not set(named) - {"thanks"}
            and asks_something(texts, lower)
        )

    def felt(self, code: str, text: str) -> str:
        """The words for the feelings ``text`` names in the language ("Trochę się
        martwię": that it is worrying), or "" when it names none."""
        texts = self.languages.get(code)
        if texts is None:
            return ""
        lower = text.lower()
        return " ".join(
            s for words, s in texts.feelings.values() if words.search(lower)
        )

    def heard(self, code: str, text: str) -> str:
        """The words for the feeling ``text`` names and for what went wrong when it
        names it ("that your order hasn't come yet"; ``felt_and_problem``), else "";
        then what makes it matter more, when it says so ("it was a present").
        Signing in that does not work ("das Login funktioniert nicht") is no broken
        item."""
        texts = self.languages.get(code)
        if texts is None:
            return ""
        lower = text.lower()
        if (password := texts.topics.get("password")) is not None:
            lower = password.sub(" ", lower)
        heard = felt_and_problem(texts, lower)
        return f"{heard} {stakes_said(texts, lower)}".strip() if heard else ""
