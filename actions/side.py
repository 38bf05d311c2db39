"""Side questions: a message that asks several things gets an answer to each.

"Do you ship to Austria, and can I pay with PayPal?" reaches NLU as one message with
one intent; the action answers that intent, and ``side_questions`` finds the others.
The message is cut into question clauses (sentences, and parts joined by "and",
"also", a comma or a semicolon where a new question starts: "..., how much is
it"); each clause goes to Rasa's own NLU (``/model/parse`` on the Rasa server that
called us, with its token) and, when NLU declines it, to the FAQ. A clause answered
by a question we can answer from templates alone (``side_questions`` in
data/replies/answers.yml: delivery, payments, returns, accounts ...), other than the
intent already answered, adds its answer. Nothing is added when the message has one
question, when NLU is unsure, or when Rasa cannot be reached (the main answer stands).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from actions.delivery import delivery_reach, destination_words
from actions.faq import KEY_PREFIX
from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.numbers import find_number
from actions.payments import answered_methods, method_named
from actions.replies import reply_book
from actions.settings import get_settings

log = logging.getLogger(__name__)

# A clause counts as a question of its own when NLU is at least this sure of it.
MIN_CONFIDENCE = 0.7
# ...or this sure, when it is about the topic of the whole message and that topic has
# several questions (side_facets in data/replies/answers.yml)
SAME_TOPIC_CONFIDENCE = 0.4
# Clauses shorter than this many words ("and you?") are not questions of their own.
MIN_WORDS = 3
MAX_CLAUSES = 4  # at most this many clauses are looked at (each one NLU request)
PARSE_TIMEOUT_S = 2.0

_SENTENCES = re.compile(r"(?<=[?.!])\s+")
# A new question starts after a joint: "..., how much", "... and can I", "also, do"
_ASKS = (
    r"(?:do|does|did|can|could|will|would|should|is|are|was|were|how|what|when|"
    r"where|which|who|why|may|have|has)\b"
)
# after "and" only words that open a question ("and have my money back" does not);
# "which"/"who" before a verb start a relative clause, no question (", which has now
# gone past the date")
_RELATIVE = (
    r"(?!\s+(?:now\s+|already\s+|still\s+)?(?:has|have|had|is|was|were|are|will|"
    r"would|should|can|could|may|might|means|meant|makes|made|came|comes|took|takes)\b)"
)
_OPENS = (
    r"(?:do|does|did|can|could|will|would|should|how|what|when|where|"
    rf"(?:which|who){_RELATIVE}|why|may|is there|are there|is it|are you)\b"
)
# ...or "is"/"are" when the sentence ends as a question ("..., and is delivery to
# Norway possible?"; "it came late and is broken." is no question)
_ASKED_IS = r"(?:is|are|was|were)\b[^.!?]*\?\s*$"
_JOINT = re.compile(
    r"\s*(?:,\s*(?:and|also|plus)?|;|\band\b|\balso\b|\bplus\b)\s+(?:also\s+)?"
    rf"(?={_OPENS}|{_ASKED_IS})",
    re.IGNORECASE,
)
_QUESTION = re.compile(rf"^(?:\W*(?:and|also|plus|so|ok|okay|oh)\W+)*{_ASKS}", re.I)
# A short clause about "it", "that" or "this" ("and when does it come?") asks about
# what the message or the chat is already about, not a question of its own.
_POINTS_BACK = re.compile(r"\b(?:it|that|this|they|them|those|these)\b", re.I)
POINTING_WORDS = 6
_WORD = re.compile(r"[^\W_]+")


def is_question(clause: str) -> bool:
    """Whether a clause asks something ("can I pay by PayPal", "... in time?",
    "two things: when do you open")."""
    asked = clause.rsplit(":", 1)[-1]  # what comes after "hi, three things:"
    return clause.rstrip().endswith("?") or bool(_QUESTION.match(asked.strip()))


def points_back(clause: str) -> bool:
    """Whether a short clause is about something said before it ("when will it
    come?", "how long does that take"), not a question that names its topic."""
    return bool(_POINTS_BACK.search(clause)) and len(clause.split()) <= POINTING_WORDS


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (cut after ".", "?" or "!")."""
    return _SENTENCES.split(text.strip())


def clauses(text: str) -> list[str]:
    """The parts of a message, in order, cut where a new question starts; one
    item when it says one thing."""
    found: list[str] = []
    for sentence in _SENTENCES.split(text.strip()):
        for part in _JOINT.split(sentence):
            part = part.strip(" ,;")
            if len(_WORD.findall(part)) >= MIN_WORDS:
                found.append(part)
    return found or [text.strip()]


@dataclass(frozen=True)
class Parsed:
    """What NLU made of one clause."""

    intent: str
    confidence: float
    entities: dict[str, str]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Parsed:
        """From Rasa's parse result (``/model/parse``, or a tracker's
        ``latest_message``: the same shape)."""
        intent = data.get("intent") or {}
        return cls(
            intent=str(intent.get("name") or ""),
            confidence=float(intent.get("confidence") or 0.0),
            entities={
                str(e.get("entity")): str(e.get("value"))
                for e in data.get("entities") or []
                if e.get("entity") and e.get("value") is not None
            },
        )


def _rasa() -> tuple[str, dict[str, str]]:
    """The Rasa server that runs this action server's model, and its token."""
    settings = get_settings()
    return settings.rasa_url, settings.rasa_params


