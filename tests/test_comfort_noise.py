"""The faint noise floor the pocketsphinx engine decodes over."""

from __future__ import annotations

import numpy as np
from conftest import SLT, speech

from assistant.asr.comfort_noise import ComfortNoise, pink_noise, speech_level_db
from assistant.audio import SAMPLE_RATE


def level_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean((samples.astype(np.float64) / 32768.0) ** 2)))


def band_power(noise: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(noise)) ** 2
    frequencies = np.fft.rfftfreq(len(noise), 1.0 / SAMPLE_RATE)
    return float(spectrum[(frequencies >= low) & (frequencies < high)].sum())


def test_pink_noise_has_equal_power_per_octave() -> None:
    noise = pink_noise(SAMPLE_RATE * 4)
    assert abs(np.sqrt(np.mean(noise**2)) - 1.0) < 1e-9
    octaves = [band_power(noise, f, 2 * f) for f in (250, 500, 1000, 2000, 4000)]
    spread_db = 10 * np.log10(max(octaves) / min(octaves))
    assert spread_db < 1.5, octaves
    white_like = band_power(noise, 4000, 8000) / band_power(noise, 125, 250)
    assert white_like < 2.0  # white noise would have 32 times the power up there


def feed(comfort: ComfortNoise, samples: np.ndarray) -> np.ndarray:
    """One utterance through the comfort noise in 30 ms chunks, as the engine gives it."""
    comfort.start_utterance()
    out = [comfort.add(samples[i:i + 480].tobytes()) for i in range(0, len(samples), 480)]
    out.append(comfort.flush())
    comfort.end_utterance()
    return np.frombuffer(b"".join(out), dtype=np.int16)


def test_a_silent_background_is_filled_to_the_floor() -> None:
    comfort = ComfortNoise(below_speech_db=30.0, initial_speech_db=-20.0)
    mixed = feed(comfort, np.zeros(SAMPLE_RATE, dtype=np.int16))
    assert len(mixed) == SAMPLE_RATE  # nothing lost, nothing added in time
    assert abs(level_db(mixed) - (-50.0)) < 0.5


def test_a_background_already_at_the_floor_is_left_alone() -> None:
    comfort = ComfortNoise(below_speech_db=30.0, initial_speech_db=-20.0)
    assert comfort.added_db(-45.0) is None
    quieter = comfort.added_db(-56.0)
    assert quieter is not None and -51.5 < quieter < -50.0  # powers add up to the floor
    hiss = (pink_noise(SAMPLE_RATE, seed=3) * 32768 * 10 ** (-45 / 20)).astype(np.int16)
    assert np.array_equal(feed(comfort, hiss), hiss)


def test_lead_in_is_held_back_then_decoded() -> None:
    comfort = ComfortNoise(lead_in_seconds=0.15)
    chunk = np.zeros(480, dtype=np.int16).tobytes()  # 30 ms
    comfort.start_utterance()
    assert all(comfort.add(chunk) == b"" for _ in range(4))
    released = comfort.add(chunk)  # 0.15 s reached
    assert len(released) == 5 * len(chunk)
    assert len(comfort.add(chunk)) == len(chunk)
    assert comfort.flush() == b""


def test_short_utterance_comes_out_at_flush() -> None:
    comfort = ComfortNoise(lead_in_seconds=0.15)
    comfort.start_utterance()
    assert comfort.add(np.zeros(480, dtype=np.int16).tobytes()) == b""
    assert len(comfort.flush()) == 960


def test_floor_follows_quieter_speakers() -> None:
    comfort = ComfortNoise(below_speech_db=30.0, initial_speech_db=-20.0)
    quiet = (speech("tell us about your week", SLT).astype(np.float64) * 0.1).astype(np.int16)
    spoken = speech_level_db(quiet)
    assert spoken is not None
    for _ in range(5):
        feed(comfort, quiet)
    assert abs(comfort.floor_db - (spoken - 30.0)) < 0.5
    assert comfort.floor_db < -55.0


def test_dropped_utterances_do_not_move_the_floor() -> None:
    comfort = ComfortNoise(initial_speech_db=-20.0)
    loud = np.full(SAMPLE_RATE, 20_000, dtype=np.int16)
    for _ in range(5):
        comfort.start_utterance()
        comfort.add(loud.tobytes())
        comfort.start_utterance()  # dropped: a knock, or Hearth itself talking
    assert comfort.floor_db == -20.0 - comfort.below_speech_db


def test_digital_silence_is_not_taken_for_a_quiet_speaker() -> None:
    comfort = ComfortNoise(initial_speech_db=-20.0)
    for _ in range(5):
        feed(comfort, np.zeros(SAMPLE_RATE // 2, dtype=np.int16))
    assert comfort.floor_db == -20.0 - comfort.below_speech_db


def test_speech_is_kept_and_the_floor_is_faint() -> None:
    comfort = ComfortNoise()
    voice = speech("next question", SLT)
    mixed = feed(comfort, voice)
    assert mixed.shape == voice.shape
    difference = mixed.astype(np.float64) - voice
    assert level_db(difference.astype(np.int16)) < level_db(voice) - 20.0
    assert comfort.add(b"") == b""


def test_too_short_to_tell_a_level() -> None:
    assert speech_level_db(np.zeros(50, dtype=np.int16)) is None
