"""Endpointing on real synthesized speech: utterance count and times, in quiet and in noise."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AWB, ESPEAK, RMS, SLT, join, silence, speech

from assistant.audio import SAMPLE_RATE, Samples, chunk_samples
from assistant.endpoint import Endpointer, EndpointOptions, Span, find_utterances
from assistant.voices import SynthVoice

PHRASES = ("next question", "could you repeat that please", "we are done for tonight")


def spoken_with_gaps(gap: float = 1.2) -> tuple[Samples, list[tuple[float, float]]]:
    """Three phrases with silence between them, and where each one really is."""
    parts, truth, cursor = [silence(1.0)], [], 1.0
    for phrase in PHRASES:
        audio = trimmed(speech(phrase, SLT))
        parts += [audio, silence(gap)]
        truth.append((cursor, cursor + len(audio) / SAMPLE_RATE))
        cursor += len(audio) / SAMPLE_RATE + gap
    return join(*parts), truth


def trimmed(audio: Samples) -> Samples:
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 300)
    return audio[loud[0]: loud[-1] + 1]


def level(audio: Samples) -> float:
    active = audio[np.abs(audio.astype(np.int32)) > 100].astype(np.float64)
    return float(np.sqrt(np.mean(active**2)))


def pink_noise(samples: int, seed: int = 1) -> np.ndarray:
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(samples))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1.0))
    noise = np.fft.irfft(spectrum, samples)
    return noise / np.sqrt(np.mean(noise**2))


def babble(samples: int) -> np.ndarray:
    """Five other talkers at once, looped to length."""
    talkers: list[tuple[str, SynthVoice]] = [
        ("I went to the market and bought some apples and bread", AWB),
        ("the weather was terrible all week and the trains were late", RMS),
        ("my sister called about the birthday party on sunday", ESPEAK),
        ("we should paint the kitchen a lighter colour this spring",
         SynthVoice("espeak-ng", "en-gb")),
        ("the football match went into extra time last night", SynthVoice("flite", "kal16")),
    ]
    mix = np.zeros(samples)
    for index, (text, voice) in enumerate(talkers):
        voice_audio = trimmed(speech(text, voice)).astype(np.float64)
        voice_audio /= np.sqrt(np.mean(voice_audio**2))
        looped = np.tile(voice_audio, samples // voice_audio.size + 2)
        offset = index * 3_000
        mix += looped[offset: offset + samples]
    return mix / np.sqrt(np.mean(mix**2))


def add_noise(audio: Samples, noise: np.ndarray, snr_db: float) -> Samples:
    scaled = noise * level(audio) / 10 ** (snr_db / 20)
    return np.clip(audio + scaled, -32768, 32767).astype(np.int16)


def spans_of(audio: Samples) -> list[Span]:
    return find_utterances(list(chunk_samples(audio)))


def assert_near(spans: list[Span], truth: list[tuple[float, float]], slack: float) -> None:
    assert len(spans) == len(truth), spans
    for span, (start, end) in zip(spans, truth, strict=True):
        assert start - 0.5 <= span.start <= start + slack, (span, start)
        assert end - slack <= span.end <= end + 0.5, (span, end)


def test_silence_has_no_utterances() -> None:
    assert spans_of(silence(5.0)) == []


def test_steady_noise_alone_has_no_utterances() -> None:
    noise = (pink_noise(8 * SAMPLE_RATE) * 600).astype(np.int16)
    assert spans_of(noise) == []


def test_each_phrase_is_one_utterance_with_its_times() -> None:
    audio, truth = spoken_with_gaps()
    assert_near(spans_of(audio), truth, slack=0.15)


def test_phrases_in_pink_noise_at_15_db() -> None:
    audio, truth = spoken_with_gaps()
    noisy = add_noise(audio, pink_noise(audio.size), 15.0)
    assert_near(spans_of(noisy), truth, slack=0.3)


def test_phrases_over_babble_at_12_db() -> None:
    audio, truth = spoken_with_gaps()
    noisy = add_noise(audio, babble(audio.size), 12.0)
    assert_near(spans_of(noisy), truth, slack=0.35)


def test_utterance_is_emitted_soon_after_the_speaker_stops() -> None:
    audio, truth = spoken_with_gaps()
    endpointer = Endpointer()
    ended_at = []
    for chunk in chunk_samples(audio):
        if endpointer.push(chunk).ended is not None:
            ended_at.append(chunk.timestamp + chunk.duration)
    assert len(ended_at) == len(truth)
    for when, (_, end) in zip(ended_at, truth, strict=True):
        assert when - end <= 0.45


def test_start_comes_with_the_pre_roll_audio() -> None:
    audio, truth = spoken_with_gaps()
    endpointer = Endpointer()
    for chunk in chunk_samples(audio):
        step = endpointer.push(chunk)
        if step.started:
            assert step.audio[0].timestamp <= truth[0][0] - 0.2
            assert step.audio[-1].timestamp == chunk.timestamp
            return
    pytest.fail("no utterance started")


def test_a_click_is_not_an_utterance() -> None:
    click = silence(0.06)
    click[::2] = 12_000
    assert spans_of(join(silence(2.0), click, silence(2.0))) == []


def test_long_speech_is_cut_at_the_maximum_length() -> None:
    talk = speech("I keep thinking about that long weekend by the sea, the little house, "
                  "the rain on the roof, the card games, and the walks along the cliffs "
                  "every single morning before breakfast", SLT)
    spans = find_utterances(list(chunk_samples(join(silence(1.0), talk, silence(1.0)))),
                            EndpointOptions(max_utterance=4.0))
    assert len(spans) >= 2
    assert all(span.end - span.start <= 4.05 for span in spans)
