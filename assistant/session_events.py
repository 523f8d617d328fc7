"""What a live session tells the world: one typed event stream, and its two writers.

The session emits one event for each thing that happens (an utterance heard or
ignored, a barge-in, a line spoken, a device lost or back, the end). `HumanLog`
prints them as the lines `hearth run` shows; `JsonLog` writes one JSON object per
event to the file of `hearth run --events FILE`, which tests and benchmarks read.
Times `at`, `start` and `end` are seconds on the session's audio clock;
`received`, `decoded` and `queued` are `time.monotonic()` readings, for latency
breakdowns. No event carries the couple's words: only intents, and Hearth's own lines.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import IO, ClassVar

from assistant.dialogue.events import SayKind
from assistant.intent import Intent


class EventType(enum.StrEnum):
    LISTENING = "listening"
    RESUMED = "resumed"
    HEARD = "heard"
    IGNORED = "ignored"
    BARGE_IN = "barge_in"
    SPOKE = "spoke"
    FINISHED_SPEAKING = "finished_speaking"
    DEVICE_LOST = "device_lost"
    DEVICE_BACK = "device_back"
    AUDIO_TROUBLE = "audio_trouble"
    ENDED = "ended"


@dataclass(frozen=True)
class _Event:
    at: float
    """When, in seconds on the session's audio clock."""
    type: ClassVar[EventType]


@dataclass(frozen=True)
class Listening(_Event):
    """The devices are open; the evening begins."""

    type = EventType.LISTENING
    microphone: str
    speaker: str


@dataclass(frozen=True)
class Resumed(_Event):
    """A saved game was found and is offered again."""

    type = EventType.RESUMED


@dataclass(frozen=True)
class Heard(_Event):
    """An utterance passed to the dialogue: a command (`intent`) or talk (None)."""

    type = EventType.HEARD
    start: float
    end: float
    intent: Intent | None
    slots: Mapping[str, str] = field(default_factory=dict)
    confidence: float = 0.0
    received: float = 0.0
    decoded: float = 0.0


@dataclass(frozen=True)
class Ignored(_Event):
    """An utterance heard while Hearth spoke, dropped (its own voice, or talk over it)."""

    type = EventType.IGNORED
    start: float
    end: float


@dataclass(frozen=True)
class BargeIn(_Event):
    """Stop or pause spoken over Hearth: its speech was cut."""

    type = EventType.BARGE_IN
    intent: Intent


@dataclass(frozen=True)
class Spoke(_Event):
    """Hearth queued a line; it is heard from `start` to `end`. After a command,
    `after_command` is how long after the command ended the line was queued."""

    type = EventType.SPOKE
    kind: SayKind
    text: str
    start: float
    end: float
    after_command: float | None = None
    ready_in_advance: bool = False
    queued: float = 0.0


@dataclass(frozen=True)
class FinishedSpeaking(_Event):
    """Everything Hearth queued has been heard."""

    type = EventType.FINISHED_SPEAKING


@dataclass(frozen=True)
class DeviceLost(_Event):
    """`device` ("microphone", "speaker" or "audio devices") stopped; retrying."""

    type = EventType.DEVICE_LOST
    device: str


@dataclass(frozen=True)
class DeviceBack(_Event):
    type = EventType.DEVICE_BACK
    device: str
    after: float
    """Seconds it was gone."""


@dataclass(frozen=True)
class AudioTrouble(_Event):
    """Audio was lost so far this session (reported at most once a minute, when it grew)."""

    type = EventType.AUDIO_TROUBLE
    input_overflows: int
    input_dropped: int
    output_underruns: int


@dataclass(frozen=True)
class Ended(_Event):
    type = EventType.ENDED
    reason: str


SessionEvent = (Listening | Resumed | Heard | Ignored | BargeIn | Spoke | FinishedSpeaking
                | DeviceLost | DeviceBack | AudioTrouble | Ended)
EventSink = Callable[[SessionEvent], None]


def event_json(event: SessionEvent) -> dict[str, object]:
    """The JSON form: {"event": type, "at": seconds, ...the event's fields}."""
    fields = {key: round(value, 3) if isinstance(value, float) and key not in MONOTONIC
              else value for key, value in asdict(event).items()}
    return {"event": event.type.value, **fields}


MONOTONIC = frozenset({"received", "decoded", "queued"})
"""Fields read off `time.monotonic()`: kept at full precision."""


class JsonLog:
    """`hearth run --events FILE`: one JSON object per event per line, flushed at once."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file

    def __call__(self, event: SessionEvent) -> None:
        self.file.write(json.dumps(event_json(event), ensure_ascii=False) + "\n")
        self.file.flush()


class HumanLog:
    """The lines `hearth run` prints: timestamped, intents and Hearth's own lines only."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def __call__(self, event: SessionEvent) -> None:
        for line in describe(event):
            self.write(line if isinstance(event, Listening) else f"[{event.at:9.2f}] {line}")


def describe(event: SessionEvent) -> list[str]:
    """The human lines for one event."""
    match event:
        case Listening():
            return [f"hearth: listening on {event.microphone!r}, speaking on {event.speaker!r}"]
        case Resumed():
            return ["a saved game was found; offering to continue it"]
        case Heard(intent=None):
            return [f"heard: talk ({event.end - event.start:.1f} s)"]
        case Heard():
            slots = ", ".join(f"{key}={value}" for key, value in event.slots.items())
            return [f"heard: {event.intent}({slots}) {event.at - event.end:.3f} s after it "
                    f"ended [clock: chunk in {event.received:.3f}, decoded {event.decoded:.3f}]"]
        case Ignored():
            return [f"ignored {event.end - event.start:.1f} s heard while speaking"]
        case BargeIn():
            return [f"barge-in: {event.intent}"]
        case Spoke():
            lines = []
            if event.after_command is not None:
                lines.append(f"answer queued {event.after_command:.3f} s after the command "
                             f"ended (ready in advance: {event.ready_in_advance}) "
                             f"[clock: {event.queued:.3f}]")
            return [*lines, f"Hearth ({event.kind}): {event.text}"]
        case FinishedSpeaking():
            return ["finished speaking"]
        case DeviceLost():
            return [f"lost the {event.device}; retrying until it is back"]
        case DeviceBack():
            verb = "are" if event.device.endswith("s") else "is"
            return [f"the {event.device} {verb} back after {event.after:.1f} s; continuing"]
        case AudioTrouble():
            return [f"audio: {event.input_overflows} input overflows, {event.input_dropped} "
                    f"input blocks dropped, {event.output_underruns} output underruns so far"]
        case Ended(reason="stopped"):
            return []  # Ctrl-C: `hearth run` says so, and that the game is saved
        case Ended():
            return [f"the evening ends ({event.reason})"]
