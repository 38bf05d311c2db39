"""Practice conversations: a trainee answers a simulated customer from a scenario.

The customer's mood is a level: 1 uneasy, 2 upset, 3 very upset (0 settled, 4 gone).
Each reply is scored with the empathy scorecard and the tone check that score real
agent replies (bot/console/empathy.py, bot/console/assist.py), against the
customer's last line, their feeling and the intensity of their level; the
scenario's cues (scenarios.py) add what this customer in particular needs. Then:

- **worse** (one level up) when the tone check finds shouting, blame, dismissive
  words or exclamation runs, or the reply has one of the scenario's worsening cues;
- **calmer** (one level down) when the reply meets four of the five criteria,
  acknowledgement among them, or three of them and one of the scenario's calming cues;
- **same** otherwise.

The customer answers with their next line for that reaction (the lines of each
reaction in turn: no random choice), and the practice ends when they settle (level
0), walk away (level 4), after ``MAX_REPLIES`` replies, or when the trainee ends it.
The report then gives each reply's scorecard, what a strong reply would have said
(the scenario's approved replies) and the score: the mean scorecard, 0-100.
Nothing here touches Redis (practice_api.py keeps practices).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.console.assist import Library, tone
from bot.console.empathy import scorecard
from bot.console.scenarios import Scenario

LEVELS = ("settled", "uneasy", "upset", "very upset", "gone")
INTENSITY = {0: 0.0, 1: 0.35, 2: 0.6, 3: 0.85, 4: 1.0}
HURTFUL = frozenset({"all_caps", "blame", "dismissive", "exclamations"})
MAX_REPLIES = 6
OUTCOMES = ("settled", "walked_away", "unresolved", "ended")


@dataclass(frozen=True)
class Judgement:
    """How the customer takes one reply, and why."""

    met: dict[str, bool]
    score: float
    warnings: list[dict[str, str]]
    calmed_by: list[str]  # hints of the scenario's calming cues the reply has
    worsened_by: list[str]  # hints of its worsening cues
    reaction: str  # calmer, same or worse


def judge(scenario: Scenario, customer_text: str, level: int, reply: str) -> Judgement:
    """The reaction of a customer at ``level`` who last said ``customer_text``."""
    intensity = INTENSITY[level]
    card = scorecard(
        reply,
        customer_text,
        scenario.emotion,
        intensity,
        scenario.name,
        tuple(scenario.details.values()),
    )
    warnings = tone(reply, scenario.emotion, intensity)
    calmed = [c.hint for c in scenario.calms if c.found(reply)]
    worsened = [c.hint for c in scenario.worsens if c.found(reply)]
    met = sum(card.met.values())
    if worsened or {w["code"] for w in warnings} & HURTFUL:
        reaction = "worse"
    elif (met >= 4 and card.met["acknowledged"]) or (met >= 3 and calmed):
        reaction = "calmer"
    else:
        reaction = "same"
    return Judgement(dict(card.met), card.score, warnings, calmed, worsened, reaction)


@dataclass
class Practice:
    """One practice conversation (stored as JSON)."""

    id: str
    agent: str  # who practises (the account id)
    agent_name: str
    scenario: str
    started_at: float
    level: int
    turns: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)
    outcome: str = ""
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        """Whether the practice is over."""
        return bool(self.outcome)

    @property
    def last_customer_line(self) -> str:
        """What the customer said last."""
        said = [t["text"] for t in self.turns if t["author"] == "customer"]
        return said[-1] if said else ""

    def to_dict(self) -> dict[str, Any]:
        """The stored record."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Practice:
        """A practice from its stored record."""
        return cls(**raw)


def start(
    scenario: Scenario, practice_id: str, agent: str, agent_name: str, at: float
) -> Practice:
    """A new practice: the customer has written their opening message."""
    practice = Practice(practice_id, agent, agent_name, scenario.id, at, scenario.level)
    practice.turns.append(_said(scenario.opening, scenario.level))
    return practice


def _said(text: str, level: int, reaction: str = "") -> dict[str, Any]:
    return {"author": "customer", "text": text, "level": level, "reaction": reaction}


def answer(practice: Practice, scenario: Scenario, reply: str, at: float) -> Judgement:
    """The trainee's reply, the customer's reaction and next line (or the end)."""
    if practice.finished:
        raise ValueError("this practice is over")
    found = judge(scenario, practice.last_customer_line, practice.level, reply)
    step = {"calmer": -1, "same": 0, "worse": 1}[found.reaction]
    practice.level = max(0, min(4, practice.level + step))
    practice.turns.append({"author": "trainee", "text": reply})
    practice.replies.append({"text": reply, **asdict(found), "level": practice.level})
    if practice.level == 0:
        line, outcome = scenario.settled, "settled"
    elif practice.level == 4:
        line, outcome = scenario.walks_away, "walked_away"
    else:
        n = practice.used.get(found.reaction, 0)
        lines = scenario.lines[found.reaction]
        line, outcome = lines[n % len(lines)], ""
        practice.used[found.reaction] = n + 1
        if len(practice.replies) >= MAX_REPLIES:
            outcome = "unresolved"
    practice.turns.append(_said(line, practice.level, found.reaction))
    if outcome:
        practice.outcome, practice.finished_at = outcome, at
    return found


def end(practice: Practice, at: float) -> None:
    """The trainee ends the practice before the customer did."""
    if practice.finished:
        raise ValueError("this practice is over")
    practice.outcome, practice.finished_at = "ended", at


def score(practice: Practice) -> int | None:
    """The mean scorecard of the replies, 0-100 (None without a reply)."""
    found = [float(r["score"]) for r in practice.replies]
    return round(100 * statistics.fmean(found)) if found else None


def report(practice: Practice, scenario: Scenario, lib: Library) -> dict[str, Any]:
    """Each reply's scorecard, what a strong reply would have said, the score."""
    return {
        "outcome": practice.outcome,
        "score": score(practice),
        "replies": [
            {
                **reply,
                "answered": _answered(practice, n),
                "strong": scenario.strong_reply(n, practice.agent_name, lib),
            }
            for n, reply in enumerate(practice.replies)
        ],
        "calms": [c.hint for c in scenario.calms],
        "worsens": [c.hint for c in scenario.worsens],
    }


def _answered(practice: Practice, n: int) -> str:
    """The customer line the n-th reply answered."""
    said = [t["text"] for t in practice.turns if t["author"] == "customer"]
    return said[n]


def view(practice: Practice, scenario: Scenario, lib: Library) -> dict[str, Any]:
    """What the page shows: the chat and the mood; the report once it is over."""
    return {
        "id": practice.id,
        "agent": practice.agent,
        "scenario": scenario.brief(),
        "turns": practice.turns,
        "level": practice.level,
        "mood": LEVELS[practice.level],
        "replies_left": MAX_REPLIES - len(practice.replies),
        "finished": practice.finished,
        "outcome": practice.outcome,
        "report": report(practice, scenario, lib) if practice.finished else None,
    }
