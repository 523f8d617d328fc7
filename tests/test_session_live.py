"""`hearth run` as a subprocess on the real stack: a private PulseAudio daemon, the real
recognizer, real text-to-speech, and the couple's speech synthesized by flite.

Speech is played into the virtual microphone; Hearth's speaker is recorded. What
Hearth did is read from its event stream (`--events`, see `live_run.py`), and the
recording shows when it made sound. The same loop driven by fakes, fast, is in
`test_session_loop.py`.
"""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from live_run import HearthRun
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


def test_an_old_saved_game_is_not_offered(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = StateStore(tmp_path / "session.json", clock=lambda: now[0])
    store.save({"state": "prompt"})
    now[0] += 11 * 3600
    assert store.load() == {"state": "prompt"}
    now[0] += 2 * 3600
    assert store.load() is None


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
    run.wait_for("spoke", timeout=60, kind=("welcome", "info"))
    return run


def say(server: PulseServer, text: str, voice: SynthVoice = SAM) -> float:
    """Play speech into the microphone; returns when it ended (monotonic)."""
    server.play(speech(text, voice))
    return time.monotonic()


def command(run: HearthRun, server: PulseServer, text: str, what: str = "heard",
            since: int = 0, **fields: object) -> tuple[int, float]:
    """Say a command until Hearth tells of an event `what` with `fields` (a person
    repeats themselves too); returns that event's index and when the (last) saying ended."""
    for voice in (SAM, ALEX, SAM):
        mark = max(since, len(run.events))
        ended = say(server, text, voice)
        found = run.find(what, 6.0, mark, **fields)
        if found is not None:
            return found, ended
    raise AssertionError(f"{text!r} was never heard as {what} {fields}:\n{run.report()}")


def sound_after(recording: Recording, moment: float, within: float) -> float | None:
    """Seconds from `moment` to the first sound Hearth made after it, if within `within`."""
    time.sleep(max(0.0, moment + within - time.monotonic()))
    offset = moment - recording.started
    for begin, end in active_spans(recording.samples()):
        if end > offset:
            delay = max(0.0, begin - offset)
            return delay if delay <= within else None
    return None


NAMED = ("prompt", "handover", "follow_up")
"""Kinds of Hearth's lines that carry on a game after a command."""


def names_a_partner(text: str) -> bool:
    return "Sam" in text or "Alex" in text


@live
def test_a_short_evening(pulse: PulseServer, hearth: list[HearthRun], tmp_path: Path) -> None:
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    recording = pulse.record()
    seen, ended = command(run, pulse, "start the dreams game", intent="start_game",
                          slots={"game": "dreams"})
    run.wait_for("spoke", since=seen, kind="prompt", text=names_a_partner)
    assert sound_after(recording, ended, 2.0) is not None
    done = run.quiet(seen)
    say(pulse, "I remember the night we missed the last train home and walked.", ALEX)
    talk = run.wait_for("heard", since=done, intent=None)
    time.sleep(1.5)
    assert not run.matching("spoke", talk), "Hearth answered the couple's conversation"
    seen, ended = command(run, pulse, "next question", since=talk, intent="next")
    run.wait_for("spoke", since=seen, kind=NAMED)
    assert sound_after(recording, ended, 2.0) is not None
    run.quiet(seen)
    seen, _ = command(run, pulse, "stop the game", since=seen, intent="stop")
    run.wait_for("spoke", since=seen, kind="closing")
    run.quiet(seen)
    seen, _ = command(run, pulse, "stop the game", since=seen + 1, intent="stop")
    run.wait_for("spoke", since=seen, kind="goodbye")
    run.wait_for("ended", since=seen, reason="goodbye")
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
        mark = len(run.events)
        pulse.play(np.concatenate([trimmed(speech("let's play", voice)), gap,
                                   trimmed(speech("the dreams game", voice))]))
        seen = run.find("heard", 6.0, mark)
        if seen is None:
            continue
        time.sleep(1.0)
        heard = run.events[seen]
        assert (heard["intent"], heard["slots"]) == ("start_game", {"game": "dreams"}), heard
        assert heard["received"] > 0 and heard["decoded"] >= heard["received"], heard
        assert len(run.matching("heard", mark)) == 1, run.events[mark:]
        break
    else:
        raise AssertionError("the paused command was never heard:\n" + run.report())
    assert run.stop() == 0


@live
def test_hearth_never_answers_itself(pulse: PulseServer, hearth: list[HearthRun],
                                     tmp_path: Path) -> None:
    room = pulse.loopback()
    try:
        run = start(hearth, pulse, tmp_path)
        run.quiet()
        time.sleep(1.0)
        seen, _ = command(run, pulse, "start the dreams game", intent="start_game")
        run.quiet(seen)
        time.sleep(2.0)
        heard_after = run.matching("heard", seen + 1) + run.matching("barge_in", seen + 1)
        assert heard_after == [], f"Hearth heard itself: {heard_after}"
        assert run.matching("ignored"), "the loopback never reached the mic"
    finally:
        pulse.unload(room)
    assert run.stop() == 0


@live
def test_stop_spoken_over_hearth_interrupts_it(pulse: PulseServer, hearth: list[HearthRun],
                                                tmp_path: Path) -> None:
    run = start(hearth, pulse, tmp_path)
    run.quiet()
    command(run, pulse, "start the dreams game", intent="start_game")
    seen = run.wait_for("spoke", kind="prompt")
    recording = pulse.record()
    time.sleep(0.5)
    cut, ended = command(run, pulse, "stop the game", "barge_in", seen, intent="stop")
    run.wait_for("spoke", since=cut)
    run.quiet(cut)
    samples = recording.stop()
    answers = [event["text"] for event in run.matching("spoke", cut)]
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
    seen, _ = command(run, pulse, "start the dreams game", intent="start_game")
    run.quiet(seen)
    pulse.kill()
    lost = run.wait_for("device_lost", timeout=10, since=seen)
    time.sleep(1.0)
    pulse.start()
    back = run.wait_for("device_back", timeout=20, since=lost)
    run.quiet(back)
    seen, _ = command(run, pulse, "next question", since=back, intent="next")
    run.wait_for("spoke", since=seen, kind=NAMED)
    run.quiet(seen)
    prompt = run.matching("spoke", kind="prompt")[-1]["text"]
    assert (tmp_path / "session.json").exists()
    assert run.stop(signal.SIGKILL) != 0
    again = start(hearth, pulse, tmp_path)
    again.wait_for("resumed")
    # The prompt again; after the hand-over, followed by the hand-over or follow-up line.
    again.wait_for("spoke", kind=NAMED, text=lambda text: text.startswith(prompt))
    assert not again.matching("spoke", kind="welcome")
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


@live
def test_an_events_file_that_cannot_be_written_is_one_sentence(pulse: PulseServer,
                                                               tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "--input-device", "pulse",
         "--events", str(tmp_path / "no such folder" / "events.jsonl")],
        env=dict(pulse.env, HEARTH_DATA_HOME=str(tmp_path),
                 HEARTH_CONFIG=str(tmp_path / "none.toml")),
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "events file" in result.stderr and "--events" in result.stderr
    assert "Traceback" not in result.stderr
