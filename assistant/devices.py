"""Microphone and speaker through sounddevice (PortAudio).

Both callbacks only move bytes: the microphone's copies each block into a
bounded queue and counts status flags; the speaker's takes bytes from a bounded
buffer and plays silence when there is none. Everything else happens in the
session's own loop.

The speaker is one long-lived stream with generous latency: through ALSA's
PulseAudio plugin, short-lived streams lose the end of their audio when
closed, and small buffers underrun.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import soxr

from assistant.audio import SAMPLE_RATE, AudioChunk, Rechunker, Samples
from assistant.errors import AudioDeviceError

Kind = Literal["input", "output"]

OUTPUT_LATENCY = 0.08
"""Seconds of output buffering asked of PortAudio: no underruns through PulseAudio,
still quick enough for answers well under half a second."""

INPUT_BLOCK = 0.03
"""Seconds per microphone block."""

MAX_QUEUED_INPUT = 300
"""Microphone blocks held before the oldest are dropped (9 s): memory stays bounded."""

STARTUP_GRACE = 3.0
"""Seconds a new stream may take to deliver its first block (PulseAudio can take 1.5 s)."""

STALL_LIMIT = 2.5
"""Seconds without a callback after which a running stream counts as lost (long enough that
a busy moment of the recognizer holding the interpreter is not taken for a lost device)."""

MAX_QUEUED_OUTPUT = 120.0
"""Seconds of speech the speaker buffer holds at most."""


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device as `hearth doctor` and the error messages show it."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int

    def describe(self) -> str:
        return f"{self.index}: {self.name} ({self.inputs} in, {self.outputs} out)"


def _sd() -> Any:
    try:
        import sounddevice
    except OSError as error:  # PortAudio's shared library is missing
        raise AudioDeviceError(
            f"The audio library PortAudio cannot be loaded ({error}).",
            "Install it with: sudo apt-get install libportaudio2",
        ) from error
    return sounddevice


def rescan() -> None:
    """Make PortAudio look for devices again (one plugged in, an audio server restarted).

    Only call this with no stream open: it restarts PortAudio. Skipped while a stream that
    could not be closed is left, since terminating PortAudio would hang on it.
    """
    sd = _sd()
    if _abandoned:
        return
    sd._terminate()
    sd._initialize()


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio knows of."""
    sd = _sd()
    return [
        DeviceInfo(int(d["index"]), str(d["name"]), int(d["max_input_channels"]),
                   int(d["max_output_channels"]), int(d["default_samplerate"]))
        for d in sd.query_devices()
    ]


def find_device(spec: str, kind: Kind) -> DeviceInfo:
    """A device by index, exact name or part of its name; empty `spec` means the default."""
    devices = list_devices()
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    word = "microphone" if kind == "input" else "speaker"
    option = f"--{kind}-device"
    choices = "; ".join(d.describe() for d in usable) or "none"
    if not usable:
        raise AudioDeviceError(
            f"No {word} was found.",
            "Connect one (or start the audio server) and check with `hearth doctor`.",
        )
    spec = spec.strip()
    if not spec:
        default = _sd().default.device[0 if kind == "input" else 1]
        match = [d for d in usable if d.index == default] or _by_name("default", usable)
        return match[0] if match else usable[0]
    if spec.isdigit():
        match = [d for d in usable if d.index == int(spec)]
    else:
        match = _by_name(spec, usable)
    if not match:
        raise AudioDeviceError(
            f"There is no {word} called {spec!r}.",
            f"Pick one with {option} NAME or INDEX; available: {choices}.",
        )
    return match[0]


def _by_name(spec: str, devices: list[DeviceInfo]) -> list[DeviceInfo]:
    lowered = spec.lower()
    exact = [d for d in devices if d.name.lower() == lowered]
    prefix = [d for d in devices if d.name.lower().split(",")[0].strip() == lowered]
    return exact or prefix or [d for d in devices if lowered in d.name.lower()]


class _Stream:
    """What both directions share: opening, liveness (a stream that stops calling back is
    lost, e.g. unplugged or its audio server gone) and closing."""

    kind: Kind = "input"

    def __init__(self, spec: str) -> None:
        self.device = find_device(spec, self.kind)
        self.rate = _supported_rate(self.device, self.kind)
        self._last_block = time.monotonic()
        self._stream: Any = None

    def _make(self, sd: Any) -> Any:
        raise NotImplementedError

    def open(self) -> None:
        sd = _sd()
        try:
            self._stream = self._make(sd)
            self._stream.start()
        except sd.PortAudioError as error:
            word = "microphone" if self.kind == "input" else "speaker"
            raise AudioDeviceError(
                f"The {word} {self.device.name!r} cannot be opened ({error}).",
                f"Check it is plugged in and free, or pick another with --{self.kind}-device.",
            ) from error
        self._last_block = time.monotonic() + STARTUP_GRACE

    def silent_for(self) -> float:
        """Seconds since the stream last called back (a live one does every few ms)."""
        return time.monotonic() - self._last_block

    def describe(self) -> str:
        active = self._stream is not None and bool(self._stream.active)
        return f"active={active} silent={self.silent_for():.1f}s"

    @property
    def alive(self) -> bool:
        running = self._stream is not None and bool(self._stream.active)
        return running and self.silent_for() < STALL_LIMIT

    def close(self) -> None:
        _close(self._stream)
        self._stream = None


