"""`hearth listen FILE`: recognize a recording as Hearth would hear it during a game."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.audio import open_audio
from assistant.commands import add_common_engine_options
from assistant.errors import AudioFormatError
from assistant.utterance import Utterance, utterance_json

VOSK_HINT = ("hearth: using the built-in pocketsphinx engine; the vosk engine is more "
             "accurate: run `hearth models install`.")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "listen", help="recognize a recording as Hearth would hear it",
        description="Finds each utterance in an audio file (any rate and channel count) and "
                    "says what was heard and which command it is, if any.",
    )
    parser.add_argument("file", metavar="FILE.wav", help="the recording")
    add_common_engine_options(parser)
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per utterance per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assistant.listening import listen_file
    from assistant.pipeline import build_listener
    from assistant.settings import load_settings, with_overrides

    path = Path(args.file)
    _check_file(path)
    settings = load_settings(Path(args.config) if args.config else None)
    settings = with_overrides(settings, engine=args.engine, model=args.model)
    listener = build_listener(settings)
    if listener.engine.name == "pocketsphinx" and not args.json:
        print(VOSK_HINT, file=sys.stderr)
    utterances = listen_file(path, listener)
    if args.json:
        for utterance in utterances:
            print(json.dumps(utterance_json(utterance)), flush=True)
    else:
        print_table(utterances)
    return 0


def _check_file(path: Path) -> None:
    """Fail early, with one sentence, before the engine takes its seconds to load."""
    if path.is_file() and path.stat().st_size == 0:
        raise AudioFormatError(f"{path} is empty.", "Give a WAV file with a recording in it.")
    open_audio(path).close()


def print_table(utterances: list[Utterance]) -> None:
    if not utterances:
        print("No speech found.")
        return
    print(f"{'start':>8} {'end':>8}  {'intent':<22} {'conf':>4}  text")
    for utterance in utterances:
        intent = "-"
        if utterance.intent is not None:
            slots = ",".join(f"{k}={v}" for k, v in sorted(utterance.slots.items()))
            intent = f"{utterance.intent}({slots})" if slots else utterance.intent
        print(f"{utterance.start:8.2f} {utterance.end:8.2f}  {intent:<22} "
              f"{utterance.confidence:4.2f}  {utterance.text}")
