"""Train the Rasa model only when its inputs changed (content, not timestamps).

Usage: ``python -m bot.ops.train [--force]``; prints the path of the model to serve.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.ops.export_encoder import ensure_encoder, read_meta
from bot.settings import ROOT

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
MODELS = ROOT / "models"
# Rasa's training data (nlu/, rules/, stories/), the only folder `rasa train --data`
# reads; the rest of data/ is read by our own code at run time.
RASA_DATA = "data/rasa"
# What the trained model depends on. Reply templates, the demo store and the other
# files of data/ are read at run time and do not need a new model.
TRAINING_INPUTS = ("domain.yml", "config.yml", RASA_DATA)


def fingerprint(root: Path = ROOT) -> str:
    """A hash of every training input's path and content, and of the sentence model."""
    digest = hashlib.sha256()
    digest.update(_rasa_version().encode())
    # the NLU's dense features come from the exported sentence model (config.yml)
    digest.update(str((read_meta() or {}).get("source_sha256", "")).encode())
    for name in TRAINING_INPUTS:
        path = root / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file())
            if path.is_dir()
            else [path]
        )
        for file in files:
            if file.exists() and file.suffix in (".yml", ".yaml"):
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _rasa_version() -> str:
    requirements = ROOT / "requirements-rasa.txt"
    return requirements.read_text(encoding="utf-8") if requirements.exists() else ""


def model_path(root: Path = ROOT) -> Path:
    """Where the model for the current training inputs lives."""
    return MODELS / f"model-{fingerprint(root)}.tar.gz"


def rasa_env() -> dict[str, str]:
    """Environment for any Rasa command: no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


def ensure_model(force: bool = False) -> Path:
    """Train unless a model for exactly these inputs exists.

    Args:
        force: train even when the model exists.

    Returns:
        Path of the model file.
    """
    ensure_encoder()  # the featurizer's model, part of the fingerprint
    target = model_path()
    if target.exists() and not force:
        return target
    if not RASA_BIN.exists():
        raise SystemExit("Rasa is not installed yet: run `make setup` first.")
    MODELS.mkdir(exist_ok=True)
    print(
        f"Training the Rasa model ({target.name}); this takes a few minutes ...",
        flush=True,
    )
    log = ROOT / "var" / "train.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        result = subprocess.run(  # noqa: S603 - Rasa of .venv-rasa, fixed arguments
            [
                str(RASA_BIN),
                "train",
                "--domain",
                "domain.yml",
                "--config",
                "config.yml",
                "--data",
                RASA_DATA,
                "--fixed-model-name",
                target.name.removesuffix(".tar.gz"),
                "--out",
                str(MODELS),
            ],
            cwd=ROOT,
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0 or not target.exists():
        tail = log.read_text(errors="replace").splitlines()[-25:]
        raise SystemExit(
            "Training failed (full log in var/train.log):\n" + "\n".join(tail)
        )
    for old in MODELS.glob("model-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if up to date")
    args = parser.parse_args()
    path = ensure_model(force=args.force)
    print(path)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
