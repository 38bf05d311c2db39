"""Contact details a waiting customer leaves: an e-mail address or a phone number.

A customer who waits for a person may write where to reach them instead ("mail me
at jo@example.net", "please call me, 555-201-7788"); ``contact_request`` reads it as
a follow-up request for the ticket. An address or number the message says is
someone else's ("my mum's email is ...") is not where to reach the customer.
"""

from __future__ import annotations

import re

from bot.handoff import ContactMethod, FollowUp
from bot.texts import WaitingWords

EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
PHONE = re.compile(r"\+?\d[\d ()/.-]{5,18}\d")
# A bare number is a phone number only with a dialling prefix or words that say so
# (an order or invoice number is not a request to be called).
CALL_WORDS = re.compile(
    r"\b(call|phone|telephone|ring|mobile|cell|landline|reach me|text me|whatsapp|"
    r"tel)\b",
    re.IGNORECASE,
)

# An e-mail address or number the message says is someone else's ("it was placed with
# ..., that was her address", "my mum's email is ..."): not where to reach the customer.
SOMEONE_ELSES = re.compile(
    r"\b(?:her|his|their|(?:my|our) (?:mum|mom|mother|dad|father|wife|husband|partner|"
    r"son|daughter|gran\w*|grand\w*|brother|sister|friend|flatmate|boss)(?:'s)?)\s+"
    r"(?:e-?mail|address|number|phone)\b|\b(?:was|is) (?:hers|his|theirs)\b|"
    r"\bnot (?:my|mine)\b|\bplaced (?:it )?(?:with|under|from)\b|"
    r"\bordered (?:it )?with\b",
    re.IGNORECASE,
)


def contact_request(text: str) -> FollowUp | None:
    """A follow-up request when a waiting customer left an e-mail or phone number
    (their own: one the message says is someone else's is not)."""
    if SOMEONE_ELSES.search(text):
        return None
    if found := EMAIL.search(text):
        return FollowUp(ContactMethod.EMAIL, found.group(0), note=text[:500])
    found = PHONE.search(text)
    if found is None or sum(c.isdigit() for c in found.group(0)) < 7:
        return None
    number = found.group(0).strip()
    if number[0] in "+0" or CALL_WORDS.search(text):
        return FollowUp(ContactMethod.CALLBACK, number, note=text[:500])
    return None


# a postcode is said in a few words ("10115", "it's SE-113 56")
PROOF_WORDS = 6


def offers_proof(text: str) -> bool:
    """Whether a waiting customer's message may prove the chat's order theirs: an
    e-mail address, or a few words with a digit (a postcode). The action server
    checks it against the order (actions/waiting_order.py)."""
    if EMAIL.search(text):
        return True
    return len(text.split()) <= PROOF_WORDS and any(c.isdigit() for c in text)


# The customer calling someone themselves ("should I call my bank?", "I'll ring the
# courier", "what's your phone number?"): a question or a plan of theirs, not a
# request to be called (English)
CALLS_SOMEONE = re.compile(
    r"\b(?:should|shall|do|must|can|could) i (?:\w+ )?(?:call|phone|ring|contact)\b|"
    r"\bi(?:'ll| will|'m going to| am going to) (?:\w+ )?(?:call|phone|ring)\b|"
    r"\b(?:call|phone|ring|contact) (?:my|the) (?:bank|police|courier|carrier|doctor|"
    r"gp|card company|insurer|post office)\b|"
    # ...or asks for our number ("is there a telephone number I can ring?")
    r"\b(?:is there|what(?:'s| is)|do you have|give me) (?:a |an |your )?(?:phone|"
    r"telephone|contact) (?:number|line)\b|\bnumber (?:i|we) (?:can|could) (?:call|"
    r"phone|ring)\b",
    re.I,
)
# ...in another language, the bank, the police or a doctor named beside the words for
# a call ("Dois-je aussi appeler ma banque ?", "Soll ich meine Bank anrufen?")
CALLS_SOMEONE_ELSE = re.compile(
    r"\b(?:bank\w*|banque|banco|banca|polic\w*|polizei|politie|polis\w*|"
    r"m[ée]dico?|médecin|arzt|ärztin|huisarts|lekarz\w*|läkare\w*)\b",
    re.I,
)


def calls_someone(lower: str, language: str) -> bool:
    """Whether a call in a waiting message is theirs to make ("should I call my
    bank?"), not a request for us to ring them (``language``: "" English)."""
    return bool((CALLS_SOMEONE_ELSE if language else CALLS_SOMEONE).search(lower))


# "should I just type it here?", "can I give you my number?" right after being asked
# for the number to call: yes, here (English; other languages name the number)
GIVES_IT = re.compile(
    r"\b(?:should|shall|can|could|do|may) (?:i|we) (?:just )?(?:type|write|put|send|"
    r"give|leave|post|share|enter)(?: you)? (?:it|that|them|my number|the number|"
    r"my landline|my mobile)\b",
    re.IGNORECASE,
)


def asks_call(lower: str, words: WaitingWords, language: str, asks: bool) -> bool:
    """Whether a waiting customer's message (``lower``, lower-cased; ``asks``: it
    asks something) asks to be called ("can someone ring me please"), however upset
    they are, or to be contacted ("please contact me"), unless they ask when
    someone will ("when will someone get back to me?", "how soon will somebody call
    me?": the wait); "should I call my bank?" is theirs to make, not ours."""
    if words.wait.search(lower):
        return False  # "how soon will somebody call me back?": the wait
    if words.contact_me.search(lower):
        return True
    return (
        asks and bool(words.call.search(lower)) and not calls_someone(lower, language)
    )
