"""The advice a waiting customer hears for what happened (``waiting_advice_<flag>``,
and ``waiting_asked_<flag>`` when they ask what to do), fitted to what they say they
did: after a fraud, someone who clicked nothing is told their details are safe, not
to block a card; someone who has blocked the card or changed the password is told
that was right and hears only the step still open."""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.handoff import UrgencyFlag
from bot.texts import fraud_steps, say, texts

# A clause of a message, with the mark that ends it: a question ("should I block
# the card?") says nothing of what was done, the clause before it may ("I changed
# my password, what now?")
_CLAUSE = re.compile(r"[^.?!;,\n]+[.?!;,]*")


def advice_for(
    flag: UrgencyFlag | None,
    language: str,
    wrote: list[str],
    reasons: Collection[str] = (),
) -> tuple[str | None, str]:
    """The advice for ``flag`` and the answer to "what should I do?" about it ("" if
    it has none), fitted to what ``wrote`` (the customer's messages) says they did,
    and for a safety flag to what the handoff's ``reasons`` say happened: something
    that overheated, sparked or smoked and hurt nobody is a fire risk
    (``waiting_<advice|asked>_hazard``), not a matter for a doctor."""
    if flag is None:
        return None, ""
    step = fraud_step(wrote, language) if flag is UrgencyFlag.FRAUD else None
    if step:
        fitted = say(step, language)
        return fitted, fitted
    name = flag.value
    if flag is UrgencyFlag.SAFETY and "hazard" in reasons and "injury" not in reasons:
        name = "hazard"
    asked = f"waiting_asked_{name}"
    return (
        say(f"waiting_advice_{name}", language),
        say(asked, language) if asked in texts() else "",
    )


def fraud_step(wrote: list[str], language: str) -> str | None:
    """The text for what is left to do after a fraud, by what the customer says
    they did, or have not got (``waiting_fraud_<safe|done|card|password|no_account>``:
    no account with us, no password to change); None when they say nothing of it."""
    steps = fraud_steps(language)
    done = {
        step
        for text in wrote
        for clause in _CLAUSE.findall(text.lower())
        if not clause.rstrip().endswith("?")
        for step, words in steps.items()
        if words.search(clause)
    }
    if "no_account" in done:
        # no account with us: no password to change, the card is what matters
        return (
            "waiting_fraud_done" if "card_done" in done else "waiting_fraud_no_account"
        )
    if {"card_done", "password_done"} <= done:
        return "waiting_fraud_done"
    if "card_done" in done:
        return "waiting_fraud_password"
    if "password_done" in done:
        return "waiting_fraud_card"
    return "waiting_fraud_safe" if "gave_nothing" in done else None
