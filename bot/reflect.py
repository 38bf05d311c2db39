"""The customer's own words said back from our side: "my order" -> "your order",
"you sent me" -> "we sent you" (``theirs``), and the feeling a customer names with
what it is about ("I'm really nervous they won't come in time" -> ``Felt``: nervous,
"they won't come in time"), the words of a specific acknowledgement (the empathy
layer, actions/empathy.py; the waiting replies, bot/waiting_texts.py).

Words and limits live in data/replies/reflect.yml. English only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REFLECT_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "replies" / "reflect.yml"
)

# A word of the customer's (with its apostrophe: "won't", "I'm") or anything between
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[^A-Za-z]+")
# The customer's words for themselves and for us, as we say them
_MINE = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "ive": "you've",
    "i'll": "you'll",
    "i'd": "you'd",
    "am": "are",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "we're": "you're",
    "we've": "you've",
    "we'll": "you'll",
    "we'd": "you'd",
}
_YOURS = {
    "your": "our",
    "yours": "ours",
    "yourself": "ourselves",
    "yourselves": "ourselves",
    "you're": "we're",
    "you've": "we've",
    "you'll": "we'll",
    "you'd": "we'd",
}
# before "you", a word that makes it the one who does something ("that you sent"):
# "we"; else it is the one done to ("angry at you"): "us"
_BEFORE_DOER = frozenset(
    {
        "that",
        "if",
        "because",
        "when",
        "since",
        "as",
        "and",
        "but",
        "or",
        "whether",
        "how",
        "why",
        "what",
        "until",
        "unless",
        "before",
        "after",
        "so",
        "cause",
        "cos",
    }
)
# after "you", a word that makes it the one who does something ("the label you
# sent me"): a verb in the past, or one that goes with a doer
_DOES = re.compile(
    r"^(?:\w+ed|are|were|have|had|will|would|can|could|should|must|might|may|did|"
    r"do|don't|didn't|won't|can't|haven't|hadn't|keep|kept|never|always|still|just|"
    r"sent|said|told|promised|took|gave|made|lost|put|got|let|sold|charge|send|"
    r"say|tell|take|give|make|lose|need)$"
)
# "you guys", "you people": "you" (then "we" or "us")
_YOU_ALL = re.compile(r"\byou (?:guys|people|lot|all)\b", re.IGNORECASE)
# "I was" -> "you were": the verbs that change with the person
_WERE = {"was": "were", "wasn't": "weren't"}


def theirs(words: str) -> str:
    """``words`` of the customer's as we say them back: their "I", "my", "we" are
    "you", "your"; their "you" is "we" (doing) or "us" (done to)."""
    tokens = _TOKEN.findall(_YOU_ALL.sub("you", words))
    spoken = [t.lower() for t in tokens if t[0].isalpha()]
    out: list[str] = []
    at = -1  # the index of the current word among ``spoken``
    for token in tokens:
        if not token[0].isalpha():
            out.append(token)
            continue
        at += 1
        lower = spoken[at]
        previous = spoken[at - 1] if at else ""
        following = spoken[at + 1] if at + 1 < len(spoken) else ""
        if lower == "you":
            # "you to call me": the one asked, "us to call you"
            doing = following != "to" and (
                not previous or previous in _BEFORE_DOER or bool(_DOES.match(following))
            )
            said = "we" if doing else "us"
        elif lower in _YOURS:
            said = _YOURS[lower]
        elif lower in _WERE and previous in ("i", "we"):
            said = _WERE[lower]
        elif lower == "am" and previous != "i":
            said = token  # "am" of someone else: not theirs to change
        elif lower in _MINE:
            said = _MINE[lower]
        else:
            said = token if token != token.upper() or len(token) < 4 else lower
        out.append(said)
    return "".join(out)


@dataclass(frozen=True)
class Felt:
    """A feeling the customer named: the label of the emotion analysis it belongs
    to ("anxiety"), the word we say it back with ("nervous"), and what it is about
    in our words ("that they won't come in time"; "" when they did not say)."""

    label: str
    feeling: str
    about: str = ""

    @property
    def words(self) -> str:
        """ "nervous that they won't come in time", or "nervous"."""
        return f"{self.feeling} {self.about}".strip()


@dataclass(frozen=True)
class _Reading:
    feelings: dict[str, tuple[str, str]]
    pattern: re.Pattern[str]
    starts: re.Pattern[str]
    ends: re.Pattern[str]
    never: re.Pattern[str]
    most_words: int
    names_nothing: frozenset[str]


@lru_cache(maxsize=1)
def _reading(path: Path = REFLECT_FILE) -> _Reading:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    feelings = {k: (v[0], v[1]) for k, v in data["feelings"].items()}

    def alternatives(words: list[str]) -> str:
        ordered = sorted(words, key=len, reverse=True)  # "i'm feeling" before "i'm"
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)

    pattern = re.compile(
        rf"(?<![\w'])(?:{alternatives(data['owners'])})\s+"
        rf"(?:(?:{alternatives(data['degrees'])})\s+)*"
        rf"(?P<feeling>{alternatives(list(feelings))})\b(?P<rest>[^.!?;\n]*)",
        re.IGNORECASE,
    )
    return _Reading(
        feelings=feelings,
        pattern=pattern,
        starts=re.compile(data["about_starts"], re.IGNORECASE),
        ends=re.compile(data["about_ends"], re.IGNORECASE),
        never=re.compile(data["never_say"], re.IGNORECASE),
        most_words=int(data["most_words"]),
        names_nothing=frozenset(data["names_nothing"]),
    )


# words at the end of an "about" that only say when or how much ("now", "tbh")
_TRAILING = re.compile(
    r"(?:\s+(?:now|right now|at the moment|atm|anymore|tbh|honestly|though|lol|"
    r"really|too|a lot|so much))+\W*$",
    re.IGNORECASE,
)
# words at which a long "about" may be cut, keeping what comes before
_CUT_AT = re.compile(r"\s+\b(?:because|and|as|since|when|while|which)\b", re.IGNORECASE)
# the clause has a subject of its own ("worried it won't come"): said with "that"
_OWN_SUBJECT = re.compile(
    r"^(?:it|it's|they|they're|i|i'll|i've|i'm|we|you|you've|you'll|he|she|the|my|"
    r"this|there|nobody|no one|someone|anyone|our|your|his|her|mum|mom|dad)\b",
    re.IGNORECASE,
)


def felt(text: str) -> Felt | None:
    """The first feeling ``text`` says the customer has ("I'm so worried about my
    money" -> Felt("anxiety", "worried", "about your money")), with what it is about
    when that can be said back plainly; None when the text names none."""
    reading = _reading()
    plain = text.replace("\u2019", "'").replace("\u2018", "'")
    found = reading.pattern.search(plain)
    if found is None:
        return None
    word = re.sub(r"\s+", " ", found.group("feeling").lower())
    label, feeling = reading.feelings[word]
    return Felt(label, feeling, _about(found.group("rest"), reading))


def _about(rest: str, reading: _Reading) -> str:
    """What the feeling is about, in our words, or "" when it cannot be said back
    plainly (nothing said, harsh words, too long)."""
    rest = rest.strip()
    ended = reading.ends.search(rest)
    if ended is not None:
        rest = rest[: ended.start()].strip()
    rest = _TRAILING.sub("", rest)  # "that they've got my card now": not "now"
    if not rest or not reading.starts.match(rest) or reading.never.search(rest):
        return ""
    words = rest.split()
    if len(words) > reading.most_words:
        cuts = [
            m.start()
            for m in _CUT_AT.finditer(rest)
            if len(rest[: m.start()].split()) <= reading.most_words
        ]
        if not cuts:
            return ""
        rest = rest[: cuts[-1]].strip()
    if not set(re.findall(r"[a-z']+", rest.lower())) - reading.names_nothing:
        return ""  # "worried about it": nothing said that we could name
    said = theirs(rest)
    if re.match(r"(?:order|parcel|package|delivery|money|refund)\b", rest, re.I):
        said = f"your {said}"  # "worried order 48213 won't come": theirs
    return f"that {said}" if _OWN_SUBJECT.match(said) else said
