"""One module per `hearth` subcommand, each with `register(subparsers)`."""

from __future__ import annotations

import argparse

from assistant.asr.base import ENGINES


def add_common_engine_options(parser: argparse.ArgumentParser) -> None:
    """`--engine`, `--model` and `--config`, shared by listen, run and demo."""
    parser.add_argument("--engine", choices=ENGINES,
                        help="speech engine (default: from config, else auto)")
    parser.add_argument("--model", metavar="PATH", help="vosk model folder")
    parser.add_argument("--config", metavar="PATH", help="config file to use")
