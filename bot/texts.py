"""What the gateway says in its own voice (data/replies/channel.yml), and in the
customer's language for the texts we have there (data/replies/languages.yml), with the
words by which a waiting customer's message is read in that language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import reach

TEXTS_FILE = Path(__file__).resolve().parent.parent / "data" / "replies" / "channel.yml"
LANGUAGES_FILE = TEXTS_FILE.parent / "languages.yml"
MENTIONS_FILE = TEXTS_FILE.parent / "mentions.yml"
# languages.yml `feelings` (the bot's own) by the waiting_felt_<label> text that
# answers them while waiting ("" is the plain waiting_felt)
FEELING_LABELS = {
    "worry": "anxiety",
    "annoyed": "frustration",
    "disappointed": "",
    "shaken": "anxiety",
    "outraged": "anger",
    "weighed": "sadness",  # "es todo muy difícil": a weight, heard as such
}


# What a customer reported that makes a general answer about returns wrong
# (actions/waiting_answers.py, fits; waiting_fits_<name> says what holds instead)
SITUATIONS = ("double_charge", "wrong_item", "not_working", "damaged", "missing")


def _never() -> re.Pattern[str]:
    """A pattern that matches nothing: words a language does not have."""
    return re.compile(r"(?!)")


@dataclass(frozen=True)
class WaitingWords:
    """How a language says what a waiting customer may write: thanks, a question, a
    request to be called, a request for a person, feelings by the label of their
    ``waiting_felt_<label>`` text, and a question how long the wait is (searched in
    the lower-cased message)."""

    thanks: re.Pattern[str]
    question: re.Pattern[str]
    call: re.Pattern[str]
    person: re.Pattern[str]
    feelings: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # asks how long the wait is ("how long will I have to wait?"): where they stand
    wait: re.Pattern[str] = field(default_factory=_never)
    # says something serious happened, by kind ("fraud", "health"): the language's
    # `serious` words, which raise the ticket's flag as the English analysis does
    serious: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # says the one who was hurt is all right now or has seen a doctor ("he's ok, we
    # went to A&E"): the safety advice (see a doctor first) is not said then
    seen: re.Pattern[str] = field(default_factory=_never)
    # asks what to do or what happens now ("what do I do now?", "was passiert
    # jetzt?"): a question about what happened, answered by the ticket's flag and
    # where they stand, not by a general answer that shares a word with it
    what_now: re.Pattern[str] = field(default_factory=_never)
    # asks how they will hear back ("how will I know when someone has looked at
    # it?", "will I get an e-mail?"): where the reply comes, not a general answer
    how_hear: re.Pattern[str] = field(default_factory=_never)
    # asks to be contacted ("please contact me", "bei mir melden"): a call asked
    # for, question or not
    contact_me: re.Pattern[str] = field(default_factory=_never)
    # asks for someone senior ("I want to speak to a manager"): told the person will
    # see that they asked
    manager: re.Pattern[str] = field(default_factory=_never)
    # says they will wait, or only "ok" ("fine, I'll wait", "Dobrze, poczekam."):
    # thanked for their patience, not told again who will reply
    accepts: re.Pattern[str] = field(default_factory=_never)
    # impatience with the wait or with us, by kind: wants a person now, not the bot
    # ("not a bot", "right now"), has asked again and nobody helped ("third time",
    # "you're not listening"), has had enough ("I'm fed up", "so when then?!")
    impatient: re.Pattern[str] = field(default_factory=_never)
    repeated: re.Pattern[str] = field(default_factory=_never)
    fed_up: re.Pattern[str] = field(default_factory=_never)
    # does not want it to happen to anyone else ("so no other child gets hurt")
    others: re.Pattern[str] = field(default_factory=_never)
    # the customer's own mistake ("I ordered the wrong size"): no wrong item of ours
    own_mistake: re.Pattern[str] = field(default_factory=_never)
    # asks what becomes of the item or the money ("do I send it back first?", "can
    # you send another?", "what do I do with the broken one?"): after a broken or
    # wrong item or a double charge, what holds for that (waiting_fits_<situation>)
    remedy: re.Pattern[str] = field(default_factory=_never)
    # apologises for themselves ("sorry, this is all a lot", "perdonad"): told
    # there is no need, not "Thanks, I've added that"
    apology: re.Pattern[str] = field(default_factory=_never)
    # states what they want done ("I want a refund", "bitte stornieren"): told the
    # person sees it first (English names it: the pattern's group "what")
    wants: re.Pattern[str] = field(default_factory=_never)
    # what went wrong (the language's `problems`: a double charge, a late order) and
    # the words of care for it ("Siento mucho que se le haya cobrado dos veces.")
    problems: tuple[tuple[re.Pattern[str], str], ...] = ()
    # what was reported that makes a general answer about returns wrong, by name
    # (the language's `problems` double_charge, damaged, wrong_item)
    situations: tuple[tuple[str, re.Pattern[str]], ...] = ()
    # the words for a feeling (the language's `feelings`: "Entiendo su
    # preocupación.") with the words that show it, said before the care for what
    # went wrong
    feeling_says: tuple[tuple[re.Pattern[str], str], ...] = ()

    def says_for(self, lower: str) -> str:
        """The words for the first feeling ``lower`` (a message, lower-cased) shows,
        or ""."""
        return next((say for when, say in self.feeling_says if when.search(lower)), "")


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """Every gateway text by name."""
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    return {str(k): str(v) for k, v in loaded.items()}


@lru_cache(maxsize=8)
def mention(name: str) -> re.Pattern[str]:
    """One of the action server's mentions (data/replies/mentions.yml), English."""
    with MENTIONS_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    return re.compile(str(loaded[name]), re.IGNORECASE)


