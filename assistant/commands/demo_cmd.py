"""`hearth demo [--out FILE.wav]`: a complete simulated evening, with no microphone."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from assistant.audio import write_wav
from assistant.commands import add_common_engine_options
from assistant.errors import HearthError
from assistant.settings import Settings, load_settings, with_overrides

DEFAULT_OUT = "hearth-demo.wav"
DEFAULT_SEED = 7


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="a simulated evening: two synthetic partners talk with Hearth",
        description="Two synthetic partner voices speak commands and answers into the real "
                    "recognizer; Hearth answers with its real voice. Prints a timestamped "
                    "transcript and writes the whole evening to one WAV file.",
    )
    parser.add_argument("--out", metavar="FILE.wav", default=DEFAULT_OUT,
                        help="where to write the evening (default: hearth-demo.wav here)")
    add_common_engine_options(parser)
    parser.add_argument("--realtime", action="store_true",
                        help="play the evening through the speaker at real pace")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed for the choice of prompts (default: {DEFAULT_SEED})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(Path(args.config) if args.config else None)
    settings = with_overrides(settings, engine=args.engine, model=args.model)
    return play_demo(settings, Path(args.out), seed=args.seed, realtime=args.realtime)


def play_demo(settings: Settings, out: Path, *, seed: int = DEFAULT_SEED,
              realtime: bool = False) -> int:
    """Simulate the evening, print its transcript, write it to `out`; `hearth run` without
    a microphone plays it too."""
    from assistant import demo

    folder = out.resolve().parent
    if out.is_dir() or (folder.exists() and not os.access(folder, os.W_OK)):
        raise _unwritable(out)
    print("Hearth demo: a simulated evening (no microphone needed).", flush=True)

    def emit(line: str) -> None:
        print(line, flush=True)

    result = demo.run_demo(settings, seed=seed, emit=None if realtime else emit)
    try:
        write_wav(out, result.mix)
    except (OSError, RuntimeError) as error:  # soundfile's errors are RuntimeErrors
        raise _unwritable(out) from error
    if realtime:
        demo.play_realtime(result, settings, emit)
    total = result.recognized_first_try + result.recognized_after_repeat
    print()
    print(f"Commands spoken: {result.commands}; recognized: {total} "
          f"({result.recognized_first_try} the first time, "
          f"{result.recognized_after_repeat} when said again).")
    print(f"Evening: {demo.stamp(result.length)} long, simulated in {result.wall_time:.1f} s "
          f"({result.length / max(result.wall_time, 1e-6):.1f}x real time).")
    print(f"Wrote the whole evening to {out.resolve()}")
    if total < result.commands:
        print("Some commands were not understood; try a better model: hearth models install",
              file=sys.stderr)
    return 0


def _unwritable(out: Path) -> HearthError:
    return HearthError(f"Cannot write the evening to {out}.",
                       "Pick a writable file with --out FILE.wav.")
