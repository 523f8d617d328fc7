"""Hearth's voice: pyttsx3 rendered to trimmed 16 kHz audio; voice, rate and volume apply."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from pulse import PulseServer, active_spans, pulse

from assistant.audio import SAMPLE_RATE, rms_dbfs
from assistant.cli import build_parser
from assistant.commands import say_cmd
from assistant.errors import AudioDeviceError, SpeechOutputError
from assistant.settings import Settings
from assistant.tts import TextToSpeech, list_voices, trim_silence

__all__ = ["pulse"]

SENTENCE = "Sam, tell Alex about a small moment this week that made you smile."


def _seconds(samples: np.ndarray) -> float:
    return len(samples) / SAMPLE_RATE


def test_a_sentence_renders_to_speech_of_plausible_length() -> None:
    speech = TextToSpeech(Settings()).render(SENTENCE)
    assert speech.dtype == np.int16
    # 13 words at 165 words per minute is about 4.7 s; espeak runs a little quicker.
    assert 2.5 < _seconds(speech) < 7.0
    assert rms_dbfs(speech) > -40


def test_speech_is_trimmed_so_it_starts_and_ends_with_sound() -> None:
    speech = TextToSpeech(Settings()).render(SENTENCE)
    loud = np.flatnonzero(np.abs(speech.astype(np.int32)) > 200)
    assert loud[0] < 0.05 * SAMPLE_RATE
    assert len(speech) - loud[-1] < 0.05 * SAMPLE_RATE


def test_a_faster_rate_gives_shorter_speech() -> None:
    slow = TextToSpeech(Settings(rate=110)).render(SENTENCE)
    fast = TextToSpeech(Settings(rate=250)).render(SENTENCE)
    assert _seconds(slow) > 1.6 * _seconds(fast)


def test_a_lower_volume_gives_quieter_speech() -> None:
    loud = TextToSpeech(Settings(volume=1.0)).render(SENTENCE)
    quiet = TextToSpeech(Settings(volume=0.25)).render(SENTENCE)
    assert rms_dbfs(loud) - rms_dbfs(quiet) > 8


def test_a_voice_can_be_named_by_id_name_or_language_with_a_variant() -> None:
    for wanted in ("gmw/en-us", "English (America)", "en-us"):
        assert TextToSpeech(Settings(voice=wanted)).voice_id == "gmw/en-us"
    female = TextToSpeech(Settings(voice="en-us+f3"))
    assert female.voice_id == "gmw/en-us+f3"
    assert female.render(SENTENCE).size > 0


def test_an_unknown_voice_is_a_clear_error_with_a_fix() -> None:
    with pytest.raises(SpeechOutputError, match="not installed") as caught:
        TextToSpeech(Settings(voice="no-such-voice-xyz"))
    assert "gmw/en-us" in caught.value.fix


def test_the_espeak_ng_fallback_speaks_with_the_same_settings() -> None:
    settings = Settings(rate=200, volume=0.5)
    primary = TextToSpeech(settings).render(SENTENCE)
    fallback = TextToSpeech(settings, backend="espeak-ng")
    speech = fallback.render(SENTENCE)
    assert fallback.backend == "espeak-ng"
    assert _seconds(speech) == pytest.approx(_seconds(primary), rel=0.1)
    assert rms_dbfs(speech) == pytest.approx(rms_dbfs(primary), abs=2)


def test_no_speech_engine_at_all_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechOutputError) as caught:
        TextToSpeech(Settings(), backend="espeak-ng").render(SENTENCE)
    assert "apt-get install espeak-ng" in caught.value.fix


def test_blank_text_is_silence_and_repeats_come_from_the_cache() -> None:
    tts = TextToSpeech(Settings())
    assert tts.render("   ").size == 0
    assert tts.render("Next one.") is tts.render("Next  one.")


def test_trim_keeps_only_the_sound_with_a_short_pad() -> None:
    tone = (8000 * np.sin(np.arange(SAMPLE_RATE) / 5)).astype(np.int16)
    padded = np.concatenate([np.zeros(SAMPLE_RATE, np.int16), tone, np.zeros(8000, np.int16)])
    trimmed = trim_silence(padded)
    assert len(tone) <= len(trimmed) <= len(tone) + 0.05 * SAMPLE_RATE


def test_english_voices_are_listed_for_setup() -> None:
    ids = {voice.id for voice in list_voices()}
    assert {"gmw/en", "gmw/en-us"} <= ids


def test_hearth_say_out_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    env = {**os.environ, "HEARTH_CONFIG": str(tmp_path / "none.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "say", "Hello", "Sam", "and", "Alex.",
         "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    info = soundfile.info(str(out))
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 1, "PCM_16")
    assert 0.8 < info.duration < 4.0


def test_hearth_say_without_a_speaker_says_so_with_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import portaudio
    from assistant.cli import main

    monkeypatch.setenv("HEARTH_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr(portaudio, "list_devices", lambda: [])
    with pytest.raises(AudioDeviceError, match="No speaker found") as caught:
        say_cmd.run(build_parser().parse_args(["say", "hello"]))
    assert "--out FILE.wav" in caught.value.fix
    assert main(["say", "hello"]) == 2


@pytest.mark.audio
def test_hearth_say_plays_on_the_speaker(pulse: PulseServer, tmp_path: Path) -> None:
    env = {**pulse.env, "HEARTH_CONFIG": str(tmp_path / "none.toml")}
    recording = pulse.record()
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "say", "Hello Sam and Alex, welcome back.",
         "--output-device", "pulse"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    heard = recording.stop()
    assert result.returncode == 0, result.stderr
    spans = active_spans(heard)
    assert spans, "nothing reached the speaker"
    assert 1.0 < spans[-1][1] - spans[0][0] < 5.0
