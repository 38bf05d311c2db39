"""How every action speaks: read the mood, hand over when needed, reply with care.

Every action that talks to the customer is a ``CaringAction``: before it answers, the
latest message is analysed (``actions.mood``); when the escalation policy says a person
should take over, the action hands over instead of answering. Otherwise its replies go
through the empathy layer (``actions.empathy``).
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emotion import Decision
from actions.empathy import Situation, empathy_book
from actions.handoff import (
    annotate,
    enqueue,
    for_language,
    handoff_request,
    waiting_values,
)
from actions.identity import MAX_TRIES, attempts_proof, may_see, proves, tries
from actions.language import conversation_language, language_book
from actions.mentions import mentioned
from actions.mood import Mood, assess, history
from actions.numbers import find_number, normalise_number
from actions.replies import reply_book
from actions.side import is_question, side_questions
from actions.store import Order, StoreUnavailable, store

RECENT_REPLIES = 4
# Replies that already ask the customer something: no "tell me if I got it wrong".
QUESTIONS = ("ask.", "confirm_", "choose_", "fallback", "out_of_scope")


def asks(key: str, answer: str) -> bool:
    """Whether a reply already asks the customer something, so that "tell me if I
    got it wrong" would only repeat the question."""
    return key.startswith(QUESTIONS) or answer.rstrip().endswith("?")


def bot_texts(tracker: Tracker) -> list[str]:
    """The texts of every bot message in the conversation, newest last."""
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The customer's messages in the conversation, newest last; one undone by
    ``rewind`` (UserUtteranceReverted: replayed as the question it asked) is left
    out, so a replayed message counts once."""
    users: list[dict[str, Any]] = []
    for event in tracker.events:
        if event.get("event") == "user":
            users.append(event)
        elif event.get("event") == "rewind" and users:
            users.pop()
    return users


def customer_texts(tracker: Tracker) -> list[str]:
    """The texts of every customer message in the conversation, newest last."""
    return [e.get("text") or "" for e in user_events(tracker)]


def customer_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata the gateway attached to the latest message (channel, name, locale)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def customer_name(tracker: Tracker) -> str | None:
    """The customer's first name, from the channel or remembered from earlier."""
    name = customer_metadata(tracker).get("customer_name") or tracker.get_slot(
        "customer_name"
    )
    return str(name).strip()[:40] or None if name else None


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent NLU gave the latest customer message."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_confidence(tracker: Tracker) -> float | None:
    """NLU confidence of the latest message's intent."""
    value = ((tracker.latest_message or {}).get("intent") or {}).get("confidence")
    return None if value is None else float(value)


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The first value of ``entity`` in the latest customer message."""
    return next(tracker.get_latest_entity_values(entity), None)


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
            earlier=customer_texts(self.tracker)[:-1],
            register=empathy_book().register(customer_texts(self.tracker)),
        )

    async def answer_side_questions(self) -> None:
        """After the answer, the answers to the other questions the message asked
        (actions/side.py), each its own message; a stock closer only on the last."""
        if not self.spoken:
            return
        text = str((self.tracker.latest_message or {}).get("text") or "")
        found = await side_questions(
            text,
            [*self.keys, self.intent or ""],
            order_known=bool(self.tracker.get_slot("order_id")),
        )
        if not found:
            return
        book = reply_book()
        main = list(self.dispatcher.messages)
        for message in main:
            if message.get("text") and not message.get("buttons"):
                message["text"] = book.without_closer(message["text"])
        for answer in found:
            self.say(answer.key, None, **answer.values)
        # a reply that asks for something (an order number) comes last, where the
        # customer answers it (the sort is stable: otherwise in the order asked)
        groups = [(self.keys[0], main)] + [
            (a.key, [m])
            for a, m in zip(found, self.dispatcher.messages[len(main) :], strict=True)
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
        if book.missed([key]) and earlier_misses(self.tracker):
            self.missed_again = True
            return ""
        answer = book.without_closer(book.pick(key, avoid=recent, **values))
        text = answer
        situation = self.situation(values.get("order_id"))
        if not self.spoken:
            text = empathy_book().compose(
                answer, situation, invite=not asks(key, answer)
            )
        text = empathy_book().fit_register(text, situation.register)
        self.spoken = True
        self.keys.append(key)
        self.offer = book.offer(text, answer)
        if buttons:
            self.dispatcher.utter_message(text=text, buttons=buttons)
        else:
            self.dispatcher.utter_message(text=text)
        return text


async def hand_over(speaker: Speaker, tracker: Tracker, why: str) -> list[EventType]:
    """Bring in a person because the customer wants one (not because of the mood)."""
    analysis = speaker.mood.analysis
    decision = Decision(
        escalate=True,
        reasons=["person_request"],
        explanation=f"Escalate to a person. {why}",
    )
    return await hand_off(speaker.dispatcher, tracker, Mood(analysis, decision))


def went_on(tracker: Tracker) -> bool:
    """Whether the latest message goes on with a problem, rather than answering our
    question or asking another one: not a proof of the order (we asked for it);
    a question only when the customer named what went wrong in their recent
    messages ("can you just refund it?" after "it arrived in pieces") or NLU reads
    the same intent as in the message before ("WHERE is it actually"); not "how
    long do I have to return it?" after the order's state."""
    latest = str((tracker.latest_message or {}).get("text") or "")
    if not is_question(latest):
        return not attempts_proof(latest)
    intents = [
        ((e.get("parse_data") or {}).get("intent") or {}).get("name")
        for e in user_events(tracker)[-2:]
    ]
    if len(intents) == 2 and intents[0] == intents[1]:
        return True
    situation = Situation(None, None, earlier=customer_texts(tracker)[-PROBLEM_TEXTS:])
    return empathy_book().earlier_concern(situation) is not None


