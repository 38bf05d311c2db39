"""A waiting customer's courtesies, read as such (bot/waiting.py): thanks however
many warm words it takes, and an apology for themselves ("I'm sorry, I'm no good
with computers"), which is politeness, not a sadness to soothe or an urgency."""

from __future__ import annotations

import re
from typing import Any

from bot.texts import WaitingWords

THANKS = re.compile(
    r"\b(?:thanks?|thank you|thx|thnx|ty|tysm|cheers|ta|much appreciated|"
    r"much obliged|(?:very |really |so )?grateful)\b",
    re.I,
)
THANKS_WORDS = 6  # "thank you dear", not "thanks but where is it"
# ...or longer and only warm ("Thank you so much, you've been very kind.")
WARM_WORDS = frozenset(
    """thank thanks you so much very really ever kind helpful lovely great wonderful
    patient reassuring ve been have has that s re are is it this dear love appreciate
    appreciated for your help all the a lot cheers ta ok okay oh and nice good thx
    thnx ty tysm with me us i am m grateful obliged much many
    brilliant helps helped bit little""".split()  # noqa: SIM905 (a word list reads best as words)
)


# ...or thanks for something, in one sentence that asks nothing ("Thank you for being
# patient with me", "thanks for taking the time"), but not "thanks for nothing" nor
# thanks with a "but" after it
THANKS_FOR = re.compile(
    r"\W*(?:(?:ok|okay|oh|well)\W+)?(?:thanks|thank you)(?: (?:so|very) much)? for "
    r"(?!nothing\b)(?![^.!?]*\b(?:but|though|however)\b)[^.!?]*[.!]*\s*",
    re.IGNORECASE,
)


def only_thanks(text: str) -> bool:
    """Whether an English message only thanks, however many warm words it takes,
    or thanks for something and says nothing else."""
    words = re.findall(r"[a-z]+", text.lower())
    if THANKS_FOR.fullmatch(text):
        return True
    return bool(THANKS.search(text)) and all(w in WARM_WORDS for w in words)


def apologises(
    analysis: dict[str, Any] | None, lower: str, words: WaitingWords
) -> bool:
    """Whether a waiting customer's message (``lower``) apologises for themselves
    and names no feeling but the sadness or none the analysis reads into the
    apology: met with "no need to apologise", not "I'm so sorry you're going
    through this" or "I've passed on how urgent this is"."""
    if not words.apology.search(lower):
        return False
    rest = words.apology.sub(" ", lower)
    if any(w.search(rest) for w in words.feelings.values()):
        return False  # "perdón, pero estoy muy preocupada": the worry is heard
    names = {str(s.get("name")) for s in (analysis or {}).get("signals", [])}
    if "emotion_words" in names and "softened" not in names:
        return False  # "I'm sorry, I'm just devastated": the grief is heard
    return str((analysis or {}).get("label") or "neutral") in ("sadness", "neutral")
