"""Where Hearth's data files live: intents, decks and the model catalog.

In a checkout (the supported install, `pip install -e .`) they are top-level
folders beside the package; `HEARTH_DATA_DIR` can point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    override = os.environ.get("HEARTH_DATA_DIR")
    return Path(override) if override else PROJECT_ROOT


def intents_dir() -> Path:
    return data_root() / "intents"


def decks_dir() -> Path:
    return data_root() / "decks"


def models_dir() -> Path:
    """The checkout's `models/` folder: the catalog, and models installed in a checkout."""
    return data_root() / "models"
