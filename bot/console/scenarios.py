"""The scenario library of practice conversations (data/training/scenarios.yml).

Each scenario is a simulated customer: who they are, what happened, how upset they
start, their opening message, the cues in a reply that calm them or make it worse,
their next lines for each reaction, and the approved replies (data/assist/
replies.yml) that show what a strong reply would have said. Read once; ``check``
lists what is wrong with a library (unknown reply ids, bad cues), for the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.console.assist import Library, fill

SCENARIOS_FILE = (
    Path(__file__).resolve().parent.parent.parent
    / "data"
    / "training"
    / "scenarios.yml"
)
REACTIONS = ("calmer", "same", "worse")
EMOTIONS = frozenset({"anger", "frustration", "sadness", "anxiety", "confusion"})
ID = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Cue:
    """Something in a reply that calms the customer or makes it worse."""

    hint: str  # in words, for the trainee's report
    pattern: re.Pattern[str]

    def found(self, text: str) -> bool:
        """Whether the reply has it."""
        return bool(self.pattern.search(text))


@dataclass(frozen=True)
class Scenario:
    """One simulated customer."""

    id: str
    title: str
    name: str
    about: str
    situation: str
    emotion: str
    level: int
    details: dict[str, str]
    opening: str
    calms: tuple[Cue, ...]
    worsens: tuple[Cue, ...]
    lines: dict[str, tuple[str, ...]]
    settled: str
    walks_away: str
    strong: tuple[str, ...]

    def values(self, agent: str) -> dict[str, str]:
        """Placeholder values for the approved replies ({name}, {order_id}, ...)."""
        return {
            "name": self.name,
            "agent": agent,
            "order_id": self.details.get("order_id", ""),
            "invoice_id": self.details.get("invoice_id", ""),
        }

    def strong_reply(self, turn: int, agent: str, lib: Library) -> str:
        """What a strong reply at this turn (0 = the first) would have said."""
        wanted = self.strong[min(turn, len(self.strong) - 1)]
        reply = next(r for r in lib.replies if r.id == wanted)
        return fill(reply, self.values(agent)) or reply.text

    def brief(self) -> dict[str, Any]:
        """What the trainee sees before choosing (no cues: those are the lesson)."""
        return {
            "id": self.id,
            "title": self.title,
            "name": self.name,
            "about": self.about,
            "situation": self.situation,
            "emotion": self.emotion,
        }


def _cues(raw: list[dict[str, str]]) -> tuple[Cue, ...]:
    return tuple(
        Cue(str(c["hint"]), re.compile(str(c["cue"]), re.IGNORECASE)) for c in raw
    )


def _scenario(raw: dict[str, Any]) -> Scenario:
    persona = raw["persona"]
    return Scenario(
        id=str(raw["id"]),
        title=str(raw["title"]),
        name=str(persona["name"]),
        about=str(persona["about"]),
        situation=str(raw["situation"]),
        emotion=str(raw["emotion"]),
        level=int(raw["level"]),
        details={str(k): str(v) for k, v in (raw.get("details") or {}).items()},
        opening=str(raw["opening"]),
        calms=_cues(raw["calms"]),
        worsens=_cues(raw["worsens"]),
        lines={r: tuple(map(str, raw["lines"][r])) for r in REACTIONS},
        settled=str(raw["settled"]),
        walks_away=str(raw["walks_away"]),
        strong=tuple(map(str, raw["strong"])),
    )


@lru_cache(maxsize=1)
def scenarios(path: Path = SCENARIOS_FILE) -> dict[str, Scenario]:
    """Every scenario by id, in the file's order (read once)."""
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    found = [_scenario(item) for item in raw["scenarios"]]
    return {s.id: s for s in found}


def check(found: dict[str, Scenario], lib: Library) -> list[str]:
    """What is wrong with a scenario library (empty when nothing is)."""
    problems = []
    known = {r.id for r in lib.replies}
    for s in found.values():
        if not ID.match(s.id):
            problems.append(f"{s.id}: id must be lower-case letters, digits, _")
        if s.emotion not in EMOTIONS:
            problems.append(f"{s.id}: unknown emotion {s.emotion}")
        if not 1 <= s.level <= 3:
            problems.append(f"{s.id}: level must be 1-3")
        if not s.calms or not s.worsens:
            problems.append(f"{s.id}: needs calms and worsens")
        if any(not s.lines[r] for r in REACTIONS):
            problems.append(f"{s.id}: needs lines for {', '.join(REACTIONS)}")
        if not s.strong or set(s.strong) - known:
            problems.append(f"{s.id}: strong replies unknown: {set(s.strong) - known}")
        for wanted in set(s.strong) & known:
            reply = next(r for r in lib.replies if r.id == wanted)
            if fill(reply, s.values("Sam")) is None:
                problems.append(f"{s.id}: {wanted} cannot be filled")
    return problems
