"""Speculative finish: a live listener that answers a complete command before the hangover.

Endpointing must wait for a quiet gap long enough not to split a command said with a
short pause ("start a … remember-when game"), and that wait is most of an answer's
latency. So, when a short utterance has been quiet for `EndpointOptions.early_end`,
the decode is finished right there. If what was said is a command the listener is sure
of, and which is complete (an intent that takes a slot has it), it is the utterance, and
the endpointer is told it is over. Otherwise the decoder
starts again on the utterance's audio so far and the endpointer goes on waiting, exactly
as if nothing had happened (only a little CPU was spent).
"""

from __future__ import annotations

from typing import Any

from assistant.audio import AudioChunk
from assistant.endpoint import Span
from assistant.intent import Intent
from assistant.listening import Listener, decide
from assistant.utterance import Utterance

SURE = 0.7
"""Confidence (0..1, `Utterance.confidence`) a command needs to be taken early."""

LONGEST = 4.0
"""Seconds: longer utterances are not finished early (commands are short; talk is long, and
re-decoding it at every pause would cost CPU for nothing)."""


class SpeculativeListener(Listener):
    """A `Listener` whose endpointing offers early ends (`Step.paused`) that it may take."""

    def __init__(self, *args: Any, slotted: frozenset[Intent] = frozenset(),
                 **kwargs: Any) -> None:
        """`slotted`: intents that take a slot ("start the {game} game"); said without one
        ("let's play …") they are likely to go on, so they are not finished early."""
        super().__init__(*args, **kwargs)
        self.slotted = slotted
        self._audio: list[AudioChunk] = []
        self.early = 0
        """Commands taken at an early end."""
        self.retracted = 0
        """Early ends that were not a sure command: decoding went on."""

    def _begin(self) -> None:
        super()._begin()
        self._audio = []

    def _accept(self, piece: AudioChunk) -> None:
        super()._accept(piece)
        self._audio.append(piece)

    def _finish(self, span: Span) -> list[Utterance]:
        self._audio = []
        return super()._finish(span)

    def _paused(self, span: Span) -> list[Utterance]:
        if span.end - span.start > LONGEST:
            return []
        utterance = decide(span, self.engine.finish(), self.matcher, self.options)
        if self._complete(utterance):
            self.early += 1
            self._endpointer.close()
            self._audio = []
            return [utterance]
        self.retracted += 1
        self.engine.start()
        for piece in self._audio:
            self.engine.accept(piece)
        return []

    def _complete(self, utterance: Utterance) -> bool:
        return (utterance.intent is not None and utterance.confidence >= SURE
                and (bool(utterance.slots) or utterance.intent not in self.slotted))

    def reset(self) -> None:
        super().reset()
        self._audio = []
