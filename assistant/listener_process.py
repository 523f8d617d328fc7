"""The listening pipeline in its own process, so recognition never stalls the audio.

The recognizers' Python bindings hold the interpreter lock while they decode
(pocketsphinx: up to a second for a long utterance). In the session's process
that would starve the sounddevice callbacks, and the speaker would underrun in
the middle of Hearth's sentences. So the `Listener` runs in a child process:
chunks go in through a pipe, and what it heard comes back as plain `Heard`
records (no recognizer objects cross the pipe).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from assistant.audio import AudioChunk
from assistant.errors import HearthError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.endpoint import EndpointOptions

STARTUP_TIMEOUT = 120.0
"""Seconds the child may take to load the speech model."""


@dataclass(frozen=True)
class HeardUtterance:
    """One utterance as the session needs it."""

    start: float
    end: float
    text: str
    intent: str | None
    """The command's intent, or None for conversation."""
    slots: dict[str, str] = field(default_factory=dict)
    confidence: float = 0.0
    received: float = 0.0
    """`time.monotonic()` when the chunk that ended the utterance reached the listener."""
    decoded: float = 0.0
    """`time.monotonic()` when its decode and intent were done (for latency breakdowns)."""


LIVE_HANGOVER = 0.3
"""Seconds of quiet that end an utterance in a live session (`listen` waits longer)."""

LIVE_EARLY_END = 0.09
"""Seconds of quiet after which a live session finishes the decode of a short utterance:
a sure, complete command is answered there; anything else waits for the hangover."""

LIVE_END_DROP_DB = 35.0
"""Live: a chunk this far below the utterance's loudest is quiet (see `EndpointOptions`)."""


def live_endpointing() -> EndpointOptions:
    """Endpointing for answers that start quickly (see `EndpointOptions`)."""
    from assistant.endpoint import EndpointOptions

    return EndpointOptions(hangover=LIVE_HANGOVER, early_end=LIVE_EARLY_END, fast_release=True,
                           end_drop_db=LIVE_END_DROP_DB)


def make_listener(settings: Settings, *, live: bool = False) -> Any:
    """The listening pipeline `listen` and `demo` use; `live` tunes endpointing for answers
    that start quickly, and finishes sure commands early (`speculative.SpeculativeListener`)."""
    from assistant.asr import create_engine
    from assistant.intents import load_intents
    from assistant.listening import Listener, ListenOptions
    from assistant.matching import IntentMatcher
    from assistant.speculative import SpeculativeListener

    catalog = load_intents()
    matcher = IntentMatcher(catalog, settings.wake_word, settings.require_wake_word)
    if not live:
        return Listener(create_engine(settings), matcher)
    slotted = frozenset(template.intent for template in catalog.templates if template.slots)
    return SpeculativeListener(create_engine(settings), matcher,
                               ListenOptions(endpoint=live_endpointing()), slotted=slotted)


def _serve(settings: Settings, connection: Connection) -> None:
    try:
        listener = make_listener(settings, live=True)
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
            connection.send([_plain(utterance, received, decoded) for utterance in utterances])


def _plain(utterance: Any, received: float = 0.0, decoded: float = 0.0) -> HeardUtterance:
    match = utterance.intent
    return HeardUtterance(
        float(utterance.start), float(utterance.end), str(utterance.text),
        str(match.intent) if match is not None else None,
        {str(k): str(v) for k, v in match.slots.items()} if match is not None else {},
        float(getattr(utterance, "confidence", 0.0)), received, decoded,
    )


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

    def poll(self) -> list[HeardUtterance]:
        heard: list[HeardUtterance] = []
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
