"""`hearth demo`: a complete simulated evening, with no microphone.

Two synthetic partner voices speak the script in `data/demo_evening.toml` as audio. That
audio goes chunk by chunk through the real `Listener` (recognizer and intent matcher) as
live audio would; what it hears becomes `Heard` events for the real `Dialogue` and decks,
and every `Say` is rendered by the real text-to-speech. Everything lands on one timeline
that is mixed into a single WAV. Hearth is half-duplex, so the listener hears the partners'
track only (silence while Hearth speaks). Nothing sleeps: it runs faster than real time.
The demo keeps no history: the couple's real "no repeats" record is left untouched.
"""

from __future__ import annotations

import random
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.audio import CHUNK_SAMPLES, SAMPLE_RATE, Samples, chunk_samples
from assistant.decks import load_decks
from assistant.dialogue import Action, Dialogue, End, Heard, Say, Silence, Started
from assistant.errors import HearthError
from assistant.listening import Listener
from assistant.pipeline import build_listener
from assistant.resources import PACKAGE_DATA
from assistant.settings import Settings
from assistant.tts import TextToSpeech
from assistant.utterance import Utterance
from assistant.voices import SynthVoice, synthesize

SCRIPT = PACKAGE_DATA / "demo_evening.toml"
DEFAULT_NAMES = ("Sam", "Alex")
WHO = ("first", "second", "asked", "other")
ADDRESSED = ("prompt", "follow_up", "closing")
"""Kinds of `Say` that name the partner who answers first."""
ANSWER_DELAY = 0.25
"""Seconds from the endpointer closing an utterance to Hearth's first sound."""
AFTER_SPEECH = 0.4
"""Quiet after Hearth speaks, before a partner starts."""
MAX_ENDPOINT_WAIT = 3.0
"""Seconds of trailing silence fed to the listener to close an utterance."""


@dataclass(frozen=True)
class DemoStep:
    """One thing a partner says (see the comments in the script file)."""

    who: str
    """`first` or `second` partner, or `asked` (whom the last prompt named first) or `other`."""
    say: str
    pause: float = 1.0
    expect: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    again: str = ""


@dataclass(frozen=True)
class DemoScript:
    voices: tuple[SynthVoice, SynthVoice]
    steps: tuple[DemoStep, ...]


@dataclass
class DemoResult:
    """What `hearth demo` reports at the end."""

    commands: int = 0
    recognized_first_try: int = 0
    recognized_after_repeat: int = 0
    length: float = 0.0
    """Seconds of evening (the WAV's duration)."""
    wall_time: float = 0.0
    transcript: list[tuple[float, str]] = field(default_factory=list)
    mix: Samples = field(default_factory=lambda: np.zeros(0, dtype=np.int16))


def load_script(path: Path = SCRIPT) -> DemoScript:
    """Read and check the demo script; a bad entry names the file and the step."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        voices = tuple(SynthVoice(str(v["synthesizer"]), str(v["voice"]),
                                  float(v.get("rate", 1.0)))
                       for v in (raw["voices"]["first"], raw["voices"]["second"]))
        steps = []
        for number, step in enumerate(raw["step"], start=1):
            where = f"{path}: step {number}"
            if step.get("who") not in WHO or not str(step.get("say", "")):
                raise HearthError(f"{where} needs who = {'|'.join(WHO)} and say = text.",
                                  "Fix the demo script.")
            steps.append(DemoStep(str(step["who"]), str(step["say"]),
                                  float(step.get("pause", 1.0)), step.get("expect"),
                                  dict(step.get("slots", {})), str(step.get("again", ""))))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise HearthError(f"The demo script {path} cannot be read ({error}).",
                          "Reinstall Hearth or fix the file.") from error
    return DemoScript((voices[0], voices[1]), tuple(steps))


def partner_names(settings: Settings) -> tuple[str, str]:
    """The configured names; Sam and Alex stand in for any that are not set."""
    names = [name.strip() for name in settings.partners if name.strip()] + list(DEFAULT_NAMES)
    first = names[0]
    return first, next(name for name in names[1:] if name != first)


def first_named(text: str, names: tuple[str, str], default: int) -> int:
    """0 or 1: whichever partner's name comes first in `text`."""
    found = [(text.find(name), index) for index, name in enumerate(names) if name in text]
    return min(found)[1] if found else default


def stamp(seconds: float) -> str:
    minutes, tenths = divmod(round(seconds * 10), 600)
    return f"{minutes:02d}:{tenths / 10:04.1f}"


