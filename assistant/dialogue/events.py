"""What goes into the dialogue (events) and what comes out (actions).

Times (`at`) are seconds on any clock the caller likes (monotonic is fine); the dialogue
only compares them. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from assistant.intent import Intent


@dataclass(frozen=True)
class Heard:
    """Someone said something: a command (`intent` set) or conversation (`intent` None)."""

    text: str
    intent: Intent | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    at: float = 0.0


@dataclass(frozen=True)
class Silence:
    """Nobody has spoken, and Hearth has not spoken, for `seconds`."""

    seconds: float
    at: float = 0.0


@dataclass(frozen=True)
class Started:
    """The session began (the device is listening)."""

    at: float = 0.0


Event = Heard | Silence | Started


class SayKind(enum.StrEnum):
    """What a `Say` is, so the loop or demo can log, time or style it."""

    WELCOME = "welcome"
    INFO = "info"
    INTRO = "intro"
    PROMPT = "prompt"
    FOLLOW_UP = "follow_up"
    HANDOVER = "handover"
    HELP = "help"
    CONSENT = "consent"
    SAFETY = "safety"
    THERAPIST = "therapist"
    CLOSING = "closing"
    GOODBYE = "goodbye"


@dataclass(frozen=True)
class Say:
    """Speak `text` aloud; `kind` says what it is."""

    text: str
    kind: SayKind


@dataclass(frozen=True)
class End:
    """The session is over; the loop speaks any `Say` before this, then stops."""

    reason: str


Action = Say | End


class State(enum.StrEnum):
    IDLE = "idle"
    """Welcomed; waiting for a game to be chosen."""
    CONSENT = "consent"
    """Asking each partner, by name, whether to play the opt-in game."""
    PROMPT = "prompt"
    """A prompt was read; nobody has spoken yet."""
    TALKING = "talking"
    """The partners are answering the prompt."""
    PAUSED = "paused"
    """Paused by request; only resume, stop and help act."""
    SAFETY = "safety"
    """Stopped after words of crisis or fear; help lines given; waits for resume or stop."""
    CLOSING = "closing"
    """The closing ritual prompt was read; the next step is goodbye."""
    ENDED = "ended"


class PromptSource(Protocol):
    """Which prompts were used before (history), so prompts don't repeat until a deck is used
    up. `assistant.history.History` is one; tests may pass any object with these methods."""

    def used_prompt_ids(self, deck: str) -> frozenset[str]: ...

    def record_prompt(self, deck: str, prompt_id: str) -> None: ...

    def reset_deck(self, deck: str) -> None:
        """The deck is used up: start a new round in which every prompt is fresh again."""
        ...
