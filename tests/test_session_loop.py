"""The live session's loop, driven in virtual time by fake devices, recognizer and voice.

These check the sequence of session events fast; `test_session_live.py` runs the same
loop on the real stack (PulseAudio's virtual devices, the real recognizer and voice).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from assistant import session_events as events
from assistant.audio import CHUNK_SAMPLES, SAMPLE_RATE, AudioChunk, Samples
from assistant.dialogue import SayKind
from assistant.errors import AudioDeviceError
from assistant.history import History
from assistant.intent import Intent
from assistant.portaudio import DeviceInfo
from assistant.session import BACK, LOST_MIC, Session
from assistant.session_events import EventType, HumanLog, JsonLog, SessionEvent
from assistant.session_parts import SessionParts
from assistant.settings import Settings
from assistant.state_store import StateStore
from assistant.utterance import Utterance

CHUNK = CHUNK_SAMPLES / SAMPLE_RATE
SPEAKING_RATE = 0.04
"""Seconds of Hearth's (silent, fake) speech per character of a line."""
LONGEST_EVENING = 900.0
"""Virtual seconds after which a test's evening is taken to be stuck."""


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


@dataclass
class Room:
    """What the fakes share: the clock, what the couple say and when devices go away."""

    clock: FakeClock = field(default_factory=FakeClock)
    said: list[Utterance] = field(default_factory=list)
    loud: list[tuple[float, float]] = field(default_factory=list)
    """Stream times (start, end) when the microphone hears someone speak up."""
    mic_gone: tuple[float, float] | None = None
    """From when to when (virtual monotonic seconds) the microphone is unplugged."""
    speaker_gone: tuple[float, float] | None = None
    recognizer_dies_at: float | None = None
    """When (virtual monotonic seconds) the recognizer process dies."""
    delivered: list[Utterance] = field(default_factory=list)
    played: list[tuple[float, int]] = field(default_factory=list)
    flushed: list[float] = field(default_factory=list)
    recognizers: int = 0

    def gone(self, window: tuple[float, float] | None) -> bool:
        return window is not None and window[0] <= self.clock.t < window[1]


class FakeStream:
    """What the fake microphone and speaker share: a device, and closing."""

    def __init__(self, room: Room, device: DeviceInfo) -> None:
        self.room = room
        self.device = device
        self.closed = False

    def describe(self) -> str:
        return "fake"

    def close(self) -> None:
        self.closed = True


class FakeMicrophone(FakeStream):
    """30 ms chunks at real pace on the fake clock: silence, or noise where `room.loud`."""

    def __init__(self, room: Room) -> None:
        super().__init__(room, DeviceInfo(1, "fake mic", 1, 0, SAMPLE_RATE))
        self.overflows = self.dropped = 0
        self.fed = 0.0

    @property
    def alive(self) -> bool:
        return not self.closed and not self.room.gone(self.room.mic_gone)

    def chunks(self, timeout: float = 0.1) -> Iterator[AudioChunk]:
        if self.room.clock.t > 1000.0 + LONGEST_EVENING:
            raise AssertionError("the evening never ended")
        self.room.clock.sleep(CHUNK)
        if not self.alive:
            return
        samples = np.zeros(CHUNK_SAMPLES, dtype=np.int16)
        if any(start <= self.fed < end for start, end in self.room.loud):
            samples = np.random.default_rng(0).normal(0, 3000, CHUNK_SAMPLES).astype(np.int16)
        yield AudioChunk(samples.tobytes(), SAMPLE_RATE, 1, self.fed)
        self.fed += CHUNK


class FakeSpeaker(FakeStream):
    def __init__(self, room: Room) -> None:
        super().__init__(room, DeviceInfo(2, "fake speaker", 0, 1, SAMPLE_RATE))
        self.underruns = 0
        self.busy_until = 0.0

    @property
    def alive(self) -> bool:
        return not self.closed and not self.room.gone(self.room.speaker_gone)

    def play(self, samples: Samples, rate: int) -> None:
        now = self.room.clock.t
        self.room.played.append((now, len(samples)))
        self.busy_until = max(self.busy_until, now) + len(samples) / rate

    def flush(self) -> None:
        self.room.flushed.append(self.room.clock.t)
        self.busy_until = self.room.clock.t

    def busy_for(self) -> float:
        return max(0.0, self.busy_until - self.room.clock.t)

    def output_delay(self) -> float:
        return 0.05


