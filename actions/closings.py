"""Messages that thank or close rather than ask: thanks that go on to ask something
("Thank you. Which carrier is it?"), a message that only closes an answer ("ok
cool", "fine wateva"), one that says the customer needs nothing more, a plain "no"
to the bot's own question, and thanks or praise NLU hesitates over between the two.
How the rest of a message is read is in actions/readings.py."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.conversation import bot_texts
from actions.replies import reply_book

# Thanks and praise are answered alike: a message NLU hesitates over only between these
# two (FallbackClassifier's ambiguity_threshold) was understood all the same.
WARM = frozenset({"thank_you", "compliment"})


# Thanks (or praise of the help) that opens a message which goes on to ask
# something: "ok thx, wat day will it come", "Thank you. Could you also tell me ...".
_THANKS_FIRST = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|great|perfect|cool|brilliant|lovely|nice|good|alright|"
    r"right|wow|oh|ah|fab|awesome|super)\W+)*"
    r"(?:many thanks|thanks|thank you|thank u|thx|thnx|ty|cheers|ta|much appreciated|"
    r"appreciate it|(?:so|very|really) helpful|"
    # a word of praise that is a sentence of its own ("Fantastic. So do I ...?")
    r"(?:fantastic|great|brilliant|wonderful|amazing|perfect|lovely|super|awesome|"
    r"excellent|nice|cool)(?=\s*[.!]))"
    r"(?:\s+(?:so much|a lot|very much|again|for (?:that|this|your help|the "
    r"(?:info|information|help|update))))?\b[\s,.!;:-]*",
    re.I,
)
_ASKS_AFTER_THANKS = re.compile(
    r"^(?:(?:and|but|also|so|then|oh|btw|one more thing|quick question)\W+)*"
    r"(?:what|wat|when|wen|where|which|who|why|how|do|does|did|can|could|will|"
    r"would|should|is|are|was|were|may|any)\b",
    re.I,
)


def asked_beside_thanks(text: str) -> str | None:
    """The question after the thanks that opens ``text`` ("which carrier is it?"
    of "Thank you. Which carrier is it?"), or None when the message only thanks."""
    opening = _THANKS_FIRST.match(text)
    if not opening or not opening.group(0).strip():
        return None
    rest = text[opening.end() :].strip()
    if len(rest.split()) < 2:
        return None
    return rest if "?" in rest or _ASKS_AFTER_THANKS.match(rest) else None


# A message that only closes what was said ("ok cool", "sweet", "got it"): after an
# answer that asked nothing, it is acknowledged, not read as a yes or as not
# understood (which would count towards a handoff).
# ...with a shrug in it ("fine wateva", "if you say so"): not glad it is clear
_SHRUGS = r"whatever|wateva|watever|whatevs|if you say so|i guess"
_CLOSING = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k|cool|sweet|great|nice|perfect|fine|alright|all right|"
    r"got it|fair enough|noted|understood|brilliant|lovely|awesome|good|right|"
    rf"then|thanks|thx|ty|cheers|sure|aight|ight|{_SHRUGS})\W*){{1,4}}$",
    re.IGNORECASE,
)
_RESIGNED = re.compile(rf"\b(?:{_SHRUGS})\b", re.IGNORECASE)
# ...or a hope ("ok fingers crossed", "let's hope so"): no yes to anything offered,
# and nothing new to answer; hoped along with, the door left open
_HOPES = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|k|well|right|alright|fine|sure|yeah|oh|hmm+|ah)\W+)*"
    r"(?:(?:let'?s|lets) (?:hope(?: so| for the best)?|see)|fingers crossed|hopefully|"
    r"(?:i|we) hope so|here'?s hoping|we'?ll see|touch wood|knock on wood)"
    r"(?:\W+(?:then|thanks|thank you|cheers|i guess))*\W*$",
    re.IGNORECASE,
)
# A message that says the customer has what they came for ("Very well, that is all I
# needed.", "nothing else, thanks"): a goodbye, whatever the last reply asked
_DONE = re.compile(
    r"^\W*(?:(?:(?:very |really |all )?(?:ok(?:ay)?|well|great|perfect|fine|good|"
    r"lovely|right|nice|excellent|brilliant|super|wonderful)|"
    r"no|nope|thanks|thank you|cheers)\W+)*"
    r"(?:that(?:'s| is| was| will be|ll be) (?:all|everything|it)"
    r"(?: (?:i|we) (?:needed|wanted|had|was after|needed to know|wanted to know))?|"
    r"(?:i'?m|we'?re|i am|we are) all (?:set|good|sorted)|nothing (?:else|more)|"
    r"no (?:more|other) questions)(?: for (?:now|today))?"
    # ...and the thanks or sign-off after it ("That is all. Kind regards.")
    r"(?:\W+(?:thanks|thank you|many thanks|cheers|thx|ty|"
    r"(?:kind |best |warm )?regards|best wishes|goodbye|bye(?: for now)?|"
    r"have a (?:good|nice|great|lovely) "
    r"(?:day|evening|weekend))(?: (?:so much|very much|again))?)*\W*$",
    re.IGNORECASE,
)


def done_asking(text: str) -> bool:
    """Whether ``text`` says the customer needs nothing more (``_DONE``)."""
    return bool(_DONE.match(text))


def only_hopes(text: str) -> bool:
    """Whether ``text`` only hopes ("ok fingers crossed", "let's hope so")."""
    return bool(_HOPES.match(text))


def only_closes(tracker: Tracker) -> bool:
    """Whether the latest message only closes an answer that asked nothing, or
    only hopes (``_HOPES``), whatever the answer asked."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if _HOPES.match(text):
        return bool(bot_texts(tracker))
    return (
        bool(_CLOSING.match(text))
        and not bot_asked(tracker)
        and bool(bot_texts(tracker))
    )


def closes_only(tracker: Tracker) -> bool:
    """Whether the latest message is only words that close ("ok fine.", "alright
    then", "fingers crossed"), whatever the bot asked before."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return bool(_CLOSING.match(text) or _HOPES.match(text))


def closing_key(tracker: Tracker) -> str:
    """The reply to a message that only closes (``only_closes``): acknowledged,
    or, when it shrugs, the answer owned as not the one they hoped for; a hope,
    hoped along with."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if _HOPES.match(text):
        return "acknowledged_hopeful"
    return "acknowledged_resigned" if _RESIGNED.search(text) else "acknowledged"


def bot_asked(tracker: Tracker) -> bool:
    """Whether the bot's latest message asked the customer something."""
    said = bot_texts(tracker)
    return bool(said) and "?" in said[-1]


def declined_offer(tracker: Tracker) -> str | None:
    """What a plain "no" to the bot's own question means (ReplyBook.decline), when
    the latest message is one."""
    said = bot_texts(tracker)
    text = str((tracker.latest_message or {}).get("text") or "")
    if not said or not reply_book().is_plain_no(text):
        return None
    return reply_book().decline(said[-1])


def warm_intent(tracker: Tracker) -> str | None:
    """thank_you or compliment when those two together are NLU's clear best guess."""
    ranking = [
        candidate
        for candidate in (tracker.latest_message or {}).get("intent_ranking") or []
        if candidate.get("name") != "nlu_fallback"
    ][:2]
    names = {candidate.get("name") for candidate in ranking}
    together = sum(float(candidate.get("confidence") or 0.0) for candidate in ranking)
    if names == WARM and together >= 0.5:
        return str(ranking[0]["name"])
    return None
