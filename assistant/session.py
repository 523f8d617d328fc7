"""The live loop of `hearth run`: microphone → listener → dialogue → speech → speaker.

One thread does everything but rendering speech (see `answers.py`) and the audio
callbacks (see `devices.py`). Time is the microphone's audio clock: the session
clock runs on across reconnects, and Hearth's own speech is placed on it so the
half-duplex gate (`turn_taking.py`) can tell its voice from the couple's. The
game is saved after every change (`state_store.py`) and offered again after a
crash. Only intents and Hearth's own lines are logged, never the couple's words; audio and
transcripts are written only to a debug recording the user asked for (`debug_record.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from assistant import devices, portaudio
from assistant.answers import Answers, likely_answers
from assistant.audio import SAMPLE_RATE, AudioChunk, rms_dbfs
from assistant.debug_record import DebugRecorder
from assistant.decks import load_decks
from assistant.dialogue import Dialogue, End, Event, Heard, Say, Silence, Started
from assistant.errors import AudioDeviceError
from assistant.history import History
from assistant.listener_process import ListenerProcess
from assistant.settings import Settings
from assistant.state_store import StateStore
from assistant.tts import TextToSpeech
from assistant.turn_taking import TurnTaking, Verdict
from assistant.utterance import Utterance

log = logging.getLogger(__name__)

LOST_MIC = "I can't hear you right now. I'll keep trying, and we'll carry on when I can."
BACK = "I can hear you again. Let's carry on."
MAX_BACKOFF = 4.0
"""Longest wait, in seconds, between attempts to reopen a lost device."""
SPEAKER_LATENCY = 0.05
"""Seconds of output buffering asked of PortAudio for the session's speaker: part of every
answer's latency (the benchmark counts the underruns this costs, which must stay zero)."""
REPORT_EVERY = 60.0
"""Seconds between reports of input overflows (only when there were new ones)."""


def _print(line: str) -> None:
    print(line, flush=True)


