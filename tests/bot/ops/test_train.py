"""Rasa's training inputs (bot/ops/train.py): data/rasa holds Rasa's training data and
nothing else, no training data lives elsewhere, and `rasa train` is told so."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions import faq, paths
from bot.ops import train
from bot.settings import ROOT

# The top-level keys of Rasa's training data files; a file names at least one kind.
RASA_KINDS = {"nlu", "rules", "stories"}
RASA_KEYS = RASA_KINDS | {"version"}
# Rasa's test stories, read by `rasa test core --stories` (tests/test_conversations.py)
# and never trained on.
TEST_STORIES = Path("tests/test_stories.yml")
SKIPPED = {"models", "var", "node_modules", "results"}


def yaml_files() -> list[Path]:
    """Every YAML file of the checkout (no environments, caches or run-time files)."""
    return sorted(
        path.relative_to(ROOT)
        for pattern in ("*.yml", "*.yaml")
        for path in ROOT.rglob(pattern)
        if not any(
            part.startswith(".") or part in SKIPPED
            for part in path.relative_to(ROOT).parts[:-1]
        )
    )


def top_keys(path: Path) -> set[str]:
    raw = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    return set(raw) if isinstance(raw, dict) else set()


def test_rasa_data_holds_only_training_data() -> None:
    folder = ROOT / train.RASA_DATA
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert files, f"{train.RASA_DATA} is empty"
    for path in files:
        name = path.relative_to(ROOT)
        # the fingerprint hashes YAML only, so nothing else may feed the training
        assert path.suffix in (".yml", ".yaml"), f"{name}: not a YAML file"
        keys = top_keys(name)
        assert keys & RASA_KINDS and keys <= RASA_KEYS, (
            f"{name} has {sorted(keys)}: the application's data lives outside "
            f"{train.RASA_DATA}"
        )


def test_no_training_data_outside_rasa_data() -> None:
    inside = Path(train.RASA_DATA)
    stray = [
        f"{path}: {sorted(top_keys(path) & RASA_KINDS)}"
        for path in yaml_files()
        if not path.is_relative_to(inside)
        and path != TEST_STORIES
        and top_keys(path) & RASA_KINDS
    ]
    assert stray == [], f"Rasa's training data belongs in {train.RASA_DATA}"


def test_everyone_names_the_same_folder() -> None:
    assert paths.RASA_DATA == ROOT / train.RASA_DATA
    assert train.RASA_DATA in train.TRAINING_INPUTS
    assert faq.NLU_DIR.is_relative_to(paths.RASA_DATA) and faq.NLU_DIR.is_dir()


def test_rasa_train_is_given_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(args)
        out = Path(args[args.index("--out") + 1])
        name = args[args.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_bytes(b"")
        return subprocess.CompletedProcess(args, 0)

    rasa = tmp_path / "rasa"
    rasa.touch()
    monkeypatch.setattr(train, "RASA_BIN", rasa)
    monkeypatch.setattr(train, "MODELS", tmp_path / "models")
    monkeypatch.setattr(train, "ROOT", tmp_path)  # var/train.log goes there
    monkeypatch.setattr(train.subprocess, "run", run)
    assert train.ensure_model(force=True).exists()
    [args] = calls
    assert args[args.index("--data") + 1] == train.RASA_DATA
    assert args[args.index("--domain") + 1] == "domain.yml"
    assert args[args.index("--config") + 1] == "config.yml"