class Evening:
    """Runs the script against the real listener, dialogue and text-to-speech."""

    def __init__(self, settings: Settings, listener: Listener, script: DemoScript, seed: int,
                 emit: Callable[[str], None]) -> None:
        self.names = partner_names(settings)
        self.script = script
        self.listener = listener
        self.tts = TextToSpeech(settings)
        self.dialogue = Dialogue(load_decks(), self.names, rng=random.Random(seed),
                                 country=settings.country)
        self.emit = emit
        self.now = 0.0
        """Timeline cursor: when the next sound may start."""
        self.fed = 0.0
        """How far (seconds) the listener has been fed."""
        self.pieces: list[tuple[float, Samples]] = []
        self.ended = False
        self.asked = 0
        """The partner the last prompt named first (answers `asked` first)."""
        self.result = DemoResult()

    def log(self, at: float, line: str) -> None:
        self.result.transcript.append((at, line))
        self.emit(f"[{stamp(at)}] {line}")

    def run(self) -> DemoResult:
        started = time.monotonic()
        self.respond(self.dialogue.handle(Started(at=0.0)))
        for step in self.script.steps:
            if self.ended:
                break
            self.perform(step)
        self.result.length = self.now
        self.result.mix = self.mix()
        self.result.wall_time = time.monotonic() - started
        return self.result

    def perform(self, step: DemoStep) -> None:
        if step.expect:
            self.result.commands += 1
        who = self.speaker(step.who)
        first, second = self.names if who == 0 else self.names[::-1]
        text = step.say.format(me=first, other=second)
        if self.speak(who, text, step.pause, step):
            self.result.recognized_first_try += bool(step.expect)
            return
        if step.expect and not self.ended:
            again = (step.again or step.say).format(me=first, other=second)
            if self.speak(who, again, 0.8, step):
                self.result.recognized_after_repeat += 1

    def speaker(self, who: str) -> int:
        """0 or 1: which partner speaks this step."""
        if who in ("first", "second"):
            return WHO.index(who)
        return self.asked if who == "asked" else 1 - self.asked

    def speak(self, who: int, text: str, pause: float, step: DemoStep) -> bool:
        """One partner says `text`; True when Hearth heard what `step` expects."""
        start = self.now + pause
        if pause >= 1.0:
            # The live loop reports quiet stretches too; the dialogue may speak into them.
            actions = self.dialogue.handle(Silence(pause, at=start))
            if actions:
                self.now = start
                self.respond(actions)
                start = self.now + AFTER_SPEECH
        samples = synthesize(text, self.script.voices[who])
        self.log(start, f"{self.names[who]}: {text}")
        self.place(start, samples)
        utterances = self.listen_until(start, samples)
        matched = False
        for utterance in utterances:
            if utterance.intent is None:
                self.log(self.now, f'heard: (talk) "{utterance.text}"')
            else:
                slots = ", ".join(f"{k}={v}" for k, v in utterance.slots.items())
                self.log(self.now, f"heard: {utterance.intent}({slots})")
                matched = matched or (utterance.intent == step.expect
                                      and dict(utterance.slots) == dict(step.slots))
            event = Heard(utterance.text, utterance.intent, dict(utterance.slots), at=self.now)
            self.now += ANSWER_DELAY
            self.respond(self.dialogue.handle(event))
        if not utterances:
            self.log(self.now, "heard: nothing")
        return matched

    def listen_until(self, start: float, samples: Samples) -> list[Utterance]:
        """Feed silence up to `start`, the speech, then silence until the utterance closes."""
        quiet = max(0, round((start - self.fed) * SAMPLE_RATE))
        utterances = self.feed(np.concatenate([np.zeros(quiet, dtype=np.int16), samples]))
        waited = 0.0
        while not utterances and waited < MAX_ENDPOINT_WAIT:
            utterances = self.feed(np.zeros(CHUNK_SAMPLES, dtype=np.int16))
            waited += CHUNK_SAMPLES / SAMPLE_RATE
        if not utterances:
            utterances = list(self.listener.flush())
        self.now = self.fed
        return utterances

    def feed(self, track: Samples) -> list[Utterance]:
        """The partners' track, chunk by chunk, exactly as a microphone would give it."""
        utterances: list[Utterance] = []
        for chunk in chunk_samples(track, start=self.fed):
            utterances += self.listener.feed(chunk)
            self.fed = chunk.timestamp + chunk.duration
        return utterances

    def respond(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Say):
                speech = self.tts.render(action.text)
                label = "Hearth" if action.kind in ("info", "welcome") else \
                    f"Hearth ({action.kind})"
                self.log(self.now, f"{label}: {action.text}")
                if action.kind in ADDRESSED:
                    self.asked = first_named(action.text, self.names, self.asked)
                self.place(self.now, speech)
                self.now += len(speech) / SAMPLE_RATE + AFTER_SPEECH
            elif isinstance(action, End):
                self.log(self.now, f"(the evening ends: {action.reason})")
                self.ended = True

    def place(self, start: float, samples: Samples) -> None:
        self.pieces.append((start, samples))

    def mix(self) -> Samples:
        total = max([round(s * SAMPLE_RATE) + len(x) for s, x in self.pieces] +
                    [round(self.now * SAMPLE_RATE)])
        mix = np.zeros(total, dtype=np.int32)
        for start, samples in self.pieces:
            offset = round(start * SAMPLE_RATE)
            mix[offset:offset + len(samples)] += samples
        return np.clip(mix, -32768, 32767).astype(np.int16)


def run_demo(settings: Settings, seed: int = 7,
             emit: Callable[[str], None] | None = None) -> DemoResult:
    """Simulate the evening; `emit` gets each transcript line as it happens."""
    evening = Evening(settings, build_listener(settings), load_script(), seed,
                      emit or (lambda line: None))
    return evening.run()


def play_realtime(result: DemoResult, settings: Settings, emit: Callable[[str], None]) -> None:
    """Play the mixed evening through the speaker, printing each line as it is heard."""
    from assistant.devices import Speaker

    block = SAMPLE_RATE // 5
    lines = list(result.transcript)
    with Speaker(settings.output_device) as speaker:
        started = time.monotonic() + speaker.output_delay()

        def catch_up(queued_until: float) -> None:
            """Print the lines that are due; return once at most 0.5 s of audio is queued."""
            while True:
                heard_until = time.monotonic() - started
                while lines and lines[0][0] <= heard_until:
                    at, line = lines.pop(0)
                    emit(f"[{stamp(at)}] {line}")
                if queued_until - heard_until <= 0.5:
                    return
                time.sleep(0.05)

        for offset in range(0, len(result.mix), block):
            speaker.play(result.mix[offset:offset + block], SAMPLE_RATE)
            catch_up((offset + block) / SAMPLE_RATE)
        catch_up(len(result.mix) / SAMPLE_RATE + 0.5)
        for at, line in lines:
            emit(f"[{stamp(at)}] {line}")
        time.sleep(speaker.busy_for() + 0.2)
