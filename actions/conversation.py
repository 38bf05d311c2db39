"""What the conversation so far says, read from Rasa's tracker: the customer's and
the bot's messages, the latest intent, confidence and entities, the customer's name,
what a slot held when the customer wrote, and what a plain yes accepts."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.mentions import mentioned
from actions.replies import capitalise, reply_book
from actions.side import is_question
from bot.waiting_english import ENGLISH
from bot.waiting_reading import situation
from bot.waiting_texts import REMEDIES

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# the yes or no an answer opens with ("Yes, we take PayPal", "You can, yes: ...",
# "No, we don't ship to Norway")
_OPENS_WITH = re.compile(
    r"^(?:(?P<yes>yes|you can, yes|of course|it does|it is|we do)|"
    r"(?P<no>no|not at the moment|unfortunately not|i'm afraid not))\b[,:;.!]?\s*",
    re.I,
)
# An answer that says no without the word ("We don't match other shops' prices";
# "Price matching isn't something we offer"): its first clause is the no
_SAYS_NO = re.compile(
    r"\b(?:don't|do not|doesn't|does not|isn't|is not|aren't|are not|can't|cannot|"
    r"won't|will not|no longer|not possible|there's no|there is no|we have no)\b",
    re.I,
)


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


def replayed(event: dict[str, Any], intent: str) -> dict[str, Any]:
    """A copy of the user ``event`` that NLU understood as ``intent``, for sure."""
    parse_data = dict(event.get("parse_data") or {})
    parse_data["intent"] = {"name": intent, "confidence": 1.0}
    # ...and nothing else: the ranking of the first reading is no longer NLU's
    parse_data["intent_ranking"] = [{"name": intent, "confidence": 1.0}]
    return {
        "event": "user",
        "text": event.get("text"),
        "parse_data": parse_data,
        "input_channel": event.get("input_channel"),
        "metadata": event.get("metadata") or {},
    }


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


def accepted_offer(tracker: Tracker) -> str | None:
    """What the bot offered last, when the latest message is a plain yes to it (or,
    to a person offered, glad thanks or "so what happens now?")."""
    offered = str(tracker.get_slot("offered") or "")
    text = str((tracker.latest_message or {}).get("text") or "")
    if not offered or offered.startswith("choose "):
        return None  # a yes does not pick one of several readings
    book = reply_book()
    said = bot_texts(tracker)[-1:]
    asked = bool(said) and said[0].rstrip().endswith("?")
    if _BARE_OK.match(text) and not asked:
        # "fine" after "...or, if you prefer, a colleague can take over.": the
        # answer heard, no yes to a person only mentioned (a question asks it)
        return None
    if book.is_plain_yes(text) and says_yes(text):
        return offered
    # "Yes please. I have a photo of it too.": a yes to a person, and something for
    # them to see
    first = _SENTENCE_END.split(text.strip())[0]
    yes = offered == "handoff" and book.is_plain_yes(first) and says_yes(first)
    if _BARE_OK.match(first) and "?" in text.strip()[len(first) :]:
        yes = False  # "OK. If not, can I keep them in my basket?": a new question
    # "great, thanks" to "Shall I bring one in?": glad of the person asked about
    glad = offered == "handoff" and asked and glad_thanks(text)
    # "So what happens now?", "can you just send another one?" to "Shall I bring
    # one in?": on with the person (who sends the replacement)
    onward = (
        offered == "handoff"
        and asked
        and (mentioned("what_next", text) or mentioned("asks_replacement", text))
    )
    return offered if yes or glad or onward else None


def glad_thanks(text: str) -> bool:
    """Whether ``text`` is glad thanks and nothing else ("great, thanks")."""
    return bool(_GLAD.match(text))


# Glad thanks, and nothing else ("great, thanks", "perfect thank you!")
_GLAD = re.compile(
    r"^\W*(?:great|perfect|lovely|brilliant|excellent|wonderful|fab|fabulous|amazing|"
    r"super|cool|awesome)\W+(?:thanks?|thank you|ta|cheers)(?: (?:so much|a lot))?\W*$",
    re.IGNORECASE,
)


# "ok", "fine" alone: a yes only when nothing else is asked after it
_BARE_OK = re.compile(r"^\W*(?:ok(?:ay)?|alright|all right|fine)\W*$", re.IGNORECASE)


# A word that says yes; without one, "Perfect, thanks", "right." or "ok thanks" only
# close what was said (a person offered as an option is not taken)
_YES_WORD = re.compile(
    r"\b(?:yes|yeah|yep|yup|ya|yea|sure|please|pls|go ahead|do it|would|i'd|that'd|"
    r"definitely|absolutely|of course|sounds good|why not|connect|bring|put me through|"
    r"person|someone|somebody|human|colleague|agent)\b|"
    r"^\W*(?:ok(?:ay)?|alright|all right|fine|go on)\W*$",
    re.IGNORECASE,
)


def says_yes(text: str) -> bool:
    """Whether a short reply to an offer says yes in words (not only thanks or an
    acknowledgement: "Perfect, thanks", "right.")."""
    return bool(_YES_WORD.search(text))


def spoke_this_turn(tracker: Tracker) -> bool:
    """Whether the bot has already said something since the latest customer
    message (an earlier action of the same turn)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


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


