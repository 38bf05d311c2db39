"""bench/survey_replay.py's counting, and the survey labels of the replay's scenarios
(the replay itself runs in ``make bench``: it needs a whole stack)."""

from __future__ import annotations

import json
from typing import Any

from bench.survey_replay import LABELS, summarise
from bot.settings import ROOT


def result(
    label: str,
    cid: str,
    at_end: bool = False,
    person: bool | None = None,
    stored: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": cid,
        "label": label,
        "conversation": cid,
        "asked_at_end": at_end,
        "answer_stored": stored,
        "handed_over": person is not None,
    }
    if person is not None:
        out["asked_after_person"] = person
    return out


def test_what_counts_as_asked_right_and_wrong() -> None:
    results = [
        result("ask", "a1", at_end=True, stored=True),
        result("ask", "a2"),  # missed at once, asked when quiet
        result("ask", "a3"),  # missed
        result("not", "n1"),
        result("not", "n2", at_end=True),  # wrong: mid-problem
        result("not", "n3"),  # asked when quiet: allowed
        result("never", "u1", person=True, stored=True),
        result("never", "u2", person=False),
        result("never", "u3"),  # asked when quiet: wrong
    ]
    summary = summarise(results, {"a2", "n3", "u3"})
    assert (summary["closing"], summary["closing_asked"]) == (3, 1)
    assert summary["closing_rate"] == round(1 / 3, 4)
    assert summary["closing_asked_when_quiet"] == 1
    assert summary["closing_eventually_rate"] == round(2 / 3, 4)
    assert (summary["mid_problem"], summary["mid_problem_asked"]) == (3, 1)
    assert (summary["upset"], summary["upset_asked"]) == (3, 1)
    assert (summary["handed_over"], summary["after_person_asked"]) == (2, 1)
    assert summary["after_person_rate"] == 0.5
    assert summary["must_not_asked"] == 2
    assert summary["quiet_asked_not"] == 1
    assert (summary["surveys_asked"], summary["answers_stored"]) == (3, 2)
    assert summary["ids_missed"] == ["a2", "a3"]
    assert summary["ids_wrongly_asked"] == ["n2", "u3"]


def test_every_scenario_has_a_survey_label() -> None:
    lines = (ROOT / "bench" / "scenarios.jsonl").read_text(encoding="utf-8")
    scenarios = [json.loads(line) for line in lines.splitlines() if line.strip()]
    labels = {s["id"]: s.get("survey") for s in scenarios}
    assert set(labels.values()) == set(LABELS)
    # an upset customer who was handed over is never labelled for a bot survey
    assert all(
        labels[s["id"]] != "ask" for s in scenarios if s.get("expect_escalation")
    )
