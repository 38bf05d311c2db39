"""Where the actions find their data files (overridable by environment)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ANSWERS_FILE = Path(os.environ.get("ANSWERS_FILE", DATA / "replies" / "answers.yml"))
STORE_FILE = Path(os.environ.get("DEMO_STORE_FILE", DATA / "store" / "demo_store.yml"))
FAQ_FILE = Path(os.environ.get("FAQ_FILE", DATA / "faq.yml"))
