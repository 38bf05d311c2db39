"""bot/ops/rasa_main.py, run in Rasa's own environment: action responses are still
validated (Rasa's error for a bad one), and log records are masked."""

from __future__ import annotations

import subprocess

from bot.ops.train import RASA_BIN
from bot.settings import ROOT

CHECK = """
import logging
import bot.ops.rasa_main as launcher
launcher.mask_every_record()
launcher.validate_action_results_once()
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
action = RemoteAction.__new__(RemoteAction)
good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []}
assert action._validate_action_result(good) is True
try:
    action._validate_action_result({"events": "not a list"})
except ValidationError as error:
    assert "Failed to validate Action server response" in error.message
else:
    raise SystemExit("an invalid response passed")
record = logging.getLogger("rasa").makeRecord(
    "rasa", logging.ERROR, "f", 1, "timed out for %s", ("ann@example.org",), None
)
print(record.getMessage())
"""


def in_rasas_python(code: str) -> str:
    """Run ``code`` with Rasa's interpreter; its last line of output."""
    result = subprocess.run(
        [str(RASA_BIN.with_name("python")), "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_the_launcher_keeps_rasas_checks_and_masks_its_log() -> None:
    last = in_rasas_python(CHECK)
    assert "ann@example.org" not in last and "timed out for" in last, last


SAME_AS_RASA = """
import random
import bot.ops.rasa_main as launcher
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, Event, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

rasa_merge = RedisTrackerStore._merge_trackers
rasa_resolve = Event.resolve_by_type
launcher.merge_trackers_in_linear_time()
launcher.resolve_event_types_once()
assert RedisTrackerStore._merge_trackers is not rasa_merge

pick = random.Random(3)
def events(n, start):
    out = []
    for i in range(n):
        t = start + i
        kind = pick.randrange(4)
        if kind == 0:
            out.append(ActionExecuted("action_listen", timestamp=t))
        elif kind == 1:
            out.append(UserUttered(pick.choice(["hi", "order?", "thanks"]),
                                   {"name": "greet", "confidence": 0.9}, timestamp=t))
        elif kind == 2:
            out.append(BotUttered(pick.choice(["Hello!", "Sure."]), timestamp=t))
        else:
            out.append(SlotSet("emotion", pick.choice(["anger", "neutral", 1, 1.5]),
                               timestamp=t))
    return out

merged_cases = 0
for case in range(60):
    prior = events(pick.randrange(0, 12), 0)
    shared = prior[: pick.randrange(0, len(prior) + 1)]
    new = shared + events(pick.randrange(0, 12), pick.choice([0, 5, 20]))
    if pick.random() < 0.3:
        new += [prior[pick.randrange(len(prior))]] if prior else []
    a = DialogueStateTracker.from_events("c", prior, slots=[])
    b = DialogueStateTracker.from_events("c", new, slots=[])
    want = [e.as_dict() for e in rasa_merge(a, b).events]
    got = [e.as_dict() for e in RedisTrackerStore._merge_trackers(a, b).events]
    assert got == want, (case, got, want)
    merged_cases += want != [e.as_dict() for e in new]

for cls in all_subclasses(Event):
    assert Event.resolve_by_type(cls.type_name) is rasa_resolve(cls.type_name)
assert Event.resolve_by_type("topic") is None
assert Event.resolve_by_type("nonsense", SlotSet) is SlotSet
try:
    Event.resolve_by_type("nonsense")
except ValueError as error:
    assert "Unknown event name" in str(error)
else:
    raise SystemExit("an unknown event name passed")
print("merged", merged_cases)
"""


def test_the_faster_merge_and_event_lookup_give_rasas_results() -> None:
    merged = int(in_rasas_python(SAME_AS_RASA).split()[1])
    assert merged >= 10  # the merge branch itself ran, not only the shortcut
