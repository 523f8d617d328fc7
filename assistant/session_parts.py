"""What a live session is made of, behind small interfaces: devices, recognizer, voice, clock.

`live_parts(settings)` gives the real ones (sounddevice streams, the listener process,
the text-to-speech, the system clock). Tests give fakes to drive the session's loop in
virtual time; the real stack is tested through PulseAudio's virtual devices.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from assistant import devices, portaudio
from assistant.audio import AudioChunk, Samples
from assistant.listener_process import ListenerProcess
from assistant.portaudio import DeviceInfo
from assistant.settings import Settings
from assistant.tts import TextToSpeech
from assistant.utterance import Utterance

SPEAKER_LATENCY = 0.05
"""Seconds of output buffering asked of PortAudio for the session's speaker: part of every
answer's latency (the benchmark counts the underruns this costs, which must stay zero)."""


class Microphone(Protocol):
    """An open input stream (`devices.Microphone`)."""

    device: DeviceInfo
    overflows: int
    dropped: int

    @property
    def alive(self) -> bool: ...

    def chunks(self, timeout: float = 0.1) -> Iterator[AudioChunk]: ...

    def describe(self) -> str: ...

    def close(self) -> None: ...


class Speaker(Protocol):
    """An open output stream (`devices.Speaker`)."""

    device: DeviceInfo
    underruns: int

    @property
    def alive(self) -> bool: ...

    def play(self, samples: Samples, rate: int) -> None: ...

    def flush(self) -> None: ...

    def busy_for(self) -> float: ...

    def output_delay(self) -> float: ...

    def describe(self) -> str: ...

    def close(self) -> None: ...


class Recognizer(Protocol):
    """The listening pipeline, fed chunk by chunk (`listener_process.ListenerProcess`)."""

    def send(self, chunk: AudioChunk) -> None: ...

    def poll(self) -> list[Utterance]: ...

    def reset(self) -> None: ...

    def alive(self) -> bool: ...

    def close(self) -> None: ...


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class SessionParts:
    open_microphone: Callable[[], Microphone]
    """Open the configured microphone; `AudioDeviceError` when there is none."""
    open_speaker: Callable[[], Speaker]
    rescan: Callable[[], None]
    """Look for devices again (after one was lost)."""
    start_recognizer: Callable[[], Recognizer]
    render: Callable[[str], Samples]
    """Hearth's voice: text to 16 kHz mono samples."""
    clock: Clock


def live_parts(settings: Settings) -> SessionParts:
    """The real devices, recognizer process and voice for `settings`."""

    def open_microphone() -> Microphone:
        microphone = devices.Microphone(settings.input_device)
        microphone.open()
        return microphone

    def open_speaker() -> Speaker:
        speaker = devices.Speaker(settings.output_device, SPEAKER_LATENCY)
        speaker.open()
        return speaker

    return SessionParts(open_microphone, open_speaker, portaudio.rescan,
                        lambda: ListenerProcess(settings), TextToSpeech(settings).render,
                        SystemClock())
