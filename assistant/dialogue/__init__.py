"""The game dialogue: a pure state machine. Events in (`Heard`, `Silence`, `SpeechFinished`,
`Started`), actions out (`Say`, `End`). The same machine runs `hearth run`, `hearth demo` and
the tests; it does no I/O (time comes in events, randomness from an injected `random.Random`).
"""

from assistant.dialogue.events import (
    Action,
    End,
    Event,
    Heard,
    PromptSource,
    Say,
    SayKind,
    Silence,
    SpeechFinished,
    Started,
    State,
)
from assistant.dialogue.machine import Dialogue

__all__ = ["Action", "Dialogue", "End", "Event", "Heard", "PromptSource", "Say", "SayKind",
           "Silence", "SpeechFinished", "Started", "State"]
