"""Latency, CPU and memory of `hearth run` through the real audio stack.

Starts a private PulseAudio daemon (see `tests/pulse.py`), runs `hearth run` on it,
and speaks N commands in different voices into the virtual microphone. The
microphone and the speaker are recorded at once (two `parec`s whose starts are
aligned to about 10 ms), which puts the command and Hearth's answer on one clock:
latency is from the last sound of the command to the first sound of the answer.
CPU is the share of one core used by Hearth (with its listener process) while
idle-listening and while in a game; memory is their resident set.

    python benchmarks/bench_latency.py [--commands 12]
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from assistant.audio import Samples  # noqa: E402
from assistant.voices import SynthVoice, synthesize  # noqa: E402

pulse: Any = importlib.import_module("pulse")
live_run: Any = importlib.import_module("live_run")

VOICES = (SynthVoice("flite", "slt"), SynthVoice("flite", "rms"), SynthVoice("flite", "awb"),
          SynthVoice("flite", "kal16"))
COMMANDS = ("next question", "skip this one", "next", "repeat that", "another one please",
            "let's do another one")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def family(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [pid]
    if children.exists():
        for child in children.read_text().split():
            found += family(int(child))
    return found


def speech_span(samples: Samples) -> tuple[float, float]:
    spans = pulse.active_spans(samples, threshold=300.0, window=0.01)
    return spans[0][0], spans[-1][1]


def measure(count: int) -> None:
    server = pulse.PulseServer(Path(tempfile.mkdtemp(prefix="hearth-bench-")))
    server.start()
    hearth = live_run.HearthRun(server, server.folder / "data", config="", engine=None)
    try:
        if hearth.find("finished_speaking", timeout=120) is None:
            raise SystemExit("hearth run did not start:\n" + hearth.report())
        pids = family(hearth.process.pid)
        time.sleep(1.0)
        before, started = cpu_seconds(pids), time.monotonic()
        time.sleep(10.0)
        idle_cpu = (cpu_seconds(pids) - before) / (time.monotonic() - started)
        heard_by_mic, recording = server.record(f"{pulse.MIC}.monitor"), server.record()
        skew = heard_by_mic.started - recording.started
        before, started = cpu_seconds(pids), time.monotonic()
        latencies: list[float] = []
        stages: list[tuple[float, float, float, float]] = []
        missed = 0
        for number in range(count + 1):
            text = "start the dreams game" if number == 0 else COMMANDS[number % 6]
            samples = synthesize(text, VOICES[number % len(VOICES)])
            first, last = speech_span(samples)
            mark = len(hearth.events)
            played = time.monotonic() - heard_by_mic.started
            server.play(samples)
            heard = hearth.find("heard", 5, mark, intent=lambda intent: intent is not None)
            done = hearth.find("finished_speaking", 40, mark)
            time.sleep(0.8)
            if heard is None or done is None:
                missed += 1
                continue
            spans = pulse.active_spans(heard_by_mic.samples(), threshold=300.0, window=0.01)
            onset = next((s for s, _ in spans if s >= played - 0.05), None)
            if onset is None:
                missed += 1
                continue
            end = onset + (last - first) + skew  # on the speaker recording's clock
            spans = pulse.active_spans(recording.samples(), threshold=300.0, window=0.01)
            answer = next((s for s, _ in spans if s > end + 0.03), None)
            if answer is not None and number > 0:
                latencies.append(answer - end)
                breakdown = stages_of(hearth.events[mark:], answer - end,
                                      end + recording.started)
                if breakdown is not None:
                    stages.append(breakdown)
                if os.environ.get("BENCH_DEBUG"):
                    seen_at = hearth.arrived[heard] - recording.started
                    print(f"heard line {seen_at - end:.3f} s after the end, "
                          f"sound {answer - end:.3f} s")
        game_cpu = (cpu_seconds(pids) - before) / (time.monotonic() - started)
        memory = rss_mb(family(hearth.process.pid))
        recording.stop()
        heard_by_mic.stop()
    finally:
        hearth.stop(signal.SIGTERM)
        server.stop()
    report(latencies, stages, missed, count, idle_cpu, game_cpu, memory)
    alsa = sum("underrun occurred" in line for line in hearth.lines)
    counted = [event for event in hearth.events if event["event"] == "audio_trouble"]
    print(f"output underruns: ALSA reported {alsa}; Hearth's count: "
          f"{counted[-1]['output_underruns'] if counted else 'none reported'}")
    if os.environ.get("BENCH_DEBUG"):
        print(hearth.report(), "\n", latencies)


def stages_of(events: list[dict[str, Any]], total: float,
              ended: float) -> tuple[float, float, float, float] | None:
    """Where the time of one answer went, from the clock stamps in Hearth's events: until
    the chunk that ended the command reached the listener (capture, endpointing), decoding
    and intent, until the answer was queued (dialogue, pre-rendered speech), and output.
    `ended` is the command's end on `time.monotonic()`'s clock, which both processes share."""
    heard = next((e for e in events if e["event"] == "heard" and e["intent"]), None)
    spoke = next((e for e in events
                  if e["event"] == "spoke" and e["after_command"] is not None), None)
    if heard is None or spoke is None:
        return None
    received, decoded, at = heard["received"], heard["decoded"], spoke["queued"]
    return received - ended, decoded - received, at - decoded, total - (at - ended)


def report(latencies: list[float], stages: list[tuple[float, float, float, float]],
           missed: int, count: int, idle_cpu: float, game_cpu: float, memory: float) -> None:
    values = np.array(latencies) * 1000
    print(f"commands: {count}, answered and measured: {len(values)}, not heard: {missed}")
    if values.size:
        print(f"latency end of command -> first answer sound: p50 {np.percentile(values, 50):.0f} "
              f"ms, p95 {np.percentile(values, 95):.0f} ms, max {values.max():.0f} ms "
              "(targets: p50 <= 300, p95 <= 500)")
    names = ("capture + endpoint decision", "decode + intent", "dialogue + speech queued",
             "output (buffers to first sound)")
    if stages:
        table = np.array(stages) * 1000
        print("  per stage (ms)             p50   p95")
        for column, name in enumerate(names):
            print(f"  {name:32} {np.percentile(table[:, column], 50):5.0f} "
                  f"{np.percentile(table[:, column], 95):5.0f}")
    print(f"CPU, share of one core: idle listening {idle_cpu:.1%} (target <= 15%), "
          f"in a game {game_cpu:.1%}")
    print(f"memory (resident, hearth + listener process): {memory:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=12)
    args = parser.parse_args()
    reason = pulse.available()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    measure(args.commands)


if __name__ == "__main__":
    main()
