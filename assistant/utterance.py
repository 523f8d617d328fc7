"""One record for one utterance, from the recognizer to every place that reports it.

The listeners produce it (`listening.py`), the live listener process sends it across its
pipe (`listener_process.py`), the session judges and acts on it, and two writers print
it with the same JSON form (`utterance_json`): `hearth listen --json` and the debug
recording's `utterances.jsonl`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.intent import Intent


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech, as Hearth understood it."""

    start: float
    """Seconds from the start of the stream (the session clock, live)."""
    end: float
    text: str
    """The full transcript (lower-case words)."""
    intent: Intent | None = None
    """The command, or None when the couple were just talking."""
    slots: Mapping[str, str] = field(default_factory=dict)
    """The command's slots, e.g. {"game": "dreams"}."""
    confidence: float = 0.0
    """0..1: how sure Hearth is of `intent` (or of the transcript, for talk)."""
    received: float = 0.0
    """Live only: `time.monotonic()` when the chunk that ended it reached the listener."""
    decoded: float = 0.0
    """Live only: `time.monotonic()` when its decode and intent were done."""


def utterance_json(utterance: Utterance) -> dict[str, Any]:
    """The JSON form: start, end, text, intent (or null), slots, confidence (0..1)."""
    return {
        "start": round(utterance.start, 3),
        "end": round(utterance.end, 3),
        "text": utterance.text,
        "intent": utterance.intent.value if utterance.intent is not None else None,
        "slots": dict(utterance.slots),
        "confidence": round(min(1.0, max(0.0, utterance.confidence)), 3),
    }
