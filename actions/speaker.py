"""The ``Speaker``: sends one turn's replies, the first through the empathy layer
(actions/empathy.py), then the answers to the other questions the message asked
(actions/side.py); a second reply that cannot help asks for a person instead."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    bot_texts,
    customer_metadata,
    customer_name,
    customer_texts,
    latest_confidence,
)
from actions.emotion import Analysis
from actions.emotion.text import with_apostrophes
from actions.empathy import empathy_book
from actions.mood import Mood, analyzer, history
from actions.order_chat import telling
from actions.repeats import detail, repeats
from actions.replies import reply_book
from actions.side import side_questions, topic
from actions.situation import Situation

RECENT_REPLIES = 4
# The replies of a message the bot could not place: dropped when its questions,
# read one by one, are answered (Speaker.answer_side_questions)
UNSURE_KEYS = frozenset({"choose_intent", "confirm_intent", "fallback"})
# Replies that already ask the customer something: no "tell me if I got it wrong".
QUESTIONS = ("ask.", "confirm_", "choose_", "fallback", "out_of_scope")


def asks(key: str, answer: str) -> bool:
    """Whether a reply already asks the customer something, so that "tell me if I
    got it wrong" would only repeat the question."""
    return key.startswith(QUESTIONS) or answer.rstrip().endswith("?")


class Speaker:
    """Sends this turn's replies; the first one carries the empathy layer."""

    def __init__(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        mood: Mood,
        intent: str | None,
        check_understanding: bool = False,
    ) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.mood = mood
        self.intent = intent
        self.check_understanding = check_understanding
        self.spoken = False
        self.missed_again = False  # a second "I can't help": a person instead
        self.keys: list[str] = []  # the reply keys said this turn
        # what a "yes" to the latest reply accepts (ReplyBook.offer), if anything
        self.offer: str | None = None

    @cached_property
    def grave(self) -> bool:
        """Whether something grave was told in this chat (``told_grave``), read
        once a turn."""
        return told_grave(
            self.mood.analysis, telling(customer_texts(self.tracker)[:-1])
        )

    def _angry_lately(self) -> bool:
        """Whether the customer is angry now or was a moment ago (``angry_in``)."""
        now = self.mood.analysis
        current = (
            [{"label": now.label.value, "frustration": now.frustration}] if now else []
        )
        timeline = self.tracker.get_slot("emotion_timeline") or []
        return angry_in([*timeline, *current])

    def situation(self, order_id: str | None = None) -> Situation:
        """What the empathy layer needs to know about this turn."""
        name = customer_name(self.tracker)
        said = bot_texts(self.tracker)
        return Situation(
            intent=self.intent,
            analysis=self.mood.analysis,
            channel=str(customer_metadata(self.tracker).get("channel") or "web"),
            customer_name=name,
            name_uses=sum(1 for t in said if name and name in t),
            order_id=order_id or self.tracker.get_slot("order_id"),
            recent=said[-RECENT_REPLIES:],
            intent_confidence=(
                latest_confidence(self.tracker) if self.check_understanding else None
            ),
            description=reply_book().describe(self.intent or ""),
            text=str((self.tracker.latest_message or {}).get("text") or ""),
            earlier=telling(customer_texts(self.tracker)[:-1]),
            register=empathy_book().registers.of(customer_texts(self.tracker)),
            grave=self.grave,
        )

    async def answer_side_questions(self) -> None:
        """After the answer, the answers to the other questions the message asked
        (actions/side.py), each its own message; a stock closer only on the last."""
        if not self.spoken:
            return
        text = str((self.tracker.latest_message or {}).get("text") or "")
        # NLU's intent counts as answered only when the first answer was about it
        # (the FAQ may have answered another question of the message instead)
        answered = [*self.keys]
        if self.intent and topic(self.keys[0]) == self.intent:
            answered.append(self.intent)
        found = await side_questions(
            text,
            answered,
            order_known=bool(self.tracker.get_slot("order_id")),
            intent=self.intent,
        )
        if not found.answers:
            return
        book = reply_book()
        main = list(self.dispatcher.messages)
        if self.keys[0] in UNSURE_KEYS or found.main_unasked:
            # "three quick things: ..., ... and ...?" read as one unclear message
            # (or as a guess none of its questions asks): its questions answered
            # one by one, not a menu of guesses or a wrong answer first
            main = []
            self.dispatcher.messages.clear()
            self.keys.clear()
            self.spoken = False  # the first of them carries the acknowledgement
        first = self.keys[0] if self.keys else ""
        for message in main:
            if message.get("text") and not message.get("buttons"):
                message["text"] = book.without_closer(message["text"])
        for answer in found.answers:
            self.say(answer.key, None, **answer.values)
        # a reply that asks for something (an order number) comes last, where the
        # customer answers it (the sort is stable: otherwise in the order asked)
        groups = [(first, main)] + [
            (a.key, [m])
            for a, m in zip(
                found.answers, self.dispatcher.messages[len(main) :], strict=True
            )
        ]
        groups.sort(key=lambda group: group[0].startswith("ask."))
        self.dispatcher.messages[:] = [m for _, messages in groups for m in messages]

    def say(
        self, key: str, buttons: list[dict[str, str]] | None = None, **values: Any
    ) -> str:
        """Send reply ``key`` filled with ``values``; returns the text sent (""
        when a person takes over instead: the bot could not help before either)."""
        recent = bot_texts(self.tracker)[-RECENT_REPLIES:]
        book = reply_book()
        situation = self.situation(values.get("order_id"))
        if situation.grave and book.has(f"{key}_grave"):
            # thanks or a goodbye after a death or an injury: care, not "happy to
            # help, anything else?"
            key = f"{key}_grave"
        if values.get("return_closed") and book.has(f"{key}_closed"):
            # an order delivered more than 30 days ago: no "return it within 30
            # days", but that the window has closed
            key = f"{key}_closed"
        answer = book.without_closer(book.pick(key, avoid=recent, **values))
        if not self.spoken and not asks(key, answer) and repeats(answer, recent[-1:]):
            # the answer given a moment ago: the follow-up asked about a detail of
            # it ("and is sending it back free?"), so that sentence alone
            latest = str((self.tracker.latest_message or {}).get("text") or "")
            answer = detail(answer, latest) or answer
        if book.missed([key]) and earlier_misses(self.tracker):
            self.missed_again = True
            return ""
        text = answer
        if situation.grave or self._angry_lately():
            # "Done." to someone whose husband died, "Good news:" to someone who
            # threatened a chargeback a moment ago: the facts, plainly
            text = answer = book.without_gladness(answer)
        if topic(key) != (self.intent or ""):
            # another answer than the guessed intent's (the FAQ's price matching for
            # a guess of "place an order"): no "As I understand it, you'd like to
            # place an order" before it
            situation = replace(situation, description=None)
        if not self.spoken:
            text = empathy_book().compose(
                answer, situation, invite=not asks(key, answer)
            )
        text = empathy_book().registers.fit(text, situation.register)
        self.spoken = True
        self.keys.append(key)
        self.offer = book.offer(text, answer)
        if self.offer == "handoff" and book.offer(recent[-1] if recent else "") == (
            "handoff"
        ):
            # a person offered a moment ago, and again now: the offer stands (a
            # "yes" still takes it), not "Shall I bring one in?" on every reply
            text = offer_left_standing(text)
        if buttons:
            self.dispatcher.utter_message(text=text, buttons=buttons)
        else:
            self.dispatcher.utter_message(text=text)
        return text


