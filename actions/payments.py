"""How customers can pay (data/store/payments.yml): a way to pay named in a question
("Kan ik met iDEAL betalen?", "apple pay?", "si può pagare in contrassegno?") gets a
plain yes or no before the details (English: actions/answers.py; another language:
actions/language.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from actions.paths import DATA

PAYMENTS_FILE = DATA / "store" / "payments.yml"


@dataclass(frozen=True)
class Method:
    """A way to pay: whether we take it, and how it is written per language."""

    accepted: bool
    names: dict[str, str]  # language -> how we write it ("en" always)

    def written(self, language: str = "en") -> str:
        """The way to pay as written in ``language`` (English when it has none)."""
        return self.names.get(language or "en") or self.names["en"]


def _method(raw: dict[str, Any], accepted: bool) -> tuple[Method, list[str]]:
    written = raw["as"]
    names = (
        {str(k): str(v) for k, v in written.items()}
        if isinstance(written, dict)
        else {"en": str(written)}
    )
    if "en" not in names:
        raise ValueError(f"{PAYMENTS_FILE}: {written!r} has no English name")
    return Method(accepted, names), [str(n).lower() for n in raw.get("names") or ()]


@lru_cache(maxsize=1)
def _methods() -> tuple[re.Pattern[str], dict[str, Method]]:
    """One pattern for every name of every way to pay (longest first), and the
    name -> its way to pay."""
    with PAYMENTS_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    by_name: dict[str, Method] = {}
    for key, accepted in (("accepted", True), ("not_accepted", False)):
        for item in raw.get(key) or ():
            method, names = _method(item, accepted)
            for name in names:
                by_name.setdefault(name, method)
    names = sorted(by_name, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"
    )
    return pattern, by_name


def named_methods(text: str) -> list[Method]:
    """The ways to pay ``text`` names, in the order named, each once."""
    pattern, by_name = _methods()
    found: list[Method] = []
    for match in pattern.finditer((text or "").lower()):
        method = by_name[match.group(1)]
        if method not in found:
            found.append(method)
    return found


def without_methods(lower: str) -> tuple[str, bool]:
    """``lower`` (a lower-cased message) without the names of ways to pay in it, and
    whether it had any: "contra reembolso" (cash on delivery) is no refund."""
    pattern, _ = _methods()
    rest, found = pattern.subn(" ", lower)
    return rest, found > 0


def named_in(text: str, language: str = "en") -> tuple[str, str] | None:
    """What to say first about the ways to pay ``text`` names: ("no", the ones we do
    not take) when it names any of those, else ("yes", the ones we take), written in
    ``language`` and joined with its "or"; None when it names none."""
    methods = answered_methods(text)
    if not methods:
        return None
    verdict = "yes" if methods[0].accepted else "no"
    return verdict, joined([m.written(language) for m in methods], language)


def answered_methods(text: str) -> list[Method]:
    """The ways to pay the yes or no to ``text`` is about: those we do not take
    when it names any, else those it names."""
    found = named_methods(text)
    return [m for m in found if not m.accepted] or found


_OR = {
    "de": "oder",
    "es": "o",
    "fr": "ou",
    "it": "o",
    "nl": "of",
    "pt": "ou",
    "pl": "lub",
    "sv": "eller",
}


def joined(names: list[str], language: str = "") -> str:
    """``names`` as one choice in ``language`` ("a, b or c")."""
    if len(names) == 1:
        return names[0]
    word = _OR.get(language, "or")
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def method_named(text: str) -> str:
    """The ways to pay ``text`` names, as written in English for the reply's
    ``payment_method`` ("" when it names none)."""
    named = named_in(text)
    return named[1] if named else ""