class Microphone(_Stream):
    """A live input stream as 16 kHz mono `AudioChunk`s stamped by the audio clock."""

    kind: Kind = "input"

    def __init__(self, spec: str = "") -> None:
        super().__init__(spec)
        self.overflows = 0
        """Blocks PortAudio reported as overflowed (audio lost before we saw it)."""
        self.dropped = 0
        """Blocks dropped because the session did not keep up."""
        self._queue: queue.Queue[bytes] = queue.Queue(MAX_QUEUED_INPUT)
        self._rechunker = Rechunker(self.rate)

    def _make(self, sd: Any) -> Any:
        return sd.RawInputStream(device=self.device.index, samplerate=self.rate, channels=1,
                                 dtype="int16", blocksize=round(self.rate * INPUT_BLOCK),
                                 callback=self._callback)

    def _callback(self, indata: Any, frames: int, when: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        self._last_block = time.monotonic()
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            self.dropped += 1

    def chunks(self, timeout: float = 0.1) -> Iterator[AudioChunk]:
        """The chunks ready now (waits up to `timeout` for the first)."""
        try:
            block = self._queue.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            yield from self._rechunker.push(block)
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                return

    def __enter__(self) -> Microphone:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Speaker(_Stream):
    """One long-lived output stream fed from a bounded buffer; silence when there is nothing."""

    kind: Kind = "output"

    def __init__(self, spec: str = "", latency: float = OUTPUT_LATENCY) -> None:
        super().__init__(spec)
        self.underruns = 0
        self.latency = latency
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._busy_until = 0.0

    def _make(self, sd: Any) -> Any:
        return sd.RawOutputStream(device=self.device.index, samplerate=self.rate, channels=1,
                                  dtype="int16", latency=self.latency, callback=self._callback)

    def _callback(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        if status.output_underflow:
            self.underruns += 1
        size = len(outdata)
        with self._lock:
            piece = bytes(self._buffer[:size])
            del self._buffer[:size]
        outdata[: len(piece)] = piece
        if len(piece) < size:
            outdata[len(piece):] = b"\x00" * (size - len(piece))
        self._last_block = time.monotonic()

    def play(self, samples: Samples, rate: int = SAMPLE_RATE) -> None:
        """Queue 16-bit mono samples; they start as soon as what is queued before has played."""
        if rate != self.rate and samples.size:
            floats = soxr.resample(samples.astype(np.float32) / 32768.0, rate, self.rate)
            samples = np.clip(floats * 32768.0, -32768, 32767).astype(np.int16)
        data = samples.astype("<i2").tobytes()
        limit = int(MAX_QUEUED_OUTPUT * self.rate) * 2
        with self._lock:
            room = max(0, limit - len(self._buffer))
            self._buffer.extend(data[:room])
            pending = len(self._buffer) / (2 * self.rate)
        self._busy_until = time.monotonic() + pending + self.output_delay()

    def output_delay(self) -> float:
        """Seconds from handing audio to the stream to hearing it."""
        stream = self._stream
        return float(stream.latency) if stream is not None else self.latency

    def flush(self) -> None:
        """Drop everything not yet played (barge-in)."""
        with self._lock:
            self._buffer.clear()
        self._busy_until = time.monotonic() + self.output_delay()

    def busy_for(self) -> float:
        """Seconds until everything queued has been heard (0 when quiet)."""
        return max(0.0, self._busy_until - time.monotonic())

    def __enter__(self) -> Speaker:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _supported_rate(device: DeviceInfo, kind: Kind) -> int:
    """16 kHz when the device takes it (no conversion), else its own default rate."""
    sd = _sd()
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device.index, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
    except (sd.PortAudioError, ValueError):
        return device.default_rate
    return SAMPLE_RATE


_abandoned: list[Any] = []


def _close(stream: Any) -> None:
    """Close a stream; one whose audio server died can hang in PortAudio, so give up after 2 s
    and keep a reference (never free a stream a PortAudio thread may still touch)."""
    if stream is None:
        return
    sd = _sd()

    def close() -> None:
        try:
            stream.abort()
            stream.close()
        except sd.PortAudioError:
            pass  # the device is already gone; nothing left to release

    closer = threading.Thread(target=close, name="hearth-close-stream", daemon=True)
    closer.start()
    closer.join(2.0)
    if closer.is_alive():
        _abandoned.append(stream)


def stuck_streams() -> int:
    """Streams that could not be closed (PortAudio hung on a dead server)."""
    return len(_abandoned)
