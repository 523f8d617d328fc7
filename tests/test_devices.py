"""Microphone and speaker on real PortAudio streams through a private PulseAudio daemon."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pulse import PulseServer, active_spans, pulse

from assistant import devices, portaudio
from assistant.audio import SAMPLE_RATE, Samples, concatenate
from assistant.errors import AudioDeviceError

pytestmark = pytest.mark.audio
__all__ = ["pulse"]


def _tone(seconds: float, frequency: float = 440.0, level: float = 0.5) -> Samples:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (level * 32767 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


@pytest.fixture
def fresh(pulse: PulseServer) -> PulseServer:
    portaudio.rescan()
    return pulse


def test_devices_are_found_by_name_and_index(fresh: PulseServer) -> None:
    by_name = portaudio.find_device("pulse", "input")
    assert by_name.name == "pulse"
    assert portaudio.find_device(str(by_name.index), "output").index == by_name.index
    assert portaudio.find_device("", "output").outputs > 0


def test_unknown_device_error_lists_the_available_ones(fresh: PulseServer) -> None:
    with pytest.raises(AudioDeviceError) as caught:
        portaudio.find_device("usb speakerphone", "input")
    assert "usb speakerphone" in caught.value.message
    assert "pulse" in caught.value.fix and "--input-device" in caught.value.fix


def test_unknown_index_is_an_error_too(fresh: PulseServer) -> None:
    with pytest.raises(AudioDeviceError):
        portaudio.find_device("97", "output")


def test_microphone_hears_what_is_played_into_it(fresh: PulseServer) -> None:
    with devices.Microphone("pulse") as mic:
        fresh.play(_tone(0.6), wait=False)
        chunks = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            chunks.extend(mic.chunks())
        assert mic.alive
    heard = concatenate(chunks)
    spans = active_spans(heard)
    assert spans, "the tone never reached the microphone"
    assert 0.5 <= spans[0][1] - spans[0][0] <= 0.7
    stamps = [chunk.timestamp for chunk in chunks]
    assert stamps == sorted(stamps) and stamps[1] - stamps[0] == pytest.approx(0.03)


def test_speaker_plays_every_sample_including_the_tail(fresh: PulseServer) -> None:
    recording = fresh.record()
    with devices.Speaker("pulse") as speaker:
        time.sleep(0.3)
        speaker.play(_tone(1.0, 660.0), SAMPLE_RATE)
        assert speaker.busy_for() > 0.9
        time.sleep(1.6)
        assert speaker.busy_for() == 0.0
        assert speaker.underruns == 0
    spans = active_spans(recording.stop())
    assert len(spans) == 1
    assert spans[0][1] - spans[0][0] == pytest.approx(1.0, abs=0.05)


def test_speaker_converts_other_rates(fresh: PulseServer) -> None:
    recording = fresh.record()
    with devices.Speaker("pulse") as speaker:
        t = np.arange(22050 // 2) / 22050
        speaker.play((0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16), 22050)
        time.sleep(1.0)
    spans = active_spans(recording.stop())
    assert len(spans) == 1 and spans[0][1] - spans[0][0] == pytest.approx(0.5, abs=0.05)


def test_flush_stops_speech_at_once(fresh: PulseServer) -> None:
    recording = fresh.record()
    with devices.Speaker("pulse") as speaker:
        speaker.play(_tone(3.0))
        time.sleep(0.5)
        speaker.flush()
        time.sleep(0.8)
    spans = active_spans(recording.stop())
    assert len(spans) == 1 and spans[0][1] - spans[0][0] < 1.0


def test_microphone_notices_when_the_audio_server_dies(fresh: PulseServer) -> None:
    mic = devices.Microphone("pulse")
    mic.open()
    try:
        list(mic.chunks(timeout=0.5))
        assert mic.alive
        fresh.kill()
        deadline = time.monotonic() + 5
        while mic.alive and time.monotonic() < deadline:
            list(mic.chunks(timeout=0.1))
        assert not mic.alive
    finally:
        mic.close()
        fresh.start()
        portaudio.rescan()
    with devices.Microphone("pulse") as again:
        assert list(again.chunks(timeout=devices.STARTUP_GRACE))


def test_a_stream_made_but_not_started_is_released(fresh: PulseServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Reopening a lost device retries for as long as it takes: a stream PortAudio made
    but could not start must be closed each time, not leaked."""
    sd = portaudio.load_sounddevice()
    made: list[object] = []

    class WillNotStart:
        PortAudioError = sd.PortAudioError

        def RawOutputStream(self, **options: object) -> object:
            stream = sd.RawOutputStream(**options)
            made.append(stream)

            def start() -> None:
                raise sd.PortAudioError("Device unavailable")

            stream.start = start
            return stream

    monkeypatch.setattr(devices, "load_sounddevice", WillNotStart)
    speaker = devices.Speaker("pulse")
    with pytest.raises(AudioDeviceError, match="cannot be opened"):
        speaker.open()
    assert len(made) == 1 and made[0].closed  # type: ignore[attr-defined]
