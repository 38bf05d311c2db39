"""Conversation tests: `rasa test core` on tests/test_stories.yml, trained model."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.ops.services import rasa_service_env
from bot.ops.train import RASA_BIN
from bot.settings import ROOT, Settings


def test_stories_pass(model: Path, stack_settings: Settings, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(RASA_BIN),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/test_stories.yml",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        env=rasa_service_env(stack_settings),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failed = tmp_path / "failed_test_stories.yml"
    report = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:] + report
    )
    assert "None of the test stories failed" in report or not report.strip(), report