# The customer's latest messages searched for what went wrong (went_on).
PROBLEM_TEXTS = 3

# A short question about the order whose state was the bot's last word ("ok. eta?",
# "which carrier?", "when will it go out?"): what NLU makes of a few words out of
# context does not matter, the order answers it (order_follow_up).
FOLLOW_UP_MAX_WORDS = 8
FOLLOW_UP_ACTIONS = ("action_answer", "action_not_understood")
_ABOUT_THE_ORDER = re.compile(
    r"\b(?:eta|when|what day|which day|date|arriv\w*|get here|be here|come|coming|"
    r"carrier|courier|who(?:'s| is)? deliver\w*|tracking|track it|dispatch\w*|"
    r"go out|goes out|sent out|leave us|leaves)\b",
    re.IGNORECASE,
)
# ...unless it asks something general ("when do you ship to Norway?", "when do you
# open?"): the general answer, not the order's day
_GENERAL_QUESTION = re.compile(
    r"\b(?:cost\w*|price\w*|how much|return\w*|refund\w*|pay\w*|abroad|"
    r"international|countr\w*|express|next[- ]day|free|open|close|hours|stock|size|"
    r"colou?r|norway|germany|france|spain|italy|usa|uk)\b",
    re.IGNORECASE,
)


async def order_follow_up(tracker: Tracker) -> tuple[str, Order] | None:
    """The reply key and the order for a short question about the order the bot
    just gave the state of (the chat's order, proven the customer's), else None."""
    latest = str((tracker.latest_message or {}).get("text") or "")
    said = bot_texts(tracker)
    if (
        not said
        or not is_question(latest)
        or len(re.findall(r"[\w']+", latest)) > FOLLOW_UP_MAX_WORDS
        or not _ABOUT_THE_ORDER.search(latest)
        or _GENERAL_QUESTION.search(latest)
        or find_number(latest)
    ):
        return None
    order = await store().order(str(tracker.get_slot("order_id") or ""))
    if order is None or order.id not in said[-1] or not may_see(tracker, order):
        return None
    status = str(order.status)
    if status == "processing" and mentioned("asks_dispatch", latest):
        # as the lookup answers "when will it be sent?" (asks_dispatch)
        return "track_order.processing_dispatch", order
    again = f"track_order.{status}_again"
    return (again if reply_book().has(again) else f"track_order.{status}"), order


async def store_unreachable(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    mood: Mood,
    language: str | None = None,
) -> list[EventType]:
    """The order system did not answer: say so honestly (in the customer's
    ``language`` when it has the words) and bring in a person, who can check."""
    dispatcher.messages.clear()  # nothing half-answered before the failure
    decision = Decision(
        escalate=True,
        reasons=[*mood.decision.reasons, "store_unavailable"],
        explanation="Escalate to a person. The order system could not be reached.",
    )
    book = language_book()
    if language and book.has(language, "order.unreachable"):
        said = book.say(language, "order.unreachable")
    else:
        recent = bot_texts(tracker)[-RECENT_REPLIES:]
        said = reply_book().pick("order.unreachable", avoid=recent)
    dispatcher.utter_message(text=said)
    return await hand_off(dispatcher, tracker, Mood(mood.analysis, decision), language)