class Session:
    """One evening on live devices. `run()` returns when the dialogue ends or on Ctrl-C."""

    def __init__(self, settings: Settings, *, emit: Callable[[str], None] = _print,
                 store: StateStore | None = None, recorder: DebugRecorder | None = None) -> None:
        self.settings = settings
        self.recorder = recorder
        self.emit = emit
        self.store = store or StateStore()
        self.library = load_decks()
        self.history = History()
        self.tts = TextToSpeech(settings)
        self.answers = Answers(self.tts)
        self.turns = TurnTaking()
        self.listener = ListenerProcess(settings)
        self.dialogue, self.resumed = self._dialogue()
        self.mic: devices.Microphone | None = None
        self.speaker: devices.Speaker | None = None
        self._base = 0.0
        self._offset = time.monotonic()
        self._synced = False
        self._owe_finished = False
        self._ending = False
        self._command_end: float | None = None
        self._counts = (0, 0, 0)
        self._reported_at = time.monotonic()

    def _dialogue(self) -> tuple[Dialogue, bool]:
        names = self.settings.partner_names
        options: dict[str, Any] = {"history": self.history, "country": self.settings.country,
                                   "intimacy_enabled": self.settings.intimacy_enabled}
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
        return time.monotonic() - self._offset

    def _observe(self, chunk_end: float) -> None:
        # Arrival lags capture by a varying delay: follow its minimum, drifting up slowly
        # so a real device's clock drift is tracked over hours.
        offset = time.monotonic() - chunk_end
        self._offset = offset if not self._synced else min(self._offset + 0.0005, offset)
        self._synced = True

    # ----- devices ----------------------------------------------------------------------

    def open(self) -> None:
        """Open the speaker and microphone; an `AudioDeviceError` says which is missing."""
        self.speaker = devices.Speaker(self.settings.output_device, SPEAKER_LATENCY)
        self.speaker.open()
        self._start_mic()
        assert self.mic is not None
        self.emit(f"hearth: listening on {self.mic.device.name!r}, "
                  f"speaking on {self.speaker.device.name!r}")

    def _start_mic(self) -> None:
        """Open the microphone and wait for its first audio; the session clock runs on."""
        mic = devices.Microphone(self.settings.input_device)
        mic.open()
        deadline = time.monotonic() + devices.STARTUP_GRACE
        while next(mic.chunks(timeout=0.1), None) is None:
            if time.monotonic() < deadline:
                continue
            mic.close()
            raise AudioDeviceError(f"The microphone {mic.device.name!r} gives no audio.",
                                   "Check it is plugged in, or pick another with "
                                   "--input-device (`hearth doctor` lists them).")
        self.mic = mic
        self._base, self._synced = self.now(), False

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
        self.say_line(f"lost the {lost}; retrying until it is back")
        log.warning("lost the %s (microphone %s, speaker %s)", lost, mic.describe(),
                    speaker.describe())
        told = False
        if speaker.alive and not mic.alive:
            self._speak(LOST_MIC, "info")
            told = True
            time.sleep(speaker.busy_for())
        at = self.now()
        mic.close()
        speaker.close()
        delay = 0.5
        while True:
            time.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
            portaudio.rescan()
            try:
                self.speaker = devices.Speaker(self.settings.output_device, SPEAKER_LATENCY)
                self.speaker.open()
                self._start_mic()
                break
            except AudioDeviceError as error:
                log.info("still no audio devices: %s", error.message)
                for device in (self.mic, self.speaker):
                    if device is not None:
                        device.close()
        gone = self.now() - at
        self.listener.reset()
        verb = "are" if lost.endswith("s") else "is"
        self.say_line(f"the {lost} {verb} back after {gone:.1f} s; continuing")
        if told or lost != "microphone":
            self._speak(BACK, "info")

    # ----- the loop ---------------------------------------------------------------------

    def run(self) -> int:
        if self.resumed:
            self.say_line("a saved game was found; offering to continue it")
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
                self.listener = ListenerProcess(self.settings)
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
                self.say_line("finished speaking")
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
        length = utterance.end - utterance.start
        if self.recorder is not None:
            self.recorder.utterance(utterance, ignored=verdict is Verdict.IGNORE,
                                    barge_in=verdict is Verdict.BARGE_IN)
        if verdict is Verdict.IGNORE:
            self.say_line(f"ignored {length:.1f} s heard while speaking")
            return
        if verdict is Verdict.BARGE_IN:
            assert self.speaker is not None
            self.speaker.flush()
            self.turns.cut(self.now())
            self.say_line(f"barge-in: {intent}")
        self.turns.heard(utterance.end)
        if intent is None:
            self.say_line(f"heard: talk ({length:.1f} s)")
            self.handle(Heard(utterance.text, None, {}, at=utterance.end))
            return
        slots = ", ".join(f"{key}={value}" for key, value in utterance.slots.items())
        self.say_line(f"heard: {intent}({slots}) {self.now() - utterance.end:.3f} s after it ended "
                      f"[clock: chunk in {utterance.received:.3f}, "
                      f"decoded {utterance.decoded:.3f}]")
        self._command_end = utterance.end
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
                self.say_line(f"the evening ends ({action.reason})")
                self._ending = True
        if spoke and not self._ending:
            self.answers.prepare(likely_answers(self.dialogue, self.library, self.history))

    def _speak(self, text: str, kind: str) -> None:
        speaker = self.speaker
        assert speaker is not None
        rendered = self.answers.is_ready(text)
        samples = self.answers.speech(text)
        start = self.now() + max(speaker.busy_for(), speaker.output_delay())
        speaker.play(samples, SAMPLE_RATE)
        queued = time.monotonic()
        self.turns.spoke(start, start + len(samples) / SAMPLE_RATE, text)
        self._owe_finished = True
        if self._command_end is not None:
            self.say_line(f"answer queued {self.now() - self._command_end:.3f} s after the "
                          f"command ended (ready in advance: {rendered}) [clock: {queued:.3f}]")
            self._command_end = None
        self.say_line(f"Hearth ({kind}): {text}")

    def say_line(self, line: str) -> None:
        self.emit(f"[{self.now():9.2f}] {line}")

    def _report(self, mic: devices.Microphone, speaker: devices.Speaker) -> None:
        """Log new input overflows and output underruns, at most once a minute."""
        counts = (mic.overflows, mic.dropped, speaker.underruns)
        if time.monotonic() - self._reported_at < REPORT_EVERY or counts == self._counts:
            return
        log.warning("audio: %d input overflows, %d input blocks dropped, %d output underruns "
                    "so far", *counts)
        self._counts, self._reported_at = counts, time.monotonic()
