"""A message answered as if another had been asked: a yes to what the bot's last
reply offered (a person, a question answered as if asked, a short reply; the "yes"
undone and the offered question replayed), and a question asked beside thanks,
answered as if asked alone. actions/unclear.py and actions/answers.py use them."""

from __future__ import annotations

import httpx
from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    EventType,
    SlotSet,
    UserUtteranceReverted,
)

from actions.answer_keys import answer_values
from actions.conversation import replayed, user_events
from actions.faq import beats_intent as faq_beats_intent
from actions.faq import match as faq_match
from actions.faq import nearest_intent
from actions.proof_form import YES_TO_PERSON
from actions.readings import (
    ABOUT_THE_ORDER,
    FOLLOW_UP_CONFIDENCE,
    asks_about_the_order,
    proposable,
    proposable_intents,
)
from actions.side import PARSE_TIMEOUT_S, parse
from actions.speaker import Speaker
from actions.voice import hand_over

# A second reading of the question beside thanks, when NLU is unsure of it: the
# intent of the nearest training example, this close at least.
NEAREST_FLOOR = 0.7


async def answer_beside_thanks(
    question: str, speaker: Speaker, tracker: Tracker
) -> list[EventType]:
    """Answer the question a thank-you goes on to ask, as if asked on its own: about
    the chat's order when it points back at it ("when will it come?"), else what NLU
    (or, when NLU is unsure, the FAQ or the nearest training example) makes of it."""
    async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_S) as client:
        parsed = await parse(client, question)
    intent = parsed.intent if parsed else ""
    sure = parsed is not None and parsed.confidence >= FOLLOW_UP_CONFIDENCE
    business = proposable(intent)
    if (
        tracker.get_slot("order_id")
        and asks_about_the_order(question, intent if sure else None)
        and (not sure or not business or intent in ABOUT_THE_ORDER)
    ):
        return await accept_offer("ask track_order", speaker, tracker)
    if sure and business and not faq_beats_intent(question, intent):
        return await accept_offer(f"ask {intent}", speaker, tracker)
    if hit := faq_match(question):
        speaker.say(hit.key, **answer_values(tracker))
        return []
    nearest = nearest_intent(question, proposable_intents())
    if nearest and nearest[1] >= NEAREST_FLOOR:
        return await accept_offer(f"ask {nearest[0]}", speaker, tracker)
    speaker.say("fallback")
    return []


async def accept_offer(
    offer: str, speaker: Speaker, tracker: Tracker
) -> list[EventType]:
    """The customer said yes to what the bot's last reply offered (ReplyBook.offer):
    a person, another question answered as if asked, or a short reply."""
    kind, _, target = offer.partition(" ")
    if kind == "handoff":
        return await hand_over(speaker, tracker, YES_TO_PERSON)
    if kind == "say":
        speaker.say(target)
        return []
    users = user_events(tracker)
    if not users:
        return [SlotSet("offered", None)]
    # undo the "yes", then let the dialogue run on it as the offered question
    return [
        SlotSet("offered", None),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        replayed(users[-1], target),
    ]