class FakeRecognizer:
    """Hears `room.said` once the microphone's audio has reached past each utterance."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.heard_until = 0.0
        room.recognizers += 1

    def send(self, chunk: AudioChunk) -> None:
        self.heard_until = chunk.timestamp + chunk.duration

    def poll(self) -> list[Utterance]:
        ready = [u for u in self.room.said
                 if u.end + 0.3 <= self.heard_until and u not in self.room.delivered]
        self.room.delivered += ready
        return ready

    def reset(self) -> None:
        pass

    def alive(self) -> bool:
        dies = self.room.recognizer_dies_at
        return dies is None or self.room.clock.t < dies or self.room.recognizers > 1

    def close(self) -> None:
        pass


def voice(text: str) -> Samples:
    return np.zeros(round(len(text) * SPEAKING_RATE * SAMPLE_RATE), dtype=np.int16)


def parts(room: Room) -> SessionParts:
    def open_microphone() -> FakeMicrophone:
        if room.gone(room.mic_gone):
            raise AudioDeviceError("No microphone was found.", "Plug it in.")
        return FakeMicrophone(room)

    def open_speaker() -> FakeSpeaker:
        if room.gone(room.speaker_gone):
            raise AudioDeviceError("No speaker was found.", "Plug it in.")
        return FakeSpeaker(room)

    return SessionParts(open_microphone, open_speaker, lambda: None,
                        lambda: FakeRecognizer(room), voice, room.clock)


def said(start: float, end: float, text: str, intent: Intent | None = None,
         **slots: str) -> Utterance:
    return Utterance(start, end, text, intent, slots, 0.9)


def evening(room: Room, tmp_path: Path, sinks: list[events.EventSink] | None = None
            ) -> list[SessionEvent]:
    told: list[SessionEvent] = []

    def emit(event: SessionEvent) -> None:
        told.append(event)
        for sink in sinks or []:
            sink(event)

    session = Session(Settings(partners=("Sam", "Alex")), parts(room), emit=emit,
                      store=StateStore(tmp_path / "session.json"),
                      history=History(tmp_path / "history.sqlite3"), rng=random.Random(3))
    try:
        session.open()
        assert session.run() == 0
    finally:
        session.close()
    return told


def kinds(told: list[SessionEvent]) -> list[str]:
    """Event types, with each spoken line's kind: "spoke:prompt"."""
    return [f"spoke:{e.kind}" if isinstance(e, events.Spoke) else e.type.value for e in told]


def first(told: list[SessionEvent], kind: type[SessionEvent]) -> SessionEvent:
    return next(event for event in told if isinstance(event, kind))


STOP_TWICE = [said(80.0, 81.0, "stop the game", Intent.STOP),
              said(140.0, 141.0, "stop the game", Intent.STOP)]


def test_an_evening_is_told_event_by_event(tmp_path: Path) -> None:
    room = Room(said=[said(20.0, 21.2, "start the dreams game", Intent.START_GAME, game="dreams"),
                      said(40.0, 44.0, "we always said we would sail one day"), *STOP_TWICE])
    told = evening(room, tmp_path)
    assert kinds(told) == [
        "listening", "spoke:welcome", "finished_speaking",
        "heard", "spoke:intro", "spoke:prompt", "finished_speaking",
        "heard", "spoke:handover", "finished_speaking",
        "heard", "spoke:info", "spoke:closing", "finished_speaking",
        "heard", "spoke:goodbye", "ended"]
    start = first(told, events.Heard)
    assert isinstance(start, events.Heard)
    assert (start.intent, dict(start.slots)) == (Intent.START_GAME, {"game": "dreams"})
    intro = first(told, events.Spoke)
    assert isinstance(intro, events.Spoke) and intro.after_command is None  # the welcome
    answer = told[told.index(start) + 1]
    assert isinstance(answer, events.Spoke) and answer.after_command is not None
    assert 0.0 <= answer.after_command < 0.5
    assert not (tmp_path / "session.json").exists(), "a finished evening is not kept"


def test_what_is_heard_while_hearth_speaks_is_ignored(tmp_path: Path) -> None:
    room = Room(said=[said(2.0, 3.0, "next", Intent.NEXT), *STOP_TWICE])
    told = evening(room, tmp_path)
    assert kinds(told)[:4] == ["listening", "spoke:welcome", "ignored", "finished_speaking"]
    welcome = told[1]
    assert isinstance(welcome, events.Spoke) and welcome.start < 2.0 < welcome.end


def test_stop_said_over_hearth_barges_in_and_cuts_its_voice(tmp_path: Path) -> None:
    room = Room(said=[said(3.0, 3.8, "stop the game", Intent.STOP)], loud=[(3.0, 3.8)])
    told = evening(room, tmp_path)
    assert kinds(told)[:5] == ["listening", "spoke:welcome", "barge_in", "heard",
                               "spoke:goodbye"]
    assert room.flushed, "Hearth's voice was not cut"
    barge_in = told[2]
    assert isinstance(barge_in, events.BargeIn) and barge_in.intent is Intent.STOP


