"""`hearth run`: the live session, microphone in and speaker out, hands-free."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from assistant.commands import add_common_engine_options
from assistant.commands.demo_cmd import DEFAULT_OUT, play_demo
from assistant.errors import AudioDeviceError, HearthError
from assistant.session_events import EventSink, HumanLog, JsonLog, SessionEvent
from assistant.settings import Settings, load_settings, with_overrides

if TYPE_CHECKING:
    from assistant.debug_record import DebugRecorder

NO_MIC_FIX = ("Pick one with --input-device NAME or INDEX (`hearth doctor` lists the devices), "
              "or set [audio] input_device in the config.")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="the live session: microphone in, speaker out, hands-free",
        description="Listens for the couple's commands and leads the conversation games out "
                    "loud. Defaults come from the config file (see `hearth setup`).",
    )
    add_common_engine_options(parser)
    parser.add_argument("--input-device", metavar="NAME|INDEX",
                        help="microphone, by (part of its) name or index")
    parser.add_argument("--output-device", metavar="NAME|INDEX",
                        help="speaker, by (part of its) name or index")
    parser.add_argument("--partners", metavar="NAME,NAME", help="the two partners' first names")
    parser.add_argument("--debug-record", metavar="DIR",
                        help="record the microphone audio as the recognizer got it and every "
                             "utterance heard, into a new folder under DIR (off by default)")
    parser.add_argument("--events", metavar="FILE",
                        help="also write one JSON line per session event (heard, ignored, "
                             "barge-in, spoke, device lost/back, ended) to FILE")
    parser.add_argument("--demo-if-no-mic", action="store_true",
                        help="without a usable microphone, run `hearth demo` instead")
    parser.set_defaults(func=run)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(Path(args.config) if args.config else None)
    partners = None
    if args.partners:
        partners = tuple(name.strip() for name in args.partners.split(",") if name.strip())[:2]
    return with_overrides(settings, engine=args.engine, model=args.model,
                          input_device=args.input_device, output_device=args.output_device,
                          partners=partners, debug_record=args.debug_record)


def _recorder(args: argparse.Namespace, settings: Settings) -> DebugRecorder | None:
    """The debug recording, only when asked for, announced on stderr."""
    if not settings.debug_record:
        return None
    from assistant.debug_record import DebugRecorder

    named = "--debug-record" if args.debug_record else "debug.debug_record in the config"
    recorder = DebugRecorder.start(Path(settings.debug_record), named)
    print(f"hearth: debug recording is on: the microphone audio and every utterance heard "
          f"are written to {recorder.folder}", file=sys.stderr, flush=True)
    return recorder


def _no_microphone(args: argparse.Namespace, settings: Settings,
                   error: AudioDeviceError) -> int:
    if args.demo_if_no_mic:
        print(f"No usable microphone ({error.message.rstrip('.')}), so here is the demo "
              "instead.", flush=True)
        return play_demo(settings, Path(DEFAULT_OUT))
    reason = error.message.rstrip(".")
    print(f"hearth: no usable microphone ({reason}). {NO_MIC_FIX}", file=sys.stderr)
    return 2


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # systemd's stop ends the session like Ctrl-C


def _event_file(path: str) -> IO[str]:
    """The `--events` file, new and readable by its owner only (it names the partners)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when it was there before
        return os.fdopen(descriptor, "w", encoding="utf-8")
    except OSError as error:
        raise HearthError(f"The events file {path} cannot be written "
                          f"({error.strerror or error}).",
                          "Give --events a file in a folder you can write to.") from error


def _emitter(events: IO[str] | None) -> EventSink:
    """Human lines on stdout, and JSON lines in the events file when asked for."""
    sinks: list[EventSink] = [HumanLog(lambda line: print(line, flush=True))]
    if events is not None:
        sinks.append(JsonLog(events))

    def emit(event: SessionEvent) -> None:
        for sink in sinks:
            sink(event)

    return emit


def run(args: argparse.Namespace) -> int:
    from assistant import portaudio

    logging.basicConfig(level=logging.INFO, format="hearth: %(message)s", stream=sys.stderr)
    settings = _settings(args)
    try:
        portaudio.find_device(settings.input_device, "input")
    except AudioDeviceError as error:
        return _no_microphone(args, settings, error)
    with contextlib.ExitStack() as stack:
        events = stack.enter_context(_event_file(args.events)) if args.events else None
        return _run_session(args, settings, _emitter(events))


def _run_session(args: argparse.Namespace, settings: Settings, emit: EventSink) -> int:
    from assistant.session import Session
    from assistant.session_parts import live_parts

    recorder = _recorder(args, settings)
    try:
        session = Session(settings, live_parts(settings), emit=emit, recorder=recorder)
    except BaseException:
        if recorder is not None:
            recorder.close()
        raise
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    no_microphone: AudioDeviceError | None = None
    try:
        try:
            session.open()
        except AudioDeviceError as error:
            if session.mic is None and session.speaker is not None:
                no_microphone = error
            else:
                raise
        if no_microphone is None:
            return session.run()
    except KeyboardInterrupt:
        session.interrupted()
        print("hearth: stopped. The game is saved; `hearth run` offers to continue it.",
              flush=True)
        return 0
    finally:
        session.close()
    return _no_microphone(args, settings, no_microphone)