def accepted_offer(tracker: Tracker) -> str | None:
    """What the bot offered last, when the latest message is a plain yes to it."""
    offered = str(tracker.get_slot("offered") or "")
    text = str((tracker.latest_message or {}).get("text") or "")
    if not offered or offered.startswith("choose "):
        return None  # a yes does not pick one of several readings
    return offered if reply_book().is_plain_yes(text) else None


def earlier_misses(tracker: Tracker) -> int:
    """Bot replies in this conversation that could not help (``ReplyBook.misses``,
    marked with the ``missed`` slot), since a person last resolved it."""
    return sum(1 for turn in history(tracker) if not turn.is_customer and turn.fallback)


def failed(mood: Mood) -> Mood:
    """``mood`` with the decision to hand over because the bot failed twice."""
    decision = Decision(
        escalate=True,
        reasons=[*mood.decision.reasons, "bot_failures"],
        explanation="Escalate to a person. The bot could not help twice in this chat.",
    )
    return Mood(mood.analysis, decision, mood.events)


async def hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    mood: Mood,
    language: str | None = None,
) -> list[EventType]:
    """Queue the conversation for a person, say so honestly (in the customer's
    ``language`` when they write in another one than English), and pause the bot."""
    situation = Speaker(dispatcher, tracker, mood, latest_intent(tracker)).situation()
    request = handoff_request(
        tracker,
        mood.analysis,
        mood.decision,
        situation.channel,
        situation.customer_name,
    )
    if language:
        request = await for_language(request, language, mood.decision, situation.text)
    key, values = waiting_values(await enqueue(request))
    book = empathy_book()
    handoff = book.handoff(situation, mood.decision.reasons)
    waiting = None
    if language:  # a language without texts: the English fallback and queue text
        handoff = language_book().handoff(language, situation.text)
        waiting = language_book().waiting(language, key, values)
    if not language and key in NOBODY_YET:
        handoff = book.without_immediacy(handoff)  # no "now", then "no one is in"
    text = f"{handoff} {waiting or book.waiting(key, situation, values)}"
    if not language:
        text = book.fit_register(text, situation.register)
    dispatcher.utter_message(text=text)
    return [*_closed_loops(tracker), SlotSet("handoff", True), ConversationPaused()]


# Queue outcomes where no person is there yet to take the chat.
NOBODY_YET = frozenset({"no_agent_online", "closed", "closed_until"})


def _closed_loops(tracker: Tracker) -> list[EventType]:
    """Events that end an open form and forget an offer: the bot has answered
    something else (a person takes over, or it answered in another language)."""
    events: list[EventType] = []
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    if tracker.get_slot("offered"):
        events.append(SlotSet("offered", None))
    return events


