"""Where Hearth's files live: its own data files (intents, decks, the model catalog) and
the user's folders (the config file; the data folder with history, saved game and models).

In a checkout (the supported install, `pip install -e .`) the data files are top-level
folders beside the package; `HEARTH_DATA_DIR` can point elsewhere. The user's folders are
platformdirs' (`HEARTH_CONFIG` and `HEARTH_DATA_HOME` override them).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "hearth"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
"""What Hearth says that is not a prompt, help lines, safety phrases, the demo's script:
installed with the package (`assistant/data/`)."""


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


def config_path() -> Path:
    """The config file: `HEARTH_CONFIG`, else `config.toml` in the user's config folder."""
    override = os.environ.get("HEARTH_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    """The user's data folder (history, saved game, downloaded models): `HEARTH_DATA_HOME`
    or platformdirs' user data folder."""
    override = os.environ.get("HEARTH_DATA_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