@lru_cache(maxsize=1)
def _languages() -> dict[str, dict[str, Any]]:
    with LANGUAGES_FILE.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle) or {}
    languages = loaded.get("languages") or {}
    return {str(code): dict(entry) for code, entry in languages.items()}


# What a customer says they did about a fraud, or that they gave nothing away, by
# step (languages.yml `fraud_steps`; English: mentions.yml fraud_<step>)
FRAUD_STEPS = ("gave_nothing", "card_done", "password_done", "no_account")


@lru_cache(maxsize=16)
def fraud_steps(language: str) -> dict[str, re.Pattern[str]]:
    """The words of ``language`` ("" is English) for each of ``FRAUD_STEPS`` it
    has, searched in a lower-cased clause that asks nothing (bot/waiting_advice.py)."""
    if not language:
        return {step: mention(f"fraud_{step}") for step in FRAUD_STEPS}
    steps = (_languages().get(language) or {}).get("fraud_steps") or {}
    return {str(k): re.compile(str(v)) for k, v in steps.items() if k in FRAUD_STEPS}


@lru_cache(maxsize=1)
def translations() -> dict[str, dict[str, str]]:
    """Gateway texts by language code, then name (the languages and texts that
    ``languages.yml`` has: waiting_for_person, follow_up_saved, the waiting_* texts)."""
    return {
        code: {str(k): v for k, v in entry.items() if isinstance(v, str)}
        for code, entry in _languages().items()
    }


@lru_cache(maxsize=16)
def waiting_words(language: str) -> WaitingWords | None:
    """The words of ``language`` (``waiting_words`` in languages.yml, and its
    ``feelings``) for reading a waiting customer's message; None when it has none."""
    entry = _languages().get(language)
    words = (entry or {}).get("waiting_words")
    if not entry or not words:
        return None
    felt = {str(k): [str(v)] for k, v in words.get("felt", {}).items()}
    own = set(felt)  # a label the waiting words name is read by those alone
    feeling_says = []
    for name, feeling in (entry.get("feelings") or {}).items():
        label = FEELING_LABELS.get(str(name))
        if label is None or label in own:
            continue
        # "worry" and "shaken" both answer as anxiety: either's words show it
        felt.setdefault(label, []).append(str(feeling["when"]))
        feeling_says.append((re.compile(str(feeling["when"])), str(feeling["say"])))
    feelings = {
        label: re.compile("|".join(f"(?:{w})" for w in ws))
        for label, ws in felt.items()
    }
    problems = tuple(
        (re.compile(str(p["when"])), str(p["care"]))
        for p in (entry.get("problems") or {}).values()
    )
    return WaitingWords(
        thanks=re.compile(str(words["thanks"])),
        question=re.compile(str(words["question"])),
        call=re.compile(str(words["call"])),
        person=re.compile(str(words["person"])),
        feelings=feelings,
        **{
            name: re.compile(str(words[name]))
            for name in (
                "wait",
                "seen",
                "what_now",
                "how_hear",
                "accepts",
                "manager",
                "contact_me",
                "impatient",
                "repeated",
                "fed_up",
                "others",
                "remedy",
                "wants",
                "apology",
            )
            if words.get(name)
        },
        serious={
            str(k): re.compile(str(v)) for k, v in (entry.get("serious") or {}).items()
        },
        problems=problems,
        situations=tuple(
            (str(k), re.compile(str(p["when"])))
            for k, p in (entry.get("problems") or {}).items()
            if k in SITUATIONS
        ),
        feeling_says=tuple(feeling_says),
        **(
            {"own_mistake": re.compile(str(entry["own_mistake"]))}
            if entry.get("own_mistake")
            else {}
        ),
    )


def say(name: str, language: str | None = None, **values: str) -> str:
    """The text ``name`` with its ``{placeholders}`` filled, in ``language`` (an ISO
    639-1 code) when we have the text in it, else in English."""
    text = translations().get(language or "", {}).get(name) or texts()[name]
    # an offer of a call or an e-mail: as written, or fitted to a customer who ruled
    # one out (bot/reach.py)
    return reach.fit(
        text.format(**values), reach.RULED_OUT.get(), lambda key: say(key, language)
    )
