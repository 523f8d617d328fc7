"""A faint, steady noise floor under the audio the pocketsphinx engine decodes.

The en-us acoustic model was trained on recordings that all have some background
noise. Over a very quiet background (a good microphone in a silent room, 45 dB or
more below the voice), the silences around and between words look like nothing the
model has seen, and it hears words in them ("start the friendship game" as "start the
friendship get you you"). Filling the background up to a floor 30 dB under the level
of speech with pink noise makes those silences look like the training data's.

Noisy rooms (pink noise, background talk) already have a background above the floor, so
nothing is added to them. A deeper floor helps less, and a shallower one begins to mask
speech; the README's "Measured" section has the numbers. One loss seen: the lone word
"help" in flite's slt voice is heard as "felt".

The background is measured at the start of each utterance (the quiet the endpointer
keeps before speech), so a room that is already noisy gets nothing added; the level of
speech is learnt from the utterances heard so far, so a quiet speaker far from the
microphone gets a quieter floor than a loud one close to it.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from assistant.audio import SAMPLE_RATE

FRAME = SAMPLE_RATE // 100
"""10 ms frames for the level of speech."""

QUIETEST_SPEECH_DB = -70.0
"""An utterance whose loud part is quieter than this is not speech (a click over digital
silence); it does not move the estimate of the level of speech."""


def pink_noise(samples: int, seed: int = 7) -> npt.NDArray[np.float64]:
    """Pink (1/f power) noise with unit RMS, made in the frequency domain."""
    rng = np.random.default_rng(seed)
    frequencies = np.fft.rfftfreq(samples, 1.0 / SAMPLE_RATE)
    frequencies[0] = frequencies[1]
    spectrum = rng.normal(size=len(frequencies)) + 1j * rng.normal(size=len(frequencies))
    noise: npt.NDArray[np.float64] = np.fft.irfft(spectrum / np.sqrt(frequencies), samples)
    return noise / float(np.sqrt(np.mean(noise**2)))


def frame_levels_db(samples: npt.NDArray[np.int16]) -> npt.NDArray[np.float64] | None:
    """Power of each 10 ms frame in dB relative to full scale; None when under 0.1 s."""
    frames = len(samples) // FRAME
    if frames < 10:
        return None
    power = np.mean((samples[: frames * FRAME].astype(np.float64) / 32768.0).reshape(
        frames, FRAME) ** 2, axis=1)
    levels: npt.NDArray[np.float64] = 10.0 * np.log10(power + 1e-12)
    return levels


def speech_level_db(samples: npt.NDArray[np.int16]) -> float | None:
    """The level of the loud part of an utterance: the 90th percentile of its frame levels."""
    levels = frame_levels_db(samples)
    return None if levels is None else float(np.percentile(levels, 90))


class ComfortNoise:
    """Fills the background of each utterance up to the floor, chunk by chunk.

    The background is measured on the utterance's first `lead_in_seconds` (the quiet the
    endpointer keeps before speech starts), so those chunks are held back until then; the
    level of speech is learnt from the utterances heard so far.
    """

    def __init__(self, below_speech_db: float = 30.0, initial_speech_db: float = -20.0,
                 remembered: int = 8, lead_in_seconds: float = 0.15,
                 loop_seconds: float = 3.0, measured_seconds: float = 5.0) -> None:
        self.below_speech_db = below_speech_db
        """How far (dB) under the level of speech the floor sits."""
        self._levels: deque[float] = deque([initial_speech_db], maxlen=remembered)
        self._noise = pink_noise(round(loop_seconds * SAMPLE_RATE))
        self._position = 0
        self._lead_in = round(lead_in_seconds * SAMPLE_RATE)
        self._measured_limit = round(measured_seconds * SAMPLE_RATE)
        self._held: list[npt.NDArray[np.int16]] = []
        self._heard: list[npt.NDArray[np.int16]] = []
        self._measured = 0
        self._gain: float | None = None
        """Amplitude of the noise for this utterance (full scale 1.0); None until the lead-in
        is measured, 0.0 when its background is already at or above the floor."""

    @property
    def floor_db(self) -> float:
        """The level the background is filled up to, dB relative to full scale."""
        return float(np.median(self._levels)) - self.below_speech_db

    def added_db(self, background_db: float) -> float | None:
        """The RMS level of noise that brings a background to the floor (their powers add);
        None when it is already there."""
        lacking = 10.0 ** (self.floor_db / 10.0) - 10.0 ** (background_db / 10.0)
        return 10.0 * float(np.log10(lacking)) if lacking > 0 else None

    def start_utterance(self) -> None:
        """Forget what was heard of an utterance that was dropped or not finished."""
        self._held, self._heard, self._measured, self._gain = [], [], 0, None

    def add(self, audio: bytes) -> bytes:
        """The audio ready to decode, floor mixed in (16-bit mono PCM): empty while the
        lead-in is being gathered, then that held audio and each chunk as it comes."""
        samples = np.frombuffer(audio, dtype=np.int16)
        if not len(samples):
            return b""
        if self._measured < self._measured_limit:
            self._heard.append(samples)
            self._measured += len(samples)
        if self._gain is None:
            self._held.append(samples)
            if sum(len(held) for held in self._held) < self._lead_in:
                return b""
            return self.flush()
        return self._mix(samples)

    def flush(self) -> bytes:
        """The audio still held back (an utterance shorter than the lead-in), mixed."""
        if not self._held:
            return b""
        held = np.concatenate(self._held)
        self._held = []
        if self._gain is None:
            levels = frame_levels_db(held[: self._lead_in])
            background = float(np.median(levels)) if levels is not None else -120.0
            added = self.added_db(background)
            self._gain = 0.0 if added is None else 10.0 ** (added / 20.0)
        return self._mix(held)

    def end_utterance(self) -> None:
        """Take the level of the utterance just heard into the estimate of speech level."""
        if self._heard:
            level = speech_level_db(np.concatenate(self._heard))
            if level is not None and level > QUIETEST_SPEECH_DB:
                self._levels.append(level)
        self.start_utterance()

    def _mix(self, samples: npt.NDArray[np.int16]) -> bytes:
        if not self._gain:
            return bytes(samples.tobytes())
        indices = (self._position + np.arange(len(samples))) % len(self._noise)
        self._position = int(indices[-1] + 1) % len(self._noise)
        mixed = samples.astype(np.float64) + self._noise[indices] * (32768.0 * self._gain)
        return bytes(np.clip(np.rint(mixed), -32768, 32767).astype(np.int16).tobytes())
