"""bot/rasa_main.py, run in Rasa's own environment: action responses are still
validated (Rasa's error for a bad one), and log records are masked."""

from __future__ import annotations

import subprocess

from bot.settings import ROOT
from bot.train import RASA_BIN

CHECK = """
import logging
import bot.rasa_main as launcher
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


def test_the_launcher_keeps_rasas_checks_and_masks_its_log() -> None:
    result = subprocess.run(
        [str(RASA_BIN.with_name("python")), "-c", CHECK],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert "ann@example.org" not in last and "timed out for" in last, last
