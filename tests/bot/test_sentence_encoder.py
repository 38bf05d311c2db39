"""The sentence model in Rasa's environment (bot/sentence_encoder.py and
bot/rasa_features.py): the ONNX export gives the vectors sentence-transformers gives in
ours, the NLU step adds one sentence feature per text, and a missing export says to
run `make setup`.

Rasa's environment has onnxruntime and no torch, ours the reverse: the Rasa side runs in
`.venv-rasa/bin/python` as a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bot.ops.export_encoder import ENCODER_DIR, ensure_encoder, read_meta
from bot.settings import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SENTENCES = [
    "where is my parcel?",
    "hi",
    "Could the courier leave the rug with the people next door on Friday?",
    "I'm so cross!!! the lamp arrived BROKEN and nobody answers my emails 😡",
    "Qu'est-ce que c'est, ce colis abîmé ?",
    # longer than the model's 256 tokens: both sides cut it at the same place
    "my order still has not arrived and I have asked three times already " * 30,
]

ENCODE = """
import json, sys
from bot.sentence_encoder import SentenceEncoder
texts = json.loads(sys.argv[1])
print(json.dumps(SentenceEncoder().encode(texts, batch_size=4).tolist()))
"""

FEATURIZE = """
import json
from bot.rasa_features import SentenceEmbeddingFeaturizer as F
from bot.sentence_encoder import SentenceEncoder
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
config = {**F.get_default_config(), "scale": 3.0}
step = F("sentence_vectors", config, SentenceEncoder())
asked = Message(data={TEXT: "can I pay later?"})
trained = Message(data={TEXT: "do you take paypal", "intent": "check_payment_methods"})
no_text = Message(data={"intent": "greet"})
step.process([asked, no_text])
step.process_training_data(TrainingData([trained]))
def shapes(message):
    sequence, sentence = message.get_dense_features(TEXT)
    return [None if sequence is None else list(sequence.features.shape),
            None if sentence is None else list(sentence.features.shape),
            None if sentence is None else float((sentence.features ** 2).sum() ** 0.5)]
print(json.dumps({"asked": shapes(asked), "trained": shapes(trained),
                  "no_text": len(no_text.features)}))
"""

MISSING = """
import sys
from bot.rasa_features import SentenceEmbeddingFeaturizer as F
from rasa.engine.graph import ExecutionContext, GraphSchema
config = {**F.get_default_config(), "directory": sys.argv[1]}
F.create(config, None, None, ExecutionContext(GraphSchema({}), "test"))
"""


FINGERPRINTS = """
import json, sys
from pathlib import Path
from bot.rasa_features import SentenceEmbeddingFeaturizer as F
from rasa.engine.training.fingerprinting import calculate_fingerprint_key
folder = Path(sys.argv[1])
config = {**F.get_default_config(), "directory": str(folder)}
keys = []
for text in sys.argv[2:]:  # the same folder, holding one export after another
    (folder / "encoder.json").write_text(text, encoding="utf-8")
    keys.append(calculate_fingerprint_key(F, config, {}))
print(json.dumps(keys))
"""


def in_rasa(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in Rasa's environment, from the checkout."""
    return subprocess.run(
        [str(RASA_PYTHON), "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin"},
    )


@pytest.fixture(scope="module", autouse=True)
def export() -> None:
    ensure_encoder()  # what `make setup` runs; nothing to do when current


def test_vectors_match_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    from bot.ops.export_encoder import source_dir

    result = in_rasa(ENCODE, json.dumps(SENTENCES))
    assert result.returncode == 0, result.stderr
    ours = np.array(json.loads(result.stdout))
    model = SentenceTransformer(str(source_dir()), device="cpu")
    theirs = model.encode(SENTENCES, normalize_embeddings=True)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5), strict=True))


def test_featurizer_adds_one_sentence_vector_per_text() -> None:
    result = in_rasa(FEATURIZE)
    assert result.returncode == 0, result.stderr
    shapes = json.loads(result.stdout.splitlines()[-1])
    # a sentence feature only: DIET would want sequence features token for token
    for name in ("asked", "trained"):
        sequence, sentence, norm = shapes[name]
        assert sequence is None
        assert sentence == [1, 384]
        assert norm == pytest.approx(3.0, rel=1e-4)  # the configured scale
    assert shapes["no_text"] == 0


def test_missing_export_says_run_make_setup(tmp_path: Path) -> None:
    result = in_rasa(MISSING, str(tmp_path / "no-encoder"))
    assert result.returncode != 0
    assert "EncoderMissing" in result.stderr
    assert "run `make setup`" in result.stderr


def test_export_is_made_once_per_model() -> None:
    before = (ENCODER_DIR / "model.onnx").stat().st_mtime_ns
    meta = ensure_encoder()
    assert meta == read_meta()
    assert meta["dimensions"] == 384 and meta["normalize"] is True
    assert (ENCODER_DIR / "model.onnx").stat().st_mtime_ns == before


def test_rasa_cache_tells_exports_apart(tmp_path: Path) -> None:
    real = (ENCODER_DIR / "encoder.json").read_text(encoding="utf-8")
    other = json.dumps(json.loads(real) | {"source_sha256": "0" * 64})
    result = in_rasa(FINGERPRINTS, str(tmp_path), real, other, real)
    assert result.returncode == 0, result.stderr
    first, changed, again = json.loads(result.stdout.splitlines()[-1])
    # same config, another model behind it: Rasa's cache must not reuse the vectors
    assert first == again != changed
