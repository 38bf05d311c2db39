"""What works: each family of empathetic phrases, how often it is used and what
follows it (the report, bot/report.py, and the console's dashboard).

The families are our templates' acknowledgement openers (the ``acknowledge``,
``acknowledge_short`` and ``acknowledge_short_felt`` sections of
data/replies/empathy.yml, one family per section and feeling, found in the bot's
replies by the templates' fixed words) and the agents' own phrases that the empathy
scorecard takes for an acknowledgement (``ACKNOWLEDGE`` of bot/console/assist.py: "I
hear", "that sounds", "sorry", "frustrat..."), one family per phrase. For comparison,
the replies to an upset customer that hold none of them.

For each: the replies that use it and in how many conversations; the change of the
customer's feeling intensity from the message the reply answered to their next
message (negative: calmer); and the mean CSAT and empathy rating of the rated
conversations that used it. A number resting on fewer than ``MIN_COUNT`` cases is
shown as "too few to tell", so nobody reads noise as a finding.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.console.assist import ACKNOWLEDGE
from bot.report_highlights import upset
from bot.settings import ROOT
from bot.transcript import Author, Entry, Kind

EMPATHY_FILE = ROOT / "data" / "replies" / "empathy.yml"
SECTIONS = ("acknowledge", "acknowledge_short", "acknowledge_short_felt")
MIN_COUNT = 10
TOO_FEW = "too few to tell"
NONE_FAMILY = "none (reply to an upset customer)"
PLACEHOLDERS = {
    "{name_prefix}": "",  # searched for: what comes before does not matter
    "{concern}": r".{1,160}?",
    "{order_id}": r"\S+",
}
STEMS = ("frustrat", "annoy", "upset", "disappoint", "worr", "stress")


@dataclass(frozen=True)
class Family:
    """One family of phrases: its name, an example and how to find it."""

    name: str
    example: str
    pattern: re.Pattern[str]  # any of its templates


def _pattern(template: str) -> str:
    parts = re.split(r"(\{\w+\})", template.strip().rstrip("."))
    text = "".join(
        PLACEHOLDERS.get(p, r".{1,80}?") if p.startswith("{") else re.escape(p)
        for p in parts
        if p
    )
    return text


@lru_cache(maxsize=4)
def template_families(path: Path = EMPATHY_FILE) -> tuple[Family, ...]:
    """The template families of empathy.yml, in the file's order."""
    book = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for section in SECTIONS:
        value = book.get(section) or []
        groups = value.items() if isinstance(value, dict) else [("", value)]
        for feeling, templates in groups:
            name = f"template {section}" + (f" {feeling}" if feeling else "")
            example = (
                templates[0].replace("{name_prefix}", "").replace("{concern}", "\u2026")
            )
            found.append(
                Family(
                    name,
                    example[:1].upper() + example[1:],
                    re.compile(
                        "|".join(f"(?:{_pattern(t)})" for t in templates), re.IGNORECASE
                    ),
                )
            )
    return tuple(found)


def agent_phrases(text: str) -> set[str]:
    """The agents' phrase families in a reply: what ``ACKNOWLEDGE`` finds, lower
    case, a feeling word by its stem ("frustrat\u2026")."""
    found = set()
    for match in ACKNOWLEDGE.finditer(text):
        phrase = " ".join(match.group(0).lower().split())
        stem = next((s for s in STEMS if phrase.startswith(s)), None)
        found.add(
            f"agent \u201c{stem}\u2026\u201d" if stem else f"agent \u201c{phrase}\u201d"
        )
    return found


def families_of(entry: Entry) -> set[str]:
    """The families a bot or agent reply uses."""
    if entry.author is Author.BOT:
        return {f.name for f in template_families() if f.pattern.search(entry.text)}
    if entry.author is Author.AGENT:
        return agent_phrases(entry.text)
    return set()


@dataclass
class _Tally:
    uses: int = 0
    conversations: set[str] = field(default_factory=set)
    changes: list[float] = field(default_factory=list)


def _intensity(entry: Entry | None) -> float | None:
    mark = entry.emotion if entry else None
    return float(mark.get("intensity") or 0.0) if mark else None


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def what_works(
    transcripts: dict[str, list[Entry]], surveys: list[dict[str, Any]]
) -> dict[str, Any]:
    """The table: one row per family used (template families first, then the
    agents' by use, then the replies with none), with its counts and, from
    ``MIN_COUNT`` cases on, its numbers (else ``TOO_FEW``)."""
    rated: dict[str, dict[str, Any]] = {}
    for survey in surveys:
        rated[str(survey.get("conversation") or "")] = survey["answers"]
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for cid, entries in transcripts.items():
        before: Entry | None = None
        for i, entry in enumerate(entries):
            if entry.author is Author.CUSTOMER:
                before = entry
                continue
            if (
                entry.kind not in (Kind.MESSAGE, Kind.HANDOFF)
                or not entry.text
                or before is None
            ):
                continue
            names = families_of(entry)
            if not names and upset(before):
                names = {NONE_FAMILY}
            after = next(
                (e for e in entries[i + 1 :] if e.author is Author.CUSTOMER), None
            )
            then, now = _intensity(before), _intensity(after)
            for name in names:
                tally = tallies[name]
                tally.uses += 1
                tally.conversations.add(cid)
                if then is not None and now is not None:
                    tally.changes.append(now - then)
    examples = {f.name: f.example for f in template_families()}
    order = [f.name for f in template_families() if f.name in tallies]
    order += sorted(
        (n for n in tallies if n.startswith("agent ")),
        key=lambda n: (-tallies[n].uses, n),
    )
    order += [NONE_FAMILY] if NONE_FAMILY in tallies else []
    rows = []
    for name in order:
        tally = tallies[name]
        answers = [rated[c] for c in sorted(tally.conversations) if c in rated]
        csat = [float(a["csat"]) for a in answers if a.get("csat") is not None]
        felt = [
            float(a["understood"]) for a in answers if a.get("understood") is not None
        ]
        rows.append(
            {
                "family": name,
                "example": examples.get(name, ""),
                "uses": tally.uses,
                "conversations": len(tally.conversations),
                "next_turns": len(tally.changes),
                "intensity_change": _enough(tally.changes),
                "rated": len(answers),
                "csat": _enough(csat),
                "empathy": _enough(felt),
            }
        )
    return {"min_count": MIN_COUNT, "rows": rows}


def _enough(values: list[float]) -> float | str | None:
    """The mean, ``TOO_FEW`` under ``MIN_COUNT`` values."""
    return _mean(values) if len(values) >= MIN_COUNT else TOO_FEW
