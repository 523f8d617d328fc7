"""A private PulseAudio daemon with virtual devices, for tests and benchmarks.

Two null sinks: `hearth_mic` (tests play speech into it; its monitor is the
default source, the virtual microphone) and `hearth_speaker` (the default sink;
Hearth plays into it and tests record its monitor). PortAudio reaches them
through ALSA's `pulse` device. The daemon lives in its own temporary folder and
talks over its own socket, so it never touches a user's audio.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import SAMPLE_RATE, Samples, write_wav

MIC = "hearth_mic"
SPEAKER = "hearth_speaker"


def available() -> str | None:
    """None when the stack can run here, else the reason it cannot."""
    for tool in ("pulseaudio", "pactl", "paplay", "parec"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (sudo apt-get install pulseaudio pulseaudio-utils)"
    return None


class PulseServer:
    """One daemon process; `env` is what a client (PortAudio, paplay, hearth) needs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.env = dict(os.environ)
        self.env.update({
            "XDG_RUNTIME_DIR": str(folder), "PULSE_RUNTIME_PATH": str(folder),
            "PULSE_STATE_PATH": str(folder / "state"), "PULSE_SERVER": f"unix:{self.socket}",
            "HOME": str(folder), "PULSE_COOKIE": str(folder / "cookie"),
        })
        self.env.pop("PULSE_SINK", None)
        self.env.pop("PULSE_SOURCE", None)
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        (self.folder / "state").mkdir(parents=True, exist_ok=True)
        log = (self.folder / "pulseaudio.log").open("ab")
        self._process = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "--system=false", "--exit-idle-time=-1",
             "--disallow-exit", "-n", "--disable-shm=yes", "--log-target=stderr",
             f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
             f"--load=module-null-sink sink_name={MIC} rate=16000 channels=1",
             f"--load=module-null-sink sink_name={SPEAKER} rate=16000 channels=1"],
            env=self.env, stdout=log, stderr=log, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while self.pactl("info", check=False).returncode != 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pulseaudio did not start; see {self.folder}/pulseaudio.log")
            time.sleep(0.05)
        self.pactl("set-default-sink", SPEAKER)
        self.pactl("set-default-source", f"{MIC}.monitor")

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              timeout=10, check=check)

    def kill(self) -> None:
        """Kill -9 the daemon, as a crashing audio server would go."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None
        self.socket.unlink(missing_ok=True)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._process = None

    def loopback(self) -> str:
        """Let the virtual microphone hear the virtual speaker (a room); returns the module id."""
        result = self.pactl("load-module", "module-loopback", f"source={SPEAKER}.monitor",
                            f"sink={MIC}", "latency_msec=20")
        return result.stdout.strip()

    def unload(self, module: str) -> None:
        self.pactl("unload-module", module)

    def play(self, samples: Samples, sink: str = MIC, wait: bool = True) -> subprocess.Popen[bytes]:
        """Play 16 kHz mono samples into a sink (by default the virtual microphone)."""
        wav = Path(tempfile.mkstemp(suffix=".wav", dir=self.folder)[1])
        write_wav(wav, samples)
        process = subprocess.Popen(["paplay", f"--device={sink}", "--latency-msec=20", str(wav)],
                                   env=self.env)
        if wait:
            process.wait(timeout=60)
        return process

    def record(self, source: str = f"{SPEAKER}.monitor") -> Recording:
        return Recording(self, source)


class Recording:
    """`parec` of a source into a raw file, from now until `stop()`."""

    def __init__(self, server: PulseServer, source: str) -> None:
        self.path = Path(tempfile.mkstemp(suffix=".raw", dir=server.folder)[1])
        self._file = self.path.open("wb")
        self.started = time.monotonic()
        self._process = subprocess.Popen(
            ["parec", f"--device={source}", "--raw", "--format=s16le", f"--rate={SAMPLE_RATE}",
             "--channels=1", "--latency-msec=20"],
            env=server.env, stdout=self._file,
        )
        deadline = time.monotonic() + 5
        while self.path.stat().st_size == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # connected once the monitor's (silent) audio flows
        self.started = time.monotonic()

    def samples(self) -> Samples:
        """What has been recorded so far."""
        data = self.path.read_bytes()
        return np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)

    def stop(self) -> Samples:
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=5)
        self._file.close()
        return self.samples()


def active_spans(samples: Samples, threshold: float = 300.0,
                 window: float = 0.02) -> list[tuple[float, float]]:
    """(start, end) seconds of non-silent stretches, gaps under 0.3 s bridged."""
    size = int(SAMPLE_RATE * window)
    frames = len(samples) // size
    if frames == 0:
        return []
    blocks = samples[: frames * size].astype(np.float32).reshape(frames, size)
    loud = np.sqrt(np.mean(blocks**2, axis=1)) > threshold
    spans: list[tuple[float, float]] = []
    for index in np.flatnonzero(loud):
        start, end = index * window, (index + 1) * window
        if spans and start - spans[-1][1] < 0.3:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """The daemon for the whole test session; this process's own PortAudio uses it too."""
    reason = available()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="hearth-pulse-"))
    server = PulseServer(folder)
    server.start()
    saved = {key: os.environ.get(key) for key in server.env}
    os.environ.update({k: v for k, v in server.env.items() if k.startswith(("PULSE", "XDG"))})
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(folder, ignore_errors=True)
