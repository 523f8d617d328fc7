"""The benchmark corpus: its format, and the audio helpers that make it.

Shared by `make_corpus.py` and `bench_listen.py`. A corpus folder
(`corpus/dev`, `corpus/heldout`) holds WAV files (16 kHz mono) and one
`manifest.json` listing each of them with its kind, condition and duration.
Files with labels (the spoken commands, the conversation script) have a
JSON-lines file next to them, one `LabelledUtterance` per line.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    # The scripts run as `python benchmarks/x.py` from a checkout, installed or not.
    sys.path.insert(0, str(REPO))

from assistant.audio import SAMPLE_RATE, Samples, read_audio, to_int16  # noqa: E402
from assistant.voices import SynthVoice, synthesize  # noqa: E402

Floats = npt.NDArray[np.float32]

KINDS = ("commands", "conversation", "read_speech")
"""commands: every labelled utterance is a command; the others contain none."""

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class LabelledUtterance:
    """One stretch of speech in a corpus file, and what it is."""

    start: float
    """Seconds from the start of the file."""
    end: float
    text: str
    """What was said (the synthesizer's input)."""
    intent: str | None
    """The canonical intent name, or None for talk that is not a command."""
    slots: dict[str, str] = field(default_factory=dict)
    voice: str = ""
    """The speaker, as `SynthVoice.label`."""


@dataclass(frozen=True)
class CorpusFile:
    """One audio file of the corpus, as listed in its manifest."""

    path: str
    """Relative to the corpus folder."""
    kind: str
    """One of `KINDS`."""
    condition: str
    """clean, pink15, babble12, reverb."""
    duration: float
    """Seconds."""
    labels: str | None = None
    """Relative path of the JSON-lines file of `LabelledUtterance`s, if any."""
    source: str | None = None
    """Where real recordings were copied from."""


def write_labels(path: Path, utterances: list[LabelledUtterance]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(asdict(utterance), ensure_ascii=False) for utterance in utterances]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def read_labels(path: Path) -> list[LabelledUtterance]:
    utterances = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            utterances.append(
                LabelledUtterance(
                    start=float(row["start"]),
                    end=float(row["end"]),
                    text=str(row["text"]),
                    intent=row.get("intent"),
                    slots={str(k): str(v) for k, v in (row.get("slots") or {}).items()},
                    voice=str(row.get("voice", "")),
                )
            )
    return utterances


def totals(files: list[CorpusFile]) -> dict[str, dict[str, float]]:
    """Seconds of audio per kind and condition."""
    result: dict[str, dict[str, float]] = {}
    for item in files:
        per_kind = result.setdefault(item.kind, {})
        per_kind[item.condition] = round(per_kind.get(item.condition, 0.0) + item.duration, 2)
    return result


def write_manifest(root: Path, files: list[CorpusFile], info: dict[str, Any]) -> Path:
    manifest = {
        **info,
        "seconds": totals(files),
        "files": [asdict(item) for item in files],
    }
    path = root / MANIFEST
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path


def read_manifest(root: Path) -> list[CorpusFile]:
    data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return [
        CorpusFile(
            path=str(row["path"]),
            kind=str(row["kind"]),
            condition=str(row["condition"]),
            duration=float(row["duration"]),
            labels=row.get("labels"),
            source=row.get("source"),
        )
        for row in data["files"]
    ]


# ---- Audio: speech, tracks, noise --------------------------------------------------------

SPEECH_DBFS = -23.0
"""Level of speech-active audio before per-utterance variation."""
FRAME = SAMPLE_RATE // 100
"""10 ms analysis frames."""
CONDITION_NOISE = {"pink15": ("pink", 15.0), "babble12": ("babble", 12.0)}
"""Noisy conditions: noise kind and signal-to-noise ratio over speech-active parts."""
MICROPHONE_SNR_DB = 45.0
"""Every condition, clean too, has a faint microphone noise floor this far below the speech."""


@dataclass(frozen=True)
class Line:
    """Something one synthetic speaker says (hashable: the same line is synthesized once)."""

    text: str
    voice: SynthVoice
    intent: str | None = None
    slots: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Track:
    """A clean speech track, which samples are speech, and what was said where."""

    samples: Floats
    active: npt.NDArray[np.bool_]
    labels: list[LabelledUtterance]

    @property
    def duration(self) -> float:
        return round(len(self.samples) / SAMPLE_RATE, 3)


def estimated_seconds(line: Line) -> float:
    return (0.3 + len(line.text) / 18.5) / line.voice.rate


def active_frames(samples: Floats, floor_db: float) -> npt.NDArray[np.bool_]:
    """Frames within `floor_db` of the loudest frame."""
    count = len(samples) // FRAME
    frames = samples[: count * FRAME].reshape(count, FRAME).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    if rms.size == 0 or float(rms.max()) == 0.0:
        return np.zeros(count, dtype=np.bool_)
    return np.asarray(rms > float(rms.max()) * 10 ** (floor_db / 20), dtype=np.bool_)


def speech_mask(samples: Floats) -> npt.NDArray[np.bool_]:
    frames = active_frames(samples, -35.0)
    mask = np.repeat(frames, FRAME)
    return np.concatenate([mask, np.zeros(len(samples) - len(mask), dtype=np.bool_)])


def trim(samples: Floats, margin: float = 0.05) -> Floats:
    """Cut the synthesizer's leading and trailing silence, keeping a short margin."""
    frames = np.flatnonzero(active_frames(samples, -40.0))
    if frames.size == 0:
        return samples
    pad = int(margin * SAMPLE_RATE)
    first = max(0, int(frames[0]) * FRAME - pad)
    last = min(len(samples), (int(frames[-1]) + 1) * FRAME + pad)
    return np.asarray(samples[first:last], dtype=np.float32)


def at_level(samples: Floats, dbfs: float) -> Floats:
    mask = speech_mask(samples)
    power = float(np.mean(samples[mask].astype(np.float64) ** 2)) if mask.any() else 0.0
    if power == 0.0:
        return samples
    gain = 10 ** (dbfs / 20) / math.sqrt(power)
    return (samples * np.float32(gain)).astype(np.float32)


def speak(line: Line) -> Floats:
    """Synthesize, trim and level one line (runs in a worker process)."""
    samples = synthesize(line.text, line.voice).astype(np.float32) / np.float32(32768.0)
    return at_level(trim(samples), SPEECH_DBFS)


class TrackBuilder:
    """Lays speech and pauses end to end and notes where each utterance is."""

    def __init__(self) -> None:
        self._pieces: list[Floats] = []
        self._masks: list[npt.NDArray[np.bool_]] = []
        self._labels: list[LabelledUtterance] = []
        self._position = 0

    def pause(self, seconds: float) -> None:
        count = int(seconds * SAMPLE_RATE)
        self._pieces.append(np.zeros(count, dtype=np.float32))
        self._masks.append(np.zeros(count, dtype=np.bool_))
        self._position += count

    def speech(self, line: Line, samples: Floats, gain_db: float) -> None:
        scaled = (samples * 10 ** (gain_db / 20)).astype(np.float32)
        self._pieces.append(scaled)
        self._masks.append(speech_mask(scaled))
        start, self._position = self._position, self._position + len(scaled)
        self._labels.append(
            LabelledUtterance(
                round(start / SAMPLE_RATE, 3), round(self._position / SAMPLE_RATE, 3), line.text,
                line.intent, dict(line.slots), line.voice.label,
            )
        )

    def track(self) -> Track:
        return Track(np.concatenate(self._pieces), np.concatenate(self._masks), self._labels)


def command_track(lines: list[Line], audio: Mapping[Line, Floats], rng: random.Random) -> Track:
    """Commands one after another, 2-4 s apart."""
    builder = TrackBuilder()
    builder.pause(1.0)
    for line in lines:
        builder.speech(line, audio[line], rng.uniform(-3.0, 3.0))
        builder.pause(rng.uniform(2.0, 4.0))
    return builder.track()


def conversation_track(
    turns: list[list[Line]], audio: Mapping[Line, Floats], rng: random.Random
) -> Track:
    """Turns of one to three sentences; short pauses inside a turn, 0.3-1.5 s between turns."""
    builder = TrackBuilder()
    builder.pause(0.5)
    for turn in turns:
        for index, line in enumerate(turn):
            if index:
                builder.pause(rng.uniform(0.2, 0.7))
            builder.speech(line, audio[line], rng.uniform(-2.0, 2.0))
        builder.pause(rng.uniform(0.3, 1.5))
    return builder.track()


def normalized(samples: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    rms = float(np.sqrt(np.mean(samples**2)))
    return samples / rms if rms > 0 else samples


def pink_noise(length: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """1/f noise of unit RMS, shaped in the frequency domain."""
    size = 1 << max(1, (length - 1).bit_length())  # FFTs of awkward lengths are very slow
    spectrum = np.fft.rfft(rng.standard_normal(size))
    frequencies = np.arange(len(spectrum), dtype=np.float64)
    frequencies[0] = 1.0
    return normalized(np.fft.irfft(spectrum / np.sqrt(frequencies), n=size)[:length])


def babble_bed(
    talkers: list[list[Line]], audio: Mapping[Line, Floats], rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Several talkers at once, each talking continuously, mixed at equal level."""
    streams = []
    for lines in talkers:
        pieces: list[Floats] = []
        for line in lines:
            pieces += [audio[line], np.zeros(int(rng.uniform(0.2, 0.6) * SAMPLE_RATE), np.float32)]
        streams.append(normalized(np.concatenate(pieces).astype(np.float64)))
    length = max(len(stream) for stream in streams)
    return normalized(sum((np.resize(s, length) for s in streams), np.zeros(length)))


def room_response(rng: np.random.Generator, rt60: float = 0.45) -> npt.NDArray[np.float64]:
    """A synthetic impulse response: direct sound, then exponentially decaying diffuse tail
    with as much energy as the direct path (a couple a few metres from the device)."""
    count = int(rt60 * 1.2 * SAMPLE_RATE)
    times = np.arange(count) / SAMPLE_RATE
    tail = rng.standard_normal(count) * np.exp(-6.91 * times / rt60)
    tail[: int(0.004 * SAMPLE_RATE)] = 0.0
    tail /= np.sqrt(np.sum(tail**2))
    tail[0] = 1.0
    return tail


def reverberate(samples: Floats, response: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Overlap-add FFT convolution, cut to the input length (times stay as labelled)."""
    block = 1 << 16
    size = 1 << int(np.ceil(np.log2(block + len(response) - 1)))
    kernel = np.fft.rfft(response, size)
    out = np.zeros(len(samples) + size, dtype=np.float64)
    for start in range(0, len(samples), block):
        piece = samples[start : start + block].astype(np.float64)
        out[start : start + size] += np.fft.irfft(np.fft.rfft(piece, size) * kernel, size)
    return out[: len(samples)]


class NoiseMaker:
    """Turns a clean track into each recording condition."""

    def __init__(
        self, rng: np.random.Generator, babble: list[list[Line]], audio: Mapping[Line, Floats]
    ) -> None:
        self._rng = rng
        self._babble = babble_bed(babble, audio, rng)

    def noise(self, kind: str, length: int) -> npt.NDArray[np.float64]:
        if kind == "pink":
            return pink_noise(length, self._rng)
        offset = int(self._rng.integers(len(self._babble)))
        return np.resize(np.roll(self._babble, -offset), length)

    def render(self, track: Track, condition: str) -> Samples:
        samples = track.samples.astype(np.float64)
        speech_power = float(np.mean(samples[track.active] ** 2))
        if condition == "reverb":
            mixed = reverberate(track.samples, room_response(self._rng))
        elif condition in CONDITION_NOISE:
            kind, snr_db = CONDITION_NOISE[condition]
            noise = self.noise(kind, len(samples))
            mixed = samples + noise * np.sqrt(speech_power / 10 ** (snr_db / 10))
        elif condition == "clean":
            mixed = samples
        else:
            raise ValueError(f"unknown condition {condition!r}")
        # No microphone gives digital silence, and recognizers misbehave on it.
        floor = self._rng.standard_normal(len(samples))
        mixed = mixed + floor * np.sqrt(speech_power / 10 ** (MICROPHONE_SNR_DB / 10))
        peak = float(np.max(np.abs(mixed))) if mixed.size else 0.0
        return to_int16(mixed * (0.95 / peak) if peak > 0.95 else mixed)


def load_recording(path: Path) -> Samples:
    """A WAV file, or headerless 16 kHz 16-bit mono `.raw` as pocketsphinx's test data uses."""
    if path.suffix == ".raw":
        return np.fromfile(path, dtype="<i2").astype(np.int16)
    return read_audio(path)
