"""Memory and CPU of a long `hearth run` through the real audio stack.

Starts a private PulseAudio daemon (see `tests/pulse.py`) and `hearth run`, then
keeps a game going for the given time: partners talk (conversation sentences in
flite voices) and now and then say "next". Prints Hearth's resident memory (with
its listener process) and CPU share every interval, and the memory trend per hour.

    python benchmarks/soak.py [--minutes 20] [--interval 60]
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from assistant.voices import SynthVoice, synthesize  # noqa: E402

pulse: Any = importlib.import_module("pulse")
latency: Any = importlib.import_module("bench_latency")
live_run: Any = importlib.import_module("live_run")

VOICES = (SynthVoice("flite", "slt"), SynthVoice("flite", "rms"))
TALK = (
    "I think the best part of that trip was the little cafe by the harbour.",
    "You always say that, but the train ride home was just as lovely.",
    "Next summer we should go back and stay a bit longer.",
    "I remember when you stopped the car to look at the sheep.",
)


def soak(minutes: float, interval: float) -> None:
    server = pulse.PulseServer(Path(tempfile.mkdtemp(prefix="hearth-soak-")))
    server.start()
    hearth = live_run.HearthRun(server, server.folder / "data", config="", engine=None)
    talk = [synthesize(text, VOICES[n % 2]) for n, text in enumerate(TALK)]
    command = synthesize("next question", VOICES[0])
    samples: list[tuple[float, float, float]] = []
    try:
        if hearth.find("finished_speaking", timeout=120) is None:
            raise SystemExit("hearth run did not start:\n" + hearth.report())
        server.play(synthesize("start the remember when game", VOICES[1]))
        started = time.monotonic()
        next_sample = started
        turn = 0
        cpu_before = latency.cpu_seconds(latency.family(hearth.process.pid))
        while time.monotonic() - started < minutes * 60:
            if time.monotonic() >= next_sample:
                pids = latency.family(hearth.process.pid)
                cpu_now = latency.cpu_seconds(pids)
                elapsed = time.monotonic() - started
                share = (cpu_now - cpu_before) / interval if samples else 0.0
                cpu_before = cpu_now
                samples.append((elapsed / 60, latency.rss_mb(pids), share))
                print(f"{elapsed / 60:6.1f} min  memory {samples[-1][1]:6.1f} MB  "
                      f"CPU {share:5.1%} of one core", flush=True)
                next_sample += interval
            server.play(command if turn % 6 == 5 else talk[turn % len(talk)])
            turn += 1
            time.sleep(4.0)
        if hearth.process.poll() is not None:
            raise SystemExit("hearth run ended during the soak:\n" + hearth.report())
    finally:
        hearth.stop(signal.SIGTERM)
        server.stop()
    report(samples, turn)


def report(samples: list[tuple[float, float, float]], turns: int) -> None:
    settled = [s for s in samples if s[0] >= 2.0] or samples
    if len(settled) >= 2:
        minutes = np.array([s[0] for s in settled])
        memory = np.array([s[1] for s in settled])
        slope = float(np.polyfit(minutes, memory, 1)[0]) * 60
        print(f"\n{turns} utterances played; memory {memory.min():.1f}–{memory.max():.1f} MB "
              f"after the first 2 minutes, trend {slope:+.1f} MB per hour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=60.0)
    args = parser.parse_args()
    soak(args.minutes, args.interval)


if __name__ == "__main__":
    main()
