"""A waiting customer who is impatient with the wait or with us, on a real Redis:
the impatience is named by its kind (wants a person now, asked again and nobody
helped, had enough), never thanked, and they hear where they stand in a line not
said before; advice that names the person already is not followed by a second
sentence that a person will reply; a wish that it happens to no one else is heard."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.conversations import Conversations
from bot.handoff import HandoffQueue, UrgencyFlag
from bot.handoff.config import load_config
from bot.texts import say, waiting_words
from bot.waiting_english import ENGLISH
from bot.waiting_reading import impatience
from tests.bot.handoff.conftest import Clock, own_conversations
from tests.bot.handoff.test_waiting_replies import standing, waiting
from tests.hours import closed_for_days

# Our own sentences, by language and kind of impatience
IMPATIENT = {
    "": {
        "impatient": "i need somebody from your company right away",
        "repeated": "I have already explained all of this twice",
        "fed_up": "honestly I'm sick and tired of this",
    },
    "de": {
        "impatient": "Ich möchte mit einer echten Person reden, nicht mit einem Bot.",
        "repeated": "Ich schreibe zum dritten Mal und niemand hilft.",
        "fed_up": "Langsam habe ich die Nase voll.",
    },
    "es": {
        "impatient": "Necesito que alguien me atienda ahora mismo.",
        "repeated": "Es la cuarta vez que escribo y nadie me responde.",
        "fed_up": "Estoy hasta las narices, de verdad.",
    },
    "fr": {
        "impatient": "Je ne veux pas parler à un robot.",
        "repeated": "Je l'ai déjà expliqué et personne ne me répond.",
        "fed_up": "J'en ai vraiment marre d'attendre.",
    },
    "it": {
        "impatient": "Mi serve un operatore immediatamente.",
        "repeated": "È la terza volta che lo scrivo.",
        "fed_up": "Non ne posso più di aspettare.",
    },
    "nl": {
        "impatient": "Ik wil een echte medewerker, geen chatbot.",
        "repeated": "Ik heb dit al eerder gemeld en niemand reageert.",
        "fed_up": "Ik ben het wachten echt zat.",
    },
    "pt": {
        "impatient": "Quero falar com uma pessoa de verdade.",
        "repeated": "Já expliquei isto duas vezes e ninguém resolve nada.",
        "fed_up": "Já chega, estou farta de esperar.",
    },
    "pl": {
        "impatient": "Chcę rozmawiać z prawdziwym człowiekiem.",
        "repeated": "Już pisałam o tym wcześniej i nikt nie odpowiada.",
        "fed_up": "Mam już dość tego czekania.",
    },
}


@pytest.mark.parametrize("language", list(IMPATIENT))
def test_each_kind_of_impatience_is_read_in_every_language(language: str) -> None:
    words = waiting_words(language) if language else ENGLISH
    assert words is not None
    for kind, text in IMPATIENT[language].items():
        assert impatience(text, words) == kind, (language, text)
    # a plain question, thanks, or "what do I do now" is no impatience
    for calm in ("Danke", "Gracias", "Merci", "Grazie", "Dank u", "Obrigada"):
        assert impatience(calm, words) == ""
    assert impatience("someone has my card now, what do I do?", ENGLISH) == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # something done, not a person instead of the bot: its own words
        ("I need one of you to actually deal with this", "wants_action"),
        ("ok. will anyone actually look at it?", "wants_action"),
        ("I just want someone to actually care about this.", "wants_action"),
        ("please can I just speak to a real human", "impatient"),
        ("can someone just confirm the refund amount?", ""),
        # resigned or scornful: had enough, not "Thanks, I've added that"
        ("this chat is getting me nowhere", "fed_up"),
        ("ok whatever.", "fed_up"),
        ("what a waste of my time", "fed_up"),
        ("is there anything useful I can read while I wait?", ""),
    ],
)
def test_wanting_someone_to_actually_act_is_impatience(text: str, kind: str) -> None:
    assert impatience(text, ENGLISH) == kind
    if kind == "wants_action":
        # no "you'd rather talk to a person than to me": they asked for action
        assert "rather talk to a person" not in say("waiting_ack_wants_action")


@pytest.mark.parametrize("language", list(IMPATIENT))
async def test_impatience_is_named_with_where_they_stand_never_thanked(
    conversations: Conversations, language: str
) -> None:
    for kind, text in IMPATIENT[language].items():
        cid = f"web-impatient-{language or 'en'}-{kind}"
        [reply] = await waiting(conversations, cid, [text], language)
        where = await standing(conversations, cid, language)
        assert reply == f"{say(f'waiting_ack_{kind}', language)} {where}", cid
        assert not reply.startswith(say("waiting_for_person", language)[:8])
        assert "!" not in reply


async def test_impatience_again_gets_other_words_and_no_line_said_before(
    conversations: Conversations,
) -> None:
    """Impatient twice and three times: other words for it each time, and where
    they stand said differently (or not again), never the same reply twice."""
    replies = await waiting(
        conversations,
        "web-impatient-again",
        [
            "I want a real human",
            "hello?? a real human please",
            "this is the second time I ask for one",
        ],
    )
    where = await standing(conversations, "web-impatient-again")
    position = where.split()[2]
    assert replies[0] == f"{say('waiting_ack_impatient')} {where}"
    assert replies[1].startswith(say("waiting_ack_waiting_again"))
    assert say("waiting_no_time_position", position=position) in replies[1]
    assert replies[2].startswith(say("waiting_ack_repeated"))
    assert len(set(replies)) == 3
    for earlier, later in zip(replies, replies[1:], strict=False):
        assert not set(earlier.split(". ")) & set(later.split(". "))


async def test_impatience_outside_hours_names_when_the_team_is_back(
    client: aioredis.Redis, prefix: str, clock: Clock, tmp_path: Path
) -> None:
    path = tmp_path / "handoff.yml"
    back = closed_for_days(path, clock.now)
    closed = HandoffQueue(client, prefix=prefix, config=load_config(path), clock=clock)
    async with own_conversations(closed) as conv:
        [english] = await waiting(conv, "web-closed-en", ["come on, seriously"])
        [german] = await waiting(
            conv, "web-closed-de", ["Warum hilft mir niemand?"], "de"
        )
    assert english == (
        f"{say('waiting_ack_fed_up')} {say('waiting_standing_back', back=back)}"
    )
    assert german.startswith(say("waiting_ack_repeated", "de"))
    # German writes the time its own way: "am 01.12. um 07:30 Uhr (Berlin)"
    assert "Die erste Person aus unserem Team ist am " in german
    assert "um 07:30 Uhr (Berlin) da" in german


async def test_advice_that_names_the_person_is_followed_by_where_they_stand(
    conversations: Conversations,
) -> None:
    """Money worries, health, a bereavement: the advice says the person who picks
    it up acts; no second sentence that a person will reply, in any language (a
    plain "ok" is thanked for its patience: tests/bot/handoff/
    test_waiting_plain_turns.py)."""
    for language in ("", "pl", "it"):
        cid = f"web-hardship-{language or 'en'}"
        [reply] = await waiting(
            conversations,
            cid,
            [
                {
                    "": "I'll be at home all day",
                    "pl": "Będę w domu cały dzień.",
                    "it": "Sarò a casa tutto il giorno.",
                }[language]
            ],
            language,
            frozenset({UrgencyFlag.HARDSHIP}),
        )
        where = await standing(conversations, cid, language)
        assert reply == f"{say('waiting_advice_hardship', language)} {where}"
        assert say("waiting_advice_then", language) not in reply


async def test_not_wanting_it_to_happen_to_anyone_else_is_heard(
    conversations: Conversations,
) -> None:
    for language, text in (
        ("", "Please make sure no other kids get burned by it"),
        ("it", "Che cosa faccio? Non deve capitare ad altre famiglie."),
        ("es", "No quiero que les pase a otros niños."),
        ("de", "Das darf anderen nicht passieren."),
    ):
        cid = f"web-others-{language or 'en'}"
        [reply] = await waiting(
            conversations, cid, [text], language, frozenset({UrgencyFlag.SAFETY})
        )
        assert say("waiting_ack_others", language) in reply, (language, reply)


def test_not_knowing_how_to_go_on_reads_as_confusion_in_german() -> None:
    words = waiting_words("de")
    assert words is not None
    for text in ("Ich weiß jetzt einfach nicht weiter.", "ich weiss nicht mehr weiter"):
        assert words.feelings["confusion"].search(text.lower()), text


def test_a_night_in_hospital_is_seen_and_asking_what_happens_is_what_now() -> None:
    """ "We ended up in A&E" says the one hurt was seen (no "see a doctor" again);
    "who do I report this to?" asks what happens now (what will be done about it)."""
    from bot.waiting_english import SEEN_TO, WHAT_NOW

    assert SEEN_TO.search("we ended up in a&e with him last night")
    assert SEEN_TO.search("spent the night at the hospital")
    assert not SEEN_TO.search("the hospital bag I ordered is late")
    assert WHAT_NOW.search("So what will you do about it?")
    assert WHAT_NOW.search("where can I report this?")
    assert WHAT_NOW.search("is anyone going to take this properly seriously?")
    assert not WHAT_NOW.search("the serious face mask I ordered")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a demand for someone now
        ("yes, now please", "impatient"),
        ("can you just answer me right now", "impatient"),
        # "right now" as a time, not a demand: a feeling, not impatience
        ("Thanks. It's honestly all too much for me right now.", ""),
        ("I can't look at the parcel right now.", ""),
    ],
)
def test_now_is_a_demand_only_when_it_asks_for_something(text: str, kind: str) -> None:
    assert impatience(text, ENGLISH) == kind


async def test_when_the_team_is_back_is_not_said_in_full_again(
    client: aioredis.Redis, prefix: str, clock: Clock, tmp_path: Path
) -> None:
    """Outside hours, asked again and again: the time in full once, then short
    lines that it still holds, never the same sentence twice; in German too."""
    path = tmp_path / "handoff.yml"
    back = closed_for_days(path, clock.now)
    closed = HandoffQueue(client, prefix=prefix, config=load_config(path), clock=clock)
    asked = ["how long will the wait be?", "so how long then?", "how long??"]
    async with own_conversations(closed) as conv:
        replies = await waiting(conv, "web-back-again", asked)
        german = await waiting(
            conv,
            "web-back-again-de",
            ["Wie lange muss ich warten?", "Und wie lange noch?"],
            "de",
        )
    # that they are still waiting heard first, once ("I'm sorry you're still waiting.")
    assert (
        replies[0] == f"{say('waiting_ack_waiting')} {say('waiting_back', back=back)}"
    )
    assert say("waiting_back_again", back=back) in replies[1], replies[1]
    assert say("waiting_back_still", back=back) in replies[2], replies[2]
    assert sum(say("waiting_back", back=back) in r for r in replies) == 1
    assert german[0].startswith(say("waiting_ack_waiting", "de"))
    assert "Unser Team ist am " in german[0]
    assert "Unser Team ist erst am " in german[1] and german[1] != german[0]
