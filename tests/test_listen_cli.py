"""`hearth listen` end to end: real files in, the documented lines out, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr
from conftest import RMS, SLT, join, silence, speech

from assistant.audio import write_wav
from assistant.cli import main

KEYS = ["start", "end", "text", "intent", "slots", "confidence"]


@pytest.fixture(scope="module")
def evening(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A command, then talk that contains a command word."""
    path = tmp_path_factory.mktemp("listen") / "next_then_talk.wav"
    write_wav(path, join(silence(1.0), speech("next question", SLT), silence(1.5),
                         speech("Let's skip the party on Saturday and stay in", RMS),
                         silence(1.0)))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["listen", *args, "--engine", "pocketsphinx"])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_gives_one_object_per_utterance(evening: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(evening), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and err == ""
    assert [list(line) for line in lines] == [KEYS, KEYS]
    assert [line["intent"] for line in lines] == ["next", None]
    assert lines[0]["slots"] == {} and lines[0]["start"] < lines[0]["end"] < lines[1]["start"]
    assert all(0.0 <= line["confidence"] <= 1.0 for line in lines)
    assert lines[0]["start"] == round(lines[0]["start"], 3)


def test_table_and_engine_hint(evening: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(evening))
    assert code == 0
    command, talk = out.splitlines()[1].split(), out.splitlines()[2].split()
    assert command[2] == "next" and "question" in command
    assert talk[2] == "-" and "saturday" in talk  # talk, shown as talk
    assert "hearth models install" in err and len(err.splitlines()) == 1


def stereo_file(folder: Path, name: str, rate: int) -> Path:
    mono = join(silence(0.8), speech("skip this one", SLT), silence(0.8)).astype(np.float32)
    resampled = soxr.resample(mono / 32768.0, 16_000, rate)
    path = folder / name
    soundfile.write(str(path), np.stack([resampled, 0.5 * resampled], axis=1), rate)
    return path


def test_44k_stereo_is_converted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(stereo_file(tmp_path, "skip_44k.wav", 44_100)), "--json")
    assert code == 0
    assert [json.loads(line)["intent"] for line in out.splitlines()] == ["skip"]


def test_8k_stereo_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(stereo_file(tmp_path, "skip_8k.wav", 8_000)), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 1
    assert 0.3 <= lines[0]["start"] < 1.0 < lines[0]["end"]


def test_silence_only_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "silence.wav"
    write_wav(path, silence(3.0))
    assert run(capsys, str(path), "--json")[:2] == (0, "")


def test_ten_minutes_of_noise_is_not_a_command(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    noise = np.random.default_rng(3).normal(0, 800, 600 * 16_000).astype(np.int16)
    path = tmp_path / "noise.wav"
    write_wav(path, noise)
    code, out, _ = run(capsys, str(path), "--json")
    assert code == 0
    assert all(json.loads(line)["intent"] is None for line in out.splitlines())


@pytest.mark.parametrize(("name", "content", "says"), [
    ("missing.wav", None, "does not exist"),
    ("empty.wav", b"", "is empty"),
    ("notes.wav", b"these are my notes, not audio\n", "not a readable audio file"),
])
def test_bad_input_is_one_clear_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         name: str, content: bytes | None, says: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, str(path), "--json")
    assert code == 2 and out == ""
    assert says in err and "Traceback" not in err
