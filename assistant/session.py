"""The live loop of `hearth run`: microphone → listener → dialogue → speech → speaker.

One thread does everything but rendering speech (see `answers.py`) and the audio
callbacks (see `devices.py`). Time is the microphone's audio clock: the session
clock runs on across reconnects, and Hearth's own speech is placed on it so the
half-duplex gate (`turn_taking.py`) can tell its voice from the couple's. The
game is saved after every change (`state_store.py`) and offered again after a
crash. What happens is told as typed events (`session_events.py`), which carry
intents and Hearth's own lines, never the couple's words; audio and transcripts
are written only to a debug recording the user asked for (`debug_record.py`).
The devices, recognizer, voice and clock are `SessionParts`, so tests can drive
this loop with fakes.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from assistant import session_events as events
from assistant.answers import Answers, likely_answers
from assistant.audio import SAMPLE_RATE, AudioChunk, rms_dbfs
from assistant.debug_record import DebugRecorder
from assistant.decks import load_decks
from assistant.devices import STARTUP_GRACE
from assistant.dialogue import Dialogue, End, Event, Heard, Say, SayKind, Silence, Started
from assistant.errors import AudioDeviceError
from assistant.history import History
from assistant.session_events import EventSink
from assistant.session_parts import Microphone, SessionParts, Speaker
from assistant.settings import Settings
from assistant.state_store import StateStore
from assistant.turn_taking import TurnTaking, Verdict
from assistant.utterance import Utterance

log = logging.getLogger(__name__)

LOST_MIC = "I can't hear you right now. I'll keep trying, and we'll carry on when I can."
BACK = "I can hear you again. Let's carry on."
MAX_BACKOFF = 4.0
"""Longest wait, in seconds, between attempts to reopen a lost device."""
REPORT_EVERY = 60.0
"""Seconds between reports of input overflows (only when there were new ones)."""


class Session:
    """One evening on live devices. `run()` returns when the dialogue ends or on Ctrl-C."""

    def __init__(self, settings: Settings, parts: SessionParts, *, emit: EventSink,
                 store: StateStore | None = None, history: History | None = None,
                 recorder: DebugRecorder | None = None,
                 rng: random.Random | None = None) -> None:
        self.settings = settings
        self.parts = parts
        self.clock = parts.clock
        self.emit = emit
        self.recorder = recorder
        self.store = store or StateStore()
        self.library = load_decks()
        self.history = history or History()
        self.answers = Answers(parts.render)
        self.turns = TurnTaking()
        self.listener = parts.start_recognizer()
        self.dialogue, self.resumed = self._dialogue(rng)
        self.mic: Microphone | None = None
        self.speaker: Speaker | None = None
        self._base = 0.0
        self._offset = self.clock.monotonic()
        self._synced = False
        self._owe_finished = False
        self._ending = False
        self._command_end: float | None = None
        self._counts = (0, 0, 0)
        self._reported_at = self.clock.monotonic()

    def _dialogue(self, rng: random.Random | None) -> tuple[Dialogue, bool]:
        names = self.settings.partner_names
        options: dict[str, Any] = {"history": self.history, "country": self.settings.country,
                                   "intimacy_enabled": self.settings.intimacy_enabled, "rng": rng}
        snapshot = self.store.load()
        if snapshot is not None and snapshot.get("state") != "ended":
            try:
                return Dialogue.restore(snapshot, self.library, names, **options), True
            except (KeyError, TypeError, ValueError) as error:
                log.warning("the saved game cannot be continued (%s); starting afresh", error)
        return Dialogue(self.library, names, **options), False

    # ----- clock ------------------------------------------------------------------------

    def now(self) -> float:
        """Session time: the audio clock of what the microphone is capturing about now."""
        return self.clock.monotonic() - self._offset

    def _observe(self, chunk_end: float) -> None:
        # Arrival lags capture by a varying delay: follow its minimum, drifting up slowly
        # so a real device's clock drift is tracked over hours.
        offset = self.clock.monotonic() - chunk_end
        self._offset = offset if not self._synced else min(self._offset + 0.0005, offset)
        self._synced = True

    # ----- devices ----------------------------------------------------------------------

    def open(self) -> None:
        """Open the speaker and microphone; an `AudioDeviceError` says which is missing."""
        self.speaker = self.parts.open_speaker()
        self._start_mic()
        assert self.mic is not None
        self.emit(events.Listening(self.now(), self.mic.device.name, self.speaker.device.name))

    def _start_mic(self) -> None:
        """Open the microphone and wait for its first audio; the session clock runs on."""
        mic = self.parts.open_microphone()
        deadline = self.clock.monotonic() + STARTUP_GRACE
        while next(mic.chunks(timeout=0.1), None) is None:
            if self.clock.monotonic() < deadline:
                continue
            mic.close()
            raise AudioDeviceError(f"The microphone {mic.device.name!r} gives no audio.",
                                   "Check it is plugged in, or pick another with "
                                   "--input-device (`hearth doctor` lists them).")
        self.mic = mic
        self._base, self._synced = self.now(), False

    def interrupted(self) -> None:
        """Ctrl-C or the service's stop: the game stays saved for next time."""
        self.emit(events.Ended(self.now(), "stopped"))

    def close(self) -> None:
        for device in (self.mic, self.speaker):
            if device is not None:
                device.close()
        self.answers.close()
        self.listener.close()
        self.history.close()
        if self.recorder is not None:
            self.recorder.close()

    def _recover(self) -> None:
        mic, speaker = self.mic, self.speaker
        assert mic is not None and speaker is not None
        lost = "microphone" if speaker.alive else "speaker" if mic.alive else "audio devices"
        self.emit(events.DeviceLost(self.now(), lost))
        log.warning("lost the %s (microphone %s, speaker %s)", lost, mic.describe(),
                    speaker.describe())
        told = False
        if speaker.alive and not mic.alive:
            self._speak(LOST_MIC, SayKind.INFO)
            told = True
            self.clock.sleep(speaker.busy_for())
        at = self.now()
        mic.close()
        speaker.close()
        self.mic = self.speaker = None
        delay = 0.5
        while True:
            self.clock.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
            self.parts.rescan()
            try:
                self.speaker = self.parts.open_speaker()
                self._start_mic()
                break
            except AudioDeviceError as error:
                log.info("still no audio devices: %s", error.message)
                if self.speaker is not None:
                    self.speaker.close()
                    self.speaker = None
        self.listener.reset()
        self.emit(events.DeviceBack(self.now(), lost, self.now() - at))
        if told or lost != "microphone":
            self._speak(BACK, SayKind.INFO)

    # ----- the loop ---------------------------------------------------------------------

    def run(self) -> int:
        if self.resumed:
            self.emit(events.Resumed(self.now()))
        self.handle(Started(at=self.now()))
        while True:
            mic, speaker = self.mic, self.speaker
            assert mic is not None and speaker is not None
            if not (mic.alive and speaker.alive):
                self._recover()
                continue
            if not self.listener.alive():
                log.warning("the speech recognizer stopped; starting it again")
                self.listener.close()
                self.listener = self.parts.start_recognizer()
            for chunk in mic.chunks(timeout=0.01):
                self._hear(chunk)
            for utterance in self.listener.poll():
                self._heard(utterance)
            at = self.now()
            if self._ending and not self.turns.speaking(at):
                self.store.clear()
                self.history.end_session()
                return 0
            if self._owe_finished and not self.turns.speaking(at):
                self._owe_finished = False
                self.emit(events.FinishedSpeaking(at))
            quiet = self.turns.silence(at)
            if quiet is not None and not self._ending:
                self.handle(Silence(quiet, at=at))
            self._report(mic, speaker)

    def _hear(self, chunk: AudioChunk) -> None:
        stamped = AudioChunk(chunk.audio, SAMPLE_RATE, 1, self._base + chunk.timestamp)
        self._observe(stamped.timestamp + stamped.duration)
        self.turns.input_level(stamped.timestamp, stamped.timestamp + stamped.duration,
                               rms_dbfs(stamped.samples))
        try:
            self.listener.send(stamped)
        except (BrokenPipeError, OSError):
            return  # restarted by the loop
        if self.recorder is not None:
            self.recorder.write(stamped)

    def _heard(self, utterance: Utterance) -> None:
        intent = utterance.intent
        verdict = self.turns.judge(utterance.start, utterance.end, utterance.text, intent)
        if self.recorder is not None:
            self.recorder.utterance(utterance, ignored=verdict is Verdict.IGNORE,
                                    barge_in=verdict is Verdict.BARGE_IN)
        if verdict is Verdict.IGNORE:
            self.emit(events.Ignored(self.now(), utterance.start, utterance.end))
            return
        if verdict is Verdict.BARGE_IN:
            assert self.speaker is not None and intent is not None
            self.speaker.flush()
            self.turns.cut(self.now())
            self.emit(events.BargeIn(self.now(), intent))
        self.turns.heard(utterance.end)
        self.emit(events.Heard(self.now(), utterance.start, utterance.end, intent,
                               dict(utterance.slots), utterance.confidence,
                               utterance.received, utterance.decoded))
        self._command_end = utterance.end if intent is not None else None
        self.handle(Heard(utterance.text, intent, dict(utterance.slots), at=utterance.end))
        self._command_end = None

    def handle(self, event: Event) -> None:
        actions = self.dialogue.handle(event)
        self.store.save(self.dialogue.snapshot())
        spoke = False
        for action in actions:
            if isinstance(action, Say):
                self._speak(action.text, action.kind)
                spoke = True
            elif isinstance(action, End):
                self.emit(events.Ended(self.now(), action.reason))
                self._ending = True
        if spoke and not self._ending:
            self.answers.prepare(likely_answers(self.dialogue, self.library, self.history))

    def _speak(self, text: str, kind: SayKind) -> None:
        speaker = self.speaker
        assert speaker is not None
        ready = self.answers.is_ready(text)
        samples = self.answers.speech(text)
        start = self.now() + max(speaker.busy_for(), speaker.output_delay())
        speaker.play(samples, SAMPLE_RATE)
        queued = self.clock.monotonic()
        end = start + len(samples) / SAMPLE_RATE
        self.turns.spoke(start, end, text)
        self._owe_finished = True
        after = None
        if self._command_end is not None:
            after, self._command_end = self.now() - self._command_end, None
        self.emit(events.Spoke(self.now(), kind, text, start, end, after, ready, queued))

    def _report(self, mic: Microphone, speaker: Speaker) -> None:
        """Tell of new input overflows and output underruns, at most once a minute."""
        counts = (mic.overflows, mic.dropped, speaker.underruns)
        if self.clock.monotonic() - self._reported_at < REPORT_EVERY or counts == self._counts:
            return
        self.emit(events.AudioTrouble(self.now(), *counts))
        self._counts, self._reported_at = counts, self.clock.monotonic()
