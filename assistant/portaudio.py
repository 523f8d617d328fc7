"""PortAudio through sounddevice: the library, its devices, and stream closing that cannot hang.

Loading the library (a missing PortAudio is an `AudioDeviceError` with the package to
install), listing the devices it knows, choosing one by index or name as `--input-device`
and `--output-device` name it, the sample rate to open it at, and restarting PortAudio to
see devices plugged in since.  The streams themselves are in `assistant.devices`.

A stream whose audio server died can hang PortAudio when closed, so closing gives up after
a while and keeps the stream (`close_stream`, `stuck_streams`); PortAudio is then never
restarted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from assistant.audio import SAMPLE_RATE
from assistant.errors import AudioDeviceError

__all__ = ["DeviceInfo", "Kind", "close_stream", "find_device", "list_devices",
           "load_sounddevice", "rescan", "stuck_streams", "supported_rate"]

Kind = Literal["input", "output"]


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


def load_sounddevice() -> Any:
    """The sounddevice module, imported on first use (it loads PortAudio)."""
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
    sd = load_sounddevice()
    if _abandoned:
        return
    sd._terminate()
    sd._initialize()


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio knows of."""
    sd = load_sounddevice()
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
        default = load_sounddevice().default.device[0 if kind == "input" else 1]
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


def supported_rate(device: DeviceInfo, kind: Kind) -> int:
    """16 kHz when the device takes it (no conversion), else its own default rate."""
    sd = load_sounddevice()
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device.index, samplerate=SAMPLE_RATE, channels=1, dtype="int16")
    except (sd.PortAudioError, ValueError):
        return device.default_rate
    return SAMPLE_RATE


_abandoned: list[Any] = []


def close_stream(stream: Any) -> None:
    """Close a stream; one whose audio server died can hang in PortAudio, so give up after 2 s
    and keep a reference (never free a stream a PortAudio thread may still touch)."""
    if stream is None:
        return
    sd = load_sounddevice()

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
