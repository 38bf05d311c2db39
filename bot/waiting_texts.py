"""The words a waiting customer's reply is made of (bot/waiting.py): the words for
the feeling they put into words, which texts open with such words, and how a reply
avoids saying again what an earlier waiting reply said word for word."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot import waiting_reading as read
from bot.handoff import UrgencyFlag
from bot.reflect import theirs
from bot.texts import WaitingWords, say, texts

# The feeling a serious situation brings (the ticket's flag), named in the waiting
# replies whatever a short follow-up's own reading says ("Do you need a death
# certificate?" after a death is grief, not worry; "who do I report this to?" after
# a child was hurt is fear, not frustration), unless the customer says they are
# angry: a loss is met with ``waiting_ack_loss``.
SITUATION_FEELINGS: dict[UrgencyFlag, str] = {
    UrgencyFlag.BEREAVEMENT: "loss",
    UrgencyFlag.SAFETY: "anxiety",
    UrgencyFlag.PERSONAL_SAFETY: "anxiety",
    UrgencyFlag.FRAUD: "anxiety",
    UrgencyFlag.HEALTH: "anxiety",
    UrgencyFlag.HARDSHIP: "anxiety",
}


def ack(
    analysis: dict[str, Any] | None,
    lower: str,
    words: WaitingWords,
    language: str,
    wrote: list[str],
    named: bool = True,
    flag: UrgencyFlag | None = None,
) -> str:
    """The words for a waiting customer's feeling and what it is about (when
    ``named``): in English the feeling in their own words with what it is about
    (the analysis's ``felt``), else the concern the analysis names, in this
    message or an earlier one ("I can hear how worried you are about the double
    charge."); in another language the feeling its words name and the care for
    what went wrong, said now or in ``wrote`` (their earlier messages, oldest
    first). Else the words for the feeling alone (``waiting_ack_<label>``); "" when
    none is known. After something serious (``flag``) the feeling is the one it
    brings (SITUATION_FEELINGS), unless they say they are angry."""
    circumstances = (analysis or {}).get("circumstances") or []
    if any(c.get("kind") == "self_blame" for c in circumstances):
        # "I feel so silly": not their fault, before anything else about it
        return say("waiting_ack_self_blame", language)
    label = read.feeling_label(None if language else analysis, lower, words)
    if (
        flag in SITUATION_FEELINGS
        and label != "fright"
        and not (label == "anger" and _angry_words(analysis))
    ):
        label = SITUATION_FEELINGS[flag]
        if label == "loss":  # their loss, not what went wrong with an order
            return say("waiting_ack_loss", language)
    if flag in (UrgencyFlag.SAFETY, UrgencyFlag.PERSONAL_SAFETY):
        named = False  # someone hurt or in danger: not "worried about the damage"
    if named and language:
        texts_read = (lower, *(w.lower() for w in reversed(wrote)))
        care = next(
            (c for t in texts_read for found, c in words.problems if found.search(t)),
            "",
        )
        if care:
            return " ".join(p for p in (words.says_for(lower), care) if p)
    own = (analysis or {}).get("felt") if named and not language else None
    if isinstance(own, dict) and f"felt_ack_{own.get('label')}" in texts():
        # the feeling and what it is about in their own words, said back ("I can
        # see why you'd be worried that you spent too much")
        return say(f"felt_ack_{own['label']}", felt=str(own.get("words") or ""))
    concern = str((analysis or {}).get("concern") or "") if named else ""
    if concern and not language:
        key = f"concern_ack_{label}"
        return say(key if key in texts() else "concern_ack", concern=concern)
    key = f"waiting_ack_{label}"
    return say(key, language) if key in texts() else ""


def _angry_words(analysis: dict[str, Any] | None) -> bool:
    """Whether an English message's own words name anger (the analysis's emotion
    words; its label alone may read fear as anger); another language's label comes
    from its words already (``analysis`` None)."""
    if analysis is None:
        return True
    return any(
        s.get("name") == "emotion_words" and "(anger)" in str(s.get("reason", ""))
        for s in analysis.get("signals", [])
    )


def situations_named(
    analysis: dict[str, Any] | None, text: str, language: str
) -> frozenset[str]:
    """The serious situations a waiting customer's message names ("hardship"): by
    the analysis in English, by the language's words otherwise."""
    if language:
        return frozenset(f.value for f in read.serious_flags(text, language))
    found = (analysis or {}).get("circumstances") or []
    return frozenset(str(c.get("kind")) for c in found)


def situation_ack(
    flag: UrgencyFlag | None,
    language: str,
    said: list[str],
    analysis: dict[str, Any] | None = None,
    text: str = "",
) -> str:
    """The words for a loss (``flag``: a bereavement) when no waiting reply in
    ``said`` has said them yet, whatever the message says; for money that is tight,
    when this message (``text``, its ``analysis``) says so ("I'm struggling to buy
    food this week"), in words not said yet; "" otherwise (other serious
    situations are named when the message shows the feeling: a calm "I didn't click
    anything" after a phishing text gets no "how worried you are")."""
    if "hardship" in situations_named(analysis, text, language):
        told = " ".join(said)
        options = (say(k, language) for k in ("waiting_ack_hardship", "hardship_again"))
        return next((o for o in options if o not in told), "")
    if flag is not UrgencyFlag.BEREAVEMENT:
        return ""
    words = say(f"waiting_ack_{SITUATION_FEELINGS[flag]}", language)
    return "" if any(words in x for x in said) else words


# What a want names that is a question, not something to have done ("can you tell
# me...", "I need to know..."): answered as a question
_ASKS_INSTEAD = re.compile(
    r"^(?:to )?(?:tell|let|help|explain|say|know|understand|find out|talk|speak|"
    r"wait|be patient)\b",
    re.IGNORECASE,
)
# a word at the end of a want that says when, not what ("a refund now")
_WHEN = re.compile(
    r"(?:\s+|,\s*)(?:now|please|asap|right now|right away|straight away|today|"
    r"immediately|thanks|thank you|soon|quickly|urgently|in time|as soon as possible|"
    r"(?:before|by) (?:then|tomorrow|the weekend|(?:mon|tues|wednes|thurs|fri|satur|"
    r"sun)day))$",
    re.IGNORECASE,
)
# "that money back": the thing they mean, said back as "the money back"
_POINTING = re.compile(r"^(?:that|this|those|these) ", re.IGNORECASE)


# who the someone is, said before what they should do ("can someone on your team
# push it through"): not part of the want
_WHO = re.compile(
    r"^(?:on|from|in|at) (?:your|the) (?:team|side|end|company|shop|store)\s+",
    re.IGNORECASE,
)


def wants(text: str, words: WaitingWords, language: str) -> str | None:
    """What a waiting customer who says what they want done hears: that the person
    sees it straight away, naming it in their words in English ("...that you want
    a refund", "...that you want us to stop it"); None when they say no want, or
    their "can you..." asks a question instead."""
    found = words.wants.search(text.lower() if language else text)
    if found is None:
        return None
    capitals = sum(w.isupper() and len(w) > 1 for w in text.split()) >= 2
    if language or "what" not in found.groupdict() or capitals:
        # (shouted words are not said back: "...that you want THAT MONEY BACK")
        return say("waiting_wants_noted", language)
    what = found.group("what").strip(" ,;:")
    what = _WHO.sub("", what)  # "someone on your team push it": push it
    while (shorter := _WHEN.sub("", what)) != what:
        what = shorter
    if not what or _ASKS_INSTEAD.match(what):
        return None
    said_back = theirs(_POINTING.sub("the ", what))  # "my order" -> "your order"
    lead = text[found.start() : found.start("what")].lower()
    if any(w in lead for w in ("someone", "somebody", "anyone")):
        said_back = f"someone to {said_back}"
    elif any(w in lead for w in ("can", "could", "will", "please")):
        said_back = f"us to {said_back}"
    return say("wants_named", wanted=said_back)


def person_asked(flag: UrgencyFlag | None, language: str, said: list[str]) -> str:
    """The text that grants a waiting customer's request for a person after
    something serious (``flag``): the feeling it brings named (a loss, someone hurt,
    details stolen, money that is tight: ``waiting_person_asked_<flag>``) the first
    time, then warmly (``waiting_person_asked_care``); "" when nothing serious
    happened."""
    if flag not in SITUATION_FEELINGS:
        return ""
    own = f"waiting_person_asked_{flag.value}"
    if own in texts() and not any(say(own, language) in x for x in said):
        return own
    return "waiting_person_asked_care"


def same_place(line: str, reply: str) -> bool:
    """Whether ``reply`` told where the customer stands as ``line`` does: the same
    place in line (its numbers), or the same words when it names none."""
    numbers = re.findall(r"\d+", line)
    if not numbers:
        return bool(line) and line in reply
    return all(n in re.findall(r"\d+", reply) for n in numbers)


def impatience_ack(kind: str, language: str, said: list[str]) -> str:
    """The words for a waiting customer's impatience of ``kind`` (read.impatience):
    ``waiting_ack_<kind>``, or when the last two replies said those,
    ``waiting_ack_waiting_again``; "" when both were said."""
    for name in (f"waiting_ack_{kind}", "waiting_ack_waiting_again"):
        words = say(name, language)
        if not any(words in x for x in said[-2:]):
            return words
    return ""


def unused(options: list[str], said: list[str]) -> str:
    """The first of ``options`` not said in this chat yet; else one not said a
    moment ago; else the first."""
    told = " ".join(said)
    fresh = [o for o in options if o not in told] or [
        o for o in options if o not in " ".join(said[-1:])
    ]
    return (fresh or options)[0]


def first_time(name: str, language: str, said: list[str]) -> str:
    """The text ``name``, unless a reply in ``said`` said it already ("")."""
    text = say(name, language)
    return "" if any(text in x for x in said) else text


# The texts that open with the words for a feeling: nothing more is put before them.
_ACKNOWLEDGING = (
    "waiting_felt",
    "waiting_felt_anxiety",
    "waiting_felt_sadness",
    "waiting_felt_anger",
    "waiting_felt_frustration",
    "waiting_felt_confusion",
    "waiting_urgent",
    "waiting_person_insists",
)


def acknowledges(reply: str, language: str) -> bool:
    """Whether ``reply`` opens with the words for a feeling already."""
    return any(reply.startswith(say(name, language)) for name in _ACKNOWLEDGING)


def felt_text(
    analysis: dict[str, Any] | None, lower: str, words: WaitingWords
) -> str | None:
    """The name of the text for the unhappy feeling a waiting customer put into
    words: ``waiting_felt_<label>`` where the texts have it, else ``waiting_felt``;
    None when they put none into words. English is read by the analysis, another
    language by its feeling words (``lower`` is the message lower-cased)."""
    label = read.feeling_label(analysis, lower, words)
    if not words.feelings and not read.felt(analysis) and label != "fright":
        return None
    if not label:
        return None
    return (
        f"waiting_felt_{label}"
        if f"waiting_felt_{label}" in texts()
        else "waiting_felt"
    )


# A clause of a reply: up to a semicolon, or a full stop, question or exclamation
# mark that ends a sentence (a capital or the end follows: not "07.12. um",
# "godz. 08:00")
_CLAUSE = re.compile(r"(?:[^.?!;]|[.?!](?!\s+[A-ZÀ-ÖØ-Þ¿¡«„\"]|\s*$))+[.?!;]*")


def unsaid(reply: str, said: list[str]) -> str:
    """``reply`` without the clauses an earlier waiting reply already said word for
    word ("A person from our team will reply here", "there's no need to repeat
    anything"): each is said once in a chat, not on every message; the whole reply
    when nothing new would be left."""
    before = {_plain(c) for text in said for c in _CLAUSE.findall(text)}
    clauses = [c.strip() for c in _CLAUSE.findall(reply)]
    kept = [c for c in clauses if _plain(c) not in before]
    if not kept or len(kept) == len(clauses):
        return reply
    parts: list[str] = []
    for clause in kept:
        if not parts or parts[-1].endswith((".", "?", "!")):
            clause = clause[:1].upper() + clause[1:]  # a sentence starts here now
        parts.append(clause)
    if parts[-1].endswith(";"):
        parts[-1] = parts[-1][:-1] + "."
    return " ".join(parts)


# The person who will take over, by language, as the texts name them; said again in
# the same reply ("...the person who picks this up will see it. I've marked this as
# urgent, so the person who picks this up will..."), a shorter word for them
_PERSON_AGAIN: dict[str, tuple[re.Pattern[str], str]] = {
    "": (re.compile(r"\b([Tt])he person who picks this up(?= will\b)"), "hey"),
    "de": (
        re.compile(r"\b([Dd])ie Person, die Ihr Anliegen übernimmt,?"),
        "iese Person",
    ),
    "es": (re.compile(r"\b([Ll])a persona que atienda su caso"), "a misma persona"),
    "fr": (
        re.compile(r"\b([Ll])a personne qui prendra en charge votre demande"),
        "a même personne",
    ),
    "it": (
        re.compile(r"\b([Ll])a persona che prenderà in carico la Sua richiesta"),
        "a stessa persona",
    ),
    "nl": (re.compile(r"\b([Dd])e persoon die uw vraag oppakt"), "ie persoon"),
    "pt": (
        re.compile(r"\b([Aa]) pessoa que vai tratar do seu pedido"),
        " mesma pessoa",
    ),
}


def person_once(reply: str, language: str) -> str:
    """``reply`` with the person who takes over named in full once, and after that
    in a shorter word ("they" in English), so no reply says "the person who picks
    this up" twice."""
    found = _PERSON_AGAIN.get(language)
    if found is None:
        return reply
    pattern, rest = found
    seen = 0

    def shorter(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        if seen == 1:
            return match.group(0)
        first = match.group(1)
        if not language:  # "the person who picks this up will" -> "they will"
            return ("T" if first == "T" else "t") + rest
        return first + rest

    return pattern.sub(shorter, reply)


def _plain(clause: str) -> str:
    return " ".join(clause.lower().strip(" .?!;").split())


def fresh(said: list[str], language: str, *names: str) -> str:
    """The first of the texts ``names`` that is not the words just said (the last
    of them when all are)."""
    options = [say(name, language) for name in names]
    return next((o for o in options if o not in said[-1:]), options[-1])


# What the customer reported that has its own answer to "what becomes of the item or
# the money?" (waiting_fits_<name>)
REMEDIES = frozenset(
    {"damaged", "not_working", "missing", "wrong_item", "double_charge", "safety"}
)
# Flags whose answer to a question (``waiting_asked_<flag>``) says what their advice
# says, so it comes first; a safety question gets "see a doctor" first.
ASKED_FIRST = frozenset({UrgencyFlag.FRAUD, UrgencyFlag.BEREAVEMENT})
# Flags whose advice says who acts already ("the person who picks this up looks at
# it first"): where they stand follows it, not "A person from our team will reply
# here" as well
PERSON_IN_ADVICE = frozenset(
    {UrgencyFlag.HEALTH, UrgencyFlag.HARDSHIP, UrgencyFlag.BEREAVEMENT}
)
# ...and whose advice asks nothing of the customer ("I've marked this as urgent"):
# kept back from a plain "ok, I understand", which is thanked for its patience
ONLY_REASSURES = frozenset({UrgencyFlag.HEALTH, UrgencyFlag.HARDSHIP})


# When the team is back, said again: short, in other words than before
_BACK_AGAIN = ("waiting_back_again", "waiting_back_still")


def back_line(back: str, language: str, said: Iterable[str]) -> str:
    """When the team is ``back``: in full the first time; once the chat has said
    it (the handoff message or a waiting reply), a short line that it still holds,
    one not said yet where there is one."""
    told = " ".join(said)
    if back not in told:
        return say("waiting_back", language, back=back)
    options = [say(name, language, back=back) for name in _BACK_AGAIN]
    return next((o for o in options if o not in told), options[0])
