"""The SQLite history: owner-only, counts and dates only, rounds of prompts, crash-safe."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.history import SCHEMA_VERSION, History
from assistant.state_store import StateStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data" / "hearth"
    monkeypatch.setenv("HEARTH_DATA_HOME", str(home))
    return home


def test_file_and_folder_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "history.sqlite3"
    with History(path) as history:
        history.record_prompt("friendship", "friendship:1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_default_location_is_the_data_folder(data_home: Path) -> None:
    with History() as history:
        assert history.path == data_home / "history.sqlite3"


def test_schema_version_is_recorded(tmp_path: Path) -> None:
    History(tmp_path / "h.sqlite3").close()
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_used_prompts_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_prompt("friendship", "friendship:1")
        history.record_prompt("dreams", "dreams:1")
    with History(path) as history:
        assert history.used_prompt_ids("friendship") == {"friendship:1"}
        assert history.used_prompt_ids("dreams") == {"dreams:1"}
        assert history.used_prompt_ids("check_in") == frozenset()


def test_records_survive_a_crash_without_close(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    history = History(path)
    history.record_prompt("friendship", "friendship:1")
    # No close, no end_session: another connection must already see it.
    with History(path) as other:
        assert other.used_prompt_ids("friendship") == {"friendship:1"}
        assert other.sessions()[0].prompts == 1
    history.close()


def test_reset_deck_starts_a_new_round(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        history.record_prompt("friendship", "friendship:1")
        history.reset_deck("friendship")
        assert history.used_prompt_ids("friendship") == frozenset()
        history.record_prompt("friendship", "friendship:2")
        assert history.used_prompt_ids("friendship") == {"friendship:2"}
        assert history.decks()[0].prompts == 2


def test_sessions_keep_dates_games_counts_and_duration(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "h.sqlite3"
    with History(path, clock=clock) as history:
        history.record_prompt("friendship", "friendship:1")
        clock.advance(10)
        history.record_prompt("dreams", "dreams:1")
        history.record_prompt("friendship", "friendship:2")
        clock.advance(5)
        history.end_session()
    with History(path, clock=clock) as history:
        clock.advance(60 * 24)
        history.record_prompt("check_in", "check_in:1")
        sessions = history.sessions()
    assert len(sessions) == 2
    first = sessions[0]
    assert first.games == ("friendship", "dreams")
    assert first.prompts == 3
    assert first.duration_seconds == 15 * 60
    assert sessions[1].started_at.date() == datetime(2026, 3, 2).date()


def test_no_conversation_text_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_prompt("friendship", "friendship:abc")
    db = sqlite3.connect(path)
    columns = {row[1] for table in ("sessions", "prompts_used")
               for row in db.execute(f"PRAGMA table_info({table})")}
    assert not columns & {"text", "transcript", "audio", "words"}


def test_a_file_of_the_first_version_loses_its_unused_resume_table(tmp_path: Path) -> None:
    """The saved game lives in one place, session.json; version 1 had a SQLite copy."""
    path = tmp_path / "h.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                      "INSERT INTO schema_version VALUES (1);"
                      "CREATE TABLE resume (id INTEGER PRIMARY KEY, saved_at TEXT,"
                      " snapshot TEXT NOT NULL);")
    old.close()
    with History(path) as history:
        history.record_prompt("friendship", "friendship:1")
    db = sqlite3.connect(path)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "resume" not in tables
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_forget_wipes_everything(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        history.record_prompt("friendship", "friendship:1")
        history.forget()
        assert history.sessions() == []
        assert history.decks() == []
        assert history.used_prompt_ids("friendship") == frozenset()


def test_corrupt_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    from assistant.errors import HearthError
    with pytest.raises(HearthError) as caught:
        History(path)
    assert "hearth forget" in caught.value.fix


# ----- the command line -----------------------------------------------------------------

def test_history_command_with_nothing_played(data_home: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history"]) == 0
    assert "Nothing played yet" in capsys.readouterr().out


def test_history_command_shows_counts_and_dates(data_home: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with History() as history:
        history.record_prompt("friendship", "friendship:1")
        history.record_prompt("friendship", "friendship:2")
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "1 session, 2 prompts" in out
    assert "friendship" in out
    assert datetime.now().strftime("%Y-") in out


def test_forget_asks_first(data_home: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    with History() as history:
        history.record_prompt("friendship", "friendship:1")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["forget"]) == 1
    with History() as history:
        assert history.sessions()
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert main(["forget"]) == 0
    with History() as history:
        assert history.sessions() == []


def test_forget_without_a_terminal_needs_yes(data_home: Path) -> None:
    with History() as history:
        history.record_prompt("friendship", "friendship:1")
    assert main(["forget"]) == 1
    assert main(["forget", "--yes"]) == 0
    with History() as history:
        assert history.sessions() == []


def test_forget_also_wipes_the_saved_game(data_home: Path) -> None:
    """README: `hearth forget` wipes the history and the saved place in an unfinished game."""
    with History() as history:
        history.record_prompt("friendship", "friendship:1")
    store = StateStore()
    store.save({"state": "prompt", "game": "friendship"})
    assert store.path.parent == data_home
    assert main(["forget", "--yes"]) == 0
    assert not store.path.exists()
    assert StateStore().load() is None


def test_forget_wipes_a_saved_game_even_with_no_history(data_home: Path) -> None:
    store = StateStore()
    store.save({"state": "prompt", "game": "friendship"})
    assert main(["forget", "--yes"]) == 0
    assert not store.path.exists()


def test_a_file_of_a_newer_hearth_keeps_its_version(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path):
        pass
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with History(path) as history:
        history.record_prompt("friendship", "friendship:1")
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION + 1,)]
