"""`hearth run` as a subprocess on the real stack: a private PulseAudio daemon, the real
recognizer, real text-to-speech, and the couple's speech synthesized by flite.

Speech is played into the virtual microphone; Hearth's speaker is recorded. What
Hearth did is read from its log lines (intents and its own lines only), and the
recording shows when it made sound.
"""

from __future__ import annotations

import functools
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer, Recording, active_spans, pulse

from assistant.audio import SAMPLE_RATE, Samples
from assistant.intent import Intent
from assistant.settings import Settings
from assistant.state_store import StateStore
from assistant.tts import TextToSpeech
from assistant.turn_taking import TurnTaking, Verdict
from assistant.voices import SynthVoice, synthesize

__all__ = ["pulse"]
live = pytest.mark.audio

SAM = SynthVoice("flite", "slt")
ALEX = SynthVoice("flite", "rms")


@functools.cache
def speech(text: str, voice: SynthVoice = SAM) -> Samples:
    return synthesize(text, voice)


def test_what_hearth_hears_while_speaking_is_its_own_voice() -> None:
    turns = TurnTaking()
    turns.spoke(10.0, 14.0, "Sam, what is a trip you would take again?")
    assert turns.judge(11.0, 12.0, "what is a trip", None) is Verdict.IGNORE
    assert turns.judge(13.9, 14.2, "next", Intent.NEXT) is Verdict.IGNORE
    assert turns.judge(14.4, 15.0, "next", Intent.NEXT) is Verdict.ACCEPT


def test_only_stop_and_pause_barge_in_and_not_as_an_echo() -> None:
    turns = TurnTaking()
    turns.spoke(0.0, 5.0, "Say pause whenever you need a moment.")
    assert turns.judge(1.0, 1.5, "stop", Intent.STOP) is Verdict.BARGE_IN
    assert turns.judge(1.0, 1.5, "pause", Intent.PAUSE) is Verdict.IGNORE
    assert turns.judge(1.0, 1.5, "next", Intent.NEXT) is Verdict.IGNORE


def hearth_heard_at(turns: TurnTaking, start: float, end: float, db: float) -> None:
    """The microphone's level in 50 ms chunks."""
    at = start
    while at < end - 1e-9:
        turns.input_level(at, at + 0.05, db)
        at += 0.05


def test_a_stop_heard_in_hearths_own_echo_does_not_barge_in() -> None:
    turns = TurnTaking()
    turns.spoke(0.0, 10.0, "Tonight: Dreams, Remember when, and Gentle starts. Which one?")
    hearth_heard_at(turns, 0.0, 10.0, -20.0)  # the room carries Hearth's voice back
    assert turns.judge(4.5, 6.6, "gonna stop", Intent.STOP) is Verdict.IGNORE


def test_a_stop_louder_than_the_echo_barges_in() -> None:
    turns = TurnTaking()
    turns.spoke(0.0, 10.0, "Tonight: Dreams, Remember when, and Gentle starts. Which one?")
    hearth_heard_at(turns, 0.0, 4.5, -20.0)
    hearth_heard_at(turns, 4.5, 5.5, -11.0)
    hearth_heard_at(turns, 5.5, 10.0, -20.0)
    assert turns.judge(4.5, 5.5, "stop", Intent.STOP) is Verdict.BARGE_IN


def test_with_echo_cancelled_a_quiet_stop_barges_in() -> None:
    turns = TurnTaking()
    turns.spoke(0.0, 10.0, "Tonight: Dreams, Remember when, and Gentle starts. Which one?")
    hearth_heard_at(turns, 0.0, 4.5, -75.0)  # a speakerphone that cancels echo
    hearth_heard_at(turns, 4.5, 5.5, -35.0)
    assert turns.judge(4.5, 5.5, "stop", Intent.STOP) is Verdict.BARGE_IN


def test_silence_is_reported_once_a_second_and_not_while_speaking() -> None:
    turns = TurnTaking()
    turns.spoke(0.0, 2.0, "hello")
    assert turns.silence(1.0) is None
    assert turns.silence(3.5) == pytest.approx(1.25)
    assert turns.silence(3.9) is None
    assert turns.silence(4.6) == pytest.approx(2.35)