# The customer's latest moods that decide whether they were angry a moment ago
ANGRY_WINDOW = 3


def angry_in(timeline: Sequence[Any]) -> bool:
    """Whether one of the latest moods of the chat (``emotion_timeline``) was anger
    or frustration at the level the empathy layer calls upset (``levels.upset``)."""
    upset = int(empathy_book().data["levels"]["upset"]["frustration"])
    for mood in list(timeline)[-ANGRY_WINDOW:]:
        if not isinstance(mood, dict):
            continue
        label = str(mood.get("label") or "")
        level = int(mood.get("frustration") or 0)
        if label == "anger" or (label == "frustration" and level >= upset):
            return True
    return False


def told_grave(analysis: Analysis | None, earlier: Sequence[str]) -> bool:
    """Whether something grave was told in the chat, in the latest message (its
    ``analysis``) or an ``earlier`` one: a serious situation (a death, an injury, a
    fraud, ...)."""
    if analysis is not None and analysis.serious:
        return True
    detector = analyzer().message.situations
    return any(
        c.serious
        for said in earlier
        for c in detector.detect(with_apostrophes(said.lower()))
    )


def earlier_misses(tracker: Tracker) -> int:
    """Bot replies in this conversation that could not help (``ReplyBook.misses``,
    marked with the ``missed`` slot), since a person last resolved it."""
    return sum(1 for turn in history(tracker) if not turn.is_customer and turn.fallback)


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def offer_left_standing(text: str) -> str:
    """``text`` without the question that closes it ("...; shall I bring one in?",
    "Would you like me to bring one in?"), when something is left to say; the part
    before a semicolon is kept ("A colleague can chase DHL.")."""
    sentences = _SENTENCE_END.split(text.strip())
    last = sentences[-1]
    if not last.endswith("?"):
        return text
    head, semicolon, _ = last.rpartition("; ")
    if semicolon and head:
        return " ".join([*sentences[:-1], f"{head}."])
    return " ".join(sentences[:-1]) if len(sentences) > 1 else text
