"""`hearth setup [--config PATH] [--no-audio-checks]`: the one-time questionnaire."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.resources import config_path
from assistant.setup_wizard import SetupWizard


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup", help="a short questionnaire: names, microphone, speaker, voice, country",
        description="Answer a few questions once; Hearth writes its config file. Run it again "
                    "any time: your current answers are the defaults.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file to write")
    parser.add_argument("--no-audio-checks", action="store_true",
                        help="skip choosing and testing the microphone, speaker and voice")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.config) if args.config else config_path()
    wizard = SetupWizard(input, sys.stdout, path, audio_checks=not args.no_audio_checks)
    return 0 if wizard.run() is not None else 1
