"""`hearth say TEXT [--out FILE.wav]`: speak with the configured voice, or write it to a WAV."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from assistant.audio import SAMPLE_RATE, write_wav
from assistant.errors import AudioDeviceError
from assistant.settings import load_settings, with_overrides
from assistant.tts import TextToSpeech


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "say", help="speak a sentence with Hearth's voice (or write it to a WAV file)",
        description="Speak TEXT with the configured voice, rate and volume.",
    )
    parser.add_argument("text", nargs="+", metavar="TEXT", help="what to say")
    parser.add_argument("--out", metavar="FILE.wav", help="write the speech to this WAV file "
                        "instead of playing it")
    parser.add_argument("--output-device", metavar="NAME|INDEX",
                        help="speaker to play on (default: from config, else the system default)")
    parser.add_argument("--config", metavar="PATH", help="config file to use")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(Path(args.config) if args.config else None)
    settings = with_overrides(settings, output_device=args.output_device)
    text = " ".join(args.text)
    samples = TextToSpeech(settings).render(text)
    if args.out:
        out = Path(args.out)
        write_wav(out, samples)
        print(f"Wrote {len(samples) / SAMPLE_RATE:.1f} s of speech to {out}")
        return 0
    from assistant.devices import Speaker

    try:
        speaker = Speaker(settings.output_device)
    except AudioDeviceError as error:
        if "No speaker" in error.message:
            raise AudioDeviceError(
                "No speaker found, so Hearth cannot speak out loud.",
                "Connect a speaker (or start the audio server), pick one with "
                "--output-device NAME, or write the speech to a file with --out FILE.wav.",
            ) from error
        raise
    with speaker:
        speaker.play(samples, SAMPLE_RATE)
        # Leave the stream open until the last sample has been heard.
        time.sleep(speaker.busy_for() + 0.2)
    return 0
