"""A request made in one sentence of a message NLU is unsure of as a whole.

"Hi, I need to cancel 5520174. Lost my job this week and I can't justify the money
right now." reaches NLU as one message: the reason told beside the request pulls its
reading apart (cancel, track, nothing sure), and the fallback would answer it with a
menu or, beside the job loss, a person in an empty queue. Read alone, the first
sentence is a sure cancellation. When NLU is unsure of an English message of several
sentences (less sure than a request answered beside a feeling needs), each sentence
goes to Rasa's own NLU (actions/side.py, ``parse``); one that reads surely as a
request the bot carries out beside what the customer tells (``answer_first`` in
data/emotion/policy.yml: a cancellation, where an order or a refund is ...) replays
the whole message as that request, so the reason and the feeling stay with it
(actions/mood.py reads them, and answers the request first).
"""

from __future__ import annotations

import httpx
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUtteranceReverted

from actions.conversation import customer_texts, replayed, user_events
from actions.language_detection import conversation_language
from actions.mood import policy
from actions.side import PARSE_TIMEOUT_S, parse, sentences

# A sentence names the message's request when NLU is at least this sure of it alone.
REQUEST_CONFIDENCE = 0.9
MIN_WORDS = 3  # shorter sentences ("Hi.", "Thanks!") request nothing
MAX_SENTENCES = 4  # at most this many sentences are read (each one NLU request)


async def request_read_alone(tracker: Tracker) -> list[EventType] | None:
    """The latest message replayed as the request one of its sentences makes alone,
    when NLU is unsure of the whole (see the module); None otherwise."""
    latest = tracker.latest_message or {}
    reading = latest.get("intent") or {}
    if (
        float(reading.get("confidence") or 0.0) >= policy().answer_first_confidence
        and reading.get("name") != "nlu_fallback"
    ):
        return None  # NLU is sure of the whole message
    text = str(latest.get("text") or "")
    requests_in = [s for s in sentences(text) if len(s.split()) >= MIN_WORDS]
    users = user_events(tracker)
    if len(requests_in) < 2 or not users or tracker.active_loop.get("name"):
        return None  # (a form of this turn has the message already)
    if conversation_language(customer_texts(tracker)):
        return None  # NLU reads English
    requests = policy().answer_first_intents
    async with httpx.AsyncClient(timeout=PARSE_TIMEOUT_S) as client:
        for sentence in requests_in[:MAX_SENTENCES]:
            parsed = await parse(client, sentence)
            if (
                parsed is not None
                and parsed.intent in requests
                and parsed.intent != reading.get("name")  # a reading NLU missed
                and parsed.confidence >= REQUEST_CONFIDENCE
            ):
                return [
                    UserUtteranceReverted(),
                    ActionExecuted("action_listen"),
                    replayed(users[-1], parsed.intent),
                ]
    return None