def spoke_this_turn(tracker: Tracker) -> bool:
    """Whether the bot has already said something since the latest customer
    message (an earlier action of the same turn)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


def asked_for_proof(tracker: Tracker, language: str, order_id: str) -> bool:
    """Whether the bot's latest message asked, in ``language``, for the e-mail
    address or postcode of ``order_id``."""
    said = bot_texts(tracker)[-1:]
    book = language_book()
    if not said or not book.has(language, "order.proof"):
        return False
    asked = {
        book.say(language, key, order_id=order_id)
        for key in ("order.proof", "order.proof_again")
    }
    # after words for what went wrong or for a feeling: "Het spijt me ... . Ik heb
    # bestelling 730915 gevonden. ... wat is het e-mailadres of de postcode ...?"
    return any(said[0].endswith(question) for question in asked)


def when_written(tracker: Tracker, slot: str) -> Any:
    """What ``slot`` held when the customer wrote the latest message (this turn's
    slot events, e.g. the next ``requested_slot``, come after it)."""
    value, then = None, None
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
        elif event.get("event") == "user":
            then = value
    return then


# A message that turns an offer down ("no thanks, just the date"): the offer may come
# again later, it is not taken as wanting a person.
_DECLINES = re.compile(
    r"^\W*(?:no|nope|nah|not now|not yet|don'?t|do not|i'?m ok|i'?m fine)\b", re.I
)
# Replies back in which the same order state in another language counts as a repeat.
REPEAT_WINDOW = 2


async def in_language(
    tracker: Tracker, language: str
) -> tuple[str, list[EventType]] | None:
    """The answer in ``language`` to the latest message and the events it brings,
    or None when a person should take over (something serious, or nothing the bot
    answers there). An order not yet proven the customer's is asked for its e-mail
    address or postcode first, in the language, as in English."""
    text = str((tracker.latest_message or {}).get("text") or "")
    book = language_book()
    found = book.situations(language, text)
    if not found:
        return await _in_language(tracker, language, text)
    if not book.answers_first(language, text, found):
        return None  # something serious: a person
    # money worries or illness beside a plain question: answered, with care
    answer = await _in_language(tracker, language, text)
    if answer is None:
        return None
    reply, events = answer
    recent = bot_texts(tracker)[-RECENT_REPLIES:]
    return book.answered_first(language, found, reply, recent), events


async def _in_language(
    tracker: Tracker, language: str, text: str
) -> tuple[str, list[EventType]] | None:
    """``in_language`` for a message that tells nothing serious."""
    book = language_book()
    shop = store()
    # every order the chat names, looked up at once (the language's answers read
    # them without waiting)
    references = [
        when_written(tracker, "order_id"),
        tracker.get_slot("order_id"),
        *(find_number(t) for t in [*customer_texts(tracker), text]),
    ]
    numbers = list(dict.fromkeys(n for r in references if (n := normalise_number(r))))
    found = dict(
        zip(numbers, await asyncio.gather(*map(shop.order, numbers)), strict=True)
    )

    def known(reference: Any) -> Order | None:
        key = normalise_number(reference)
        return found.get(key) if key else None

    named = known(find_number(text))
    # the order in the chat when the customer wrote (NLU may since have put a
    # postcode into the slot: "Postleitzahl 10115" after the proof question)
    pending = known(when_written(tracker, "order_id")) or known(
        tracker.get_slot("order_id")
    )
    said = [*customer_texts(tracker)[-3:], text]

    def proven(order: Order) -> list[EventType]:
        return [SlotSet("verified_customer", order.customer), SlotSet("proof_tries", 0)]

    def about(order: Order) -> list[EventType]:
        # the order the chat is about from now on (NLU may have put a postcode in)
        return [SlotSet("order_id", order.id)]

    recent = bot_texts(tracker)[-RECENT_REPLIES:]

    def order(number: str) -> dict[str, Any] | None:
        looked_up = known(number)
        return looked_up.values() if looked_up else None

    def first_asked(opened: Order) -> str | None:
        """The answer, now that the order is open, to the message that named it
        ("the wrong colour came", "can I return it when it arrives?"): its state
        and the other questions answered, without the words for what went wrong
        (said with the question for the proof) and without the offer of a person;
        None when that message needs a person."""
        asked = next(
            (t for t in reversed(customer_texts(tracker)[:-1]) if opened.id in t), ""
        )
        if not asked:
            return book.order_answer(language, opened.values())
        reply = book.reply(language, asked, order, recent=recent)
        if reply is None:
            return None
        # what went wrong was heard with the question for the proof, and a person
        # was offered on the first reply, or is not needed now
        for said in (book.heard(language, asked), book.say(language, "offer_person")):
            if said:
                reply = reply.replace(said, "", 1)
        return " ".join(reply.split())

    if (
        named is None
        and pending is not None
        and asked_for_proof(tracker, language, pending.id)
    ):
        # the answer to our question about the order in the chat (the order form
        # may have checked it already): the answer to what they first asked
        if may_see(tracker, pending) or proves(
            said, await shop.customer(pending.customer)
        ):
            first = first_asked(pending)
            if first is None:
                return None  # a person, who sees the order is theirs
            events = [] if may_see(tracker, pending) else proven(pending)
            return first, [*about(pending), *events]
        if attempts_proof(text):
            if tries(tracker) + 1 >= MAX_TRIES:
                return None  # a person checks who they are
            wrong = [SlotSet("proof_tries", tries(tracker) + 1)]
            return book.say(language, "order.proof_again", order_id=pending.id), wrong
        # something else: answered as any message

    # the order's state was the bot's last word: a question about it now wants
    # the day, not the whole state again
    told = bool(recent) and pending is not None and pending.id in recent[-1]
    reply = book.reply(language, text, order, recent=recent)
    asks_number = reply is not None and reply.startswith(
        book.say(language, "order.ask")
    )
    if (
        named is None
        and pending is not None
        and may_see(tracker, pending)
        and (
            asks_number or (reply is None and told and book.follows_up(language, text))
        )
    ):
        # "A kiedy dotrze?", "Und wann kommt sie an?": the order of the chat
        answer = book.order_answer(language, pending.values(), again=told)
        return answer, about(pending)
    if reply is None and book.follows_up(language, text):
        # the topic of the customer's message before
        praise = book.say(language, "praise") if book.has(language, "praise") else ""
        for before in reversed(customer_texts(tracker)[-3:-1]):
            if book.follows_up(language, before):
                break
            reply = book.reply(language, before, order, recent=recent)
            if reply is not None and reply == praise:
                reply = None  # thanks for praise is no answer to a question
                break
            if reply is not None:  # a proof or a number in between asked nothing
                named = known(find_number(before))
                break
    if reply is None:
        return None  # a person takes over: they check who the customer is
    if named is None or named.id not in reply:
        return reply, []  # nothing about the order is shown: no proof needed
    if may_see(tracker, named):
        return reply, about(named)
    if proves(said, await shop.customer(named.customer)):
        return reply, [*about(named), *proven(named)]
    if tries(tracker) >= MAX_TRIES or not book.has(language, "order.proof"):
        return None
    asked = book.say(language, "order.proof", order_id=named.id)
    # "Trochę się martwię", "está atrasada": heard before we ask
    heard = book.heard(language, text)
    return f"{heard} {asked}".strip(), [SlotSet("order_id", named.id)]


class CaringAction(Action, ABC):
    """An action that answers with care, or hands over to a person when it should."""

    check_understanding = False

    def topic(self, tracker: Tracker) -> str | None:
        """The intent the reply is about (the latest, unless a form says otherwise)."""
        return latest_intent(tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Assess the mood, then hand over or respond."""
        mood = assess(tracker)
        if mood.events:
            await annotate(tracker, mood.analysis)
        # NLU is English only: in another language the bot answers the simple
        # questions it has words for there (languages.yml) and brings in a person for
        # everything else
        latest = str((tracker.latest_message or {}).get("text") or "")
        language = conversation_language([*customer_texts(tracker)[:-1], latest])
        if language and not mood.decision.escalate:
            if spoke_this_turn(tracker):  # a second action of the same turn
                return list(mood.events)
            try:
                answer = await in_language(tracker, language)
            except StoreUnavailable:
                return [
                    *mood.events,
                    *await store_unreachable(dispatcher, tracker, mood, language),
                ]
            if (
                answer
                and find_number(answer[0]) is not None
                and answer[0] in bot_texts(tracker)[-REPEAT_WINDOW:]
            ):
                # an order's state again, word for word: the follow-up was not
                # understood ("Devo fare qualcosa?" after it); a person, not a loop.
                # A general answer may come again ("Und was kostet das?" after the
                # delivery times: the prices are in it)
                answer = None
            if answer:
                reply, events = answer
                dispatcher.utter_message(text=reply)
                return [*mood.events, *_closed_loops(tracker), *events]
        if mood.decision.escalate or language:
            return [*mood.events, *await hand_off(dispatcher, tracker, mood, language)]
        try:
            follow_up = (
                await order_follow_up(tracker)
                if self.name() in FOLLOW_UP_ACTIONS
                else None
            )
        except StoreUnavailable:
            return [*mood.events, *await store_unreachable(dispatcher, tracker, mood)]
        if follow_up is not None:
            # "ok. eta?" after the order's state: the order answers it
            key, order = follow_up
            Speaker(dispatcher, tracker, mood, "track_order").say(key, **order.values())
            return [*mood.events, SlotSet("order_id", order.id)]
        speaker = Speaker(
            dispatcher, tracker, mood, self.topic(tracker), self.check_understanding
        )
        try:
            events = await self.respond(speaker, tracker, domain)
        except StoreUnavailable:
            return [*mood.events, *await store_unreachable(dispatcher, tracker, mood)]
        if speaker.missed_again:
            # a second reply that could not help: bring in a person, not a third
            # offer of one
            return [*mood.events, *await hand_off(dispatcher, tracker, failed(mood))]
        paused = any(isinstance(e, dict) and e.get("event") == "pause" for e in events)
        if (
            speaker.offer == "handoff"
            and tracker.get_slot("offered") == "handoff"
            and not _DECLINES.match(latest)
            and not paused
            and went_on(tracker)
        ):
            # a person was offered a moment ago, and the customer went on with the
            # problem ("Refund please", "WHERE is it actually"): bring one in, not
            # the same offer again
            dispatcher.messages.clear()
            pressed = Decision(
                escalate=True,
                reasons=list(mood.decision.reasons),
                explanation="Escalate to a person. A person was offered and the "
                "customer went on with the problem.",
            )
            pressed_mood = Mood(mood.analysis, pressed, mood.events)
            return [*mood.events, *await hand_off(dispatcher, tracker, pressed_mood)]
        if not paused:
            await speaker.answer_side_questions()
        if speaker.spoken and speaker.offer != tracker.get_slot("offered"):
            events.append(SlotSet("offered", speaker.offer))
        if reply_book().missed(speaker.keys):
            events.append(SlotSet("missed", True))  # this turn counts as a miss
        return [*mood.events, *events]

    @abstractmethod
    async def respond(
        self, speaker: Speaker, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Reply to the customer; return the events to apply."""
