"""The game dialogue: a pure state machine. Events in (`Heard`, `Silence`, `Started`),
actions out (`Say`, `End`). The same machine runs `hearth run`, `hearth demo` and
the tests; it does no I/O (time comes in events, randomness from an injected `random.Random`).

Inside: `events` (the vocabulary), `memory` (what it remembers; the snapshot), `lines` and
`picker`, and the steps, which import one way only: `table` (their shared context) ← `turns`
← `games` ← `care` ← `machine`.
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
    Started,
    State,
)
from assistant.dialogue.machine import Dialogue

__all__ = ["Action", "Dialogue", "End", "Event", "Heard", "PromptSource", "Say", "SayKind",
           "Silence", "Started", "State"]
