"""Any audio file becomes 16 kHz mono int16; chunking and re-chunking keep every sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.audio import (
    CHUNK_SAMPLES,
    SAMPLE_RATE,
    Rechunker,
    chunk_samples,
    concatenate,
    read_audio,
    rms_dbfs,
    stream_file,
    write_wav,
)
from assistant.errors import AudioFormatError


def _tone(rate: int, seconds: float, channels: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.repeat(mono[:, None], channels, axis=1).astype(np.float32)


@pytest.mark.parametrize(("rate", "channels"), [(8000, 2), (44100, 1), (48000, 6), (16000, 1)])
def test_any_rate_and_channels_become_16k_mono(tmp_path: Path, rate: int, channels: int) -> None:
    path = tmp_path / "tone.wav"
    soundfile.write(str(path), _tone(rate, 1.0, channels), rate, subtype="PCM_16")
    samples = read_audio(path)
    assert samples.dtype == np.int16
    assert abs(len(samples) - SAMPLE_RATE) <= 2
    assert rms_dbfs(samples) == pytest.approx(-9.03, abs=0.3)  # a 0.5 sine: 20*log10(0.5/sqrt 2)


def test_not_a_wav_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("these are not samples")
    with pytest.raises(AudioFormatError, match="not a readable audio file"):
        read_audio(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="does not exist"):
        read_audio(tmp_path / "missing.wav")


def test_chunks_are_fixed_size_and_timed() -> None:
    samples = np.arange(CHUNK_SAMPLES * 3 + 7, dtype=np.int16)
    chunks = list(chunk_samples(samples))
    assert len(chunks) == 4
    assert all(len(c.samples) == CHUNK_SAMPLES for c in chunks)
    assert chunks[2].timestamp == pytest.approx(2 * CHUNK_SAMPLES / SAMPLE_RATE)


def test_rechunker_converts_device_audio_without_losing_time() -> None:
    rechunker = Rechunker(rate=48000, channels=2)
    stereo = (_tone(48000, 2.0, 2) * 32767).astype(np.int16)
    out = []
    for start in range(0, len(stereo), 1000):
        out.extend(rechunker.push(stereo[start : start + 1000].tobytes()))
    total = sum(len(c.samples) for c in out)
    assert abs(total - 2 * SAMPLE_RATE) < 2 * CHUNK_SAMPLES
    assert out[-1].timestamp == pytest.approx((len(out) - 1) * CHUNK_SAMPLES / SAMPLE_RATE)


def test_write_wav_round_trips(tmp_path: Path) -> None:
    samples = (np.random.default_rng(1).standard_normal(16000) * 3000).astype(np.int16)
    write_wav(tmp_path / "out.wav", samples)
    assert np.array_equal(read_audio(tmp_path / "out.wav"), samples)
    assert not (tmp_path / "out.wav.partial").exists()


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT", "DOUBLE"])
def test_a_file_streams_as_loud_as_it_is_in_any_sample_format(tmp_path: Path,
                                                              subtype: str) -> None:
    """`hearth listen` streams files block by block; a float WAV is not silence."""
    path = tmp_path / "tone.wav"
    soundfile.write(str(path), _tone(48000, 1.0, 2), 48000, subtype=subtype)
    streamed = concatenate(stream_file(path, block_seconds=0.25))
    assert rms_dbfs(streamed) == pytest.approx(-9.03, abs=0.3)
    assert rms_dbfs(read_audio(path)) == pytest.approx(-9.03, abs=0.3)


def test_streaming_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="is a folder"):
        list(stream_file(tmp_path))
