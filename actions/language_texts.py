"""One language's texts (``LanguageTexts``, from ``data/replies/languages.yml``) and
how a message is read and answered with them: the topics it asks about, what went
wrong, what makes it matter more, an order's state written the language's way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.delivery import named_country, named_destination
from actions.language_care import PeopleWords
from actions.language_deadline import Deadline
from actions.language_topics import GIVES_WAY, QUESTIONS
from actions.payments import named_in, without_methods
from bot.handoff.config import written_in
from bot.texts import say, translations, waiting_words

ORDER_STATES = ("ask", "not_found", "processing", "shipped", "delivered", "cancelled")
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LanguageTexts:
    """What the bot says in one language when it hands the chat to a person."""

    code: str
    name: str  # in English, for the agent: "German"
    handoff: str
    queue: dict[str, str]  # the keys of ``queue`` in empathy.yml
    thanks: str = ""  # opens the handoff message when no words of care do
    sure: str = ""  # ...or, when they asked for a person, that of course they get one
    opens: str = ""  # how the reopening time is written: {day} {month} {time} {zone}
    # what has happened (bereavement, injury, fraud, distress): words, then first words
    serious: dict[str, re.Pattern[str]] = field(default_factory=dict)
    care: dict[str, str] = field(default_factory=dict)
    # a body part and a symptom in one sentence (an injury), and who it happened to
    # (actions/language_care.py)
    people: PeopleWords = field(default_factory=PeopleWords)
    # "nobody was hurt" (``unhurt``): an injury word beside it is no injury
    unhurt: re.Pattern[str] | None = None
    # a smell of something burnt (``burnt_smell``): no burn on a person
    burnt_smell: re.Pattern[str] | None = None
    # a fee or payment asked for (``fee``): such a fraud is met with care.fraud_fee
    fee: re.Pattern[str] | None = None
    # what went wrong (a double charge, damage, the wrong item, something missing,
    # late), in the customer's words, and the words that name it, in this order
    problems: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    # ...those of them a person puts right (all but ANSWERED_PROBLEMS)
    to_put_right: list[re.Pattern[str]] = field(default_factory=list)
    # the words that say it has not come yet (``problems.late``): a late order is
    # answered with where it is, not taken for a problem for a person
    late: re.Pattern[str] | None = None
    # simple questions answered in the language: what the customer asks about, in
    # their words (``topics``), and the answers (``answers``: a topic, or
    # ``order.<status>`` for an order's state); a feeling they name and the words for
    # it (``feelings``); how a date is written (``date``: {day} {month})
    topics: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # ...and those asked by words of each of two lists in one sentence, in any
    # order (``topics_together``: the money and when, for the refund)
    together: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    feelings: dict[str, tuple[re.Pattern[str], str]] = field(default_factory=dict)
    # what makes it matter more ("es war ein Geschenk", "para una boda"): the words,
    # and a sentence that names it, said beside what went wrong or a feeling
    stakes: dict[str, tuple[re.Pattern[str], str]] = field(default_factory=dict)
    date: str = "{day}/{month}"
    # the day they need the order by, and whether its expected day is in time
    deadline: Deadline | None = None
    # words that ask something (``asks``; a question mark always does): thanks with
    # a question beside it is not only thanks; and the words that say a person from
    # our team can help (``team``): a reply that says so gets no ``offer_person``
    asks: re.Pattern[str] | None = None
    team: re.Pattern[str] | None = None
    # the customer's money named (``money``: a refund, an amount): words that say it
    # has not come yet are then about the money (``care.refund_late``), not the
    # parcel; and a negation (``negation``): praise beside one is no praise
    money: re.Pattern[str] | None = None
    negation: re.Pattern[str] | None = None
    # the customer's own mistake ("Ich habe die falsche Größe bestellt"): taken out
    # before what went wrong is looked for
    own_mistake: re.Pattern[str] | None = None
    # a clause of what may happen ("als hij kapotgaat"): no problem said in it
    hypothetical: re.Pattern[str] | None = None
    # words that ask where the order is or what became of it (``state``)
    state: re.Pattern[str] | None = None
    # words of a payment card or bank details (fraud beside them: care.fraud_card)
    card: re.Pattern[str] | None = None
    # a question whether a message is ours, and the steps that make it more
    its_ours: re.Pattern[str] | None = None
    steps: re.Pattern[str] | None = None
    # words that make a question ask us to do it (``requests``: "können Sie ...?")
    requests: re.Pattern[str] | None = None


def compiled(words: Any) -> re.Pattern[str] | None:
    """An optional regular expression of the data file, compiled."""
    return re.compile(str(words)) if words else None


def problem_said(texts: LanguageTexts, lower: str) -> str:
    """The words for what went wrong, when the customer's lower-cased message says
    it (the language's ``problems``, the first that matches); "" otherwise. That it
    has not come yet, said of their money ("todavía no me habéis devuelto el
    dinero"), is a refund still awaited, not a parcel; the customer's own mistake
    ("I ordered the wrong size") is nothing of ours that went wrong."""
    lower = without_hypothetical(texts, without_own_mistake(texts, lower))
    for words, care in texts.problems:
        if not words.search(lower):
            continue
        late = texts.late is not None and words.pattern == texts.late.pattern
        if late and refund_awaited(texts, lower):
            return texts.care.get("refund_late", care)
        return care
    return ""


# feelings whose words are only an apology ("Lamento mucho las molestias."): beside
# what went wrong, its own apology says it
SORRY_ONLY = frozenset({"annoyed"})
# feelings whose words name it, then apologise after a comma ("Das ist enttäuschend,
# und es tut mir leid."): beside what went wrong, only the part that names it
NAMED_BEFORE_SORRY = frozenset({"disappointed", "outraged"})


def felt_and_problem(texts: LanguageTexts, lower: str) -> str:
    """The words for the first feeling the lower-cased message names, then for
    what went wrong when it says it ("Entiendo su preocupación. Siento mucho que se
    le haya cobrado dos veces.": the feeling and what it is about); either alone
    when only one is said; "" when neither is."""
    problem = problem_said(texts, lower)
    felt = [
        _named_only(said) if problem and name in NAMED_BEFORE_SORRY else said
        for name, (words, said) in texts.feelings.items()
        if words.search(lower) and not (problem and name in SORRY_ONLY)
    ]
    return " ".join([*felt[:1], problem]).strip()


def _named_only(said: str) -> str:
    """ "Das ist enttäuschend, und es tut mir leid." -> "Das ist enttäuschend."."""
    named, comma, _ = said.partition(",")
    return f"{named.rstrip()}." if comma else said


def without_own_mistake(texts: LanguageTexts, lower: str) -> str:
    """``lower`` without the words of the customer's own mistake (``own_mistake``)."""
    return texts.own_mistake.sub(" ", lower) if texts.own_mistake else lower


def without_hypothetical(texts: LanguageTexts, lower: str) -> str:
    """``lower`` without a clause of what may happen (``hypothetical``: "als hij
    kapotgaat", "si se rompe"): nothing in it has gone wrong yet."""
    return texts.hypothetical.sub(" ", lower) if texts.hypothetical else lower


def refund_awaited(texts: LanguageTexts, lower: str) -> bool:
    """Whether the lower-cased message says their money has not come back yet."""
    return (
        texts.late is not None
        and texts.money is not None
        and texts.money.search(lower) is not None
        and texts.late.search(lower) is not None
    )


def stakes_said(texts: LanguageTexts, lower: str) -> str:
    """The sentence for what makes it matter more when the customer's lower-cased
    message says it (the language's ``stakes``, the first that matches); ""."""
    return next(
        (say for words, say in texts.stakes.values() if words.search(lower)), ""
    )


def together_of(entry: dict[str, Any]) -> dict[str, tuple[re.Pattern[str], ...]]:
    """A language's ``topics_together``: a topic asked by a sentence with words of
    each of its lists, in any order ("Le remboursement arrive sous combien de
    jours ?": the money, and when)."""
    return {
        str(topic): tuple(re.compile(str(words)) for words in lists)
        for topic, lists in (entry.get("topics_together") or {}).items()
    }


# At most this many words in a question that goes with the sentence before it
SHORT_AFTER = 3


def _asked_together(texts: LanguageTexts, topic: str, rest: str) -> str | None:
    """``rest`` without the words of ``topic``'s lists when one of its sentences
    has words of each (``together``); None when none has. Only those words go:
    what else the sentence says (charged twice) is still read."""
    lists = texts.together.get(topic, ())
    sentences = re.findall(r"[^.?!]+[.?!]*", rest)
    # a few words asked right after go with the sentence before ("Vou receber o
    # reembolso? Quando?")
    sentences += [
        f"{before} {after}"
        for before, after in zip(sentences, sentences[1:], strict=False)
        if len(after.split()) <= SHORT_AFTER
    ]
    if not lists or not any(all(w.search(s) for w in lists) for s in sentences):
        return None
    for words in lists:
        rest = words.sub(" ", rest)
    return rest


# An e-mail address, in the languages we answer ("l'indirizzo email", "adresse
# e-mail", "E-Mail-Adresse"): no delivery address, whatever "indirizzo" says alone
_EMAIL_ADDRESS = re.compile(
    r"\b(?:(?:indirizzo|adresse|address|direcci[oó]n|endere[cç]o|adres)\s+"
    r"(?:de\s+|di\s+|do\s+|d['’]\s*)?(?:e-?mail|mail|correo(?:\s+electr[oó]nico)?|"
    r"courriel|posta\s+elettronica)|"
    r"e-?(?:mail|post)[- ]?(?:adresse|address|adress?)\w*)\b"
)


def topics_asked(texts: LanguageTexts, lower: str) -> tuple[list[str], str]:
    """The topics ``lower`` (a lower-cased message) asks about, whole questions
    (QUESTIONS) first and then taken out; and what is left of it."""
    lower = _EMAIL_ADDRESS.sub(" e-mail ", lower)
    # a way to pay named is a payment question, whatever its words mean alone
    # ("contra reembolso", cash on delivery, is no refund)
    rest, named = without_methods(without_own_mistake(texts, lower))
    asked = ["payment"] if named and "payment" in texts.topics else []
    for topic in QUESTIONS:
        words = texts.topics.get(topic)
        if words is not None and words.search(rest):
            asked.append(topic)
            rest = words.sub(" ", rest)
        elif (left := _asked_together(texts, topic, rest)) is not None:
            asked.append(topic)
            rest = left
    others = {t: w for t, w in texts.topics.items() if t not in QUESTIONS}
    # "payment" once: a way to pay named and the words for paying ("Kan ik met
    # Bancontact betalen?") ask one question, answered once
    real = without_hypothetical(texts, rest)  # what has happened, not what may
    asked += [
        t
        for t, w in others.items()
        if w.search(real if t == "problem" else rest) and t not in asked
    ]
    if "cancelled" in asked:
        # "czy zamówienie 13579 zostało anulowane?": its state answers it
        asked = [t for t in asked if t != "cancelled"]
        asked += [] if "order" in asked else ["order"]
    if "problem" not in asked and any(w.search(real) for w in texts.to_put_right):
        asked.append("problem")  # "statt der blauen eine rote": a person puts it right
    if "problem" in asked and "problem" in texts.topics:
        # only that it has not come yet ("nadal nie dotarło"), which its state
        # answers, or only the money asked about ("posso avere un rimborso?"); what
        # a person puts right is read whole ("nadal nie działa", still broken)
        left = texts.late.sub(" ", rest) if texts.late is not None else rest
        if texts.money is not None and "?" in rest:
            left = texts.money.sub(" ", left)
        if not texts.topics["problem"].search(left) and not any(
            w.search(real) for w in texts.to_put_right
        ):
            asked = [t for t in asked if t != "problem"]
    if "payment" in asked and not named and (paying := texts.topics.get("payment")):
        # paying told, not asked ("lo necesito para pagar el comedor"): no question
        # about the ways to pay
        clauses = re.split(r"(?<=[.!;?])", rest)
        marked = [c for c in clauses if "?" in c]  # the questions, when marked
        asking = marked or [c for c in clauses if asks_something(texts, c)]
        if not any(paying.search(c) for c in asking):
            asked = [t for t in asked if t != "payment"]
    if "returns" in asked and "payment" in asked and not named:
        # "Muss ich das Porto für die Rücksendung bezahlen?": what a return costs
        # (the returns answer says), not the ways to pay
        asked = [t for t in asked if t != "payment"]
    asks_us = texts.requests is not None and texts.requests.search(rest)
    if "cancel" in asked and "?" in rest and not asks_us:
        # "Könnte ich sie stornieren, wenn ...?": whether and how, not a
        # cancellation ("Ich möchte stornieren.", "Können Sie sie stornieren?")
        asked = [t if t != "cancel" else "cancel_question" for t in asked]
    for topic, stronger in GIVES_WAY.items():
        if topic in asked and set(stronger) & set(asked):
            asked = [t for t in asked if t != topic]
    return asked, rest


def only_praises(
    texts: LanguageTexts, asked: list[str], rest: str, lower: str, number: str | None
) -> bool:
    """Whether the message only praises: words of praise, or thanks beside an
    order number, and nothing asked, nothing wrong, nothing else wanted."""
    said = set(asked) - {"order"}
    return (
        "praise" in texts.answers
        and bool(said)
        and said <= {"praise", "thanks"}
        and ("praise" in said or number is not None)
        and not asks_something(texts, rest)
        and not problem_said(texts, lower)
        # "Tracking is al vijf dagen niet bijgewerkt. Geweldig hoor.": sarcasm
        and not (texts.negation is not None and texts.negation.search(lower))
    )


def asks_something(texts: LanguageTexts, text: str) -> bool:
    """Whether ``text`` (lower-cased, thanks taken out) asks something: a question
    mark, or the language's words for a question or a request."""
    words = texts.topics.get("thanks")
    rest = words.sub(" ", text) if words is not None else text
    if "?" in rest or "¿" in rest:
        return True
    return texts.asks is not None and texts.asks.search(rest) is not None


def offers_person(texts: LanguageTexts, said: str) -> bool:
    """Whether ``said`` already tells the customer a person from our team can help."""
    if texts.answers["offer_person"] in said:
        return True
    return texts.team is not None and texts.team.search(said.lower()) is not None


def order_text(
    texts: LanguageTexts,
    number: str | None,
    found: dict[str, Any] | None,
    again: bool = False,
    said: str = "",
    beside: bool = False,
) -> str:
    """An order's state in the language: ask for the number, not found, or the
    answer for its status with the date written the language's way (that it is
    late when the day it was due has passed), and whether it comes in time for the
    day the customer ``said`` they need it by; only where it is when it is said
    ``beside`` the answer to another question (``order.<status>_beside``)."""
    if number is None:
        return texts.answers["order.ask"]
    if found is None:
        return texts.answers["order.not_found"].format(order_id=number)
    status = str(found.get("status"))
    key = f"order.{status}" if status in ORDER_STATES else "order.not_found"
    if found.get("late") and f"{key}_late" in texts.answers:
        key = f"{key}_late"  # the day it was due has passed: not that day again
    elif again and f"{key}_again" in texts.answers:
        key = f"{key}_again"
    elif beside and f"{key}_beside" in texts.answers:
        key = f"{key}_beside"
    answer = texts.answers[key].format(**written_values(texts, found))
    if texts.deadline is None or not said:
        return answer
    in_time = texts.deadline.said(said.lower(), found, texts.date)
    return f"{answer} {in_time}".strip()


def written_values(texts: LanguageTexts, found: dict[str, Any]) -> dict[str, Any]:
    """An order's template values (``found``) with its day written the language's
    way (``date``)."""
    eta = day_month(str(found.get("eta") or ""))
    return {**found, "eta": texts.date.format(**eta) if eta else ""}


def day_month(english: str) -> dict[str, str] | None:
    """Day and month of a store date written in English ("Friday 27 November"),
    for a language to write its own way; None when it is not such a date."""
    match = re.search(r"(\d{1,2}) ([A-Z][a-z]+)", english)
    if not match:
        return None
    try:
        month = dt.datetime.strptime(match.group(2), "%B").month
    except ValueError:
        return None
    return {"day": f"{int(match.group(1)):02d}", "month": f"{month:02d}"}


def opens_at(template: str, values: dict[str, Any]) -> str:
    """The reopening time in ``template`` ("am {day}.{month}. um {time} Uhr")."""
    return written_in(template, float(values["at"]), str(values.get("zone") or "UTC"))


def named_topics(texts: LanguageTexts, asked: list[str], text: str) -> list[str]:
    """``asked`` with the delivery question a country named in a question makes
    ("¿Y a México?") and the payment question a way to pay named makes ("Kan ik
    met iDEAL?"), when the message asks something and is not about an order or
    customs; a question about customs asks nothing about how to pay ("who pays
    the duties?")."""
    if "customs" in asked and not named_in(text, texts.code):
        # "who pays the duties?", "do I have to pay customs?": no question of how
        asked = [t for t in asked if t != "payment"]
    if "order" in asked or not asks_something(texts, text.lower()):
        return asked
    more = []
    if not {"delivery", "customs"} & set(asked) and named_country(text):
        more.append("delivery")
    if "payment" not in asked and named_in(text, texts.code):
        more.append("payment")
    return [*asked, *more]


def topic_answer(
    texts: LanguageTexts, topic: str, text: str, asked: Sequence[str]
) -> str:
    """The language's answer to ``topic``; for a country we deliver to abroad or
    not at all, or a way to pay named, the plain yes or no first
    (``delivery.abroad``, ``delivery.no``, ``payment.yes``, ``payment.no``), unless
    the message is about an order (``asked``: "I paid with PayPal, where is it?")."""
    answers = texts.answers
    if "order" in asked:
        return answers[topic]
    if topic == "delivery" and (place := named_destination(text, texts.code)):
        key = f"delivery.{place.reach}"
        if key in answers:  # no "delivery.home": the general answer
            return answers[key]
    if topic == "payment" and (named := named_in(text, texts.code)):
        verdict, method = named
        key = f"payment.{verdict}"
        if key in answers:
            said = answers[key].format(method=method)
            # a way we do not take: the ways we do, after it
            return said if verdict == "yes" else f"{said} {answers['payment']}"
    return answers[topic]


# An e-mail address named ("adresse e-mail", "E-Mail-Adresse", "dirección de
# correo", "e-mailadres", "e-postadress"): what general() answers as the delivery
# address is not it
EMAIL_ADDRESS = re.compile(
    r"e-?mail|correo|courriel|posta elettronica|\bmail\b|e-?post|mejl|mailadress"
)


# Feelings that hand a late order to a person at once (a fright), not its state and a
# person offered; a worry is heard and answered with where it is, as in English
LATE_FOR_PERSON = ("shaken",)


def late_for_person(texts: LanguageTexts, text: str) -> bool:
    """Whether a message about a late order should go to a person at once: it
    names a fright (``LATE_FOR_PERSON``); else the order's state is
    given, with a person from our team offered to chase it (its ``_late``
    answer), as in English (track_order.<status>_late)."""
    lower = text.lower()
    return any(
        words.search(lower)
        for kind, (words, _) in texts.feelings.items()
        if kind in LATE_FOR_PERSON
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def doctor_first(code: str, care: str, lower: str) -> str:
    """The words for someone hurt (``care``, in language ``code``), with a doctor
    first when the lower-cased message says nothing of one (the language's ``seen``
    words): its sorrow, then the waiting replies' safety advice, which says not to
    use the product too (so a waiting reply does not say it again)."""
    words = waiting_words(code)
    if words is None or words.seen.search(lower):
        return care
    if "waiting_advice_safety" not in (translations().get(code) or {}):
        return care
    sorry = _SENTENCE_END.split(care, maxsplit=1)[0]
    return f"{sorry} {say('waiting_advice_safety', code)}"


# A question of at most this many words that names no topic goes on with the topic
# before it ("Und wann kommt sie an?" after the order's state).
FOLLOW_UP_WORDS = 10
# ...when it opens with a word that goes on ("und", "y", "et", "e", "en", "i", "och",
# "aber", "mais", ...), else at most this many words ("¿Cuándo llega?", "Hoeveel
# dagen heb ik daarvoor?")
SHORT_FOLLOW_UP = 6
# ...or that points back at what was said ("Hoe lang heb ik daarvoor de tijd?",
# "¿Y para eso cuánto tengo?")
_POINTS_BACK = re.compile(
    r"\b(?:dafür|dazu|davon|daarvoor|daarvan|daarmee|ervoor|para eso|pour (?:ça|cela)|"
    r"per (?:questo|quello)|para isso|na to|för (?:det|detta))\b"
)
_GOES_ON = re.compile(
    r"^\W*(?:und|aber|also|dann|y|pero|entonces|et|mais|alors|e|ma|allora|en|maar|"
    r"dan|mas|então|i|a|ale|oraz|och|men|så)\b"
)


# A word that takes note before a follow-up ("Vale,", "Ok,", "Alles klar,", "D'accord,",
# "Okej,")
NOTED = re.compile(
    r"^\W*(?:ok(?:ay|é|e|ey)?|vale|gut|alles klar|verstehe|d'accord|bon|bien|"
    r"bene|va bene|capito|oké|okee|goed|prima|tá|certo|dobrze|jasne|rozumiem|"
    r"okej|jaha|toppen|uppfattat|jag förstår)"
    r"(?=[\s,.!;:¿?])[\s,.!;:]*"
)


def short_enough_to_go_on(lower: str) -> bool:
    """Whether a question (lower-cased, the word that takes note taken off) is short
    enough, or opens or points back so, that it goes on with the topic before."""
    words = len(WORD.findall(lower))
    goes_on = bool(_GOES_ON.match(lower) or _POINTS_BACK.search(lower))
    return (words <= SHORT_FOLLOW_UP or goes_on) and words <= FOLLOW_UP_WORDS
