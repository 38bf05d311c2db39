"""Whether a message only asks something ("is my order 91027 cancelled?", "Thanks.
Does it need a signature?"): a plain question carries no feeling of its own, so the
empathy layer names none that is only read into its words (actions/empathy.py)."""

from __future__ import annotations

import re

# A sentence that asks: it opens with the words a question opens with ("and how do
# I swap it", "what if nobody's home, what happens to it"), after a greeting or an
# interjection; or it is a few words and a question mark ("apple pay?"). Not "why":
# a why-question is often a complaint.
_ASKING = re.compile(
    r"^\W*(?:(?:and|but|so|ok|okay|also|oh|hi|hello|hey|sorry|please)\W+)*"
    r"(?:do|does|did|can|could|will|would|should|is|are|was|were|how|what|when|"
    r"where|which|who|may|have|has|if\b.*\b(?:what|how|when|where|can|will|do)\b)\b",
    re.IGNORECASE,
)
_SHORT_QUESTION = 6  # words, with a question mark
# A sentence that only thanks, greets or agrees ("Thanks.", "Hi!", "ok")
_AROUND = re.compile(
    r"^\W*(?:thanks?(?: you)?|cheers|ok(?:ay)?|hi|hello|hey|good (?:morning|afternoon|"
    r"evening)|great|fine|cool|sure|right)\W*$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_WHY = re.compile(r"^\W*(?:(?:and|but|so)\W+)?why\b", re.IGNORECASE)


def only_asks(text: str) -> bool:
    """Whether ``text`` only asks something (its sentences are questions, beside
    thanks or a greeting): a plain question carries no feeling of its own."""
    sentences = [
        s.strip()
        for s in _SENTENCE.split(text.strip())
        if s.strip(" .!?") and not _AROUND.match(s)
    ]
    return bool(sentences) and all(
        _ASKING.search(s)
        or (s.endswith("?") and len(s.split()) <= _SHORT_QUESTION and not _WHY.match(s))
        for s in sentences
    )
