"""Where the live session keeps the game so a crash or kill -9 loses nothing.

After every change the dialogue's snapshot goes to `session.json` in the data
folder: written to a temporary file, fsynced, then renamed over the old one, so
the file is always either the previous or the new state, never half of one.
Only game state is kept (no audio, no words the couple said).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.resources import data_dir

log = logging.getLogger(__name__)

FILE_NAME = "session.json"
MAX_AGE = 12 * 3600.0
"""Seconds after which a saved game is an old evening and is not offered again."""


def default_path() -> Path:
    return data_dir() / FILE_NAME


class StateStore:
    """`session.json`: the last dialogue snapshot and when it was taken."""

    def __init__(self, path: Path | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path or default_path()
        self.clock = clock
        self._last = ""

    def save(self, snapshot: dict[str, Any]) -> None:
        """Replace the saved state atomically; unchanged state is not rewritten."""
        body = json.dumps(snapshot, sort_keys=True)
        if body == self._last:
            return
        document = json.dumps({"saved_at": self.clock(), "snapshot": snapshot})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".session-", suffix=".tmp",
                                             dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(document)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:  # also Ctrl-C mid-write: leave no temporary file behind
            Path(temporary).unlink(missing_ok=True)
            raise
        self._sync_folder()
        self._last = body

    def _sync_folder(self) -> None:
        try:
            folder = os.open(self.path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(folder)
        except OSError:
            pass  # some file systems cannot sync a folder; the rename is still atomic
        finally:
            os.close(folder)

    def load(self, max_age: float = MAX_AGE) -> dict[str, Any] | None:
        """The saved snapshot, or None when there is none, it is too old, or unreadable."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            saved_at = float(document["saved_at"])
            snapshot = document["snapshot"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("ignoring unreadable saved game %s (%s)", self.path, error)
            return None
        if not isinstance(snapshot, dict) or self.clock() - saved_at > max_age:
            return None
        return snapshot

    def clear(self) -> None:
        """Forget the saved game (the evening ended, or `hearth forget`)."""
        self.path.unlink(missing_ok=True)
        self._last = ""
