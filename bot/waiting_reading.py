"""How the message of a customer waiting for a person is read.

English is read with the action server's emotion analysis (its label, frustration
level and signal names) and the words of bot/waiting_english.py; another language by
its own words (languages.yml, bot/texts.py). bot/waiting.py answers by what is read
here: whether the message asks something, is urgent, puts a feeling into words, is
shouted, says something serious, or adds an order number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.handoff import Ticket, UrgencyFlag, urgency_flags
from bot.texts import WaitingWords, waiting_words
from bot.waiting_courtesy import THANKS_WORDS, only_thanks
from bot.waiting_english import ENGLISH, WANTS_ACTION

# An order number a waiting customer adds ("it's 48213"): digits standing alone.
ORDER_NUMBER = re.compile(r"(?<![\w+-])\d{5,15}(?![\w-])")
# "postcode 10115", "PLZ 10115", "CP 28013": a postcode, not an order number
POSTCODE_NUMBER = re.compile(
    r"\b(?:post\s?codes?|postal\s+codes?|zip(?:\s?code)?|plz|postleitzahl|cp|cap|"
    r"c[oó]digo\s+postal|code\s+postal|kod\s+pocztowy)\b[^\d\n]{0,30}\d[\d ]*",
    re.IGNORECASE,
)
# a message of at least this many letters, all capitals, is shouted
SHOUTED_LETTERS = 6
URGENT_FRUSTRATION = 3  # a waiting message at this level (0-4) is answered as urgent
# ...when the message itself shows it (actions/emotion signal names)
FELT_SIGNALS = frozenset(
    {"emotion_words", "all_caps", "punctuation", "swearing", "abuse", "impatience"}
)


def thanks_only(text: str, words: WaitingWords, language: str) -> bool:
    """Whether a waiting customer's message only thanks us ("thank you so much"),
    asking nothing."""
    short = len(text.split()) <= THANKS_WORDS
    thanks = bool(words.thanks.search(text.lower())) and short
    return (thanks or (not language and only_thanks(text))) and not asks(text, words)


def assents_only(text: str, words: WaitingWords) -> bool:
    """Whether a waiting customer's message only says "ok", "fine, I'll wait"."""
    brief = len(text.split()) <= THANKS_WORDS
    return brief and bool(words.accepts.search(text.lower())) and not asks(text, words)


# A question put to whoever reads it ("can someone tell me", "could anyone let me
# know"): what follows is the question
TELL_ME = re.compile(
    r"^\W*(?:(?:hi|hello|hey)\W+)?(?:can|could|would|will) (?:someone|somebody|"
    r"anyone|anybody|you)(?: please| just)? (?:tell|let) me(?: know)?\W*",
    re.IGNORECASE,
)
NOTHING = re.compile(r"(?!)")
# a language without words of its own: a question mark is all we read
UNREAD = WaitingWords(NOTHING, NOTHING, NOTHING, NOTHING)


def words_for(language: str) -> WaitingWords:
    """The words a message in ``language`` is read by ("" is English)."""
    return ENGLISH if not language else waiting_words(language) or UNREAD


# Flags that ask for patience, not urgency: "I'm 84 and not good with computers"
# written while waiting is not "I've passed on how urgent this is"
PATIENCE = frozenset({UrgencyFlag.VULNERABLE})


def urgent(analysis: dict[str, Any] | None, known: UrgencyFlag | None = None) -> bool:
    """Whether a waiting customer's message raises a flag the ticket has not
    (``known``), or is strongly felt in its own words (a high level from the
    conversation alone, such as a repeat, is not: "I'm sorry you're still waiting"
    must answer something the customer said; nor is confusion, which is met with
    waiting_felt_confusion, not with urgency)."""
    if not analysis:
        return False
    names = {str(s.get("name")) for s in analysis.get("signals", [])}
    if urgency_flags(names) - {known, *PATIENCE}:
        return True
    if analysis.get("label") == "confusion":
        return False
    return int(analysis.get("frustration", 0)) >= URGENT_FRUSTRATION and bool(
        names & FELT_SIGNALS
    )


def serious_flags(text: str, language: str) -> frozenset[UrgencyFlag]:
    """The flags that serious words of ``language`` in ``text`` raise (none in
    English: the emotion analysis reads it)."""
    words = waiting_words(language) if language else None
    lower = text.lower()
    return urgency_flags(
        kind
        for kind, found in (words.serious if words else {}).items()
        if found.search(lower)
    )


def asks(text: str, words: WaitingWords = ENGLISH) -> bool:
    """Whether a waiting customer's message asks something ("What do I do now?",
    "can someone phone me"): a question mark, or the language's question words at
    the start of one of its sentences ("oh thank you. is there a number I can
    ring")."""
    return "?" in text or any(
        words.question.search(sentence.strip().lower())
        for sentence in _SENTENCE_END.split(text)
    )


