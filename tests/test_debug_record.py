"""Debug recordings: only when asked, the recognizer's audio as a WAV that survives a kill,
one JSON line per utterance, owner-only files, and one clear sentence for a bad folder."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import wave
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from live_run import HearthRun
from pulse import PulseServer, pulse
from test_session_live import command

from assistant import cli
from assistant.audio import CHUNK_SAMPLES, SAMPLE_RATE, AudioChunk, Samples, rms_dbfs
from assistant.commands.run_cmd import _recorder
from assistant.debug_record import FLUSH_EVERY, DebugRecorder
from assistant.errors import ConfigError
from assistant.intent import Intent
from assistant.utterance import Utterance

__all__ = ["pulse"]

STARTED = datetime(2026, 11, 26, 21, 30, 5)
FLAG = "--debug-record"


def tone(chunks: int, start: int = 0) -> Samples:
    """A ramp of distinct samples, so any lost or reordered audio shows."""
    values = (np.arange(start, start + chunks * CHUNK_SAMPLES) % 20_000) - 10_000
    return values.astype(np.int16)


def stream(samples: Samples, at: float = 0.0) -> Iterator[AudioChunk]:
    for index in range(0, len(samples), CHUNK_SAMPLES):
        piece = samples[index:index + CHUNK_SAMPLES]
        yield AudioChunk(piece.tobytes(), SAMPLE_RATE, 1, at + index / SAMPLE_RATE)


def heard(start: float, end: float, text: str = "next", intent: str | None = "next",
          **slots: str) -> Utterance:
    return Utterance(start, end, text, Intent(intent) if intent else None, slots, 0.75)


def test_wav_holds_every_chunk_written(tmp_path: Path) -> None:
    recorder = DebugRecorder.start(tmp_path, FLAG, STARTED)
    audio = tone(40)
    for chunk in stream(audio, at=3.0):
        recorder.write(chunk)
    recorder.close()
    read, rate = soundfile.read(recorder.audio_path, dtype="int16")
    assert rate == SAMPLE_RATE
    assert np.array_equal(read, audio)
    with wave.open(str(recorder.audio_path)) as wav:  # the header itself, not libsndfile's guess
        assert wav.getnframes() == 40 * CHUNK_SAMPLES
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)


def test_wav_header_is_valid_while_still_recording(tmp_path: Path) -> None:
    recorder = DebugRecorder.start(tmp_path, FLAG, STARTED)
    for chunk in stream(tone(100)):
        recorder.write(chunk)
    with wave.open(str(recorder.audio_path)) as wav:
        seconds = wav.getnframes() / SAMPLE_RATE
    assert 3.0 - FLUSH_EVERY <= seconds <= 3.0
    recorder.close()


def test_a_killed_session_leaves_a_valid_wav(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import numpy as np
        from assistant.audio import AudioChunk
        from assistant.debug_record import DebugRecorder
        recorder = DebugRecorder.start(Path({str(tmp_path)!r}), "--debug-record")
        audio = ((np.arange(70 * {CHUNK_SAMPLES}) % 20_000) - 10_000).astype(np.int16)
        for index in range(0, len(audio), {CHUNK_SAMPLES}):  # 2.1 s
            recorder.write(AudioChunk(audio[index:index + {CHUNK_SAMPLES}].tobytes(),
                                      timestamp=index / {SAMPLE_RATE}))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -signal.SIGKILL
    [folder] = tmp_path.iterdir()
    with wave.open(str(folder / "input.wav")) as wav:
        frames = wav.readframes(wav.getnframes())
    kept = np.frombuffer(frames, dtype=np.int16)
    assert 2.1 - FLUSH_EVERY <= len(kept) / SAMPLE_RATE <= 2.1
    assert np.array_equal(kept, tone(70)[:len(kept)])


def test_each_utterance_is_one_json_line_at_once(tmp_path: Path) -> None:
    recorder = DebugRecorder.start(tmp_path, FLAG, STARTED)
    for chunk in stream(tone(100), at=12.0):
        recorder.write(chunk)
    recorder.utterance(heard(12.5, 13.25, "start the dreams game", "start_game", game="dreams"),
                       ignored=False)
    recorder.utterance(heard(13.5, 14.0, "what is a trip", None), ignored=True)
    lines = recorder.utterances_path.read_text().splitlines()  # before close: flushed
    assert [json.loads(line) for line in lines] == [
        {"start": 0.5, "end": 1.25, "text": "start the dreams game", "intent": "start_game",
         "slots": {"game": "dreams"}, "confidence": 0.75, "ignored": False,
         "barge_in": False},
        {"start": 1.5, "end": 2.0, "text": "what is a trip", "intent": None, "slots": {},
         "confidence": 0.75, "ignored": True, "barge_in": False},
    ]
    recorder.close()


def test_times_follow_the_wav_across_a_lost_microphone(tmp_path: Path) -> None:
    recorder = DebugRecorder.start(tmp_path, FLAG, STARTED)
    for chunk in stream(tone(50), at=10.0):  # 1.5 s, then the microphone is lost for 8.5 s
        recorder.write(chunk)
    for chunk in stream(tone(50), at=20.0):
        recorder.write(chunk)
    recorder.utterance(heard(20.25, 20.75), ignored=False)
    recorder.close()
    [line] = recorder.utterances_path.read_text().splitlines()
    assert (json.loads(line)["start"], json.loads(line)["end"]) == (1.75, 2.25)
    assert soundfile.info(recorder.audio_path).duration == pytest.approx(3.0)


def test_files_are_for_the_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        recorder = DebugRecorder.start(tmp_path / "debug", FLAG, STARTED)
    finally:
        os.umask(old)
    recorder.close()
    assert recorder.folder == tmp_path / "debug" / "2026-11-26T21-30-05"
    assert (tmp_path / "debug").stat().st_mode & 0o777 == 0o700
    assert recorder.folder.stat().st_mode & 0o777 == 0o700
    for path in (recorder.audio_path, recorder.utterances_path):
        assert path.stat().st_mode & 0o777 == 0o600


def test_two_sessions_in_one_second_get_their_own_folders(tmp_path: Path) -> None:
    first = DebugRecorder.start(tmp_path, FLAG, STARTED)
    second = DebugRecorder.start(tmp_path, FLAG, STARTED)
    first.close()
    second.close()
    assert second.folder != first.folder
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.folder.name, second.folder.name]


def test_a_file_instead_of_a_folder_is_named_with_a_fix(tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    with pytest.raises(ConfigError, match=r"--debug-record .*notes\.txt is a file") as caught:
        DebugRecorder.start(taken, FLAG, STARTED)
    assert "folder you can write to" in caught.value.fix
    assert taken.read_text() == "mine"


def test_a_folder_that_cannot_be_made_is_named_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    named = "debug.debug_record in the config"
    with pytest.raises(ConfigError, match=r"debug\.debug_record .* cannot be written to"):
        DebugRecorder.start(tmp_path / "notes.txt" / "debug", named, STARTED)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_named_with_a_fix(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match="cannot be written to"):
        DebugRecorder.start(locked, FLAG, STARTED)


def run_args(debug_record: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(debug_record=debug_record)


def test_nothing_is_recorded_without_the_flag_or_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.settings import Settings

    monkeypatch.chdir(tmp_path)
    assert _recorder(run_args(), Settings()) is None
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().err == ""


def test_recording_is_announced_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.settings import Settings

    recorder = _recorder(run_args(), Settings(debug_record=str(tmp_path / "rec")))
    assert recorder is not None
    recorder.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"hearth: debug recording is on: the microphone audio and every utterance "
                   f"heard are written to {recorder.folder}"]


def test_a_config_key_naming_a_file_stops_hearth_run_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    config = tmp_path / "config.toml"
    config.write_text(f"[debug]\ndebug_record = {str(tmp_path / 'notes.txt')!r}\n")
    assert cli.main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "debug.debug_record" in err and "is a file, not a folder" in err
    assert "Traceback" not in err


@pytest.mark.audio
def test_hearth_run_records_what_it_heard(pulse: PulseServer, tmp_path: Path) -> None:
    folder = tmp_path / "debug"
    run = HearthRun(pulse, tmp_path / "data", "--debug-record", str(folder))
    try:
        run.wait_for("spoke", timeout=60, kind=("welcome", "info"))
        run.quiet()
        command(run, pulse, "start the dreams game", intent="start_game",
                slots={"game": "dreams"})
        time.sleep(0.5)
    finally:
        assert run.stop() == 0
    [session] = folder.iterdir()
    announced = [line for line in run.lines if "debug recording is on" in line]
    assert announced and str(session) in announced[0]
    lines = [json.loads(line) for line in (session / "utterances.jsonl").read_text().splitlines()]
    started = [line for line in lines if line["intent"] == "start_game"]
    assert started and started[-1]["slots"] == {"game": "dreams"}
    assert not started[-1]["ignored"]
    audio, rate = soundfile.read(session / "input.wav", dtype="int16")
    assert rate == SAMPLE_RATE
    begin, end = (round(started[-1][key] * SAMPLE_RATE) for key in ("start", "end"))
    assert 0 <= begin < end <= len(audio)
    assert rms_dbfs(audio[begin:end]) > -40  # the command is where its line says
    assert rms_dbfs(audio[:SAMPLE_RATE // 2]) < -60  # and the quiet before anyone spoke


def test_listen_json_and_the_recording_write_one_form_of_an_utterance(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`hearth listen --json` and `utterances.jsonl` share their keys and their values."""
    wav = Path(__file__).parent / "fixtures" / "nbest_gap.wav"
    assert cli.main(["listen", str(wav), "--json", "--engine", "pocketsphinx"]) == 0
    listened = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listened
    recorder = DebugRecorder.start(tmp_path, FLAG, STARTED)
    for chunk in stream(tone(10)):
        recorder.write(chunk)
    recorder.utterance(heard(0.05, 0.25, "start the dreams game", "start_game", game="dreams"),
                       ignored=False)
    recorder.close()
    [recorded] = [json.loads(line) for line in
                  (recorder.folder / "utterances.jsonl").read_text().splitlines()]
    assert set(recorded) - {"ignored", "barge_in"} == set(listened[0])
    assert {key: recorded[key] for key in listened[0]} == {
        "start": 0.05, "end": 0.25, "text": "start the dreams game", "intent": "start_game",
        "slots": {"game": "dreams"}, "confidence": 0.75}