def test_saved_game_survives_and_is_replaced_atomically(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "session.json")
    assert store.load() is None
    store.save({"state": "prompt", "game": "dreams"})
    store.save({"state": "talking", "game": "dreams"})
    assert store.load() == {"state": "talking", "game": "dreams"}
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]
    assert (tmp_path / "session.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "session.json").write_text("{half a fi")
    assert store.load() is None


class HearthRun:
    """`hearth run` on the virtual devices; its stdout lines are collected as they come."""

    def __init__(self, server: PulseServer, data: Path, *extra: str) -> None:
        config = data / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("[voice]\nrate = 280\n")  # Hearth talks fast: shorter tests
        env = dict(server.env, HEARTH_DATA_HOME=str(data), HEARTH_CONFIG=str(config),
                   PYTHONUNBUFFERED="1")
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--input-device", "pulse",
             "--output-device", "pulse", "--partners", "Sam,Alex", "--engine", "pocketsphinx",
             *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 20.0, start: int = 0) -> int:
        """Index of the first line from `start` on that matches `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index in range(start, len(self.lines)):
                if re.search(pattern, self.lines[index]):
                    return index
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}; got:\n" + "\n".join(self.lines))

    def quiet(self, start: int = 0, timeout: float = 30.0) -> int:
        """Wait until Hearth has finished speaking (after line `start`)."""
        return self.wait_for("finished speaking", timeout, start)

    def matching(self, pattern: str, start: int = 0) -> list[str]:
        return [line for line in self.lines[start:] if re.search(pattern, line)]

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=20)
        self._reader.join(timeout=5)
        return code


@pytest.fixture
def hearth(pulse: PulseServer, tmp_path: Path) -> Iterator[list[HearthRun]]:
    runs: list[HearthRun] = []
    yield runs
    for run in runs:
        if run.process.poll() is None:
            run.stop(signal.SIGKILL)


def start(hearth: list[HearthRun], server: PulseServer, data: Path) -> HearthRun:
    run = HearthRun(server, data)
    hearth.append(run)
    run.wait_for(r"Hearth \((welcome|info)\)", timeout=60)
    return run


def say(server: PulseServer, text: str, voice: SynthVoice = SAM) -> float:
    """Play speech into the microphone; returns when it ended (monotonic)."""
    server.play(speech(text, voice))
    return time.monotonic()


def command(run: HearthRun, server: PulseServer, text: str, pattern: str,
            start: int = 0) -> tuple[int, float]:
    """Say a command until Hearth hears it (a person repeats themselves too); returns the
    line where it was heard and when the (last) saying ended."""
    for voice in (SAM, ALEX, SAM):
        mark = max(start, len(run.lines))
        ended = say(server, text, voice)
        try:
            return run.wait_for(pattern, 6.0, mark), ended
        except AssertionError:
            continue
    raise AssertionError(f"{text!r} was never heard as {pattern!r}:\n" + "\n".join(run.lines))


def sound_after(recording: Recording, moment: float, within: float) -> float | None:
    """Seconds from `moment` to the first sound Hearth made after it, if within `within`."""
    time.sleep(max(0.0, moment + within - time.monotonic()))
    offset = moment - recording.started
    for begin, end in active_spans(recording.samples()):
        if end > offset:
            delay = max(0.0, begin - offset)
            return delay if delay <= within else None
    return None


@live
def test_a_short_evening(pulse: PulseServer, hearth: list[HearthRun], tmp_path: Path) -> None:
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    recording = pulse.record()
    seen, ended = command(run, pulse, "start the dreams game", r"heard: start_game\(game=dreams\)")
    run.wait_for(r"Hearth \(prompt\): .*(Sam|Alex)", start=seen)
    assert sound_after(recording, ended, 2.0) is not None
    done = run.quiet(seen)
    say(pulse, "I remember the night we missed the last train home and walked.", ALEX)
    talk = run.wait_for(r"heard: talk", start=done)
    time.sleep(1.5)
    assert not run.matching(r"Hearth \(", talk), "Hearth answered the couple's conversation"
    seen, ended = command(run, pulse, "next question", r"heard: next", talk)
    run.wait_for(r"Hearth \((prompt|handover|follow_up)\)", start=seen)
    assert sound_after(recording, ended, 2.0) is not None
    run.quiet(seen)
    seen, _ = command(run, pulse, "stop the game", r"heard: stop", seen)
    run.wait_for(r"Hearth \(closing\)", start=seen)
    run.quiet(seen)
    seen, _ = command(run, pulse, "stop the game", r"heard: stop", seen + 1)
    run.wait_for(r"Hearth \(goodbye\)", start=seen)
    run.wait_for("the evening ends", start=seen)
    assert run.process.wait(timeout=30) == 0, "Hearth exits once the goodbye has been said"
    assert run.stop() == 0
    spans = active_spans(recording.stop())
    assert len(spans) >= 3
    assert not (tmp_path / "session.json").exists(), "a finished evening is not offered again"


def trimmed(audio: Samples) -> Samples:
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 300)
    return audio[loud[0]: loud[-1] + 1]


@live
def test_a_command_said_with_a_pause_is_one_command(pulse: PulseServer, hearth: list[HearthRun],
                                                    tmp_path: Path) -> None:
    """Live endpointing answers complete commands early, but "let's play …" is not complete:
    Hearth waits through the pause and hears the game."""
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    gap = np.zeros(round(0.22 * SAMPLE_RATE), dtype=np.int16)
    for voice in (SAM, ALEX):
        mark = len(run.lines)
        pulse.play(np.concatenate([trimmed(speech("let's play", voice)), gap,
                                   trimmed(speech("the dreams game", voice))]))
        try:
            seen = run.wait_for(r"heard: ", 6.0, mark)
        except AssertionError:
            continue
        time.sleep(1.0)
        assert re.search(r"heard: start_game\(game=dreams\) .*\[clock: chunk in [0-9.]+, "
                         r"decoded [0-9.]+\]", run.lines[seen]), run.lines[seen]
        assert len(run.matching(r"heard: ", mark)) == 1, run.lines[mark:]
        break
    else:
        raise AssertionError("the paused command was never heard:\n" + "\n".join(run.lines))
    assert run.stop() == 0


@live
def test_hearth_never_answers_itself(pulse: PulseServer, hearth: list[HearthRun],
                                     tmp_path: Path) -> None:
    room = pulse.loopback()
    try:
        run = start(hearth, pulse, tmp_path)
        run.quiet()
        time.sleep(1.0)
        seen, _ = command(run, pulse, "start the dreams game", r"heard: start_game")
        run.quiet(seen)
        time.sleep(2.0)
        heard_after = run.matching(r"heard: |barge-in", seen + 1)
        assert heard_after == [], f"Hearth heard itself: {heard_after}"
        assert run.matching(r"ignored .* while speaking"), "the loopback never reached the mic"
    finally:
        pulse.unload(room)
    assert run.stop() == 0


@live
def test_stop_spoken_over_hearth_interrupts_it(pulse: PulseServer, hearth: list[HearthRun],
                                                tmp_path: Path) -> None:
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    command(run, pulse, "start the dreams game", r"heard: start_game")
    seen = run.wait_for(r"Hearth \(prompt\)")
    recording = pulse.record()
    time.sleep(0.5)
    cut, ended = command(run, pulse, "stop the game", r"barge-in: stop", seen)
    run.wait_for(r"Hearth \(", start=cut)
    run.quiet(cut)
    samples = recording.stop()
    answers = [line.split("): ", 1)[1] for line in run.matching(r"Hearth \(", cut)]
    tts = TextToSpeech(Settings(rate=280))
    answer_seconds = sum(len(tts.render(text)) for text in answers) / SAMPLE_RATE
    offset = ended - recording.started
    spans = active_spans(samples)
    assert spans and spans[-1][1] > offset, "no answer to the barge-in"
    # Cut at once: after the command only the answer is heard, not the rest of the prompt.
    assert spans[-1][1] - offset < answer_seconds + 1.2, "Hearth kept talking over the stop"


@live
def test_audio_server_restart_and_kill_9_keep_the_game(
        pulse: PulseServer, hearth: list[HearthRun], tmp_path: Path) -> None:
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    seen, _ = command(run, pulse, "start the dreams game", r"heard: start_game")
    run.quiet(seen)
    pulse.kill()
    lost = run.wait_for(r"lost the (audio devices|microphone|speaker)", timeout=10, start=seen)
    time.sleep(1.0)
    pulse.start()
    back = run.wait_for(r"(is|are) back after", timeout=20, start=lost)
    run.quiet(back)
    seen, _ = command(run, pulse, "next question", r"heard: next", back)
    run.wait_for(r"Hearth \((prompt|handover|follow_up)\)", start=seen)
    run.quiet(seen)
    prompt = run.matching(r"Hearth \(prompt\)")[-1].split("): ", 1)[1]
    assert (tmp_path / "session.json").exists()
    assert run.stop(signal.SIGKILL) != 0
    again = start(hearth, pulse, tmp_path)
    again.wait_for("a saved game was found")
    # The prompt again; after the hand-over, followed by the hand-over or follow-up line.
    again.wait_for(r"Hearth \((prompt|handover|follow_up)\): " + re.escape(prompt))
    assert not again.matching(r"Hearth \(welcome\)")
    assert again.stop() == 0
    assert any("stopped" in line for line in again.lines)


@live
def test_without_a_microphone_it_says_how_to_pick_one(pulse: PulseServer,
                                                      tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "--input-device", "usb speakerphone"],
        env=dict(pulse.env, HEARTH_DATA_HOME=str(tmp_path),
                 HEARTH_CONFIG=str(tmp_path / "none.toml")),
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    message = result.stderr.strip()
    assert "microphone" in message and "--input-device" in message and "hearth doctor" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
