"""The `hearth` command: argparse front end; each subcommand lives in `assistant/commands/`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from assistant import __version__
from assistant.commands import (
    decks_cmd,
    demo_cmd,
    doctor_cmd,
    history_cmd,
    listen_cmd,
    models_cmd,
    run_cmd,
    say_cmd,
    service_cmd,
    setup_cmd,
)
from assistant.errors import HearthError

COMMANDS = (
    run_cmd, demo_cmd, listen_cmd, setup_cmd, say_cmd, models_cmd, decks_cmd, history_cmd,
    doctor_cmd, service_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth",
        description="Hearth: an offline voice companion for couples' conversation games.",
    )
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
        return result
    except HearthError as error:
        print(f"hearth: {error.message}", file=sys.stderr)
        if error.fix:
            print(f"  {error.fix}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
