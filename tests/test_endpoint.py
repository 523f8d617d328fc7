"""Endpointing on real synthesized speech: utterance count and times, in quiet and in noise."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import AWB, ESPEAK, RMS, SLT, join, silence, speech

from assistant.asr.pocketsphinx_engine import PocketsphinxEngine
from assistant.audio import SAMPLE_RATE, Samples, chunk_samples
from assistant.endpoint import Endpointer, EndpointOptions, Span, find_utterances
from assistant.pipeline import build_listener, live_endpointing
from assistant.settings import Settings
from assistant.speculative import SpeculativeListener
from assistant.utterance import Utterance
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


# ----- pauses inside commands, and live endpointing ---------------------------------------

PAUSED_COMMANDS = (("start a", "remember when game"), ("let's play", "the dreams game"),
                   ("could you", "repeat that"), ("time for", "our check in"))


def paused(first: str, second: str, gap: float, voice: SynthVoice = SLT) -> tuple[Samples, float]:
    """`first`, a pause of `gap` seconds, `second`; and where the speech ends."""
    audio = join(silence(1.0), trimmed(speech(first, voice)), silence(gap),
                 trimmed(speech(second, voice)))
    return join(audio, silence(2.0)), audio.size / SAMPLE_RATE


@pytest.mark.parametrize("gap", [0.15, 0.2, 0.25])
@pytest.mark.parametrize(("first", "second"), PAUSED_COMMANDS)
def test_a_short_pause_inside_a_command_does_not_split_it(first: str, second: str,
                                                          gap: float) -> None:
    audio, _ = paused(first, second, gap)
    chunks = list(chunk_samples(audio))
    assert len(find_utterances(chunks)) == 1  # `hearth listen`
    assert len(find_utterances(chunks, live_endpointing())) == 1  # `hearth run`


def test_live_endpointing_offers_the_end_sooner_than_file_mode() -> None:
    audio, truth = spoken_with_gaps()
    offered: dict[str, list[float]] = {"file": [], "live": []}
    for mode, options in (("file", EndpointOptions()), ("live", live_endpointing())):
        endpointer = Endpointer(options)
        for chunk in chunk_samples(audio):
            step = endpointer.push(chunk)
            if step.paused is not None or step.ended is not None:
                offered[mode].append(chunk.timestamp + chunk.duration)
                if step.paused is not None:
                    endpointer.close()
    assert len(offered["file"]) == len(offered["live"]) == len(truth)
    for live, file, (_, end) in zip(offered["live"], offered["file"], truth, strict=True):
        assert live - end <= 0.2  # over digital silence, with a fast release
        assert live < file - 0.1


def test_live_endpointing_still_works_in_noise() -> None:
    audio, truth = spoken_with_gaps()
    for noise, snr in ((pink_noise(audio.size), 15.0), (babble(audio.size), 12.0)):
        noisy = add_noise(audio, noise, snr)
        spans = find_utterances(list(chunk_samples(noisy)), live_endpointing())
        assert_near(spans, truth, slack=0.35)


def test_a_paused_utterance_goes_on_unless_closed() -> None:
    audio, _ = paused("could you", "repeat that", 0.2)
    endpointer = Endpointer(live_endpointing())
    steps = [endpointer.push(chunk) for chunk in chunk_samples(audio)]
    assert sum(step.paused is not None for step in steps) == 2  # in the pause, and at the end
    assert sum(step.ended is not None for step in steps) == 1


# ----- speculative finish (`hearth run`) ---------------------------------------------------


@pytest.fixture()
def live(engine: PocketsphinxEngine) -> SpeculativeListener:
    listener = build_listener(Settings(), live=True, engine=engine)
    assert isinstance(listener, SpeculativeListener)
    return listener


def heard_live(listener: SpeculativeListener, audio: Samples) -> list[tuple[float, Utterance]]:
    """Each utterance with the stream time at which it came out."""
    listener.reset()
    out = []
    for chunk in chunk_samples(audio):
        out += [(chunk.timestamp + chunk.duration, u) for u in listener.feed(chunk)]
    return out + [(audio.size / SAMPLE_RATE, u) for u in listener.flush()]


def test_a_sure_command_is_answered_at_the_early_end(live: SpeculativeListener) -> None:
    command = trimmed(speech("next question", SLT))
    heard = heard_live(live, join(silence(1.0), command, silence(2.0)))
    assert len(heard) == 1 and heard[0][1].intent == "next"
    assert live.early == 1
    assert heard[0][0] - (1.0 + command.size / SAMPLE_RATE) <= 0.2


@pytest.mark.parametrize(("first", "second", "game"), [("let's play", "the dreams game", "dreams"),
                                                      ("start a", "remember when game",
                                                       "remember_when")])
def test_a_command_that_goes_on_after_a_pause_is_one_command(
        live: SpeculativeListener, first: str, second: str, game: str) -> None:
    """The first words alone may already match a command ("let's play" is `start_game`
    without a game): it must not be taken early, and the whole command is one utterance."""
    audio, spoken_until = paused(first, second, 0.2)
    heard = heard_live(live, audio)
    assert len(heard) == 1, heard
    utterance = heard[0][1]
    assert utterance.end >= spoken_until - 0.1, heard  # it covers the words after the pause
    # (whether it is understood at all is the recognizer's part)
    assert utterance.intent is None or (utterance.intent, dict(utterance.slots)) == (
        "start_game", {"game": game})


def test_talk_is_not_finished_early(live: SpeculativeListener) -> None:
    talk = speech("I keep thinking about that trip to the coast, next summer maybe", RMS)
    heard = heard_live(live, join(silence(1.0), talk, silence(2.0)))
    assert heard and all(u.intent is None for _, u in heard)
    assert live.early == 0
