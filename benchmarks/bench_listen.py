"""Measure how well Hearth listens, on a corpus made by `make_corpus.py`.

    python benchmarks/bench_listen.py corpus/dev [--engine pocketsphinx|vosk|auto]
        [--model PATH] [--limit N] [--jobs 2] [--verbose]

Runs the real `hearth listen FILE --json` once per corpus file and prints
command acceptance per condition, false accepts per hour on talk that holds
no commands, double triggers, real-time factor on one core and peak memory,
each next to its target. It is a measurement: it exits 0 when targets are missed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
from common import CorpusFile, LabelledUtterance

ACCEPTANCE_TARGETS = {"clean": 95.0, "pink15": 90.0, "babble12": 85.0}
FALSE_ACCEPTS_PER_HOUR = 1.0
RTF_TARGET = 0.1
MEMORY_TARGET_MB = 200.0
LONG_FILE_SECONDS = 60.0


@dataclass(frozen=True)
class Detection:
    """One line of `hearth listen --json`."""

    start: float
    end: float
    text: str
    intent: str | None
    slots: dict[str, str]
    confidence: float


@dataclass(frozen=True)
class Run:
    """What one `hearth listen` child did with one file."""

    item: CorpusFile
    detections: list[Detection]
    cpu_seconds: float
    max_rss_mb: float
    error: str | None
    """Why the child failed; its file is then left out of the scores."""
    stray_lines: int = 0
    """Output lines that were not detection JSON (logging on stdout)."""


@dataclass(frozen=True)
class Outcome:
    """How one spoken command fared."""

    expected: LabelledUtterance
    condition: str
    verdict: str
    """right, wrong or missed."""
    heard: list[Detection]
    """Detections attributed to this command."""

    @property
    def double(self) -> bool:
        return sum(d.intent is not None for d in self.heard) > 1


def hearth_command() -> list[str]:
    beside = Path(sys.executable).parent / "hearth"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("hearth")
    return [found] if found else [sys.executable, "-m", "assistant"]


def parse_detection(line: str) -> Detection | None:
    try:
        row: dict[str, Any] = json.loads(line)
        return Detection(
            float(row["start"]), float(row["end"]), str(row.get("text", "")),
            row.get("intent") or None,
            {str(k): str(v) for k, v in (row.get("slots") or {}).items() if v is not None},
            float(row.get("confidence", 0.0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class Listener:
    """How to run `hearth listen` on one file."""

    program: list[str]
    options: list[str]
    """--engine, --model."""

    def command(self, path: Path) -> list[str]:
        return [*self.program, "listen", str(path), "--json", *self.options]


def listen(root: Path, item: CorpusFile, listener: Listener, cores: queue.Queue[int]) -> Run:
    """Run one child pinned to one core; its own rusage comes from wait4."""
    core = cores.get()
    pin = ["taskset", "-c", str(core)] if shutil.which("taskset") else []
    command = [*pin, *listener.command(root / item.path)]
    try:
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
            # A hung child must not hang the benchmark: allow 2x real time, at least 2 min.
            watchdog = threading.Timer(max(120.0, 2 * item.duration), child.kill)
            watchdog.start()
            assert child.stdout is not None
            output = child.stdout.read().decode("utf-8", "replace")
            child.stdout.close()
            _, status, usage = os.wait4(child.pid, 0)
            watchdog.cancel()
            child.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
    finally:
        cores.put(core)
    lines = [line for line in output.splitlines() if line.strip()]
    detections = [d for d in map(parse_detection, lines) if d is not None]
    error = None
    if child.returncode != 0:
        error = f"exit {child.returncode}: {message.splitlines()[-1] if message else ''}"
    cpu = usage.ru_utime + usage.ru_stime
    stray = len(lines) - len(detections)
    return Run(item, detections, cpu, usage.ru_maxrss / 1024.0, error, stray)


def run_all(root: Path, files: list[CorpusFile], listener: Listener, jobs: int) -> list[Run]:
    cores: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        cores.put(slot % (os.cpu_count() or 1))
    runs = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(listen, root, item, listener, cores) for item in files]
        for done, future in enumerate(futures, start=1):
            run = future.result()
            runs.append(run)
            note = f" ERROR {run.error}" if run.error else ""
            if run.stray_lines:
                note += f" ({run.stray_lines} lines of stdout were not JSON)"
            print(
                f"  [{done}/{len(files)}] {run.item.path}: {len(run.detections)} utterances, "
                f"RTF {run.cpu_seconds / max(run.item.duration, 1e-9):.3f}, "
                f"{run.max_rss_mb:.0f} MB "
                f"({time.monotonic() - started:.0f} s){note}",
                flush=True,
            )
    return runs


def overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return min(a_end, b_end) - max(a_start, b_start)


def score_commands(run: Run, root: Path, tolerance: float) -> tuple[list[Outcome], list[Detection]]:
    """Each detection belongs to the command it overlaps most; the rest are gap detections."""
    expected = common.read_labels(root / run.item.labels) if run.item.labels else []
    heard: dict[int, list[Detection]] = defaultdict(list)
    strays = []
    for detection in run.detections:
        spans = [
            (overlap(detection.start, detection.end, e.start - tolerance, e.end + tolerance), i)
            for i, e in enumerate(expected)
        ]
        best = max(spans, default=(0.0, -1))
        if best[0] > 0:
            heard[best[1]].append(detection)
        elif detection.intent is not None:
            strays.append(detection)
    outcomes = []
    for index, command in enumerate(expected):
        hits = [d for d in heard[index] if d.intent is not None]
        if any(d.intent == command.intent and d.slots == command.slots for d in hits):
            verdict = "right"
        else:
            verdict = "wrong" if hits else "missed"
        outcomes.append(Outcome(command, run.item.condition, verdict, heard[index]))
    return outcomes, strays


def intent_label(command: LabelledUtterance) -> str:
    game = command.slots.get("game")
    return f"{command.intent}({game})" if game else str(command.intent)


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_acceptance(outcomes: list[Outcome], strays: list[Detection], verbose: bool) -> None:
    print("\nCommand acceptance (intent and slots right)")
    print(f"  {'condition':<10} {'right':>6} {'wrong':>6} {'missed':>6} {'total':>6} "
          f"{'%':>6}  {'target':<12} {'double':>6}")
    conditions = list(dict.fromkeys(o.condition for o in outcomes))
    for condition in conditions:
        mine = [o for o in outcomes if o.condition == condition]
        counts = Counter(o.verdict for o in mine)
        share = percent(counts["right"], len(mine))
        target = ACCEPTANCE_TARGETS.get(condition)
        goal = f"≥{target:.0f}% {mark(share >= target)}" if target else "-"
        print(f"  {condition:<10} {counts['right']:>6} {counts['wrong']:>6} {counts['missed']:>6} "
              f"{len(mine):>6} {share:>5.1f}%  {goal:<12} {sum(o.double for o in mine):>6}")
    print(f"  commands heard in the gaps between commands: {len(strays)}")
    breakdown(outcomes, conditions, "intent", intent_label)
    breakdown(outcomes, conditions, "voice", lambda c: c.voice.rsplit("@", 1)[0])
    if verbose:
        report_misses(outcomes)


def breakdown(
    outcomes: list[Outcome],
    conditions: list[str],
    title: str,
    key: Callable[[LabelledUtterance], str],
) -> None:
    print(f"\nPer {title} (% right)")
    print("  " + f"{title:<26}" + "".join(f"{c:>10}" for c in conditions))
    for label in sorted({key(o.expected) for o in outcomes}):
        cells = []
        for condition in conditions:
            mine = [o for o in outcomes if o.condition == condition and key(o.expected) == label]
            cells.append(f"{percent(sum(o.verdict == 'right' for o in mine), len(mine)):>9.0f}%")
        print(f"  {label:<26}" + "".join(cells))


def report_misses(outcomes: list[Outcome]) -> None:
    misses = [o for o in outcomes if o.verdict != "right"]
    print(f"\nMisses ({len(misses)}): expected → heard")
    for outcome in sorted(misses, key=lambda o: (o.condition, intent_label(o.expected))):
        heard = " | ".join(f"{d.text!r}→{d.intent}" for d in outcome.heard) or "(nothing)"
        print(f"  [{outcome.condition}] {intent_label(outcome.expected)}: "
              f"{outcome.expected.text!r} ({outcome.expected.voice}) → {heard}")


def report_false_accepts(runs: list[Run], verbose: bool) -> float | None:
    """Every command detected in talk without commands; returns the overall rate per hour."""
    talk = [r for r in runs if r.item.kind != "commands" and r.error is None]
    if not talk:
        return None
    print("\nFalse accepts (commands detected in talk that holds none)")
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in talk:
        groups[(run.item.kind, run.item.condition)].append(run)
    for (kind, condition), group in groups.items():
        hours = sum(r.item.duration for r in group) / 3600
        count = sum(d.intent is not None for r in group for d in r.detections)
        print(f"  {kind:<13} {condition:<9} {count:>4} in {hours:5.2f} h = {count / hours:6.2f}/h")
    listed = [(r, d) for r in talk for d in r.detections if d.intent is not None]
    for run, detection in listed if verbose else listed[:25]:
        where = f"{run.item.path} @ {detection.start:.1f}s"
        print(f"    {detection.intent}: {detection.text!r}  {where}")
    if len(listed) > 25 and not verbose:
        print(f"    … {len(listed) - 25} more (--verbose)")
    hours = sum(r.item.duration for r in talk) / 3600
    return len(listed) / hours


def real_time_factor(runs: list[Run]) -> float:
    """CPU seconds per audio second, on long files so that start-up time does not count."""
    long = [r for r in runs if r.item.duration >= LONG_FILE_SECONDS] or runs
    audio = sum(r.item.duration for r in long)
    return sum(r.cpu_seconds for r in long) / audio if audio else 0.0


def summary_row(measure: str, value: str, target: str = "", ok: bool | None = None) -> None:
    status = "" if ok is None else mark(ok)
    print(f"  {measure:<28} {value:>10}  {target:<6} {status}".rstrip())


def report_summary(
    runs: list[Run], outcomes: list[Outcome], false_rate: float | None
) -> None:
    audio = sum(r.item.duration for r in runs)
    rtf = real_time_factor(runs)
    memory = max((r.max_rss_mb for r in runs), default=0.0)
    print("\nSummary")
    summary_row("measure", "value", "target")
    for condition in dict.fromkeys(o.condition for o in outcomes):
        mine = [o for o in outcomes if o.condition == condition]
        share = percent(sum(o.verdict == "right" for o in mine), len(mine))
        target = ACCEPTANCE_TARGETS.get(condition)
        goal = f"≥{target:.0f}%" if target else ""
        summary_row(f"acceptance {condition}", f"{share:.1f}%", goal,
                    None if target is None else share >= target)
    summary_row("double triggers", str(sum(o.double for o in outcomes)))
    if false_rate is not None:
        summary_row("false accepts per hour", f"{false_rate:.2f}",
                    f"≤{FALSE_ACCEPTS_PER_HOUR:g}", false_rate <= FALSE_ACCEPTS_PER_HOUR)
    summary_row("real-time factor (1 core)", f"{rtf:.3f}", f"≤{RTF_TARGET:g}", rtf <= RTF_TARGET)
    summary_row("peak memory MB", f"{memory:.0f}", f"≤{MEMORY_TARGET_MB:.0f}",
                memory <= MEMORY_TARGET_MB)
    summary_row("audio hours", f"{audio / 3600:.2f}")
    failed = [r for r in runs if r.error]
    if failed:
        print(f"  {len(failed)} files had errors, e.g. {failed[0].item.path}: {failed[0].error}")


def select(files: list[CorpusFile], args: argparse.Namespace) -> list[CorpusFile]:
    chosen = [
        f for f in files
        if (not args.kinds or f.kind in args.kinds)
        and (not args.conditions or f.condition in args.conditions)
    ]
    if args.limit is None:
        return chosen
    seen: Counter[tuple[str, str]] = Counter()
    limited = []
    for item in chosen:
        seen[(item.kind, item.condition)] += 1
        if seen[(item.kind, item.condition)] <= args.limit:
            limited.append(item)
    return limited


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder made by make_corpus.py")
    parser.add_argument("--engine", help="pocketsphinx, vosk or auto (passed to hearth listen)")
    parser.add_argument("--model", help="speech model path (passed to hearth listen)")
    parser.add_argument("--limit", type=int, help="at most N files per kind and condition")
    parser.add_argument("--jobs", type=int, default=2, help="files decoded at once")
    parser.add_argument("--kinds", nargs="*", choices=common.KINDS, help="only these kinds")
    parser.add_argument("--conditions", nargs="*", help="only these conditions")
    parser.add_argument("--tolerance", type=float, default=0.5,
                        help="seconds a detection may lie outside its command")
    parser.add_argument("--hearth", help="the hearth program (default: next to this Python)")
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    files = select(common.read_manifest(args.corpus), args)
    listener = Listener(
        [args.hearth] if args.hearth else hearth_command(),
        [*(["--engine", args.engine] if args.engine else []),
         *(["--model", args.model] if args.model else [])],
    )
    print(f"{len(files)} files, {sum(f.duration for f in files) / 3600:.2f} h of audio; "
          f"running: {' '.join(listener.command(Path('FILE')))}", flush=True)
    runs = run_all(args.corpus, files, listener, max(1, args.jobs))
    outcomes: list[Outcome] = []
    strays: list[Detection] = []
    for run in runs:
        if run.item.kind == "commands" and run.error is None:
            mine, extra = score_commands(run, args.corpus, args.tolerance)
            outcomes += mine
            strays += extra
    if outcomes:
        report_acceptance(outcomes, strays, args.verbose)
    false_rate = report_false_accepts(runs, args.verbose)
    report_summary(runs, outcomes, false_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