_SENTENCE_END = re.compile(r"(?<=[.!;])\s+|\n+")


# The fright after something happened, in English ("I'm really shaken", "it gave us
# a real fright"): named as such in a waiting reply, not as worry
FRIGHT = re.compile(
    r"\b(?:shaken|shook(?: up)?|rattled|in shock|(?:a|such a|real|big|terrible|"
    r"horrible) (?:fright|scare)|frightened|terrified|petrified)\b"
)


def feeling_label(
    analysis: dict[str, Any] | None, lower: str, words: WaitingWords
) -> str:
    """The feeling a waiting customer's message names: by the language's feeling
    words, else the emotion analysis's label ("" when neither says)."""
    if words.feelings:
        return next((k for k, w in words.feelings.items() if w.search(lower)), "")
    label = str((analysis or {}).get("label", ""))
    if label in ("anxiety", "neutral", "") and FRIGHT.search(lower):
        return "fright"  # "I'm really shaken": the fright, not "how worried you are"
    return label


def felt_words(lower: str, words: WaitingWords) -> bool:
    """Whether a message in another language names a feeling by its words."""
    return any(w.search(lower) for w in words.feelings.values())


def shouted(analysis: dict[str, Any] | None, text: str) -> bool:
    """Whether a waiting customer's message is written in capitals or with "!!!"
    (the analysis says so in English; another language by its letters)."""
    names = {str(s.get("name")) for s in (analysis or {}).get("signals", [])}
    letters = [c for c in text if c.isalpha()]
    capitals = len(letters) >= SHOUTED_LETTERS and text.isupper()
    return bool(names & {"all_caps", "punctuation"}) or capitals or "!!!" in text


def felt(analysis: dict[str, Any] | None) -> bool:
    """Whether a waiting customer's message puts an unhappy feeling into words (not
    urgent, but not to be met with "Thanks, I've added that")."""
    if not analysis:
        return False
    names = {str(s.get("name")) for s in analysis.get("signals", [])}
    circumstances = analysis.get("circumstances") or []
    if "sarcasm" in names or any(c.get("kind") == "self_blame" for c in circumstances):
        return True  # "what a surprise, same answer again", "I feel so silly"
    if str(analysis.get("label", "neutral")) in ("neutral", "joy"):
        return False
    if "softened" in names and "emotion_words" not in names:
        return False  # "sorry to be a bother" is politeness, not a feeling to soothe
    return bool(names & {"emotion_words", "negative_sentiment"})


def impatience(text: str, words: WaitingWords) -> str:
    """The kind of impatience a waiting customer's message shows, with the wait or
    with us: "repeated" (asked before and nobody helped, not listened to),
    "impatient" (wants a person now, not the bot; or asks for one in capitals),
    "wants_action" (someone to actually do something, in English),
    "fed_up" (has had enough); "" when it shows none."""
    lower = text.lower().strip()
    if words.repeated.search(lower):
        return "repeated"
    if words.impatient.search(lower):
        return "impatient"
    if words is ENGLISH and WANTS_ACTION.search(lower):
        return "wants_action"
    if words.person.search(lower) and shouted(None, text):
        return "impatient"  # "A HUMAN. NOW."
    if words.fed_up.search(lower):
        return "fed_up"
    return ""


def situation(texts: list[str], words: WaitingWords) -> str:
    """What the customer reported that makes a general answer about returns wrong
    ("double_charge", "wrong_item", "not_working", "damaged", "missing"), in the
    newest of ``texts`` that says one (their messages, oldest first); "" when none
    does."""
    for text in reversed(texts):
        # "I ordered the wrong size" is their own mistake, no wrong item of ours
        lower = words.own_mistake.sub(" ", text.lower())
        for name, found in words.situations:
            if found.search(lower):
                return name
    return ""


# Flags whose advice a waiting customer gets first (the most urgent first).
ADVICE_ORDER = (
    UrgencyFlag.SAFETY,
    UrgencyFlag.PERSONAL_SAFETY,
    UrgencyFlag.FRAUD,
    UrgencyFlag.HEALTH,
    UrgencyFlag.HARDSHIP,
    UrgencyFlag.BEREAVEMENT,
)


def advice_flag(
    ticket: Ticket | None, said: Iterable[UrgencyFlag] = ()
) -> UrgencyFlag | None:
    """The first of the ticket's flags, and of those the message just ``said``, that
    has advice for a waiting customer (``waiting_advice_<flag>`` in channel.yml),
    else None."""
    flags = {*(ticket.flags if ticket else ()), *said}
    return next((f for f in ADVICE_ORDER if f in flags), None)


def asks_how_long(lower: str, words: WaitingWords) -> bool:
    """Whether a waiting customer's message asks how long the wait is ("HOW LONG DO
    I HAVE TO WAIT"), not when something they want comes back (``remedy``)."""
    return bool(words.wait.search(lower)) and not words.remedy.search(lower)
