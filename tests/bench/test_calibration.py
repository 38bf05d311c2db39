"""calibration.yml is fitted on our own data only, and is what the fit produces.

The fit runs once, in a child process started from a scratch folder next to a
``shared/datasets`` tree that holds a decoy of every evaluation set the data rules
name; an audit hook in the child records every file it opens or lists. The child
writes its calibration to a scratch file, never to data/emotion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.calibration import read_conversations

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "data" / "emotion" / "calibration.yml"
# The data rules (../shared/datasets/README.md): only these may be trained on.
ALLOWED = ("goemotions/", "clinc_oos/other_domains.json")
DECOYS = (
    "frustration/dev.txt",
    "bitext/dev.csv",
    "clinc_oos/dev.json",
    "goemotions/dev.tsv",
)

CHILD = """
import json, os, sys

opened = []


def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.fsdecode(args[0]))
    elif event in ("os.listdir", "os.scandir") and args and args[0] is not None:
        opened.append(os.fsdecode(args[0]))


sys.addaudithook(hook)
from bench.frustration import main

main(["--fit", "--out", sys.argv[1]])
with open(sys.argv[2], "w", encoding="utf-8") as handle:
    json.dump(opened, handle)
"""


def _datasets_read(opened: list[str], roots: list[Path]) -> list[str]:
    """The opened paths under one of ``roots`` (shared/datasets folders), relative."""
    found = []
    for name in opened:
        path = Path(os.path.abspath(name))
        for root in roots:
            if path.is_relative_to(root):
                found.append(path.relative_to(root).as_posix())
    return found


@pytest.fixture(scope="module")
def fit_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str], Path]:
    """(written calibration text, paths the fit opened, decoy datasets folder)."""
    scratch = tmp_path_factory.mktemp("fit")
    shared = scratch / "shared" / "datasets"
    for name in DECOYS:
        (shared / name).parent.mkdir(parents=True, exist_ok=True)
        (shared / name).write_text("decoy, not to be read\n", encoding="utf-8")
    project = scratch / "project"  # ../shared from here is the decoy tree
    project.mkdir()
    out, log = scratch / "calibration.yml", scratch / "opened.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    env.pop("EMOTION_DATA_DIR", None)
    subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(log)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=900,
    )
    opened = json.loads(log.read_text(encoding="utf-8"))
    return out.read_text(encoding="utf-8"), opened, shared


def test_fit_reads_no_evaluation_set(
    fit_run: tuple[str, list[str], Path],
) -> None:
    _, opened, decoys = fit_run
    assert any(p.endswith("examples.yml") for p in opened)  # the hook saw the reads
    roots = [decoys.resolve(), (ROOT.parent / "shared" / "datasets").resolve()]
    read = _datasets_read(opened, roots)
    forbidden = [p for p in read if not p.startswith(ALLOWED)]
    assert forbidden == [], f"the fit read evaluation-only data: {forbidden}"


def test_committed_calibration_is_what_the_fit_writes(
    fit_run: tuple[str, list[str], Path],
) -> None:
    written, _, _ = fit_run
    committed = COMMITTED.read_text(encoding="utf-8")
    # the same fit on another CPU (its float arithmetic, the encoder's threads) may
    # differ in the fourth decimal; a real change of data moves the numbers more
    assert _close(yaml.safe_load(written), yaml.safe_load(committed)), (
        "data/emotion/calibration.yml is stale: run python -m bench.frustration --fit"
    )
    header = [line for line in written.splitlines() if line.startswith("#")]
    assert header == [line for line in committed.splitlines() if line.startswith("#")]
    assert "examples.yml" in written.splitlines()[1]


FIT_TOLERANCE = 0.002  # weights and thresholds are written with four decimals


def _close(a: object, b: object) -> bool:
    """Equal, numbers within FIT_TOLERANCE, in the same structure."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= FIT_TOLERANCE
    return a == b


def test_a_changed_fit_is_still_caught() -> None:
    """The tolerance forgives float noise, not a different fit."""
    fitted = {"mix": {"semantic": 0.6199}, "thresholds": [0.28, 0.3984]}
    assert _close(fitted, {"mix": {"semantic": 0.6198}, "thresholds": [0.2801, 0.3981]})
    assert not _close(fitted, {"mix": {"semantic": 0.63}, "thresholds": [0.28, 0.3984]})
    assert not _close(fitted, {"mix": {"semantic": 0.6199}, "thresholds": [0.28]})


def test_conversations_are_well_formed() -> None:
    conversations = read_conversations(ROOT / "data" / "emotion")
    assert len(conversations) >= 30
    for conversation in conversations:
        levels = [level for role, _, level in conversation if role == "customer"]
        assert levels and all(level is not None for level in levels)