def test_a_lost_microphone_is_told_and_the_evening_goes_on(tmp_path: Path) -> None:
    room = Room(said=[said(60.0, 61.0, "stop the game", Intent.STOP)],
                mic_gone=(1015.0, 1020.0))
    told = evening(room, tmp_path)
    assert kinds(told)[:7] == ["listening", "spoke:welcome", "finished_speaking",
                               "device_lost", "spoke:info", "device_back", "spoke:info"]
    lost, back = told[3], told[5]
    assert isinstance(lost, events.DeviceLost) and lost.device == "microphone"
    assert isinstance(back, events.DeviceBack) and 2.0 <= back.after <= 8.0
    assert [e.text for e in told if isinstance(e, events.Spoke)][1:3] == [LOST_MIC, BACK]
    assert kinds(told)[-2:] == ["spoke:goodbye", "ended"]


def test_a_lost_speaker_is_told_and_hearth_says_it_is_back(tmp_path: Path) -> None:
    room = Room(said=[said(60.0, 61.0, "stop the game", Intent.STOP)],
                speaker_gone=(1015.0, 1020.0))
    told = evening(room, tmp_path)
    assert kinds(told)[:6] == ["listening", "spoke:welcome", "finished_speaking",
                               "device_lost", "device_back", "spoke:info"]
    lost = told[3]
    assert isinstance(lost, events.DeviceLost) and lost.device == "speaker"
    assert [e.text for e in told if isinstance(e, events.Spoke)][1] == BACK


def test_a_recognizer_that_dies_is_started_again(tmp_path: Path) -> None:
    room = Room(said=[said(20.0, 21.2, "start the dreams game", Intent.START_GAME, game="dreams"),
                      *STOP_TWICE], recognizer_dies_at=1010.0)
    told = evening(room, tmp_path)
    assert room.recognizers == 2
    heard = [e.intent for e in told if isinstance(e, events.Heard)]
    assert heard == [Intent.START_GAME, Intent.STOP, Intent.STOP]
    assert kinds(told)[-1] == "ended"


def test_events_as_json_lines_carry_no_words_of_the_couple(tmp_path: Path) -> None:
    private = "we always said we would sail one day"
    room = Room(said=[said(20.0, 23.0, private), *STOP_TWICE])
    out = io.StringIO()
    told = evening(room, tmp_path, [JsonLog(out)])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["event"] for line in lines] == [event.type.value for event in told]
    assert private not in out.getvalue()
    talk = next(line for line in lines if line["event"] == "heard")
    assert talk["intent"] is None and talk["start"] == 20.0 and talk["end"] == 23.0
    spoke = next(line for line in lines if line["event"] == "spoke")
    assert {"at", "kind", "text", "start", "end", "after_command"} <= set(spoke)
    assert "Sam" in spoke["text"]


@pytest.mark.parametrize(("event", "line"), [
    (events.Heard(12.5, 10.0, 11.0, Intent.START_GAME, {"game": "dreams"}, 0.9, 5.25, 5.5),
     "[    12.50] heard: start_game(game=dreams) 1.500 s after it ended "
     "[clock: chunk in 5.250, decoded 5.500]"),
    (events.Heard(12.5, 10.0, 11.25, None), "[    12.50] heard: talk (1.2 s)"),
    (events.Ignored(3.0, 1.0, 2.5), "[     3.00] ignored 1.5 s heard while speaking"),
    (events.BargeIn(3.0, Intent.STOP), "[     3.00] barge-in: stop"),
    (events.FinishedSpeaking(4.0), "[     4.00] finished speaking"),
    (events.DeviceBack(9.0, "audio devices", 2.5),
     "[     9.00] the audio devices are back after 2.5 s; continuing"),
    (events.Ended(9.0, "goodbye"), "[     9.00] the evening ends (goodbye)"),
    (events.Listening(0.0, "mic", "out"), "hearth: listening on 'mic', speaking on 'out'"),
])
def test_the_printed_lines_say_what_happened(event: SessionEvent, line: str) -> None:
    printed: list[str] = []
    HumanLog(printed.append)(event)
    assert printed == [line]


def test_an_answer_prints_its_latency_before_the_line(tmp_path: Path) -> None:
    printed: list[str] = []
    HumanLog(printed.append)(events.Spoke(5.0, SayKind.PROMPT, "Sam, what do you dream of?", 5.05,
                                          7.0, 0.231, True, 88.5))
    assert printed == [
        "[     5.00] answer queued 0.231 s after the command ended (ready in advance: True) "
        "[clock: 88.500]",
        "[     5.00] Hearth (prompt): Sam, what do you dream of?"]


def test_every_event_type_is_told_by_some_event() -> None:
    told = {cls.type for cls in (events.Listening, events.Resumed, events.Heard, events.Ignored,
                                 events.BargeIn, events.Spoke, events.FinishedSpeaking,
                                 events.DeviceLost, events.DeviceBack, events.AudioTrouble,
                                 events.Ended)}
    assert told == set(EventType)
