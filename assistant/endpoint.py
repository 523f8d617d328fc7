"""Voice activity and endpointing: the chunk stream becomes utterances with start and end.

Speech is found by its speech-band energy relative to an adaptive noise floor, so the
same thresholds work in a quiet room, over steady (pink) noise and over background
chatter: the floor is a low percentile of the last few seconds of smoothed energy,
which settles on the level of the background even when the background is itself
speech, where a fixed or energy-only segmenter keeps one endless segment.

It streams: `push()` returns, for each chunk, the audio that belongs to the
utterance being spoken (pre-roll included when it starts) and the utterance's
span as soon as it has ended, so a recognizer can decode while people speak.

A live session wants the end sooner than a file does: `fast_release` and `end_drop_db`
let the end of speech show without the smoothing's lag or a syllable's faint decay, and
`early_end` offers the utterance so far (`Step.paused`) after a short quiet, so a
listener can answer a complete command before the hangover that keeps a command said
with a pause together (see `speculative.py`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from assistant.audio import SAMPLE_RATE, AudioChunk

PRE_ROLL = 0.3
"""Seconds of audio an utterance starts before its detected onset (soft onsets, plosives)."""


@dataclass(frozen=True)
class EndpointOptions:
    """How speech is told from background, and how utterances are cut."""

    start_margin_db: float = 9.0
    """A frame counts towards a start when it is this much above the noise floor."""
    continue_margin_db: float = 6.0
    """Once speaking, a frame keeps the utterance open when this much above the floor."""
    start_frames: int = 3
    """Frames above the start margin, among the last `start_window`, that begin speech."""
    start_window: int = 5
    pre_roll: float = PRE_ROLL
    """Seconds of audio kept before the detected start (soft onsets, plosives)."""
    hangover: float = 0.33
    """Seconds of quiet that end an utterance: short, so a command is answered quickly."""
    tail: float = 0.12
    """Seconds after the last loud frame that still belong to the utterance."""
    min_speech: float = 0.24
    """Utterances with less loud audio than this are dropped (clicks, knocks)."""
    max_utterance: float = 15.0
    """Longer speech is cut into pieces of this length."""
    floor_window: float = 5.0
    """Seconds of history the noise floor is estimated from."""
    floor_percentile: float = 30.0
    warm_up_chunks: int = 8
    """Chunks heard before anything counts as speech: the floor needs a first estimate."""
    lowest_floor_db: float = -72.0
    """The floor never goes below this (digital silence would make any hiss "speech")."""
    early_end: float | None = None
    """Seconds of quiet after which a `Step.paused` offers the utterance so far, before the
    hangover: a live listener can finish a complete command there and `close()` it."""
    fast_release: bool = False
    """Judge the end of speech on the chunk's own energy when it is below the smoothed one:
    smoothing then steadies onsets and the floor without dragging the end out (~60 ms)."""
    end_drop_db: float | None = None
    """Once speaking, a chunk this far (dB) below the utterance's loudest, in every band, is
    quiet even if above the floor: over digital silence or a very low floor, the faint decay
    of the last syllable would otherwise keep the utterance open for a while."""


@dataclass(frozen=True)
class Span:
    """Where one utterance sits in the stream, in seconds."""

    start: float
    end: float


@dataclass(frozen=True)
class Step:
    """What one pushed chunk did."""

    audio: tuple[AudioChunk, ...] = ()
    """Chunks belonging to the utterance being spoken, to decode now (pre-roll on start)."""
    started: bool = False
    """An utterance began with this chunk."""
    ended: Span | None = None
    """The utterance that ended with this chunk."""
    dropped: bool = False
    """The utterance being spoken ended too short to be speech (a click, a knock)."""
    paused: Span | None = None
    """The utterance being spoken has been quiet for `early_end`: what it is so far. It goes
    on (and may still end with `ended`) unless the caller `close()`s it."""


BANDS_HZ = ((150.0, 1000.0), (1000.0, 3000.0), (3000.0, 7600.0))
"""Voicing, formants, and frication (an "s" is loud only up here)."""


def band_energies_db(samples: npt.NDArray[np.int16]) -> npt.NDArray[np.float64]:
    """Energy of each of `BANDS_HZ` in dB relative to full scale."""
    floats = samples.astype(np.float64) / 32768.0
    if floats.size == 0:
        return np.full(len(BANDS_HZ), -120.0)
    window = np.hanning(floats.size)
    spectrum = np.abs(np.fft.rfft(floats * window)) ** 2
    freqs = np.fft.rfftfreq(floats.size, 1.0 / SAMPLE_RATE)
    norm = 2.0 / float(np.sum(window**2) * floats.size)
    powers = [float(spectrum[(freqs >= low) & (freqs < high)].sum()) * norm
              for low, high in BANDS_HZ]
    return 10.0 * np.log10(np.asarray(powers) + 1e-12)


@dataclass
class _Speech:
    start: float
    last_loud_end: float
    loud_time: float
    chunks: int = 0
    peak_db: npt.NDArray[np.float64] | None = None
    offered: float = -1.0
    """`last_loud_end` of the last `paused` offer (one offer per quiet stretch)."""


@dataclass
class Endpointer:
    """Streaming endpointer; one instance per audio stream."""

    options: EndpointOptions = field(default_factory=EndpointOptions)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the current utterance (e.g. while Hearth itself is speaking); keep the floor
        estimate only if it was already established."""
        history = getattr(self, "_history", None)
        self._history: deque[npt.NDArray[np.float64]] = history if history is not None \
            else deque()
        self._recent: deque[npt.NDArray[np.float64]] = deque(maxlen=3)
        self._level_db: npt.NDArray[np.float64] = np.full(len(BANDS_HZ), -120.0)
        self._ring: deque[AudioChunk] = deque()
        self._votes: deque[bool] = deque(maxlen=self.options.start_window)
        self._speech: _Speech | None = None

    @property
    def in_speech(self) -> bool:
        return self._speech is not None

    @property
    def noise_floor_db(self) -> npt.NDArray[np.float64]:
        """Per band: a low percentile of the recent (smoothed) energies."""
        lowest = self.options.lowest_floor_db
        if not self._history:
            return np.full(len(BANDS_HZ), lowest)
        floor = np.percentile(np.stack(self._history), self.options.floor_percentile, axis=0)
        return np.maximum(floor, lowest)

    def loudness(self, chunk: AudioChunk) -> float:
        """How far (dB) the chunk stands out of the background, in its clearest band."""
        # Smoothing over ~90 ms steadies the background far more than it blurs syllables.
        energies = band_energies_db(chunk.samples)
        self._recent.append(10.0 ** (energies / 10.0))
        smoothed = 10.0 * np.log10(np.mean(np.stack(self._recent), axis=0))
        self._remember(smoothed, chunk.duration)
        level = smoothed
        if self.options.fast_release and self._speech is not None:
            level = np.minimum(smoothed, energies)
        self._level_db = level
        if len(self._history) < self.options.warm_up_chunks:
            return 0.0
        return float(np.max(level - self.noise_floor_db))

    def push(self, chunk: AudioChunk) -> Step:
        """Take the next chunk of the stream."""
        above = self.loudness(chunk)
        if self._speech is None:
            return self._listen_for_start(chunk, above)
        return self._follow(chunk, above)

    def close(self) -> None:
        """The caller took the utterance being spoken as finished (after a `paused` step)."""
        self._speech = None
        self._votes.clear()
        self._ring.clear()

    def flush(self) -> Span | None:
        """End of stream: close the utterance being spoken, if there is one worth keeping."""
        speech, self._speech = self._speech, None
        self._votes.clear()
        self._ring.clear()
        if speech is None or speech.loud_time < self.options.min_speech:
            return None
        return Span(speech.start, speech.last_loud_end + self.options.tail)

    def _remember(self, smoothed: npt.NDArray[np.float64], duration: float) -> None:
        self._history.append(smoothed)
        keep = max(1, round(self.options.floor_window / max(duration, 1e-3)))
        while len(self._history) > keep:
            self._history.popleft()

    def _listen_for_start(self, chunk: AudioChunk, above: float) -> Step:
        options = self.options
        self._ring.append(chunk)
        keep = max(1, round(options.pre_roll / chunk.duration)) + options.start_window
        while len(self._ring) > keep:
            self._ring.popleft()
        self._votes.append(above > options.start_margin_db)
        if sum(self._votes) < options.start_frames:
            return Step()
        # Start where the loud frames began, minus the pre-roll.
        loud_frames = len(self._votes) - self._votes.index(True)
        first_loud = chunk.timestamp + chunk.duration - loud_frames * chunk.duration
        start = max(0.0, first_loud - options.pre_roll)
        audio = tuple(c for c in self._ring if c.timestamp + c.duration > start + 1e-6)
        self._ring.clear()
        self._votes.clear()
        self._speech = _Speech(start=audio[0].timestamp if audio else start,
                               last_loud_end=chunk.timestamp + chunk.duration,
                               loud_time=loud_frames * chunk.duration, chunks=len(audio))
        return Step(audio=audio, started=True)

    def _follow(self, chunk: AudioChunk, above: float) -> Step:
        options = self.options
        speech = self._speech
        assert speech is not None
        speech.chunks += 1
        chunk_end = chunk.timestamp + chunk.duration
        if above > options.continue_margin_db and not self._fell_from_peak(speech):
            speech.last_loud_end = chunk_end
            speech.loud_time += chunk.duration
        quiet_for = chunk_end - speech.last_loud_end
        too_long = chunk_end - speech.start >= options.max_utterance
        if quiet_for < options.hangover and not too_long:
            early = options.early_end
            if early is None or quiet_for < early or speech.offered == speech.last_loud_end \
                    or speech.loud_time < options.min_speech:
                return Step(audio=(chunk,))
            speech.offered = speech.last_loud_end
            return Step(audio=(chunk,), paused=Span(
                speech.start, min(chunk_end, speech.last_loud_end + options.tail)))
        self._speech = None
        if speech.loud_time < options.min_speech:
            return Step(audio=(chunk,), dropped=True)
        end = chunk_end if too_long else min(chunk_end, speech.last_loud_end + options.tail)
        return Step(audio=(chunk,), ended=Span(speech.start, end))

    def _fell_from_peak(self, speech: _Speech) -> bool:
        """True when every band is `end_drop_db` below its loudest in this utterance."""
        drop = self.options.end_drop_db
        if drop is None:
            return False
        level = self._level_db
        speech.peak_db = level if speech.peak_db is None else np.maximum(speech.peak_db, level)
        return bool(np.all(level < speech.peak_db - drop))


def find_utterances(chunks: list[AudioChunk], options: EndpointOptions | None = None) -> list[Span]:
    """All utterance spans of a finished stream (for files and tests)."""
    endpointer = Endpointer(options or EndpointOptions())
    spans = [step.ended for step in map(endpointer.push, chunks) if step.ended is not None]
    last = endpointer.flush()
    return [*spans, last] if last is not None else spans
