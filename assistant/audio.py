"""Audio as one stream type: fixed-size 16-bit mono chunks that carry their format.

A WAV file and a live microphone both become the same `AudioChunk` stream, so
tests exercise the path the live session uses. Any rate, width and channel
count is converted with soxr (a real resampler) to what the recognizers need.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from assistant.errors import AudioFormatError

SAMPLE_RATE = 16_000
"""The rate every recognizer in Hearth takes."""

SAMPLE_WIDTH = 2
"""Bytes per sample: 16-bit signed little-endian."""

CHUNK_SAMPLES = 480
"""30 ms at 16 kHz: the size of every chunk after conversion."""

Samples = npt.NDArray[np.int16]


@dataclass(frozen=True)
class AudioChunk:
    """A piece of 16-bit little-endian PCM audio and where it sits in the stream."""

    audio: bytes
    """Raw interleaved samples."""
    rate: int = SAMPLE_RATE
    """Samples per second."""
    channels: int = 1
    """Interleaved channel count."""
    timestamp: float = 0.0
    """Seconds from the start of the stream to the first sample of this chunk."""

    @property
    def samples(self) -> Samples:
        return np.frombuffer(self.audio, dtype=np.int16)

    @property
    def duration(self) -> float:
        return len(self.audio) / (SAMPLE_WIDTH * self.channels * self.rate)


def to_int16(audio: npt.NDArray[np.floating] | npt.NDArray[np.integer]) -> Samples:
    """Clip float audio in [-1, 1] (or pass int16 through) to int16."""
    if audio.dtype == np.int16:
        return np.asarray(audio, dtype=np.int16)
    scaled = np.clip(np.asarray(audio, dtype=np.float64) * 32768.0, -32768, 32767)
    return scaled.astype(np.int16)


def convert(samples: npt.NDArray[np.generic], rate: int, channels: int = 1) -> Samples:
    """Mix interleaved samples of any rate and channel count down to 16 kHz mono int16."""
    data = np.asarray(samples)
    if data.dtype == np.int16:
        floats = data.astype(np.float32) / 32768.0
    else:
        floats = data.astype(np.float32)
    if channels > 1:
        floats = floats.reshape(-1, channels).mean(axis=1)
    elif floats.ndim > 1:
        floats = floats.mean(axis=1)
    if rate != SAMPLE_RATE and floats.size:
        floats = soxr.resample(floats, rate, SAMPLE_RATE, quality="HQ")
    return to_int16(floats)


def read_audio(path: Path) -> Samples:
    """Read a whole audio file (WAV, FLAC, …; any rate and channels) as 16 kHz mono int16."""
    with open_audio(path) as sound, _unreadable(path):
        data = sound.read(dtype="float32", always_2d=True)
        rate = sound.samplerate
    return convert(data.mean(axis=1), int(rate), 1)


def stream_file(path: Path, block_seconds: float = 2.0) -> Iterator[AudioChunk]:
    """A file as the chunk stream a microphone gives, read block by block: an hour-long
    recording takes no more memory than a minute."""
    with open_audio(path) as sound, _unreadable(path):
        rechunker = Rechunker(sound.samplerate, sound.channels)
        block = max(1, round(sound.samplerate * block_seconds))
        for data in sound.blocks(blocksize=block, dtype="float32", always_2d=True):
            yield from rechunker.push_floats(data.reshape(-1))


def open_audio(path: Path) -> soundfile.SoundFile:
    """An audio file opened for reading; one clear `AudioFormatError` when it cannot be."""
    if not path.exists():
        raise AudioFormatError(f"{path} does not exist.", "Check the file name.")
    if path.is_dir():
        raise AudioFormatError(f"{path} is a folder, not an audio file.", "Give a WAV file.")
    with _unreadable(path):
        return soundfile.SoundFile(str(path))


@contextlib.contextmanager
def _unreadable(path: Path) -> Iterator[None]:
    """What libsndfile raises for a file it cannot open or read, as one clear error."""
    try:
        yield
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioFormatError(
            f"{path} is not a readable audio file ({error}).",
            "Give a WAV file (any sample rate and channel count).",
        ) from error


def write_wav(path: Path, samples: Samples, rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit mono PCM, replacing the file only once it is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    soundfile.write(str(partial), samples, rate, subtype="PCM_16", format="WAV")
    partial.replace(path)


def chunk_samples(
    samples: Samples, chunk: int = CHUNK_SAMPLES, start: float = 0.0
) -> Iterator[AudioChunk]:
    """Split 16 kHz mono samples into fixed-size chunks; the last one is zero-padded."""
    for offset in range(0, len(samples), chunk):
        piece = samples[offset : offset + chunk]
        if len(piece) < chunk:
            piece = np.concatenate([piece, np.zeros(chunk - len(piece), dtype=np.int16)])
        yield AudioChunk(piece.tobytes(), SAMPLE_RATE, 1, start + offset / SAMPLE_RATE)


class Rechunker:
    """Turns chunks of any size, rate and channel count into fixed-size 16 kHz mono chunks.

    Keeps the leftover samples between calls, and a streaming resampler so that
    chunk boundaries leave no clicks.
    """

    def __init__(self, rate: int, channels: int = 1, chunk: int = CHUNK_SAMPLES) -> None:
        self._rate = rate
        self._channels = channels
        self._chunk = chunk
        self._resampler = (
            soxr.ResampleStream(rate, SAMPLE_RATE, 1, dtype="float32") if rate != SAMPLE_RATE
            else None
        )
        self._buffer = np.zeros(0, dtype=np.int16)
        self._emitted = 0

    def push(self, audio: bytes) -> Iterator[AudioChunk]:
        """Interleaved 16-bit samples, as a microphone gives them."""
        return self.push_floats(np.frombuffer(audio, dtype=np.int16).astype(np.float32) / 32768.0)

    def push_floats(self, floats: npt.NDArray[np.float32]) -> Iterator[AudioChunk]:
        """Interleaved samples in [-1, 1], as a file of any sample format is read."""
        if self._channels > 1:
            floats = floats.reshape(-1, self._channels).mean(axis=1)
        if self._resampler is not None:
            floats = self._resampler.resample_chunk(floats)
        self._buffer = np.concatenate([self._buffer, to_int16(floats)])
        while len(self._buffer) >= self._chunk:
            piece, self._buffer = self._buffer[: self._chunk], self._buffer[self._chunk :]
            yield AudioChunk(piece.tobytes(), SAMPLE_RATE, 1, self._emitted / SAMPLE_RATE)
            self._emitted += self._chunk


def concatenate(chunks: Iterable[AudioChunk]) -> Samples:
    parts = [chunk.samples for chunk in chunks]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def rms_dbfs(samples: Samples) -> float:
    """Level of the samples in dB relative to full scale (-inf for digital silence)."""
    if samples.size == 0:
        return float("-inf")
    power = float(np.mean((samples.astype(np.float64) / 32768.0) ** 2))
    return 10.0 * float(np.log10(power)) if power > 0 else float("-inf")
