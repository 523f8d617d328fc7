"""The one small interface every speech engine implements.

An engine decodes one utterance at a time, chunk by chunk as the microphone
gives it. For each utterance it returns two readings of the same audio: the
full-vocabulary transcript (what was said, as best it can tell) and the
command reading (decoding constrained to the command sentences, with a path
for out-of-grammar speech). The listening pipeline weighs both to decide
whether the couple gave a command or were just talking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.audio import AudioChunk

ENGINES = ("auto", "pocketsphinx", "vosk")
"""The speech engines a user can choose; `auto` is vosk when an English vosk model is
installed, else the built-in pocketsphinx."""


@dataclass(frozen=True)
class Word:
    """One recognized word."""

    text: str
    start: float
    """Seconds from the start of the utterance."""
    end: float
    confidence: float
    """0..1; engines without a real posterior give their best estimate."""


@dataclass(frozen=True)
class Hypothesis:
    """One reading of an utterance."""

    text: str
    """Lower-case words separated by single spaces; empty when nothing was recognized."""
    words: tuple[Word, ...] = ()
    confidence: float = 0.0
    """0..1 for the whole reading."""


@dataclass(frozen=True)
class Recognition:
    """Both readings of one utterance."""

    transcript: Hypothesis
    """Full-vocabulary decoding."""
    command: Hypothesis | None
    """Grammar-constrained decoding; None when the engine found no command sentence
    (out-of-grammar path won) or was given no command sentences."""


class SpeechEngine(Protocol):
    """A speech recognizer that decodes one utterance at a time."""

    name: str
    """`pocketsphinx` or `vosk`."""

    def set_commands(self, sentences: Sequence[str]) -> None:
        """The command sentences (lower-case words) the constrained reading is limited to."""
        ...

    def start(self) -> None:
        """Begin a new utterance, discarding anything unfinished."""
        ...

    def accept(self, chunk: AudioChunk) -> None:
        """Decode one 16 kHz mono 16-bit chunk of the current utterance."""
        ...

    def finish(self) -> Recognition:
        """End the utterance and return both readings."""
        ...
