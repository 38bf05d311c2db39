"""Urgency flags of a waiting chat, and which escalation reasons raise them.

The one mapping from what the emotion analysis found (escalation reasons and signal
names: actions/emotion, data/emotion/policy.yml) to the queue's ``UrgencyFlag``s. The
action server flags a ticket with it when it hands a chat over (actions/handoff.py);
the gateway with it when a waiting customer writes again (bot/waiting_side.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum

log = logging.getLogger(__name__)


class UrgencyFlag(StrEnum):
    """Flags that raise a waiting chat's priority (weights in data/handoff.yml)."""

    DISTRESS = "distress"
    LEGAL_THREAT = "legal_threat"
    VIP = "vip"
    CHURN_THREAT = "churn_threat"
    # serious situations the customer described (data/emotion/situations.yml)
    SAFETY = "safety"
    PERSONAL_SAFETY = "personal_safety"
    BEREAVEMENT = "bereavement"
    FRAUD = "fraud"
    HEALTH = "health"
    HARDSHIP = "hardship"
    VULNERABLE = "vulnerable"


# The flags of something grave that happened to the customer (a death, an injury, a
# fraud, distress, ...): a waiting customer's thanks is met with care (bot/waiting.py)
SERIOUS_FLAGS = frozenset(
    {
        UrgencyFlag.DISTRESS,
        UrgencyFlag.SAFETY,
        UrgencyFlag.PERSONAL_SAFETY,
        UrgencyFlag.BEREAVEMENT,
        UrgencyFlag.FRAUD,
        UrgencyFlag.HEALTH,
        UrgencyFlag.HARDSHIP,
        UrgencyFlag.VULNERABLE,
    }
)


# Escalation reasons and signals (actions/emotion, data/emotion/policy.yml) that raise a
# waiting chat's priority, and the flag each one raises.
REASON_FLAGS: dict[str, UrgencyFlag] = {
    "distress": UrgencyFlag.DISTRESS,
    "at_risk": UrgencyFlag.DISTRESS,
    "legal_threat": UrgencyFlag.LEGAL_THREAT,
    "churn_threat": UrgencyFlag.CHURN_THREAT,
    "injury": UrgencyFlag.SAFETY,
    "hazard": UrgencyFlag.SAFETY,
    "personal_safety": UrgencyFlag.PERSONAL_SAFETY,
    "bereavement": UrgencyFlag.BEREAVEMENT,
    "fraud": UrgencyFlag.FRAUD,
    "health": UrgencyFlag.HEALTH,
    "hardship": UrgencyFlag.HARDSHIP,
    "vulnerable": UrgencyFlag.VULNERABLE,
}


def urgency_flags(reasons: Iterable[str]) -> frozenset[UrgencyFlag]:
    """The flags that escalation reasons or emotion signal names raise (the action
    server's handoff decision, the gateway's reading of a waiting customer)."""
    return frozenset(REASON_FLAGS[r] for r in reasons if r in REASON_FLAGS)


def stored_flags(values: Iterable[str]) -> frozenset[UrgencyFlag]:
    """The flags a stored ticket holds; one this version does not know (written by
    a newer process during a rolling upgrade) is skipped with a warning, so the
    ticket can still be read, claimed and answered."""
    known: set[UrgencyFlag] = set()
    for value in values:
        try:
            known.add(UrgencyFlag(value))
        except ValueError:
            log.warning("urgency flag %r unknown to this version: skipped", value)
    return frozenset(known)
