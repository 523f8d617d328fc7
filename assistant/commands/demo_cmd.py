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
from assistant.settings import load_settings, with_overrides


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="a simulated evening: two synthetic partners talk with Hearth",
        description="Two synthetic partner voices speak commands and answers into the real "
                    "recognizer; Hearth answers with its real voice. Prints a timestamped "
                    "transcript and writes the whole evening to one WAV file.",
    )
    parser.add_argument("--out", metavar="FILE.wav", default="hearth-demo.wav",
                        help="where to write the evening (default: hearth-demo.wav here)")
    add_common_engine_options(parser)
    parser.add_argument("--realtime", action="store_true",
                        help="play the evening through the speaker at real pace")
    parser.add_argument("--seed", type=int, default=7,
                        help="seed for the choice of prompts (default: 7)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant import demo

    settings = load_settings(Path(args.config) if args.config else None)
    settings = with_overrides(settings, engine=args.engine, model=args.model)
    out = Path(args.out)
    folder = out.resolve().parent
    if out.is_dir() or (folder.exists() and not os.access(folder, os.W_OK)):
        raise _unwritable(out)
    print("Hearth demo: a simulated evening (no microphone needed).", flush=True)

    def emit(line: str) -> None:
        print(line, flush=True)

    result = demo.run_demo(settings, seed=args.seed, emit=None if args.realtime else emit)
    try:
        write_wav(out, result.mix)
    except (OSError, RuntimeError) as error:  # soundfile's errors are RuntimeErrors
        raise _unwritable(out) from error
    if args.realtime:
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