def yes_or_no_again(tracker: Tracker) -> tuple[str, str] | None:
    """("yes_again" or "no_again", the answer's first sentence without its yes or
    no) when the latest message asks whether the bot's last answer was a yes or a
    no ("so is that a yes?") and that answer opened with one; else None."""
    text = str((tracker.latest_message or {}).get("text") or "")
    said = bot_texts(tracker)
    if not said or not mentioned("asks_yes_or_no", text):
        return None
    first = _SENTENCE_END.split(said[-1].strip())[0]
    opening = _OPENS_WITH.match(first)
    if not opening:
        clause = re.split(r"\s*;\s*", first)[0].rstrip(" .!")
        if clause.endswith("?") or not _SAYS_NO.search(clause):
            return None
        return "no_again", f"{capitalise(clause)}."
    rest = capitalise(first[opening.end() :].strip())
    return ("yes_again" if opening.group("yes") else "no_again"), rest


# Words that say yes to an offer beside thanks ("that would be great, thanks"); thanks
# alone after an offer is no yes.
_ACCEPTING = re.compile(
    r"\b(?:yes|yeah|yep|yup|sure|please|pls|would|that'd|i'd|definitely|absolutely|"
    r"appreciate|sounds|ahead)\b",
    re.I,
)


def accepts(text: str) -> bool:
    """Whether thanks says yes to what was offered ("a replacement would be great
    thanks", "yes please, thank you"), not only thanks."""
    return bool(_ACCEPTING.search(text))


# "Could you find out and get back to me?", "can you check with them?": a task for a
# person, after a reply that said a colleague could look into it
_FIND_OUT = re.compile(
    r"\b(?:find (?:it |that |this )?out|(?:check|confirm|clarify) (?:it |that |this )?"
    r"with (?:them|someone|the \w+|your \w+)|ask (?:them|someone|around|the \w+|"
    r"your \w+)|get back to me|look into it(?: for me)?|(?:some|any)(?:one|body) "
    r"(?:who |that )?(?:can|could) (?:check|ask|find out|look into|confirm)|"
    r"(?:can|could|would) (?:some|any)(?:one|body)(?: (?:who|that) [^.?!]{1,40}?)? "
    r"(?:check|ask|find out|look into|look|have a look|confirm)\b[^.?!]{0,20}?"
    r"\bfor (?:me|us))\b",
    re.IGNORECASE,
)
_COLLEAGUE_CAN = re.compile(
    r"\b(?:colleague|person from our team|someone from our team|our product team|"
    r"member of our team|member of the team)\b",
    re.IGNORECASE,
)


def asks_us_to_find_out(tracker: Tracker) -> bool:
    """Whether the latest message asks us to find something out for them, right
    after a reply that said a colleague could (a yes to that, in its own words)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    said = bot_texts(tracker)
    return (
        bool(said)
        and bool(_FIND_OUT.search(text))
        and bool(_COLLEAGUE_CAN.search(said[-1]))
    )


# asks what can be done about whatever the chat is about ("What can you do?", "what
# are my options?"), anywhere in the message (``what_next`` is a message that only
# asks what happens now)
_WHAT_NOW = re.compile(
    r"\bwhat (?:can|could|will|would) (?:you|you guys|your team|someone|they) "
    r"(?:do|offer)\b|\bwhat (?:are|r) (?:my|the) options\b|"
    r"\bhow (?:can|do|will) you (?:fix|sort|solve|make up for) (?:this|it|that)\b"
)


def asks_what_the_person_arranges(tracker: Tracker) -> bool:
    """Whether the latest message, right after a person was offered to put a problem
    right ("Would you like a person to sort out a replacement or a refund?"), asks
    what becomes of the item or the money ("Can I get a new one or do I send it
    back first?"), or what can be done now ("What can you do?"): a yes to the
    person, with a question they answer (the handoff says what holds for what was
    reported, actions/waiting_answers.py)."""
    if str(tracker.get_slot("offered") or "") != "handoff":
        return False
    said = bot_texts(tracker)
    texts = customer_texts(tracker)
    if not said or not said[-1].rstrip().endswith("?") or not texts:
        return False
    text = texts[-1]
    if not is_question(text):
        return False
    if _WHAT_NOW.search(text.lower()):
        return True  # "What can you do?": what the person was offered for
    if not ENGLISH.remedy.search(text.lower()):
        return False
    return situation(texts[-3:], ENGLISH) in REMEDIES
