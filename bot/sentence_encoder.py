"""Sentence vectors of all-MiniLM-L6-v2 without torch: its ONNX export on onnxruntime.

``bot/ops/export_encoder.py`` (run by ``make setup``) writes the model's transformer
as ``var/encoder/model.onnx`` with its tokenizer. This module tokenizes with the
``tokenizers`` package, runs the graph with ``onnxruntime`` and pools as
sentence-transformers does for this model: the mean of the token vectors under the
attention mask, then the L2 norm. The vectors match the action server's
(``tests/bot/test_sentence_encoder.py`` holds them to a cosine of 0.999).

Runs inside Rasa's environment (Python 3.10): it imports numpy, onnxruntime and
tokenizers only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ENCODER_DIR = Path(__file__).resolve().parent.parent / "var" / "encoder"
META_FILE = "encoder.json"


class EncoderMissing(RuntimeError):
    """The ONNX export is not there: ``make setup`` makes it."""


class SentenceEncoder:
    """Encodes texts into L2-normalised sentence vectors."""

    def __init__(self, directory: Path = ENCODER_DIR, threads: int = 1) -> None:
        """Load the export in ``directory``.

        Args:
            directory: where model.onnx, tokenizer.json and encoder.json are.
            threads: onnxruntime's threads per call (0: one per core).

        Raises:
            EncoderMissing: the export is missing or incomplete.
        """
        files = [directory / n for n in ("model.onnx", "tokenizer.json", META_FILE)]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise EncoderMissing(
                "The sentence model for Rasa's NLU is missing ("
                + ", ".join(missing)
                + "): run `make setup` (it exports all-MiniLM-L6-v2 to ONNX with "
                "`.venv/bin/python -m bot.ops.export_encoder`)."
            )
        import onnxruntime
        from tokenizers import Tokenizer

        self.meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        self.dimensions = int(self.meta["dimensions"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(self.meta["max_seq_length"]))
        # pad to the longest text of a batch ([PAD] is token 0, a word, not a secret)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(directory / "model.onnx"),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length float32 vector per text, shape (len(texts), dimensions)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # similar lengths in one batch: less padding to compute
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array(
                [e.attention_mask for e in encodings], dtype=np.int64
            ),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens = self.session.run(
            None, {k: v for k, v in feeds.items() if k in self.inputs}
        )[0]
        mask = feeds["attention_mask"][:, :, None].astype(np.float32)
        summed = (tokens * mask).sum(axis=1)
        mean = summed / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.clip(norms, 1e-12, None)).astype(np.float32)
