"""Synthetic human-like voices from Debian's speech synthesizers.

Used by `hearth demo` for the two partners, and by the tests and the
benchmark corpus to make real speech audio. Hearth's own voice is pyttsx3
(see `tts.py`); these are the *couple's* voices.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.audio import Samples, read_audio
from assistant.errors import SpeechOutputError


@dataclass(frozen=True)
class SynthVoice:
    """One synthesizer voice, e.g. `SynthVoice("flite", "slt")`."""

    synthesizer: str
    """`espeak-ng`, `flite` or `festival`."""
    voice: str
    """The synthesizer's voice name (espeak-ng: language+variant; flite: slt, rms, awb, kal16;
    festival: a voice such as kal_diphone)."""
    rate: float = 1.0
    """Speaking speed relative to the voice's normal speed."""

    @property
    def label(self) -> str:
        return f"{self.synthesizer}:{self.voice}@{self.rate:g}"


def available(synthesizer: str) -> bool:
    command = "text2wave" if synthesizer == "festival" else synthesizer
    return shutil.which(command) is not None


def synthesize(text: str, voice: SynthVoice) -> Samples:
    """Speak `text` with `voice`; returns 16 kHz mono int16 samples."""
    if not available(voice.synthesizer):
        raise SpeechOutputError(
            f"The speech synthesizer {voice.synthesizer} is not installed.",
            f"Install it with: sudo apt-get install {_package(voice.synthesizer)}",
        )
    with tempfile.TemporaryDirectory(prefix="hearth-synth-") as folder:
        out = Path(folder) / "speech.wav"
        _run(_command(text, voice, out, Path(folder)), voice)
        return read_audio(out)


def _command(text: str, voice: SynthVoice, out: Path, folder: Path) -> list[str]:
    if voice.synthesizer == "espeak-ng":
        words_per_minute = str(round(175 * voice.rate))
        return ["espeak-ng", "-v", voice.voice, "-s", words_per_minute, "-w", str(out), text]
    if voice.synthesizer == "flite":
        # flite's duration_stretch is the inverse of speed.
        stretch = f"{1.0 / voice.rate:.3f}"
        return [
            "flite", "-voice", voice.voice, "--setf", f"duration_stretch={stretch}",
            "-t", text, "-o", str(out),
        ]
    if voice.synthesizer == "festival":
        script = folder / "text.txt"
        script.write_text(text, encoding="utf-8")
        stretch = f"{1.0 / voice.rate:.3f}"
        return [
            "text2wave", "-eval", f"(voice_{voice.voice})",
            "-eval", f"(Parameter.set 'Duration_Stretch {stretch})",
            str(script), "-o", str(out),
        ]
    raise SpeechOutputError(
        f"Unknown synthesizer {voice.synthesizer!r}.", "Use espeak-ng, flite or festival."
    )


def _run(command: list[str], voice: SynthVoice) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise SpeechOutputError(
            f"{voice.synthesizer} failed for voice {voice.voice}: {result.stderr.strip()[:200]}",
            f"Check that the voice exists (e.g. {voice.synthesizer} voice list).",
        )


def _package(synthesizer: str) -> str:
    return {"festival": "festival festvox-kallpc16k"}.get(synthesizer, synthesizer)
