"""The listening pipeline in its own process, so recognition never stalls the audio.

The recognizers' Python bindings hold the interpreter lock while they decode
(pocketsphinx: up to a second for a long utterance). In the session's process
that would starve the sounddevice callbacks, and the speaker would underrun in
the middle of Hearth's sentences. So the `Listener` runs in a child process:
chunks go in through a pipe, and what it heard comes back as `Utterance` records
(no recognizer objects cross the pipe).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from dataclasses import replace
from multiprocessing.connection import Connection

from assistant.audio import AudioChunk
from assistant.errors import HearthError
from assistant.pipeline import build_listener
from assistant.settings import Settings
from assistant.utterance import Utterance

STARTUP_TIMEOUT = 120.0
"""Seconds the child may take to load the speech model."""


def _serve(settings: Settings, connection: Connection) -> None:
    try:
        listener = build_listener(settings, live=True)
    except HearthError as error:
        connection.send(("error", error.message, error.fix))
        return
    connection.send(("ready", "", ""))
    while True:
        try:
            message = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        if message == "reset":
            listener.reset()
            continue
        received = time.monotonic()
        utterances = list(listener.feed(message))
        if utterances:
            decoded = time.monotonic()
            connection.send([replace(utterance, received=received, decoded=decoded)
                             for utterance in utterances])


class ListenerProcess:
    """`send(chunk)` audio, `poll()` for what was heard, `reset()` to drop a partial one."""

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(settings, child),
                                        name="hearth-listener", daemon=True)
        self._process.start()
        child.close()
        if not self._connection.poll(STARTUP_TIMEOUT):
            self.close()
            raise HearthError("The speech recognizer did not start.",
                              "Check the engine and model with `hearth doctor`.")
        try:
            status, message, fix = self._connection.recv()
        except EOFError as error:
            raise HearthError("The speech recognizer stopped while starting.",
                              "Check the engine and model with `hearth doctor`.") from error
        if status == "error":
            self.close()
            raise HearthError(message, fix)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def send(self, chunk: AudioChunk) -> None:
        self._connection.send(chunk)

    def reset(self) -> None:
        self._connection.send("reset")

    def poll(self) -> list[Utterance]:
        heard: list[Utterance] = []
        try:
            while self._connection.poll():
                heard.extend(self._connection.recv())
        except (EOFError, OSError):
            pass  # the child died; the session starts a new one
        return heard

    def alive(self) -> bool:
        return self._process.is_alive()

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):  # already gone
            self._connection.send(None)
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.kill()
        self._connection.close()
