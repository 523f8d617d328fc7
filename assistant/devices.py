"""Microphone and speaker through sounddevice (PortAudio).

Both callbacks only move bytes: the microphone's copies each block into a
bounded queue and counts status flags; the speaker's takes bytes from a bounded
buffer and plays silence when there is none. Everything else happens in the
session's own loop.

The speaker is one long-lived stream with generous latency: through ALSA's
PulseAudio plugin, short-lived streams lose the end of their audio when
closed, and small buffers underrun.

Finding and choosing devices, and closing a stream safely, are in `assistant.portaudio`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import soxr

from assistant.audio import SAMPLE_RATE, AudioChunk, Rechunker, Samples
from assistant.errors import AudioDeviceError
from assistant.portaudio import Kind, close_stream, find_device, load_sounddevice, supported_rate

__all__ = ["INPUT_BLOCK", "MAX_QUEUED_INPUT", "MAX_QUEUED_OUTPUT", "OUTPUT_LATENCY",
           "STALL_LIMIT", "STARTUP_GRACE", "Microphone", "Speaker"]

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


class _Stream:
    """What both directions share: opening, liveness (a stream that stops calling back is
    lost, e.g. unplugged or its audio server gone) and closing."""

    kind: Kind = "input"

    def __init__(self, spec: str) -> None:
        self.device = find_device(spec, self.kind)
        self.rate = supported_rate(self.device, self.kind)
        self._last_block = time.monotonic()
        self._stream: Any = None

    def _make(self, sd: Any) -> Any:
        raise NotImplementedError

    def open(self) -> None:
        sd = load_sounddevice()
        try:
            self._stream = self._make(sd)
            self._stream.start()
        except sd.PortAudioError as error:
            close_stream(self._stream)  # made but not started: release it before retrying
            self._stream = None
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
        close_stream(self._stream)
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