async def parse(client: httpx.AsyncClient, text: str) -> Parsed | None:
    """Rasa's reading of ``text`` (the server that runs this action server's
    model), or None when it cannot be reached."""
    base, params = _rasa()
    try:
        response = await client.post(
            f"{base}/model/parse", params=params or None, json={"text": text}
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.info("side questions not looked at: Rasa parse failed (%s)", error)
        return None
    return Parsed.of(data if isinstance(data, dict) else {})


async def chat_slots(conversation_id: str) -> dict[str, object]:
    """The slots of a conversation as Rasa holds them (``GET /conversations/<id>/
    tracker``, no events), or {} when Rasa cannot be reached or does not know it."""
    base, params = _rasa()
    try:
        async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_S) as client:
            response = await client.get(
                f"{base}/conversations/{conversation_id}/tracker",
                params={"include_events": "NONE", **params},
            )
            response.raise_for_status()
            slots = response.json().get("slots")
    except (httpx.HTTPError, ValueError, AttributeError) as error:
        log.info("conversation's slots not read: %s", error)
        return {}
    return dict(slots) if isinstance(slots, dict) else {}


@dataclass(frozen=True)
class SideAnswer:
    """A reply key that answers one side question, and its placeholder values."""

    key: str
    values: dict[str, str]


def topic(key: str) -> str:
    """The question a reply key answers: ``delivery_options_place`` and
    ``payment_issue.double_charge`` answer ``delivery_options``, ``payment_issue``;
    an FAQ entry (``faq.gift_wrap``) is its own question."""
    if key.startswith(KEY_PREFIX):
        return key
    # "delivery_options_place_abroad": a place we deliver to, or not
    return re.sub(
        r"_place(?:_abroad|_no)?$|_named_(?:yes|no)$|_typed$", "", key.split(".")[0]
    )


@dataclass(frozen=True)
class SideQuestions:
    """The answers to a message's other questions, and whether the main answer
    answered none of its questions (then it only guessed at the whole)."""

    answers: list[SideAnswer]
    main_unasked: bool


def own_questions(text: str, parts: list[str]) -> list[str]:
    """The clauses (``parts``) of ``text`` that ask questions of their own:
    statements, and questions about what the message is about, are the main
    answer's ("my order was cancelled but no money yet, when does it come?"); in a
    message that names an order, any question pointing back is about that order
    ("I ordered a yoga mat, number 228810. How will I know when it arrives?"), and
    a question naming the number is the order's ("Will order 48213 arrive before
    Friday?")."""
    names_order = find_number(text) is not None
    return [
        p
        for p in parts
        if is_question(p)
        and not points_back(p)
        and not (names_order and _POINTS_BACK.search(p))
        # "Will order 48213 arrive before Friday?": the order's own question
        and find_number(p) is None
    ]


