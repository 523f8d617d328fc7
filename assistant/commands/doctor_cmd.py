"""`hearth doctor [--config PATH] [--no-listen]`: one line per check, a fix for each problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from assistant.doctor import LISTEN_SECONDS, Check, Status, run_checks


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check microphone, speaker, speech engines, voice, decks and config",
        description="Check everything Hearth needs, one line per check, with a fix for each "
                    "problem. Exits 1 when a check fails.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file to check")
    parser.add_argument("--no-listen", action="store_true",
                        help="skip the two-second microphone level check")
    parser.set_defaults(func=run)


def print_check(check: Check, out: TextIO) -> None:
    print(f"{check.status.value:<5} {check.name:<14} {check.detail}", file=out, flush=True)
    if check.fix:
        print(f"{'':<5} {'':<14} fix: {check.fix}", file=out, flush=True)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    listen = None if args.no_listen else LISTEN_SECONDS
    failed = warned = 0
    for check in run_checks(Path(args.config) if args.config else None, listen,
                            announce=lambda text: print(f"{'':<20} {text}", file=out, flush=True)):
        print_check(check, out)
        failed += check.status is Status.FAIL
        warned += check.status is Status.WARN
    if failed:
        also = f" and {_count(warned, 'warning')}" if warned else ""
        print(f"\n{_count(failed, 'problem')} to fix{also}; see the fix lines above.", file=out)
        return 1
    if warned:
        print(f"\nHearth can run; {_count(warned, 'warning')} above may be worth a look.",
              file=out)
    else:
        print("\nEverything looks good. Start with: hearth run", file=out)
    return 0


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
