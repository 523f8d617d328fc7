"""A debug recording of one live session, only when the user asks for one.

`hearth run --debug-record DIR` (or `debug_record` in the config) writes one folder per
session, named by its start time, readable by the owner only:

- `input.wav`: 16 kHz mono audio exactly as the recognizer got it. It is written at least
  every `FLUSH_EVERY` seconds, and the stdlib `wave` writer patches the header with each
  write, so after a crash or a kill the file is a valid WAV missing at most that much.
- `utterances.jsonl`: one JSON object per utterance heard, written and flushed at once,
  with `start`/`end` in seconds of `input.wav`.

The session clock jumps forward over a lost microphone while `input.wav` runs on without
a gap, so the recorder keeps where each stretch of audio began on both clocks.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import wave
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from assistant.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioChunk
from assistant.errors import ConfigError
from assistant.utterance import Utterance, utterance_json

AUDIO_FILE = "input.wav"
UTTERANCES_FILE = "utterances.jsonl"
FLUSH_EVERY = 0.5
"""Seconds of audio held in memory before it is written: the most a crash can lose."""
FOLDER_FORMAT = "%Y-%m-%dT%H-%M-%S"
"""Session folder names: start time, sortable, no colons (not allowed on every disk)."""
log = logging.getLogger(__name__)

GAP = 0.001
"""A chunk starting this much later than the previous one ended begins a new stretch."""


@dataclass(frozen=True)
class Stretch:
    """Audio recorded without a break: where it starts on the session clock and in the file."""

    session_start: float
    file_start: float


class DebugRecorder:
    """Writes one session's audio and utterances; `close()` when the session ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.audio_path = folder / AUDIO_FILE
        self.utterances_path = folder / UTTERANCES_FILE
        self._audio_file = os.fdopen(_create_private(self.audio_path), "wb")
        self._wav = wave.open(self._audio_file, "wb")  # noqa: SIM115 (closed in _shut())
        self._wav.setnchannels(1)
        self._wav.setsampwidth(SAMPLE_WIDTH)
        self._wav.setframerate(SAMPLE_RATE)
        self._wav.writeframes(b"")  # a valid, empty WAV from the start
        self._audio_file.flush()
        self._lines = os.fdopen(_create_private(self.utterances_path), "w", encoding="utf-8")
        self._pending = bytearray()
        self._frames = 0
        self._stretches: list[Stretch] = []
        self._expected: float | None = None
        self._closed = False

    @classmethod
    def start(cls, root: Path, named: str, now: datetime | None = None) -> DebugRecorder:
        """A new session folder (mode 0700) under `root` (created, mode 0700). `named` is
        how the user set `root` (the flag or the config key), for the error message."""
        root = root.expanduser()
        fix = f"Give {named} a folder you can write to, or leave it out to record nothing."
        if root.exists() and not root.is_dir():
            raise ConfigError(f"{named} {root} is a file, not a folder.", fix)
        stamp = (now or datetime.now()).strftime(FOLDER_FORMAT)
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder = _new_folder(root, stamp)
            return cls(folder)
        except OSError as error:
            reason = error.strerror or str(error)
            raise ConfigError(f"{named} {root} cannot be written to ({reason}).", fix) from error

    @property
    def seconds(self) -> float:
        """Audio recorded so far, written or not."""
        return (self._frames + len(self._pending) // SAMPLE_WIDTH) / SAMPLE_RATE

    def write(self, chunk: AudioChunk) -> None:
        """Append a 16 kHz mono chunk stamped on the session clock."""
        if self._closed:
            return
        if self._expected is None or abs(chunk.timestamp - self._expected) > GAP:
            self._stretches.append(Stretch(chunk.timestamp, self.seconds))
        self._expected = chunk.timestamp + chunk.duration
        self._pending += chunk.audio
        if len(self._pending) >= FLUSH_EVERY * SAMPLE_RATE * SAMPLE_WIDTH:
            self.flush()

    def flush(self) -> None:
        """Write the audio held in memory; the WAV header is then up to date on disk."""
        if self._closed:
            return
        try:
            if self._pending:
                self._wav.writeframes(bytes(self._pending))
                self._frames += len(self._pending) // SAMPLE_WIDTH
                self._pending.clear()
            self._audio_file.flush()
        except OSError as error:
            self._give_up(error)

    def file_time(self, session_time: float) -> float:
        """Where a moment on the session clock is in `input.wav`, in seconds."""
        stretch = None
        for candidate in self._stretches:
            if candidate.session_start > session_time:
                break
            stretch = candidate
        if stretch is None:
            return 0.0
        return min(stretch.file_start + session_time - stretch.session_start, self.seconds)

    def utterance(self, heard: Utterance, *, ignored: bool, barge_in: bool = False) -> None:
        """One line for an utterance heard; `ignored` if it came while Hearth spoke."""
        on_file = replace(heard, start=self.file_time(heard.start), end=self.file_time(heard.end))
        line = {**utterance_json(on_file), "ignored": ignored, "barge_in": barge_in}
        if self._closed:
            return
        try:
            self._lines.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._lines.flush()
        except OSError as error:
            self._give_up(error)

    def close(self) -> None:
        self.flush()
        self._shut()

    def _give_up(self, error: OSError) -> None:
        # A full or vanished disk ends the recording, not the couple's evening.
        log.warning("debug recording stopped: %s cannot be written (%s)", self.folder,
                    error.strerror or error)
        self._shut()

    def _shut(self) -> None:
        if self._closed:
            return
        self._closed = True
        for closing in (self._wav.close, self._audio_file.close, self._lines.close):
            with contextlib.suppress(OSError):  # reported; the header is from the last write
                closing()


def _new_folder(root: Path, stamp: str) -> Path:
    """`root/stamp`, or `root/stamp-2`, … when a session already started that second."""
    for attempt in range(1, 100):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)  # whatever the umask
        return folder
    raise FileExistsError(f"too many sessions named {stamp}")


def _create_private(path: Path) -> int:
    """A new file only its owner can read, whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)
    return descriptor