async def side_questions(
    text: str,
    answered: Iterable[str],
    order_known: bool = False,
    intent: str | None = None,
) -> SideQuestions:
    """Answers to the questions of ``text`` beside those already ``answered``.

    Args:
        text: the customer's message.
        answered: the intents and reply keys the main answer was about.
        order_known: whether the chat already has an order number (then a side
            question about an order does not ask for one).
        intent: NLU's intent for the whole message.

    Returns:
        Reply keys (with values) in the order the customer asked, none twice, and
        whether the main answer answered none of the message's questions.
    """
    parts = clauses(text)
    if len(parts) < 2:
        return SideQuestions([], False)
    questions = own_questions(text, parts)
    only_questions = len(questions) == len(parts) <= MAX_CLAUSES
    main_asked = False
    found: list[SideAnswer] = []
    facets = reply_book().facets
    answered = list(answered)
    # a specific answer to one of several questions about the topic ("yes, returns
    # are free") leaves its other questions open ("how long have I got?")
    open_topics = {topic(k) for k in answered if topic(k) in facets and k != topic(k)}
    # the specific answer given first said every way to pay the message named
    covered = [m.written("en") for m in answered_methods(text)] or [""]
    seen: set[str] = set()
    for k in answered:
        if topic(k) in facets and k != topic(k):
            seen.update(facet(k, {"payment_method": m}) for m in covered)
        elif k not in open_topics:
            seen.add(topic(k))
    first = set(seen)
    async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_S) as client:
        for part in questions[:MAX_CLAUSES]:
            if (hit := faq_match(part)) and hit.key in seen:
                main_asked = True
                continue  # the question the first answer (the FAQ's) was about
            parsed = await parse(client, part)
            if parsed is None:
                return SideQuestions([], False)  # no NLU: the main answer stands
            main_asked = main_asked or parsed.intent in first
            # a clause on the message's own topic needs less certainty: the whole
            # message says what it is about ("..., how soon is the money back?")
            same = parsed.intent == intent and intent in facets
            sure_at = SAME_TOPIC_CONFIDENCE if same else MIN_CONFIDENCE
            answer = answer_of(part, parsed, order_known, sure_at)
            if answer is None:
                seen.add(parsed.intent)  # answered elsewhere (a lookup), or not at all
                continue
            about = topic(answer.key)
            asked = facet(answer.key, answer.values) if about in facets else about
            # the general answer covers every specific one of its topic
            main_asked = main_asked or about in first
            if about not in seen and asked not in seen:
                seen.add(asked)
                found.append(answer)
    # every question answered on its own, none by the main answer: a guess at the
    # whole message ("returns" for three questions about other things)
    unasked = only_questions and not main_asked and len(found) == len(questions)
    return SideQuestions(found, main_unasked=unasked)


def facet(key: str, values: dict[str, str] | None = None) -> str:
    """The question a key of a ``side_facets`` intent answers: the key itself, with
    the way to pay it names ("check_payment_methods_named_yes:PayPal")."""
    named = (values or {}).get("payment_method")
    return f"{key}:{named}" if named and "_named_" in key else key


def answer_of(
    part: str, parsed: Parsed, order_known: bool, sure_at: float = MIN_CONFIDENCE
) -> SideAnswer | None:
    """The answer to one side question: a template answer (with the place when NLU
    found one; NLU at least ``sure_at`` sure), the FAQ's when NLU is unsure or
    declines, a request for the order number when the question needs one; None
    otherwise."""
    book = reply_book()
    sure = parsed.confidence >= sure_at
    if sure and parsed.intent in book.side_questions:
        if hit := faq_beats_intent(part, parsed.intent):
            return SideAnswer(hit.key, {})  # "can I buy a gift card?": the FAQ's
        entities = parsed.entities
        place = (
            entities.get("delivery_city")
            or entities.get("delivery_country")
            or destination_words(part)
        )
        if place and book.has(f"{parsed.intent}_place"):
            # a country we deliver to or not: yes or no first
            reach, name = delivery_reach(place)
            key = f"{parsed.intent}_place_{reach}"
            if not (reach and book.has(key)):
                key = f"{parsed.intent}_place"
            return SideAnswer(key, {"delivery_place": name})
        # "and can I pay with iDEAL?": yes or no first
        key = book.specific_key(parsed.intent, part) or parsed.intent
        return SideAnswer(key, {"payment_method": method_named(part)})
    if not sure or parsed.intent in ("out_of_scope", "nlu_fallback"):
        hit = faq_match(part)
        return SideAnswer(hit.key, {}) if hit else None
    if parsed.intent in book.side_asks and not order_known:
        return SideAnswer(book.side_asks[parsed.intent], {})
    return None
