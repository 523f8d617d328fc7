"""What has been played: SQLite in the user's data folder, readable by the owner only.

Only counts, dates and prompt ids are kept: never the couple's words, never audio. Every
write is its own committed transaction (WAL journal, full sync), so a crash loses nothing
already said. A schema version table lets later versions migrate the file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.errors import HearthError
from assistant.resources import data_dir

FILE_NAME = "history.sqlite3"
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    games TEXT NOT NULL DEFAULT '',
    prompts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS prompts_used (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id),
    deck TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    used_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS prompts_used_deck ON prompts_used (deck, round);
CREATE TABLE IF NOT EXISTS deck_rounds (deck TEXT PRIMARY KEY, round INTEGER NOT NULL);
"""
MIGRATIONS = {
    2: "DROP TABLE IF EXISTS resume;",  # the saved game lives in session.json (state_store.py)
}
"""Version → the SQL that brings a file of the version before up to it."""


def _now() -> datetime:
    return datetime.now().astimezone()


def default_path() -> Path:
    return data_dir() / FILE_NAME


@dataclass(frozen=True)
class SessionRecord:
    started_at: datetime
    ended_at: datetime
    games: tuple[str, ...]
    prompts: int

    @property
    def duration_seconds(self) -> float:
        return max(0.0, (self.ended_at - self.started_at).total_seconds())


@dataclass(frozen=True)
class DeckRecord:
    deck: str
    prompts: int
    last_used: datetime


class History:
    """The history file. Implements the dialogue's `PromptSource`; a session row is opened
    on the first prompt of a run and its end time moves with every prompt."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], datetime] = _now):
        self.path = path or default_path()
        self.clock = clock
        self.session_id: int | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise HearthError(f"The history file {self.path} cannot be read ({error}).",
                              "Move it aside, or run `hearth forget --yes` to start afresh."
                              ) from error
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.chmod(extra, 0o600)

    def _migrate(self) -> None:
        with self.db:
            self.db.executescript(SCHEMA)
            row = self.db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                self.db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                return
            if int(row[0]) >= SCHEMA_VERSION:
                return  # this version's, or a newer Hearth's: never written back down
            for version in range(int(row[0]) + 1, SCHEMA_VERSION + 1):
                self.db.executescript(MIGRATIONS[version])
            self.db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stamp(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # ----- PromptSource -----------------------------------------------------------------

    def _round(self, deck: str) -> int:
        row = self.db.execute("SELECT round FROM deck_rounds WHERE deck = ?", (deck,)).fetchone()
        return int(row[0]) if row else 0

    def used_prompt_ids(self, deck: str) -> frozenset[str]:
        """Prompts of `deck` used in its current round (since it was last used up)."""
        rows = self.db.execute("SELECT prompt_id FROM prompts_used WHERE deck = ? AND round = ?",
                               (deck, self._round(deck)))
        return frozenset(row[0] for row in rows)

    def record_prompt(self, deck: str, prompt_id: str) -> None:
        stamp = self._stamp()
        with self.db:
            self.db.execute("BEGIN")
            if self.session_id is None:
                cursor = self.db.execute(
                    "INSERT INTO sessions (started_at, ended_at) VALUES (?, ?)", (stamp, stamp))
                self.session_id = cursor.lastrowid
            games = self.db.execute("SELECT games FROM sessions WHERE id = ?",
                                    (self.session_id,)).fetchone()[0]
            names = [g for g in str(games).split(",") if g]
            if deck not in names:
                names.append(deck)
            self.db.execute("UPDATE sessions SET ended_at = ?, games = ?, prompts = prompts + 1 "
                            "WHERE id = ?", (stamp, ",".join(names), self.session_id))
            self.db.execute("INSERT INTO prompts_used (session_id, deck, prompt_id, round, "
                            "used_at) VALUES (?, ?, ?, ?, ?)",
                            (self.session_id, deck, prompt_id, self._round(deck), stamp))

    def reset_deck(self, deck: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO deck_rounds (deck, round) VALUES (?, 1) ON CONFLICT(deck)"
                            " DO UPDATE SET round = round + 1", (deck,))

    # ----- sessions ---------------------------------------------------------------------

    def end_session(self) -> None:
        """Mark the end of this run (the end time also moves with every prompt)."""
        if self.session_id is not None:
            with self.db:
                self.db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?",
                                (self._stamp(), self.session_id))
            self.session_id = None

    def sessions(self) -> list[SessionRecord]:
        rows = self.db.execute("SELECT started_at, ended_at, games, prompts FROM sessions "
                               "ORDER BY started_at, id")
        return [SessionRecord(datetime.fromisoformat(start), datetime.fromisoformat(end),
                              tuple(g for g in games.split(",") if g), int(prompts))
                for start, end, games, prompts in rows]

    def decks(self) -> list[DeckRecord]:
        rows = self.db.execute("SELECT deck, COUNT(*), MAX(used_at) FROM prompts_used "
                               "GROUP BY deck ORDER BY deck")
        return [DeckRecord(deck, int(count), datetime.fromisoformat(last))
                for deck, count, last in rows]

    # ----- forget -----------------------------------------------------------------------

    def forget(self) -> None:
        """Wipe everything played (the file stays, empty, with its schema)."""
        with self.db:
            self.db.execute("BEGIN")
            for table in ("prompts_used", "sessions", "deck_rounds"):
                self.db.execute(f"DELETE FROM {table}")
        self.session_id = None
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


__all__ = ["DeckRecord", "History", "SessionRecord", "default_path"]
