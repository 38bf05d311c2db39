"""How every action speaks: read the mood, hand over when needed, reply with care.

Every action that talks to the customer is a ``CaringAction``: before it answers, the
latest message is analysed (``actions.mood``); when the escalation policy says a person
should take over, the action hands over instead of answering. Otherwise its replies go
through the empathy layer (``actions.empathy``); a short question about the order whose
state was just given is answered by that order (``actions.order_follow_up``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.closings import only_hopes
from actions.conversation import (
    asks_what_the_person_arranges,
    bot_texts,
    customer_texts,
    latest_intent,
    spoke_this_turn,
    user_events,
)
from actions.emotion import Decision
from actions.empathy import empathy_book
from actions.fraud_check import fraud_check_key
from actions.handoff import (
    annotate,
    enqueue,
    for_language,
    handoff_request,
    too_late_for,
    waiting_values,
)
from actions.identity import attempts_proof
from actions.in_language import in_language
from actions.language import language_book
from actions.language_detection import conversation_language
from actions.mentions import mentioned
from actions.mood import Mood, assess
from actions.numbers import find_number
from actions.order_chat import telling
from actions.order_follow_up import FOLLOW_UP_ACTIONS, order_follow_up
from actions.repeats import detail, repeats
from actions.replies import reply_book
from actions.request_sentence import request_read_alone
from actions.side import clauses, is_question
from actions.situation import Situation
from actions.speaker import RECENT_REPLIES, Speaker, earlier_misses
from actions.store import StoreUnavailable
from actions.waiting_answers import answer_beside_handoff
from bot import reach
from bot.texts import say


async def hand_over(speaker: Speaker, tracker: Tracker, why: str) -> list[EventType]:
    """Bring in a person because the customer wants one (not because of the mood)."""
    asked = escalated(speaker.mood, ["person_request"], why)
    return await hand_off(speaker.dispatcher, tracker, asked)


def escalated(mood: Mood, reasons: Sequence[str], why: str) -> Mood:
    """``mood`` with the decision to bring in a person for ``reasons``, explained
    to that person as "Escalate to a person. <why>"."""
    decision = Decision(
        escalate=True, reasons=list(reasons), explanation=f"Escalate to a person. {why}"
    )
    return Mood(mood.analysis, decision, mood.events)


def went_on(tracker: Tracker) -> bool:
    """Whether the latest message goes on with a problem, rather than answering our
    question or asking another one: not a proof of the order (we asked for it);
    a question only when it asks us to act and the customer named what went wrong
    in their recent messages ("can you just refund it?" after "it arrived in
    pieces") or NLU reads the same intent as in the message before ("WHERE is it
    actually"); never one that asks for a fact ("how long do I have to return
    it?", "... or do I need to call my bank?")."""
    latest = str((tracker.latest_message or {}).get("text") or "")
    if only_hopes(latest):
        return False  # "ok, fingers crossed": nothing pressed
    if not is_question(latest):
        return not attempts_proof(latest)
    parts = [p for c in clauses(latest) for p in re.split(r",\s*|\bor\b", c)]
    if any(asks_for_facts(p.strip()) for p in parts):
        # "how long till the money comes back?", "can you fix that, or do I need
        # to call my bank?": a question to answer, not the problem pressed again
        return False
    if mentioned("asks_to_do", latest) or mentioned("asks_for_person", latest):
        return True  # "Can anyone actually do something?": someone to act, now
    intents = [
        ((e.get("parse_data") or {}).get("intent") or {}).get("name")
        for e in user_events(tracker)[-2:]
    ]
    if len(intents) == 2 and intents[0] == intents[1]:
        return True
    if not _ASKS_US.match(latest):
        # "Can I order it again at the same price?": a question of their own, not
        # a request to put it right ("can you just refund it?")
        return False
    said = telling(customer_texts(tracker))[-PROBLEM_TEXTS:]
    situation = Situation(None, None, earlier=said)
    return empathy_book().earlier_concern(situation) is not None


def _says_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Whether the reply about to be sent says again what the last one said (the
    same order, date and offer: "Can you ship it express?" met with the deadline
    answer a second time): a person offered then is brought in, not offered again."""
    said = bot_texts(tracker)[-1:]
    return any(repeats(str(m.get("text") or ""), said) for m in dispatcher.messages)


# The customer's latest messages searched for what went wrong (went_on).
PROBLEM_TEXTS = 3
# A question for a fact ("how long until ...", "when will ...", "do I need to ..."),
# unlike one for something to be done ("can you just refund it?")
_ASKS_FOR_FACTS = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|and|but|right|alright|great|thanks?|fine|hm+)\W+)*"
    r"(?:how (?:long|soon|much|many|often|quickly will)|when|what time|which|where|"
    r"will (?:it|i|the|my)|do (?:i|we) (?:need|have)|does (?:it|the)|is (?:it|there)|"
    r"are (?:there|they)|do you (?:need|want)|should i (?:send|keep|take|wait)|"
    r"what (?:do|should|must|can|would) (?:i|we) do (?:if|when|with)|"
    r"what (?:i|we) (?:must|should|do|can) do|what happens (?:if|when|with|to))\b",
    re.I,
)


# a request that we act ("can you just refund it?", "please sort it out", "how
# quickly could you sort it out?")
_ASKS_US = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|and|but|well|right|then)\W+)*(?:(?:how (?:quickly|"
    r"soon|fast)|when) )?(?:(?:can|could|will|would|won't|can't|cant) (?:you|"
    r"someone|somebody)|please|just)\b",
    re.IGNORECASE,
)


def asks_for_facts(text: str) -> bool:
    """Whether ``text`` asks for a fact ("do you need photos?", "will it make
    it?"), not for something to be done."""
    return bool(_ASKS_FOR_FACTS.match(text))


async def store_unreachable(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    mood: Mood,
    language: str | None = None,
) -> list[EventType]:
    """The order system did not answer: say so honestly (in the customer's
    ``language`` when it has the words) and bring in a person, who can check."""
    dispatcher.messages.clear()  # nothing half-answered before the failure
    down = escalated(
        mood,
        [*mood.decision.reasons, "store_unavailable"],
        "The order system could not be reached.",
    )
    book = language_book()
    if language and book.has(language, "order.unreachable"):
        said = book.say(language, "order.unreachable")
    else:
        recent = bot_texts(tracker)[-RECENT_REPLIES:]
        said = reply_book().pick("order.unreachable", avoid=recent)
    dispatcher.utter_message(text=said)
    return await hand_off(dispatcher, tracker, down, language)


def failed(mood: Mood) -> Mood:
    """``mood`` with the decision to hand over because the bot failed twice."""
    return escalated(
        mood,
        [*mood.decision.reasons, "bot_failures"],
        "The bot could not help twice in this chat.",
    )


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
    # "I can't use the phone", "my ex reads my e-mails": no such offer, and the
    # person is told (bot/reach.py)
    ruled = reach.ruled_out(customer_texts(tracker))
    if ruled:
        request = replace(
            request, explanation=f"{reach.note(ruled)} {request.explanation}".strip()
        )
    key, values = waiting_values(await enqueue(request))
    book = empathy_book()
    handoff = book.handoff(situation, mood.decision.reasons)
    waiting = None
    if language:  # a language without texts: the English fallback and queue text
        handoff = language_book().handoff(
            language,
            situation.text,
            customer_texts(tracker)[:-1],
            bot_texts(tracker)[-RECENT_REPLIES:],
        )
        waiting = language_book().waiting(language, key, values)
    if not language and key in NOBODY_YET:
        handoff = book.without_immediacy(handoff)  # no "now", then "no one is in"
    # a question of theirs we can answer is answered before the person comes; not
    # after a fraud, where a general answer misleads ("Muss ich das bezahlen?" is no
    # question how to pay)
    reading = (tracker.latest_message or {}).get("intent") or {}
    fraud = "fraud" in mood.decision.reasons or "fraud" in (
        language_book().situations(language, situation.text) if language else []
    )
    # ...nor one they ask the person to answer ("Can a staff member confirm it
    # will ship this week?")
    for_them = mentioned("asks_for_person", *customer_texts(tracker)[-1:])
    answer = (
        ""
        if fraud or for_them
        else answer_beside_handoff(
            customer_texts(tracker),
            language or "",
            reading.get("name"),
            reading.get("confidence"),
            request.flags,
        )
    )
    if answer and answer not in handoff:
        handoff = f"{handoff} {answer}"
    text = f"{handoff} {waiting or book.waiting(key, situation, values)}"
    if not language and key == "closed_until":  # "the birthday is tomorrow"
        text = f"{text} {too_late_for(mood.analysis, values)}".rstrip()
    text = reach.fit(text, ruled, lambda name: say(name, language))
    if not language:
        text = book.registers.fit(text, situation.register)
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


# A message that turns an offer down ("no thanks, just the date"): the offer may come
# again later, it is not taken as wanting a person.
_DECLINES = re.compile(
    r"^\W*(?:no|nope|nah|not now|not yet|don'?t|do not|i'?m ok|i'?m fine)\b", re.I
)
# Replies back in which the same order state in another language counts as a repeat.
REPEAT_WINDOW = 2


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
        if (replay := await request_read_alone(tracker)) is not None:
            # "I need to cancel 5520174. Lost my job...": the request its sentence
            # makes alone, with the reason beside it
            return replay
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
            languages = language_book()
            said = bot_texts(tracker)[-REPEAT_WINDOW:]
            # an order's state again ("Und jetzt?" after it): not understood; a
            # general answer again ("Und was kostet das?"): the sentence asked about
            again = (
                answer is not None
                and find_number(answer[0]) is not None
                and any(answer[0] in before for before in said)
            )
            if answer and not again and repeats(answer[0], said[-1:]):
                answer = (detail(answer[0], latest, language) or answer[0], answer[1])
            if again or (answer is None and languages.unanswered(language, latest)):
                # the follow-up was not understood, or a calm question we have no
                # answer for: said honestly, a person offered; the second time,
                # a person
                answer = None
                if not earlier_misses(tracker) and languages.has(language, "unsure"):
                    # after the words for a mild feeling they named ("Schade.")
                    heard = languages.heard(language, latest) if not again else ""
                    unsure = languages.say(language, "unsure")
                    dispatcher.utter_message(text=f"{heard} {unsure}".strip())
                    return [
                        *mood.events,
                        *_closed_loops(tracker),
                        SlotSet("missed", True),
                    ]
            if answer:
                reply, events = answer
                dispatcher.utter_message(text=reply)
                return [*mood.events, *_closed_loops(tracker), *events]
        if (
            not language
            and mentioned("never_mind", latest)
            and not (mood.analysis and mood.analysis.serious)
        ):
            # "ok never mind": they let the question go; sorry it did not help, a
            # person offered, not brought in (nor counted as another miss)
            if spoke_this_turn(tracker):
                return [*mood.events, *_closed_loops(tracker)]
            letting_go = Speaker(dispatcher, tracker, mood, None)
            letting_go.say("never_mind")
            offered = [SlotSet("offered", letting_go.offer)] if letting_go.offer else []
            return [*mood.events, *_closed_loops(tracker), *offered]
        if mood.decision.escalate or language:
            return [*mood.events, *await hand_off(dispatcher, tracker, mood, language)]
        if key := fraud_check_key(tracker, mood.analysis):
            # "is this e-mail really from you? I haven't clicked it": not ours, what
            # to do, a person offered, whatever NLU made of it (and what they ask
            # about it next); once a turn (the form that said it hands on to the
            # lookup)
            if spoke_this_turn(tracker):
                return [*mood.events, *_closed_loops(tracker)]
            Speaker(dispatcher, tracker, mood, None).say(key)
            return [*mood.events, *_closed_loops(tracker)]
        if not language and asks_what_the_person_arranges(tracker):
            # "Can I get a new one or do I send it back first?" right after a person
            # was offered to put it right: yes, and the handoff says what holds
            # for it (whatever NLU made of the question)
            if spoke_this_turn(tracker):
                return [*mood.events, *_closed_loops(tracker)]
            why = "Customer asked how their problem is put right."
            asked = escalated(mood, ["person_request"], why)
            return [*mood.events, *await hand_off(dispatcher, tracker, asked)]
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
            key, order, more = follow_up
            Speaker(dispatcher, tracker, mood, "track_order").say(
                key, **{**order.values(), **more}
            )
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
            and (went_on(tracker) or _says_again(dispatcher, tracker))
        ):
            # a person was offered a moment ago, and the customer went on with the
            # problem ("Refund please", "WHERE is it actually"): bring one in, not
            # the same offer again
            dispatcher.messages.clear()
            pressed = escalated(
                mood,
                mood.decision.reasons,
                "A person was offered and the customer went on with the problem.",
            )
            return [*mood.events, *await hand_off(dispatcher, tracker, pressed)]
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
