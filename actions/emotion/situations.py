"""Serious situations a customer describes: a death, someone hurt by a product, an order
or charge they never made, money worries, illness, a customer who needs extra care, a
date that cannot move.

How a customer feels is one thing; what has happened to them is another, and it decides
what a caring reply says ("I'm so sorry about your mum") and whether a person should
take over. Patterns live in ``data/emotion/situations.yml``; each finding keeps the
person concerned ("your mum", "you") and what it is about ("rent", "the birthday
tomorrow"), so the reply can name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .models import Circumstance
from .rules import DEFAULT_NEGATORS, negated_before, quote

# Situations in the order a reply acknowledges them when several are described.
ORDER = (
    "injury",
    "personal_safety",
    "bereavement",
    "health",
    "fraud",
    "hardship",
    "hazard",
    "vulnerable",
    "deadline",
    "missed_occasion",
)
_NEGATORS = DEFAULT_NEGATORS | {"nobody", "noone", "no one", "neither"}
# ...and before a step not taken ("I haven't clicked it")
_STEP_NEGATORS = _NEGATORS | {"haven't", "havent", "have not", "hasn't", "has not"}
# what a step after a message that was not ours gave away (``step_after``): the
# card (reply ``what``: call the bank) or the password; else it was the link
_GIVEN = re.compile(r"\b(?:card|bank|password)\b")
# the person a pronoun stands for, seen from the bot ("i got burned" -> "you")
_PRONOUNS = {
    "i": "you",
    "me": "you",
    "him": "he",
    "them": "they",
    "us": "you",
    "my": "you",
    "our": "you",
    "his": "he",
    "their": "they",
    "i'm": "you",
    "i am": "you",
    "i've been": "you",
    "i have been": "you",
    "i was": "you",
    "we": "you",
    "he": "he",
    "he's": "he",
    "he is": "he",
    "she": "she",
    "she's": "she",
    "she is": "she",
    "they": "they",
}
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_DAYS = (*WEEKDAYS, "christmas")
# the months, by the first three letters people write them with ("dec", "december")
MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
# the days as people shorten them (``days`` in situations.yml)
_SHORT_DAYS = {
    "mon": "monday",
    "tue": "tuesday",
    "tues": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "thur": "thursday",
    "thurs": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}
# Situations that happen to someone: when the words that found one do not say who
# ("boiling water over my daughter's hand"), the first "my <relation>" of the message
# does ("your daughter"). Not a death: "the funeral ... my mum's dress" need not be
# about mum, and naming the wrong person there would hurt.
_WHO_KINDS = frozenset({"injury", "missed_occasion"})
# The writer, or someone else, named in the words of an injury or just before them
_FIRST_PERSON = re.compile(r"\b(?:i|i'?ve|i'?m|i'?d|me|my|myself)\b")
_THIRD_PERSON = re.compile(
    r"\b(?:he|she|they|his|her|their|him|them|someone|somebody)\b"
)
_BEFORE = 30  # characters before an injury's words that may say who it happened to


def _writer_hurt(text: str, match: re.Match[str]) -> bool:
    """Whether the injury ``match`` found in ``text`` happened to the writer: its
    words name no one else, and they or the words just before name the writer
    ("the kettle burned my hand", "I came out in a rash"; not "a child burned his
    hand on the lamp I bought")."""
    if _THIRD_PERSON.search(match.group(0)):
        return False
    before = text[max(0, match.start() - _BEFORE) : match.start()]
    return bool(_FIRST_PERSON.search(match.group(0)) or _FIRST_PERSON.search(before))


# An e-mail address, a web address or a domain ("your-shop.help.com")
_ADDRESS = re.compile(
    r"\S+@\S+\.\w+|\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|"
    r"info|biz|co|uk|de|fr|es|it|nl|pl|pt|eu|io|shop|online|xyz|top|site|link)\b\S*"
)


@dataclass
class _Kind:
    name: str
    serious: bool
    negatable: bool
    patterns: list[re.Pattern[str]]
    of_life: bool = False
    # when these words are said and no step of ``calm_unless`` was taken (not
    # negated), the finding is this other, calm kind ("is this e-mail really from
    # you? I haven't clicked it": no fraud yet, a question)
    calm_kind: str = ""
    calm_when: re.Pattern[str] | None = None
    calm_unless: re.Pattern[str] | None = None
    calm_about: re.Pattern[str] | None = None


class SituationDetector:
    """Finds the situations of ``situations.yml`` in cleaned, lower-cased text."""

    def __init__(self, config: dict[str, Any]) -> None:
        relations = str(config.get("relations") or "").strip()
        days = str(config.get("days") or "").strip()
        dates = str(config.get("dates") or "").strip()
        self.kinds: list[_Kind] = []
        for name, spec in (config.get("situations") or {}).items():
            calm = dict(spec.get("calm") or {})
            self.kinds.append(
                _Kind(
                    name=str(name),
                    serious=bool(spec.get("serious", False)),
                    negatable=bool(spec.get("negatable", False)),
                    of_life=bool(spec.get("of_life", False)),
                    calm_kind=str(calm.get("kind") or ""),
                    calm_when=_optional(calm.get("when")),
                    calm_unless=_optional(calm.get("unless")),
                    calm_about=_optional(calm.get("about")),
                    patterns=[
                        re.compile(
                            str(p)
                            .replace("{rel}", relations)
                            .replace("{day}", days)
                            .replace("{date}", dates),
                            re.I,
                        )
                        for p in spec.get("patterns") or []
                    ],
                )
            )
        rank = {k: i for i, k in enumerate(ORDER)}
        self.kinds.sort(key=lambda k: rank.get(k.name, len(ORDER)))
        self._relation = (
            re.compile(rf"\bmy (?:\w+ )?({relations})\b", re.I) if relations else None
        )

    def blank(self, text: str) -> str:
        """``text`` without the words of what happens in the customer's life
        (``of_life``: "lost my job", "can't afford it"), for reading what went wrong
        with the order in the rest."""
        for kind in self.kinds:
            if kind.of_life:
                for pattern in kind.patterns:
                    text = pattern.sub(" ", text)
        return text

    def detect(self, text: str) -> list[Circumstance]:
        """Every situation described in ``text`` (lower-cased), most serious first."""
        # the dots of an address are no sentence end ("an e-mail from
        # help@shop-mail.com asking me to confirm my password")
        text = _ADDRESS.sub("an address", text)
        found: list[Circumstance] = []
        for kind in self.kinds:
            match = self._first(kind, text)
            if match is not None:
                finding = _finding(kind, match)
                if not finding.what:
                    # what it is about, said elsewhere in the message ("will it come
                    # by Friday? it's for my dad's birthday")
                    finding = replace(finding, what=self._what(kind, text))
                relation = (
                    self._relation.search(text)
                    if not finding.who and kind.name in _WHO_KINDS and self._relation
                    else None
                )
                if relation:
                    finding = replace(finding, who=f"your {relation.group(1)}")
                elif (
                    not finding.who
                    and kind.name == "injury"
                    and _writer_hurt(text, match)
                ):
                    # "my face swelled up", "I came out in a rash": the writer
                    finding = replace(finding, who="you")
                if _calm(kind, text):
                    finding = replace(finding, kind=kind.calm_kind, serious=False)
                found.append(finding)
        return found

    def step_after(self, text: str, before: str) -> Circumstance | None:
        """A step told in ``text`` (``calm.unless``, not negated: "I already clicked
        and entered my card details") right after the customer's message ``before``
        only asked whether a message was ours (its ``calm`` kind): the serious kind
        after all, about the card, the password or the link; None otherwise. Both
        lower-cased."""
        for kind in self.kinds:
            if kind.calm_unless is None:
                continue
            step = next(
                (
                    found
                    for found in kind.calm_unless.finditer(text)
                    if not negated_before(text, found.start(), _STEP_NEGATORS)
                ),
                None,
            )
            # (the message before is read only when this one tells a step)
            if step is None or kind.calm_kind not in {
                c.kind for c in self.detect(before)
            }:
                continue
            given = _GIVEN.search(text)
            what = given.group(0) if given else "link"
            return Circumstance(
                kind.name, kind.serious, "", what, "", quote(step.group(0))
            )
        return None

    @staticmethod
    def _what(kind: _Kind, text: str) -> str:
        """What the first match of ``kind`` that names it is about, or ""."""
        for pattern in kind.patterns:
            for match in pattern.finditer(text):
                if kind.negatable and negated_before(text, match.start(), _NEGATORS):
                    continue
                if what := _finding(kind, match).what:
                    return what
        return ""

    @staticmethod
    def _first(kind: _Kind, text: str) -> re.Match[str] | None:
        for pattern in kind.patterns:
            for match in pattern.finditer(text):
                if kind.negatable and negated_before(text, match.start(), _NEGATORS):
                    continue
                return match
        return None


def _optional(pattern: Any) -> re.Pattern[str] | None:
    """An optional pattern of the data file, compiled (case-insensitive)."""
    return re.compile(str(pattern), re.I) if pattern else None


def _calm(kind: _Kind, text: str) -> bool:
    """Whether ``text`` only asks about what ``kind`` found (its ``calm`` words,
    about what ``calm.about`` names) and tells of no step taken (``calm.unless``,
    unless negated: "I haven't clicked it")."""
    if not kind.calm_kind or kind.calm_when is None:
        return False
    if not kind.calm_when.search(text):
        return False
    if kind.calm_about is not None and not kind.calm_about.search(text):
        return False
    steps = kind.calm_unless.finditer(text) if kind.calm_unless else iter(())
    return all(negated_before(text, step.start(), _STEP_NEGATORS) for step in steps)


def _group(match: re.Match[str], *names: str) -> str:
    groups = match.groupdict()
    for name in names:
        value = groups.get(name)
        if value:
            return " ".join(value.split())
    return ""


# What people shorten, named in full in a reply ("the bday" is the birthday), and
# names written as they should be ("alzheimers" is Alzheimer's)
_SHORT_WORDS = {
    "bday": "birthday",
    "b-day": "birthday",
    "alzheimer's": "Alzheimer's",
    "alzheimers": "Alzheimer's",
    "parkinson's": "Parkinson's",
}


def _finding(kind: _Kind, match: re.Match[str]) -> Circumstance:
    relation = _group(match, "who")
    pronoun = _group(match, "who2")
    who = f"your {relation}" if relation else _PRONOUNS.get(pronoun, "")
    # "the birthday is the 20th", "falls on Friday": on that day
    when = re.sub(r"^(?:is on|is|falls on) ", "on ", _group(match, "when"))
    for short, day in _SHORT_DAYS.items():  # "on fri": "on Friday"
        when = re.sub(rf"\b{short}\b", day, when)
    for day in _DAYS:
        when = re.sub(rf"\b{day}\b", day.capitalize(), when)
    when = re.sub(  # "on 19 december": "on 19 December"
        rf"\b(?:{'|'.join(MONTHS)})[a-z]*\b", lambda m: m.group(0).capitalize(), when
    )
    return Circumstance(
        kind=kind.name,
        serious=kind.serious,
        who=who,
        # a trip told with a verb ("flying out on Friday") is "the trip"
        what=_SHORT_WORDS.get(what := _group(match, "what", "what2", "what3"), what)
        or ("trip" if _group(match, "trip") else ""),
        when=when,
        quote=quote(match.group(0)),
    )
